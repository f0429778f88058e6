import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { describeTestScore, isFinishedTrial, type MetricSeriesDto, type SweepDto, type TrialDto, type ConfusionMatrix } from '@tuneforge/contracts';
import { api, client } from '../api';
import { CurvesChart, type Baseline, type Curve } from '../charts/CurvesChart';
import { Card, ErrorBox, Skeleton, TrialStatusChip } from '../components/common';
import { wallSeconds } from '../components/Leaderboard';
import { formatBytes, formatNumber, formatValue } from '../format';
import { useLiveQuery } from '../queries';
import { formatDuration, withUnit } from '../units';
import { NotFoundPage } from './NotFoundPage';

const METRIC_POINTS = 500;
const SEASONAL_NAIVE = 'seasonal_naive_val_mae';
/** Metrics that are not the model's: a baseline's score on the same rows, drawn as a reference line on its metric's chart. */
const BASELINE_PREFIXES = ['seasonal_naive_', 'majority_', 'bag_of_chars_'] as const;

export function TrialPage({ id }: { id: string }) {
  const trial = useQuery({ queryKey: ['trial', id], queryFn: () => api.trial(id) });
  useLiveQuery(['trial', id], (e) => (e.type === 'trial' || e.type === 'metrics') && e.trialId === id, 1_000);
  if (trial.error?.status === 404) return <NotFoundPage what={`There is no trial with id ${id}.`} />;
  if (!trial.data) {
    if (trial.error) return <ErrorBox>Could not load the trial: {trial.error.message}</ErrorBox>;
    return (
      <Card title="Trial" testId="trial-loading">
        <Skeleton rows={6} />
      </Card>
    );
  }
  return <TrialView trial={trial.data} />;
}

function TrialView({ trial }: { trial: TrialDto }) {
  const metrics = useQuery({ queryKey: ['trial', trial.id, 'metrics'], queryFn: () => api.metrics(trial.id, METRIC_POINTS) });
  const checkpoints = useQuery({ queryKey: ['trial', trial.id, 'checkpoints'], queryFn: () => api.checkpoints(trial.id) });
  const sweep = useQuery({ queryKey: ['sweep', trial.sweepId], queryFn: () => api.sweep(trial.sweepId) });
  const [logScale, setLogScale] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const hp = trial.config.hyperparameters;

  return (
    <div className="page" data-testid="trial-page">
      <Card title={`Trial #${trial.number}`} testId="trial-summary">
        <p>
          <TrialStatusChip trial={trial} /> {trial.statusReason && <span data-testid="status-reason">{trial.statusReason}</span>}
        </p>
        <p className="muted">
          Sweep <Link href={`/sweeps/${trial.sweepId}`}>{sweep.data?.name ?? trial.sweepId}</Link> · seed {trial.seed} · {trial.attempts} attempt(s)
          {trial.workerId && ` · last on ${trial.workerId} (${trial.backend ?? '?'})`}
        </p>
        <BaselineComparison metrics={metrics.data} />
        {metrics.data && <Durations trial={trial} metrics={metrics.data} />}
        <p className="baseline" data-testid="test-score">
          {trial.testMetrics ? (
            <span>
              on the test split (best epoch {trial.bestEpoch ?? '?'}, rows nothing selected on): <strong>{describeTestScore(trial.testMetrics)}</strong>
            </span>
          ) : (
            <span className="muted">scored on the test split when the trial ends</span>
          )}
        </p>
        {trial.testConfusion && <ConfusionTable confusion={trial.testConfusion} />}
        <div className="two-columns">
          <div>
            <h3>Hyperparameters</h3>
            <div className="table-scroll">
              <table className="table compact" data-testid="trial-config">
                <tbody>
                  {Object.entries(hp).map(([name, value]) => (
                    <tr key={name}>
                      <th>{name}</th>
                      <td>{formatValue(value)}</td>
                    </tr>
                  ))}
                  <tr>
                    <th>max epochs</th>
                    <td>{trial.config.maxEpochs}</td>
                  </tr>
                  <tr>
                    <th>checkpoint every</th>
                    <td>{trial.config.checkpointEvery} epochs</td>
                  </tr>
                </tbody>
              </table>
            </div>
            <h3>Dataset</h3>
            <div className="table-scroll">
              <table className="table compact">
                <tbody>
                  {Object.entries(trial.config.dataset).map(([name, value]) => (
                    <tr key={name}>
                      <th>{name}</th>
                      <td>{formatValue(value)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <div>
            <h3>Status history</h3>
            <ol className="history" data-testid="status-history">
              <li>
                <time>{new Date(trial.createdAt).toLocaleString()}</time> <strong>created</strong>
              </li>
              {trial.events.map((event, i) => (
                <li key={i} data-testid="history-event">
                  <time>{new Date(event.at).toLocaleString()}</time> <strong>{event.type}</strong> {event.message}
                </li>
              ))}
            </ol>
          </div>
        </div>
      </Card>

      <Card
        title="Metrics"
        testId="trial-metrics"
        actions={
          <div className="chart-controls">
            <label>
              <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} /> log scale
            </label>
            <label>
              smoothing <input type="range" min={0} max={0.95} step={0.05} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} />{' '}
              {smoothing.toFixed(2)}
            </label>
          </div>
        }
      >
        {metrics.error && <ErrorBox>Could not load metrics: {metrics.error.message}</ErrorBox>}
        {!metrics.data && !metrics.error && <Skeleton rows={5} />}
        {metrics.data && sweep.data && <MetricCharts metrics={metrics.data} sweep={sweep.data} logScale={logScale} smoothing={smoothing} />}
      </Card>

      <Card title="Checkpoints" testId="checkpoints">
        {checkpoints.data && checkpoints.data.length === 0 && (
          <p className="muted">
            {isFinishedTrial(trial.status)
              ? `No checkpoints kept: the sweep keeps those of its best ${sweep.data?.spec.retention.keepCheckpointsOfBest ?? 'N'} trials (retention).`
              : 'No checkpoint yet.'}
          </p>
        )}
        {checkpoints.data && checkpoints.data.length > 0 && (
          <>
            {checkpoints.data[0].format.startsWith('tfjs') && (
              <p>
                Newest as a TensorFlow.js model:{' '}
                <a href={client.url('latestModelJson', { id: trial.id })} download={`trial-${trial.number}-model.json`} data-testid="download-model">
                  model.json
                </a>{' '}
                +{' '}
                <a href={client.url('latestWeights', { id: trial.id })} download="weights.bin" data-testid="download-weights">
                  weights.bin
                </a>{' '}
                <span className="muted">(tf.loadLayersModel on the model.json URL loads it)</span>
              </p>
            )}
            <div className="table-scroll">
              <table className="table compact">
                <thead>
                  <tr>
                    <th>Epoch</th>
                    <th>Format</th>
                    <th>Size</th>
                    <th>Written</th>
                    <th>Download</th>
                  </tr>
                </thead>
                <tbody>
                  {checkpoints.data.map((c) => (
                    <tr key={c.epoch} data-testid="checkpoint-row">
                      <td>{c.epoch}</td>
                      <td>{c.format}</td>
                      <td>{formatBytes(c.sizeBytes)}</td>
                      <td>{new Date(c.createdAt).toLocaleString()}</td>
                      <td>
                        <a href={client.url('checkpointBytes', { id: trial.id, epoch: String(c.epoch) })} download data-testid="download-checkpoint">
                          epoch {c.epoch} ({c.format})
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Card>
    </div>
  );
}

/** The trial's best val_mae next to the seasonal-naive forecast's MAE on the same validation windows. */
/** How the test split's rows were classified: a row per actual class, a column per predicted one. */
function ConfusionTable({ confusion }: { confusion: ConfusionMatrix }) {
  return (
    <div className="table-scroll">
      <table className="table compact" data-testid="confusion-matrix">
        <caption>Test split: actual class (rows) against predicted class (columns)</caption>
        <thead>
          <tr>
            <th />
            {confusion.classes.map((name) => (
              <th key={name} scope="col">
                predicted {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {confusion.counts.map((row, actual) => (
            <tr key={confusion.classes[actual]}>
              <th scope="row">{confusion.classes[actual]}</th>
              {row.map((count, predicted) => (
                <td key={predicted} className={actual === predicted ? 'confusion-hit' : undefined}>
                  {count}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BaselineComparison({ metrics }: { metrics: MetricSeriesDto | undefined }) {
  const mae = metrics?.metrics.val_mae;
  if (!mae || mae.values.length === 0) return null;
  const best = Math.min(...mae.values);
  const baseline = metrics?.metrics[SEASONAL_NAIVE]?.values.at(-1);
  return (
    <div className="baseline" data-testid="baseline">
      <span>
        best val_mae <strong>{formatNumber(best)}</strong>
      </span>
      {baseline !== undefined ? (
        <span>
          seasonal-naive baseline <strong>{formatNumber(baseline)}</strong> (
          {best < baseline
            ? `${formatNumber((100 * (baseline - best)) / baseline, 3)}% better`
            : `${formatNumber((100 * (best - baseline)) / baseline, 3)}% worse`}
          )
        </span>
      ) : (
        <span className="muted">no seasonal-naive baseline reported for this model</span>
      )}
    </div>
  );
}

/** How long the trial took: wall time, the mean epoch, and the training time until its best epoch. */
function Durations({ trial, metrics }: { trial: TrialDto; metrics: MetricSeriesDto }) {
  const seconds = metrics.metrics.epoch_seconds;
  const mean = seconds && seconds.values.length ? seconds.values.reduce((a, b) => a + b, 0) / seconds.values.length : null;
  const toBest =
    seconds && trial.bestEpoch !== null ? seconds.values.filter((_, i) => seconds.epochs[i] <= (trial.bestEpoch as number)).reduce((a, b) => a + b, 0) : null;
  return (
    <p className="durations" data-testid="trial-durations">
      <span>
        wall time <strong>{formatDuration(wallSeconds(trial))}</strong>
      </span>
      <span>
        epoch <strong>{formatDuration(mean)}</strong> on average
      </span>
      <span>
        time to best (epoch {trial.bestEpoch ?? '?'}) <strong>{formatDuration(toBest)}</strong> of training
      </span>
    </p>
  );
}

/** A chart of one metric (or of loss with val_loss), with the baselines of the same rows beside it. */
interface MetricPanel {
  title: string;
  metric: string;
  curves: Curve[];
  baselines: Baseline[];
}

/**
 * The trial's metrics, the objective first: loss and val_loss on one chart (training solid, validation dashed),
 * each baseline as a reference line on its metric's chart, and metrics that never changed (param_count) as numbers.
 */
export function metricPanels(metrics: MetricSeriesDto, objective: string): { panels: MetricPanel[]; constants: [string, number][] } {
  const names = Object.keys(metrics.metrics);
  const isBaseline = (name: string) => BASELINE_PREFIXES.some((prefix) => name.startsWith(prefix));
  const constants: [string, number][] = [];
  const charted: string[] = [];
  // After one epoch every metric is one value: only a metric that stayed put while others moved is a constant.
  const epochs = Math.max(0, ...names.map((n) => metrics.metrics[n].values.length));
  for (const name of names.filter((n) => !isBaseline(n)).sort()) {
    const values = metrics.metrics[name].values;
    if (name !== objective && epochs > 1 && values.length > 0 && values.every((v) => v === values[0])) constants.push([name, values[0]]);
    else if (name !== 'loss' || !names.includes('val_loss')) charted.push(name);
  }
  const order = (name: string) => (name === objective ? 0 : name === 'val_loss' ? 1 : 2);
  charted.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const panels = charted.map((name) => {
    const paired = name === 'val_loss' && metrics.metrics.loss !== undefined;
    const curves: Curve[] = paired
      ? [
          { name: 'loss (training)', ...metrics.metrics.loss },
          { name: 'val_loss (validation)', ...metrics.metrics.val_loss, dashed: true },
        ]
      : [{ name, ...metrics.metrics[name] }];
    const baselines = names
      .filter((b) => isBaseline(b) && BASELINE_PREFIXES.some((prefix) => b === prefix + name))
      .map((b) => ({
        label: `${b.replace(`_${name}`, '').replace(/_/g, ' ')} ${formatNumber(metrics.metrics[b].values.at(-1))}`,
        value: metrics.metrics[b].values.at(-1) as number,
      }));
    return { title: paired ? 'loss and val_loss' : name, metric: name, curves, baselines };
  });
  return { panels, constants };
}

function MetricCharts({ metrics, sweep, logScale, smoothing }: { metrics: MetricSeriesDto; sweep: SweepDto; logScale: boolean; smoothing: number }) {
  const { panels, constants } = useMemo(() => metricPanels(metrics, sweep.objective.metric), [metrics, sweep.objective.metric]);
  if (panels.length === 0) return <p className="muted">No epochs reported yet.</p>;
  return (
    <>
      {constants.length > 0 && (
        <p className="constants" data-testid="metric-constants">
          {constants.map(([name, value]) => (
            <span key={name} data-metric={name}>
              {withUnit(name, sweep.spec.dataset)} <strong>{formatNumber(value)}</strong>
            </span>
          ))}
        </p>
      )}
      <div className="metric-grid">
        {panels.map((panel) => (
          <div key={panel.metric} className="metric-chart" data-testid="metric-chart" data-metric={panel.metric}>
            <h3>{panel.title}</h3>
            <CurvesChart
              curves={panel.curves}
              axisName={withUnit(panel.metric, sweep.spec.dataset)}
              logScale={logScale}
              smoothing={smoothing}
              height={240}
              baselines={panel.baselines}
            />
          </div>
        ))}
      </div>
    </>
  );
}
