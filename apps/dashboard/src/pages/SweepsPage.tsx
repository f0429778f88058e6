import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'wouter';
import type { SweepStatus } from '@tuneforge/contracts';
import { api } from '../api';
import { Card, ErrorBox, ProgressBar, Skeleton, StatusChip, useNow } from '../components/common';
import { doneTrials, formatAge, formatNumber } from '../format';
import { mayEdit, useSession } from '../session';
import { useLiveQuery } from '../queries';

const STATUSES: SweepStatus[] = ['running', 'paused', 'completed', 'cancelled', 'failed'];

export function SweepsPage() {
  const [search, setSearch] = useSearchParams();
  const status = (STATUSES as string[]).includes(search.get('status') ?? '') ? (search.get('status') as SweepStatus) : '';
  const sweeps = useQuery({ queryKey: ['sweeps', status], queryFn: () => api.sweeps(status || undefined) });
  useLiveQuery(['sweeps'], (e) => e.type === 'sweep' || e.type === 'trial', 1_000);
  const now = useNow();
  const { me } = useSession();
  const mayCreate = me.user.isAdmin || me.projects.some((p) => mayEdit(p.role));
  const chooseStatus = (value: SweepStatus | '') => setSearch(value ? { status: value } : {}, { replace: true });

  return (
    <Card
      title="Sweeps"
      testId="sweeps"
      actions={
        <span className="card-actions">
          {mayCreate && (
            <Link href="/sweeps/new" className="button" data-testid="new-sweep-link">
              New sweep
            </Link>
          )}
          <label>
            Status{' '}
            <select value={status} onChange={(e) => chooseStatus(e.target.value as SweepStatus | '')} data-testid="status-filter">
              <option value="">all</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        </span>
      }
    >
      {sweeps.isPending && <Skeleton rows={4} />}
      {sweeps.error && <ErrorBox>Could not load sweeps: {sweeps.error.message}</ErrorBox>}
      {sweeps.data && sweeps.data.items.length === 0 && (
        <p className="muted">No sweeps{status ? ` with status ${status}` : ''} yet. Submit one here (New sweep), with the CLI or with POST /api/v1/sweeps.</p>
      )}
      {sweeps.data && sweeps.data.items.length > 0 && (
        <div className="table-scroll">
          <table className="table" data-testid="sweeps-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Progress (done / budget)</th>
                <th>Best objective</th>
                <th>Algorithm</th>
                <th>Age</th>
              </tr>
            </thead>
            <tbody>
              {sweeps.data.items.map((sweep) => (
                <tr key={sweep.id} data-testid="sweep-row">
                  <td>
                    <Link href={`/sweeps/${sweep.id}`}>{sweep.name}</Link>
                  </td>
                  <td>
                    <StatusChip status={sweep.status} />
                  </td>
                  <td className="progress-cell">
                    <ProgressBar done={doneTrials(sweep.trialCounts)} total={sweep.plannedTrials} />
                  </td>
                  <td>
                    {sweep.best ? (
                      <Link href={`/trials/${sweep.best.trialId}`}>
                        {sweep.objective.metric} {formatNumber(sweep.best.value)}
                      </Link>
                    ) : (
                      <span className="muted">–</span>
                    )}
                  </td>
                  <td>{sweep.algorithm}</td>
                  <td title={sweep.createdAt}>{formatAge(sweep.createdAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {sweeps.data && sweeps.data.total > sweeps.data.items.length && (
        <p className="muted">
          Showing the newest {sweeps.data.items.length} of {sweeps.data.total}.
        </p>
      )}
    </Card>
  );
}
