import { useEffect, useMemo, useState } from 'react';
import { keepPreviousData, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation, useSearchParams } from 'wouter';
import { describeTestScore, hyperbandBracketOf, hyperbandBrackets, metricsOfDataset, summarizeByChoice, type SweepDto, type TrialDto, type TrialPointsDto } from '@tuneforge/contracts';
import { api, type TrialSortKey } from '../api';
import { CurvesChart } from '../charts/CurvesChart';
import type { ChartClick } from '../charts/EChart';
import { ContourPlot, ImportanceChart, searchedAxes, SlicePlots } from '../charts/ImportancePlots';
import { ObjectiveScatter, ParallelCoordinates, ParetoChart } from '../charts/TrialPlots';
import { trialColours } from '../charts/trial-colours';
import { Card, ErrorBox, ProgressBar, Skeleton, StatusChip, useSeen } from '../components/common';
import { Leaderboard } from '../components/Leaderboard';
import { SweepActions } from '../components/SweepActions';
import { doneTrials, formatNumber, formatValue } from '../format';
import { useLiveQuery } from '../queries';
import { withUnit } from '../units';
import { NotFoundPage } from './NotFoundPage';

const TOP_CURVES = 10;
const CURVE_POINTS = 200;
const PAGE_SIZE = 25;
/** At most this many trials are compared at once (the curves API's limit is 50; more lines say nothing). */
export const MAX_SELECTED = 12;
const SORT_KEYS: TrialSortKey[] = ['objective', 'number', 'createdAt'];

/**
 * What the sweep page shows, all of it in the URL so a reload or a shared link shows the same: the curves'
 * metric, the leaderboard's order and page (the cursor, and those of the pages before it for Previous), and the
 * trials picked for comparison.
 */
function useSweepView() {
  const [search, setSearch] = useSearchParams();
  const list = (key: string) => (search.get(key) ?? '').split(',').filter(Boolean);
  const sort = SORT_KEYS.includes(search.get('sort') as TrialSortKey) ? (search.get('sort') as TrialSortKey) : 'objective';
  const order = search.get('order') === 'asc' || search.get('order') === 'desc' ? (search.get('order') as 'asc' | 'desc') : undefined;
  const view = {
    metric: search.get('metric') ?? undefined,
    sort,
    order,
    after: search.get('after') ?? undefined,
    back: list('back'),
    selected: list('selected').slice(0, MAX_SELECTED),
  };
  const update = (patch: Partial<typeof view>) => {
    const next = { ...view, ...patch };
    const entries: [string, string | undefined][] = [
      ['metric', next.metric],
      ['sort', next.sort === 'objective' ? undefined : next.sort],
      ['order', next.order],
      ['after', next.after],
      ['back', next.back.length ? next.back.map((c) => c || '-').join(',') : undefined],
      ['selected', next.selected.length ? next.selected.join(',') : undefined],
    ];
    setSearch(Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined)), { replace: true });
  };
  return { view: { ...view, back: view.back.map((c) => (c === '-' ? '' : c)) }, update };
}

/** Loads the sweep, its leaderboard page, curves and trial points at once (the curves default to the objective), then shows them. */
export function SweepPage({ id }: { id: string }) {
  const { view, update } = useSweepView();
  const sweep = useQuery({ queryKey: ['sweep', id], queryFn: () => api.sweep(id) });
  const trials = useQuery({
    queryKey: ['sweep', id, 'trials', view.sort, view.order, view.after],
    queryFn: () => api.trials(id, { limit: PAGE_SIZE, sort: view.sort, order: view.order, after: view.after }),
    placeholderData: keepPreviousData,
  });
  const curves = useQuery({
    queryKey: ['sweep', id, 'curves', view.metric],
    queryFn: () => api.curves(id, view.metric, TOP_CURVES, CURVE_POINTS),
    placeholderData: keepPreviousData,
  });
  const points = useQuery({ queryKey: ['sweep', id, 'points'], queryFn: () => api.trialPoints(id) });

  const ofThisSweep = (e: { type: string; sweepId?: string }) => e.sweepId === id;
  useLiveQuery(['sweep', id], (e) => ofThisSweep(e) && (e.type === 'sweep' || e.type === 'trial' || e.type === 'metrics'), 1_000);

  const ready = Boolean(sweep.data && trials.data && curves.data && points.data);
  // bench/dashboard.ts times the page to this flag.
  useEffect(() => {
    document.body.dataset.sweepReady = ready ? 'true' : 'false';
    return () => void delete document.body.dataset.sweepReady;
  }, [ready]);

  if (sweep.error?.status === 404) return <NotFoundPage what={`There is no sweep with id ${id}.`} />;
  if (!sweep.data) return sweep.error ? <ErrorBox>Could not load the sweep: {sweep.error.message}</ErrorBox> : <SweepSkeleton />;
  return (
    <div className="page" data-testid="sweep-page" data-sweep-status={sweep.data.status} data-ready={ready ? 'true' : 'false'}>
      <SweepSummary sweep={sweep.data} />
      <SweepBody sweep={sweep.data} view={view} update={update} trials={trials} curves={curves} points={points} />
    </div>
  );
}

function SweepSkeleton() {
  return (
    <div className="page" data-testid="sweep-loading">
      {['Sweep', 'Leaderboard', 'Learning curves'].map((title) => (
        <Card key={title} title={title}>
          <Skeleton rows={4} />
        </Card>
      ))}
    </div>
  );
}

function SweepSummary({ sweep }: { sweep: SweepDto }) {
  const [actionError, setActionError] = useState<string>();
  const queries = useQueryClient();
  // An action's answer refreshes the page at once (a cancelled sweep leaves the live feed's snapshot: no event says so).
  const acted = () => {
    setActionError(undefined);
    void queries.invalidateQueries({ queryKey: ['sweep', sweep.id] });
  };
  const done = doneTrials(sweep.trialCounts);
  const counts = sweep.trialCounts;
  return (
    <Card
      title={sweep.name}
      testId="sweep-summary"
      actions={
        <>
          <Link href={`/compare?sweeps=${sweep.id}`} data-testid="compare-link">
            Compare with other sweeps
          </Link>
          <SweepActions sweep={sweep} onDone={acted} onError={setActionError} />
        </>
      }
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
            {counts.running} running · {counts.queued} queued · {counts.completed} completed · {counts.pruned} pruned · {counts.failed} failed ·{' '}
            {counts.cancelled} cancelled
          </div>
        </div>
        <div>
          <div className="label">Best {withUnit(sweep.objective.metric, sweep.spec.dataset)}</div>
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
  );
}

type Query<T> = { data: T | undefined; error: { message: string; status: number } | null };
type SweepView = ReturnType<typeof useSweepView>;

function SweepBody({
  sweep,
  view,
  update,
  trials,
  curves,
  points,
}: {
  sweep: SweepDto;
  view: SweepView['view'];
  update: SweepView['update'];
  trials: Query<Awaited<ReturnType<typeof api.trials>>>;
  curves: Query<Awaited<ReturnType<typeof api.curves>>>;
  points: Query<TrialPointsDto>;
}) {
  const [, navigate] = useLocation();
  const [logScale, setLogScale] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const metric = view.metric ?? sweep.objective.metric;
  // The same list while the URL's says the same: charts redraw only when the picks change.
  const selectedKey = view.selected.join(',');
  const selected = useMemo(() => (selectedKey ? selectedKey.split(',') : []), [selectedKey]);
  const toggle = (trialId: string) =>
    update({ selected: selected.includes(trialId) ? selected.filter((s) => s !== trialId) : [...selected, trialId].slice(-MAX_SELECTED) });
  // A click opens the trial; shift-click adds it to (or takes it from) the comparison.
  const onClickTrial = (trialId: string, click: Pick<ChartClick, 'shiftKey'>) => (click.shiftKey ? toggle(trialId) : navigate(`/trials/${trialId}`));

  const numberOf = useMemo(() => new Map((points.data?.trials ?? []).map((t) => [t.id, t.number])), [points.data]);
  const shownCurves = useMemo(() => (curves.data?.curves ?? []).filter((c) => c.epochs.length > 0), [curves.data]);
  // One colour per trial for the whole page: the top curves and the picked trials.
  const colours = useMemo(
    () => trialColours([...shownCurves.map((c) => c.number), ...selected.map((s) => numberOf.get(s)).filter((n): n is number => n !== undefined)]),
    [shownCurves, selected, numberOf],
  );
  const colourOfId = useMemo(() => {
    const byId = new Map<string, string>();
    for (const c of shownCurves) byId.set(c.trialId, colours.get(c.number) ?? '');
    for (const s of selected) if (numberOf.has(s)) byId.set(s, colours.get(numberOf.get(s) as number) ?? '');
    return byId;
  }, [shownCurves, selected, numberOf, colours]);
  const curveList = useMemo(
    () =>
      shownCurves.map((c, i) => ({
        name: `#${c.number}`,
        epochs: c.epochs,
        values: c.values,
        colour: colours.get(c.number),
        emphasised: i === 0,
        id: c.trialId,
      })),
    [shownCurves, colours],
  );
  const metricChoices = [...new Set([sweep.objective.metric, ...metricsOfDataset(sweep.spec.dataset)])];
  const selectedColours = useMemo(() => new Map(selected.map((s) => [s, colourOfId.get(s) ?? '#111827'])), [selected, colourOfId]);

  return (
    <>
      <Card title={`Leaderboard (${trials.data?.total ?? '…'} trials)`} testId="leaderboard-card">
        {trials.error && <ErrorBox>Could not load trials: {trials.error.message}</ErrorBox>}
        {!trials.data && !trials.error && <Skeleton rows={6} />}
        {trials.data && (
          <Leaderboard
            page={trials.data}
            sweep={sweep}
            sort={view}
            selected={selected}
            colours={colourOfId}
            onToggle={toggle}
            onSort={(sort, order) => update({ sort, order, after: undefined, back: [] })}
            onNext={(cursor) => update({ after: cursor, back: [...view.back, view.after ?? ''] })}
            onPrevious={view.back.length > 0 ? () => update({ after: view.back.at(-1) || undefined, back: view.back.slice(0, -1) }) : undefined}
          />
        )}
      </Card>

      {selected.length > 0 && (
        <Comparison sweep={sweep} selected={selected} colours={colourOfId} metric={metric} onClear={() => update({ selected: [] })} onToggle={toggle} />
      )}

      <Card
        title={`Learning curves: top ${TOP_CURVES} trials`}
        testId="curves-card"
        actions={
          <div className="chart-controls">
            <select
              value={metric}
              onChange={(e) => update({ metric: e.target.value === sweep.objective.metric ? undefined : e.target.value })}
              data-testid="curve-metric"
            >
              {metricChoices.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
            <label>
              <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} data-testid="log-scale" /> log scale
            </label>
            <label>
              smoothing{' '}
              <input
                type="range"
                min={0}
                max={0.95}
                step={0.05}
                value={smoothing}
                onChange={(e) => setSmoothing(Number(e.target.value))}
                data-testid="smoothing"
              />{' '}
              {smoothing.toFixed(2)}
            </label>
          </div>
        }
      >
        {curves.error && curves.error.status !== 404 && <ErrorBox>Could not load curves: {curves.error.message}</ErrorBox>}
        {!curves.data && !curves.error && <Skeleton rows={5} />}
        {curves.data && curveList.length === 0 && <p className="muted">No epochs reported yet.</p>}
        {curveList.length > 0 && (
          <CurvesChart
            curves={curveList}
            axisName={withUnit(metric, sweep.spec.dataset)}
            logScale={logScale}
            smoothing={smoothing}
            testId="curves-chart"
            onClickCurve={(i, click) => curveList[i] && onClickTrial(curveList[i].id, click)}
          />
        )}
      </Card>

      <div className="two-columns">
        <Card title={`Hyperparameters vs objective${pointsShown(points.data)}`} testId="parallel-card">
          {!points.data && <Skeleton rows={5} />}
          {points.data && <ParallelCoordinates points={points.data} spec={sweep.spec} onClickTrial={onClickTrial} />}
        </Card>
        <Card title={`Objective by trial number${pointsShown(points.data)}`} testId="scatter-card">
          {!points.data && <Skeleton rows={5} />}
          {points.data && <ObjectiveScatter points={points.data} spec={sweep.spec} selectedColours={selectedColours} onClickTrial={onClickTrial} />}
        </Card>
      </div>
      <p className="muted hint">Click a trial on a chart to open it; shift-click (or tick it in the leaderboard) to compare it with others.</p>
      {sweep.spec.paretoObjectives && points.data && <ParetoCard sweep={sweep} points={points.data} onClickTrial={onClickTrial} />}
      {points.data && <ChoiceSummaries sweep={sweep} points={points.data} />}
      {points.data && sweep.spec.earlyStopping.type === 'hyperband' && <HyperbandBrackets sweep={sweep} points={points.data} />}
      {points.data && <ImportanceSection sweep={sweep} points={points.data} />}
    </>
  );
}

/** The importance card once it scrolls near the screen: its forest and its many small charts should not slow the page's first view. */
function ImportanceSection({ sweep, points }: { sweep: SweepDto; points: TrialPointsDto }) {
  const [ref, seen] = useSeen<HTMLDivElement>();
  return (
    <div ref={ref} data-testid="importance-section">
      {seen ? (
        <ImportanceCard sweep={sweep} points={points} />
      ) : (
        <Card title="What matters: importance, slices and pairs">
          <Skeleton rows={3} />
        </Card>
      )}
    </div>
  );
}

/** Which hyperparameters matter (computed on the server, the method named), the objective along each, and a chosen pair together. */
function ImportanceCard({ sweep, points }: { sweep: SweepDto; points: TrialPointsDto }) {
  const importance = useQuery({ queryKey: ['sweep', sweep.id, 'importance'], queryFn: () => api.importance(sweep.id), placeholderData: keepPreviousData });
  const names = useMemo(() => searchedAxes(points, sweep.spec).map((a) => a.name), [points, sweep.spec]);
  const ranked = importance.data?.parameters.map((p) => p.name) ?? names;
  const [pair, setPair] = useState<[string | undefined, string | undefined]>([undefined, undefined]);
  const x = pair[0] ?? ranked[0];
  const y = pair[1] ?? ranked.find((n) => n !== x);
  if (names.length === 0) return null;
  return (
    <Card title="What matters: importance, slices and pairs" testId="importance-card">
      {importance.error && <ErrorBox>Could not load the importance: {importance.error.message}</ErrorBox>}
      {!importance.data && !importance.error && <Skeleton rows={3} />}
      {importance.data && (
        <p className="muted chart-note" data-testid="importance-method">
          {importance.data.note ??
            `${importance.data.method}: learned from ${importance.data.trained} finished trials, measured on ${importance.data.measured} it did not see; a share is how much shuffling that hyperparameter worsens the forest's predictions of ${sweep.objective.metric}.`}
        </p>
      )}
      {importance.data && importance.data.parameters.length > 0 && <ImportanceChart importance={importance.data} />}
      <h3>Slices: {withUnit(sweep.objective.metric, sweep.spec.dataset)} against each hyperparameter</h3>
      <SlicePlots points={points} spec={sweep.spec} />
      {x && y && (
        <>
          <h3 className="contour-title">
            Mean {sweep.objective.metric} over{' '}
            <select
              value={x}
              onChange={(e) => setPair([e.target.value, y === e.target.value ? x : y])}
              data-testid="contour-x"
              aria-label="first hyperparameter"
            >
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>{' '}
            and{' '}
            <select
              value={y}
              onChange={(e) => setPair([x === e.target.value ? y : x, e.target.value])}
              data-testid="contour-y"
              aria-label="second hyperparameter"
            >
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </h3>
          <ContourPlot points={points} spec={sweep.spec} x={x} y={y} />
        </>
      )}
    </Card>
  );
}

function ParetoCard({ sweep, points, onClickTrial }: { sweep: SweepDto; points: TrialPointsDto; onClickTrial: (id: string, click: ChartClick) => void }) {
  const pareto = useQuery({ queryKey: ['sweep', sweep.id, 'pareto'], queryFn: () => api.pareto(sweep.id) });
  return (
    <Card title="Pareto front" testId="pareto-card">
      {pareto.error && <ErrorBox>Could not load the Pareto front: {pareto.error.message}</ErrorBox>}
      {!pareto.data && !pareto.error && <Skeleton rows={4} />}
      {pareto.data && <ParetoChart pareto={pareto.data} points={points} spec={sweep.spec} onClickTrial={onClickTrial} />}
    </Card>
  );
}

/** The picked trials side by side: their curves of the chosen metric overlaid, and the hyperparameters that differ between them. */
function Comparison({
  sweep,
  selected,
  colours,
  metric,
  onClear,
  onToggle,
}: {
  sweep: SweepDto;
  selected: readonly string[];
  colours: ReadonlyMap<string, string>;
  metric: string;
  onClear: () => void;
  onToggle: (id: string) => void;
}) {
  const curves = useQuery({
    queryKey: ['sweep', sweep.id, 'curves', metric, selected],
    queryFn: () => api.curves(sweep.id, metric, TOP_CURVES, CURVE_POINTS, selected),
    placeholderData: keepPreviousData,
  });
  const trials = useQueries({ queries: selected.map((id) => ({ queryKey: ['trial', id], queryFn: () => api.trial(id) })) });
  const loaded = trials.map((t) => t.data).filter((t): t is TrialDto => t !== undefined);
  const curveList = (curves.data?.curves ?? []).map((c) => ({ name: `#${c.number}`, epochs: c.epochs, values: c.values, colour: colours.get(c.trialId) }));
  return (
    <Card
      title={`Comparing ${selected.length} trial${selected.length === 1 ? '' : 's'}`}
      testId="comparison-card"
      actions={
        <button type="button" onClick={onClear} data-testid="clear-selection">
          Clear
        </button>
      }
    >
      {curves.error && <ErrorBox>Could not load their curves: {curves.error.message}</ErrorBox>}
      {curveList.length > 0 && (
        <CurvesChart curves={curveList} axisName={withUnit(metric, sweep.spec.dataset)} logScale={false} smoothing={0} height={280} testId="comparison-chart" />
      )}
      {loaded.length > 0 && <ConfigDiff trials={loaded} colours={colours} onRemove={onToggle} />}
    </Card>
  );
}

/** A column per trial, a row per hyperparameter whose value differs between them (the shared ones listed once below). */
function ConfigDiff({ trials, colours, onRemove }: { trials: TrialDto[]; colours: ReadonlyMap<string, string>; onRemove: (id: string) => void }) {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.config.hyperparameters)))].sort();
  const valueOf = (t: TrialDto, name: string) => formatValue(t.config.hyperparameters[name]);
  const differing = names.filter((name) => new Set(trials.map((t) => valueOf(t, name))).size > 1);
  const shared = names.filter((name) => !differing.includes(name));
  return (
    <div className="table-scroll">
      <table className="table compact-cols" data-testid="config-diff">
        <thead>
          <tr>
            <th scope="col">hyperparameter</th>
            {trials.map((t) => (
              <th key={t.id} scope="col">
                <span className="swatch" style={{ background: colours.get(t.id) }} />#{t.number}{' '}
                <button type="button" className="link" onClick={() => onRemove(t.id)} aria-label={`stop comparing trial ${t.number}`}>
                  ×
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[['best', (t: TrialDto) => formatNumber(t.bestMetric)] as const, ['test', (t: TrialDto) => describeTestScore(t.testMetrics)] as const].map(
            ([label, cell]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {trials.map((t) => (
                  <td key={t.id}>{cell(t)}</td>
                ))}
              </tr>
            ),
          )}
          {differing.map((name) => (
            <tr key={name} data-testid="diff-row" data-parameter={name}>
              <th scope="row">{name}</th>
              {trials.map((t) => (
                <td key={t.id}>{valueOf(t, name)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {shared.length > 0 && <p className="muted">The same in all: {shared.map((name) => `${name} ${valueOf(trials[0], name)}`).join(' · ')}</p>}
    </div>
  );
}

/** The searched choices (a `cell` sweep's cells, say), each value's best and median objective: which option wins, at a glance. */
function ChoiceSummaries({ sweep, points }: { sweep: SweepDto; points: TrialPointsDto }) {
  const choices = Object.entries(sweep.spec.searchSpace)
    .filter(
      ([, value]) => typeof value === 'object' && value !== null && (value.type === 'choice' || (value.type === 'perLayer' && value.item.type === 'choice')),
    )
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

/** Hyperband's brackets: each one's first rung and rungs, its trials, how many it stopped, and its best; a trial is ranked only within its bracket. */
function HyperbandBrackets({ sweep, points }: { sweep: SweepDto; points: TrialPointsDto }) {
  const rule = sweep.spec.earlyStopping as { minEpochs: number; reductionFactor: number; maxEpochs?: number };
  const brackets = hyperbandBrackets(rule.minEpochs, rule.reductionFactor, rule.maxEpochs ?? sweep.spec.budget.maxEpochsPerTrial);
  const minimize = sweep.objective.direction === 'minimize';
  const rows = brackets.map((bracket) => {
    const trials = points.trials.filter((t) => hyperbandBracketOf(t.number, brackets).index === bracket.index);
    const values = trials.map((t) => t.objective).filter((v): v is number => v !== null);
    return {
      bracket,
      trials: trials.length,
      pruned: trials.filter((t) => t.status === 'pruned').length,
      best: values.length ? (minimize ? Math.min(...values) : Math.max(...values)) : null,
    };
  });
  return (
    <Card title={`Hyperband brackets${pointsShown(points)}`} testId="brackets-card">
      <p className="muted chart-note">Trials fill the brackets round after round; each is ranked only against its own bracket at its rungs.</p>
      <div className="table-scroll">
        <table className="table" data-testid="brackets-table">
          <thead>
            <tr>
              <th scope="col">bracket (s)</th>
              <th scope="col">first rung</th>
              <th scope="col">rungs (epochs)</th>
              <th scope="col">per round</th>
              <th scope="col">trials</th>
              <th scope="col">pruned</th>
              <th scope="col">best {sweep.objective.metric}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.bracket.index} data-testid="bracket-row">
                <th scope="row">{row.bracket.index}</th>
                <td>{row.bracket.minEpochs}</td>
                <td>{row.bracket.rungs.join(', ') || 'none: runs to the end'}</td>
                <td>{row.bracket.trials}</td>
                <td>{row.trials}</td>
                <td>{row.pruned}</td>
                <td>{formatNumber(row.best)}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
        <dd>{spec.dataset.source === 'builtin' ? spec.dataset.name : `upload ${String((spec.dataset as { id?: string }).id).slice(0, 8)}`}</dd>
        <dt>Model</dt>
        <dd>{spec.model}</dd>
        <dt>Objective</dt>
        <dd>
          {spec.objective.direction} {spec.objective.metric}
        </dd>
        <dt>Search</dt>
        <dd>{spec.algorithm.type}</dd>
        <dt>Early stopping</dt>
        <dd>
          {Object.entries(stopping)
            .map(([k, v]) => (k === 'type' ? String(v) : `${k} ${formatValue(v)}`))
            .join(', ')}
        </dd>
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
