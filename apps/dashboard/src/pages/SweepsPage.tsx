import { useState } from 'react';
import type { SweepStatus } from '@tuneforge/contracts';
import { api } from '../api';
import { Card, ErrorBox, ProgressBar, StatusChip, useNow } from '../components/common';
import { useLiveReload } from '../events';
import { doneTrials, formatAge, formatNumber } from '../format';
import { Link } from '../router';
import { mayEdit, useSession } from '../session';
import { useLoad } from '../use-load';

const STATUSES: SweepStatus[] = ['running', 'paused', 'completed', 'cancelled', 'failed'];

export function SweepsPage() {
  const [status, setStatus] = useState<SweepStatus | ''>(() => (new URLSearchParams(window.location.search).get('status') as SweepStatus) ?? '');
  const sweeps = useLoad(() => api.sweeps(status || undefined), [status]);
  useLiveReload((e) => e.type === 'sweep' || e.type === 'trial', sweeps.reload, 1_000);
  const now = useNow();
  const { me } = useSession();
  const mayCreate = me.user.isAdmin || me.projects.some((p) => mayEdit(p.role));
  const chooseStatus = (value: SweepStatus | '') => {
    setStatus(value);
    window.history.replaceState(null, '', value ? `/?status=${value}` : '/');
  };

  return (
    <Card
      title="Sweeps"
      testId="sweeps"
      actions={
        <span className="card-actions">
          {mayCreate && (
            <Link to="/sweeps/new" className="button" data-testid="new-sweep-link">
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
      {sweeps.error && <ErrorBox>Could not load sweeps: {sweeps.error.message}</ErrorBox>}
      {sweeps.data && sweeps.data.items.length === 0 && <p className="muted">No sweeps{status ? ` with status ${status}` : ''} yet. Submit one here (New sweep), with the CLI or with POST /api/v1/sweeps.</p>}
      {sweeps.data && sweeps.data.items.length > 0 && (
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
                  <Link to={`/sweeps/${sweep.id}`}>{sweep.name}</Link>
                </td>
                <td>
                  <StatusChip status={sweep.status} />
                </td>
                <td className="progress-cell">
                  <ProgressBar done={doneTrials(sweep.trialCounts)} total={sweep.plannedTrials} />
                </td>
                <td>
                  {sweep.best ? (
                    <Link to={`/trials/${sweep.best.trialId}`}>
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
      )}
      {sweeps.data && sweeps.data.total > sweeps.data.items.length && (
        <p className="muted">
          Showing the newest {sweeps.data.items.length} of {sweeps.data.total}.
        </p>
      )}
    </Card>
  );
}
