import { useMemo } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'wouter';
import { describeTestScore, type SweepDto, type TrialPointsDto } from '@tuneforge/contracts';
import { api } from '../api';
import { bestSoFar } from '../charts/best-so-far';
import { CurvesChart } from '../charts/CurvesChart';
import { TRIAL_PALETTE } from '../charts/trial-colours';
import { Card, ErrorBox, Skeleton, StatusChip } from '../components/common';
import { formatNumber } from '../format';
import { useLiveQuery } from '../queries';
import { withUnit } from '../units';

/** At most this many sweeps side by side. */
const MAX_SWEEPS = 6;

/**
 * Sweeps with the same objective side by side (the set in the URL, `?sweeps=a,b`): best so far against trials
 * finished and against epochs trained (what the search cost), and each sweep's best.
 */
export function ComparePage() {
  const [search, setSearch] = useSearchParams();
  const picked = (search.get('sweeps') ?? '').split(',').filter(Boolean).slice(0, MAX_SWEEPS);
  const setPicked = (ids: string[]) => setSearch(ids.length ? { sweeps: ids.join(',') } : {}, { replace: true });
  const sweeps = useQuery({ queryKey: ['sweeps', ''], queryFn: () => api.sweeps() });
  useLiveQuery(['sweeps'], (e) => e.type === 'sweep', 2_000);
  const points = useQueries({ queries: picked.map((id) => ({ queryKey: ['sweep', id, 'points'], queryFn: () => api.trialPoints(id) })) });
  const byId = new Map((sweeps.data?.items ?? []).map((s) => [s.id, s]));
  const first = picked.map((id) => byId.get(id)).find((s) => s !== undefined);
  const sameObjective = (s: SweepDto) => !first || (s.objective.metric === first.objective.metric && s.objective.direction === first.objective.direction);
  const toggle = (id: string) => setPicked(picked.includes(id) ? picked.filter((p) => p !== id) : [...picked, id]);
  const loaded = picked.map((id, i) => ({ sweep: byId.get(id), points: points[i]?.data, colour: TRIAL_PALETTE[i % TRIAL_PALETTE.length] })).filter(
    (s): s is { sweep: SweepDto; points: TrialPointsDto; colour: (typeof TRIAL_PALETTE)[number] } => s.sweep !== undefined && s.points !== undefined,
  );

  return (
    <div className="page" data-testid="compare-page">
      <Card title="Compare sweeps" testId="compare-picker">
        <p className="muted chart-note">Pick two or more sweeps with the same objective.</p>
        {sweeps.isPending && <Skeleton rows={4} />}
        {sweeps.error && <ErrorBox>Could not load sweeps: {sweeps.error.message}</ErrorBox>}
        {sweeps.data && (
          <div className="table-scroll">
            <table className="table" data-testid="compare-sweeps">
              <thead>
                <tr>
                  <th>
                    <span className="visually-hidden">compare</span>
                  </th>
                  <th>Sweep</th>
                  <th>Objective</th>
                  <th>Status</th>
                  <th>Best</th>
                  <th>Algorithm</th>
                </tr>
              </thead>
              <tbody>
                {sweeps.data.items.map((s) => {
                  const index = picked.indexOf(s.id);
                  const allowed = index >= 0 || (sameObjective(s) && picked.length < MAX_SWEEPS);
                  return (
                    <tr key={s.id} data-testid="compare-sweep-row" data-sweep-id={s.id}>
                      <td>
                        <input
                          type="checkbox"
                          checked={index >= 0}
                          disabled={!allowed}
                          title={allowed ? undefined : `another objective than ${first?.objective.direction} ${first?.objective.metric}`}
                          onChange={() => toggle(s.id)}
                          aria-label={`compare sweep ${s.name}`}
                          data-testid="compare-sweep"
                        />
                      </td>
                      <td>
                        {index >= 0 && <span className="swatch" style={{ background: TRIAL_PALETTE[index % TRIAL_PALETTE.length] }} />}
                        <Link href={`/sweeps/${s.id}`}>{s.name}</Link>
                      </td>
                      <td>
                        {s.objective.direction} {s.objective.metric}
                      </td>
                      <td>
                        <StatusChip status={s.status} />
                      </td>
                      <td className="num">{formatNumber(s.best?.value)}</td>
                      <td>{s.algorithm}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {loaded.length >= 2 && first && <Comparison sweeps={loaded} metric={withUnit(first.objective.metric, first.spec.dataset)} />}
    </div>
  );
}

function Comparison({ sweeps, metric }: { sweeps: { sweep: SweepDto; points: TrialPointsDto; colour: string }[]; metric: string }) {
  const curves = useMemo(() => sweeps.map(({ sweep, points, colour }) => ({ sweep, colour, best: bestSoFar(points) })), [sweeps]);
  return (
    <>
      <Card title="Best so far against trials finished" testId="compare-by-trials">
        <CurvesChart
          curves={curves.map(({ sweep, colour, best }) => ({ name: sweep.name, epochs: best.trials, values: best.values, colour, step: true }))}
          axisName={`best ${metric}`}
          xName="trials"
          logScale={false}
          smoothing={0}
          testId="compare-trials-chart"
        />
      </Card>
      <Card title="Best so far against epochs trained (what the search cost)" testId="compare-by-epochs">
        <CurvesChart
          curves={curves.map(({ sweep, colour, best }) => ({ name: sweep.name, epochs: best.epochs, values: best.values, colour, step: true }))}
          axisName={`best ${metric}`}
          xName="epochs trained, all trials"
          logScale={false}
          smoothing={0}
          testId="compare-epochs-chart"
        />
      </Card>
      <Card title="Each sweep's best" testId="compare-bests">
        <div className="table-scroll">
          <table className="table" data-testid="compare-best-table">
            <thead>
              <tr>
                <th>Sweep</th>
                <th>Best {metric}</th>
                <th>Test split</th>
                <th>Trials finished</th>
                <th>Epochs trained</th>
              </tr>
            </thead>
            <tbody>
              {curves.map(({ sweep, colour, best }) => (
                <tr key={sweep.id}>
                  <td>
                    <span className="swatch" style={{ background: colour }} />
                    <Link href={`/sweeps/${sweep.id}`}>{sweep.name}</Link>
                  </td>
                  <td className="num">{sweep.best ? <Link href={`/trials/${sweep.best.trialId}`}>{formatNumber(sweep.best.value)}</Link> : '–'}</td>
                  <td>{describeTestScore(sweep.best?.testMetrics)}</td>
                  <td className="num">{best.trials.length}</td>
                  <td className="num">{best.epochs.at(-1) ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </>
  );
}
