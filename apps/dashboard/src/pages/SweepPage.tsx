import { useEffect, useMemo, useState } from 'react';
import { describeTestScore, metricsOfDataset, summarizeByChoice, type SweepCurvesDto, type SweepDto, type TrialPageDto, type TrialPointsDto } from '@tuneforge/contracts';
import { ApiError, api, type TrialSortKey } from '../api';
import { CurvesChart } from '../charts/CurvesChart';
import { ObjectiveScatter, ParallelCoordinates } from '../charts/TrialPlots';
import { Card, ErrorBox, ProgressBar, StatusChip } from '../components/common';
import { Leaderboard } from '../components/Leaderboard';
import { SweepActions } from '../components/SweepActions';
import { useLiveReload } from '../events';
import { doneTrials, formatNumber, formatValue } from '../format';
import { useNavigate } from '../router';
import { useLoad, type Loaded } from '../use-load';
import { NotFoundPage } from './NotFoundPage';

const TOP_CURVES = 10;
const CURVE_POINTS = 200;

/** The leaderboard's page: its order, and the cursor it starts after with those of the pages before it (for Previous). */
type LeaderboardPage = { limit: number; sort: TrialSortKey; order?: 'asc' | 'desc'; after?: string; before: (string | undefined)[] };

/** Loads the sweep, its leaderboard page, curves and trial points at once (the curves default to the objective), then shows them. */
export function SweepPage({ id }: { id: string }) {
  const sweep = useLoad(() => api.sweep(id), [id]);
  const [page, setPage] = useState<LeaderboardPage>({ limit: 25, sort: 'objective', before: [] });
  const trials = useLoad(() => api.trials(id, { limit: page.limit, sort: page.sort, order: page.order, after: page.after }), [id, page]);
  const [metric, setMetric] = useState<string>();
  const curves = useLoad(() => api.curves(id, metric, TOP_CURVES, CURVE_POINTS), [id, metric]);
  const points = useLoad(() => api.trialPoints(id), [id]);

  const ofThisSweep = (e: { type: string; sweepId?: string }) => e.sweepId === id;
  useLiveReload((e) => ofThisSweep(e) && (e.type === 'sweep' || e.type === 'trial'), sweep.reload, 1_000);
  useLiveReload((e) => ofThisSweep(e) && (e.type === 'trial' || e.type === 'sweep'), trials.reload, 1_000);
  useLiveReload((e) => ofThisSweep(e) && (e.type === 'metrics' || e.type === 'trial'), curves.reload, 2_000);
  useLiveReload((e) => ofThisSweep(e) && e.type === 'trial', points.reload, 3_000);

  if (sweep.error?.status === 404) return <NotFoundPage what={`There is no sweep with id ${id}.`} />;
  if (!sweep.data) return sweep.error ? <ErrorBox>Could not load the sweep: {sweep.error.message}</ErrorBox> : <p className="muted">Loading…</p>;
  return (
    <SweepView
      sweep={sweep.data}
      onChanged={sweep.reload}
      trials={trials}
      page={page}
      setPage={setPage}
      curves={curves}
      metric={metric ?? sweep.data.objective.metric}
      setMetric={setMetric}
      points={points}
    />
  );
}

function SweepView({
  sweep,
  onChanged,
  trials,
  page,
  setPage,
  curves,
  metric,
  setMetric,
  points,
}: {
  sweep: SweepDto;
  onChanged: () => void;
  trials: Loaded<TrialPageDto>;
  page: LeaderboardPage;
  setPage: (page: LeaderboardPage) => void;
  curves: Loaded<SweepCurvesDto>;
  metric: string;
  setMetric: (metric: string) => void;
  points: Loaded<TrialPointsDto>;
}) {
  const navigate = useNavigate();
  const [logScale, setLogScale] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const [actionError, setActionError] = useState<string>();

  const ready = Boolean(trials.data && curves.data && points.data);
  useEffect(() => {
    document.body.dataset.sweepReady = ready ? 'true' : 'false';
    return () => void delete document.body.dataset.sweepReady;
  }, [ready]);

  const curveList = useMemo(
    () => (curves.data?.curves ?? []).filter((c) => c.epochs.length > 0).map((c) => ({ name: `#${c.number}`, epochs: c.epochs, values: c.values, id: c.trialId })),
    [curves.data],
  );
  const metricChoices = useMemo(() => {
    return [...new Set([sweep.objective.metric, ...metricsOfDataset(sweep.spec.dataset)])];
  }, [sweep]);

  const done = doneTrials(sweep.trialCounts);
  const counts = sweep.trialCounts;
  return (
    <div className="page" data-testid="sweep-page" data-sweep-status={sweep.status}>
      <Card
        title={sweep.name}
        testId="sweep-summary"
        actions={<SweepActions sweep={sweep} onDone={() => { setActionError(undefined); onChanged(); trials.reload(); }} onError={setActionError} />}
      >
        {actionError && <ErrorBox>{actionError}</ErrorBox>}
        <div className="summary-grid">
          <div>
            <div className="label">Status</div>
            <StatusChip status={sweep.status} />
            {sweep.statusReason && (
              <div className="status-reason" data-testid="sweep-status-reason">
                {sweep.statusReason}
              </div>
            )}
          </div>
          <div className="summary-progress">
            <div className="label">Progress (done / budget)</div>
            <ProgressBar done={done} total={sweep.plannedTrials} />
            <div className="counts" data-testid="trial-counts">
              {counts.running} running · {counts.queued} queued · {counts.completed} completed · {counts.pruned} pruned · {counts.failed} failed · {counts.cancelled} cancelled
            </div>
          </div>
          <div>
            <div className="label">Best {sweep.objective.metric}</div>
            <div className="big" data-testid="best-objective">
              {sweep.best ? formatNumber(sweep.best.value) : '–'}
            </div>
          </div>
          <div>
            <div className="label">Best trial on the test split</div>
            <div data-testid="best-test-score">{describeTestScore(sweep.best?.testMetrics)}</div>
          </div>
        </div>
        <SpecSummary sweep={sweep} />
      </Card>

      <Card title={`Leaderboard (${trials.data?.total ?? '…'} trials)`} testId="leaderboard-card">
        {trials.error && <ErrorBox>Could not load trials: {trials.error.message}</ErrorBox>}
        {trials.data && (
          <Leaderboard
            page={trials.data}
            sweep={sweep}
            sort={page}
            onSort={(sort, order) => setPage({ limit: page.limit, sort, order, before: [] })}
            onNext={(cursor) => setPage({ ...page, after: cursor, before: [...page.before, page.after] })}
            onPrevious={page.before.length > 0 ? () => setPage({ ...page, after: page.before.at(-1), before: page.before.slice(0, -1) }) : undefined}
          />
        )}
      </Card>

      <Card
        title={`Learning curves: top ${TOP_CURVES} trials`}
        testId="curves-card"
        actions={
          <div className="chart-controls">
            <select value={metric} onChange={(e) => setMetric(e.target.value)} data-testid="curve-metric">
              {metricChoices.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
            <label>
              <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} data-testid="log-scale" /> log scale
            </label>
            <label>
              smoothing <input type="range" min={0} max={0.95} step={0.05} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} data-testid="smoothing" />{' '}
              {smoothing.toFixed(2)}
            </label>
          </div>
        }
      >
        {curves.error && !(curves.error instanceof ApiError && curves.error.status === 404) && <ErrorBox>Could not load curves: {curves.error.message}</ErrorBox>}
        {curves.data && curveList.length === 0 && <p className="muted">No epochs reported yet.</p>}
        <CurvesChart curves={curveList} metric={metric} logScale={logScale} smoothing={smoothing} testId="curves-chart" onClickCurve={(i) => curveList[i] && navigate(`/trials/${curveList[i].id}`)} />
      </Card>

      <div className="two-columns">
        <Card title={`Hyperparameters vs objective${pointsShown(points.data)}`} testId="parallel-card">
          {points.data && <ParallelCoordinates points={points.data} onOpenTrial={(trialId) => navigate(`/trials/${trialId}`)} />}
        </Card>
        <Card title={`Objective by trial number${pointsShown(points.data)}`} testId="scatter-card">
          {points.data && <ObjectiveScatter points={points.data} onOpenTrial={(trialId) => navigate(`/trials/${trialId}`)} />}
        </Card>
      </div>
      {points.data && <ChoiceSummaries sweep={sweep} points={points.data} />}
    </div>
  );
}

/** The searched choices (a `cell` sweep's cells, say), each value's best and median objective: which option wins, at a glance. */
function ChoiceSummaries({ sweep, points }: { sweep: SweepDto; points: TrialPointsDto }) {
  const choices = Object.entries(sweep.spec.searchSpace)
    .filter(([, value]) => typeof value === 'object' && value !== null && (value.type === 'choice' || (value.type === 'perLayer' && value.item.type === 'choice')))
    .map(([name]) => name);
  if (choices.length === 0) return null;
  const { metric, direction } = sweep.objective;
  return (
    <Card title={`By choice: best and median ${metric}${pointsShown(points)}`} testId="choice-summary">
      <div className="choice-tables">
        {choices.map((name) => (
          <div className="table-scroll" key={name}>
            <table className="table" data-testid="choice-table" data-parameter={name}>
              <thead>
                <tr>
                  <th scope="col">{name}</th>
                  <th scope="col">trials</th>
                  <th scope="col">best</th>
                  <th scope="col">median</th>
                </tr>
              </thead>
              <tbody>
                {summarizeByChoice(points, name, direction).map((row, i) => (
                  <tr key={row.value} data-best={i === 0 ? 'true' : undefined}>
                    <th scope="row">{row.value}</th>
                    <td>{row.trials}</td>
                    <td>{formatNumber(row.best)}</td>
                    <td>{formatNumber(row.median)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </div>
    </Card>
  );
}

/** What the plots show of a sweep too big to plot whole: its best trials (the API's trial-points `limit`). */
function pointsShown(points: TrialPointsDto | undefined): string {
  return points && points.total > points.trials.length ? ` (best ${points.trials.length.toLocaleString()} of ${points.total.toLocaleString()} trials)` : '';
}

function SpecSummary({ sweep }: { sweep: SweepDto }) {
  const spec = sweep.spec;
  const stopping = spec.earlyStopping as { type: string } & Record<string, unknown>;
  return (
    <div className="spec" data-testid="spec-summary">
      <dl>
        <dt>Dataset</dt>
        <dd>
          {spec.dataset.source === 'builtin' ? spec.dataset.name : `upload ${String((spec.dataset as { id?: string }).id).slice(0, 8)}`}
        </dd>
        <dt>Model</dt>
        <dd>{spec.model}</dd>
        <dt>Objective</dt>
        <dd>
          {spec.objective.direction} {spec.objective.metric}
        </dd>
        <dt>Search</dt>
        <dd>{spec.algorithm.type}</dd>
        <dt>Early stopping</dt>
        <dd>{Object.entries(stopping).map(([k, v]) => (k === 'type' ? String(v) : `${k} ${formatValue(v)}`)).join(', ')}</dd>
        <dt>Budget</dt>
        <dd>
          {sweep.plannedTrials} trials ({spec.budget.maxConcurrent} at a time), {spec.budget.maxEpochsPerTrial} epochs each
        </dd>
        <dt>Seed</dt>
        <dd>{sweep.seed}</dd>
        <dt>Search space</dt>
        <dd>
          {Object.entries(spec.searchSpace)
            .map(([name, dim]) => `${name}: ${describeDimension(dim)}`)
            .join(' · ')}
        </dd>
      </dl>
    </div>
  );
}

function describeDimension(dim: unknown): string {
  if (typeof dim !== 'object' || dim === null) return formatValue(dim);
  const d = dim as { type?: string; min?: number; max?: number; values?: unknown[]; log?: boolean };
  if (d.type === 'choice') return `{${(d.values ?? []).map(formatValue).join(', ')}}`;
  if (d.min !== undefined && d.max !== undefined) return `${d.type} [${formatValue(d.min)}, ${formatValue(d.max)}]${d.log ? ' log' : ''}`;
  return d.type ?? JSON.stringify(dim);
}
