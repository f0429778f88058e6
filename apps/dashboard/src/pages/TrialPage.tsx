import { useMemo, useState } from 'react';
import { describeTestScore, isFinishedTrial, type MetricSeriesDto, type TrialDto, type ConfusionMatrix } from '@tuneforge/contracts';
import { api, client } from '../api';
import { CurvesChart } from '../charts/CurvesChart';
import { Card, ErrorBox, TrialStatusChip } from '../components/common';
import { useLiveReload } from '../events';
import { formatBytes, formatNumber, formatValue } from '../format';
import { Link } from '../router';
import { useLoad } from '../use-load';
import { NotFoundPage } from './NotFoundPage';

const METRIC_POINTS = 500;
const BASELINE = 'seasonal_naive_val_mae';

export function TrialPage({ id }: { id: string }) {
  const trial = useLoad(() => api.trial(id), [id]);
  useLiveReload((e) => e.type === 'trial' && e.trialId === id, trial.reload, 1_000);
  if (trial.error?.status === 404) return <NotFoundPage what={`There is no trial with id ${id}.`} />;
  if (!trial.data) return trial.error ? <ErrorBox>Could not load the trial: {trial.error.message}</ErrorBox> : <p className="muted">Loading…</p>;
  return <TrialView trial={trial.data} />;
}

function TrialView({ trial }: { trial: TrialDto }) {
  const metrics = useLoad(() => api.metrics(trial.id, METRIC_POINTS), [trial.id]);
  const checkpoints = useLoad(() => api.checkpoints(trial.id), [trial.id]);
  const sweep = useLoad(() => api.sweep(trial.sweepId), [trial.sweepId]);
  useLiveReload((e) => (e.type === 'metrics' || e.type === 'trial') && e.trialId === trial.id, metrics.reload, 2_000);
  useLiveReload((e) => e.type === 'trial' && e.trialId === trial.id, checkpoints.reload, 2_000);
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
          Sweep <Link to={`/sweeps/${trial.sweepId}`}>{sweep.data?.name ?? trial.sweepId}</Link> · seed {trial.seed} · {trial.attempts} attempt(s)
          {trial.workerId && ` · last on ${trial.workerId} (${trial.backend ?? '?'})`}
        </p>
        <BaselineComparison metrics={metrics.data} />
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
            <h3>Dataset</h3>
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
              smoothing <input type="range" min={0} max={0.95} step={0.05} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} /> {smoothing.toFixed(2)}
            </label>
          </div>
        }
      >
        {metrics.error && <ErrorBox>Could not load metrics: {metrics.error.message}</ErrorBox>}
        {metrics.data && <MetricCharts metrics={metrics.data} logScale={logScale} smoothing={smoothing} />}
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
  const baseline = metrics?.metrics[BASELINE]?.values.at(-1);
  return (
    <div className="baseline" data-testid="baseline">
      <span>
        best val_mae <strong>{formatNumber(best)}</strong>
      </span>
      {baseline !== undefined ? (
        <span>
          seasonal-naive baseline <strong>{formatNumber(baseline)}</strong> ({best < baseline ? `${formatNumber((100 * (baseline - best)) / baseline, 3)}% better` : `${formatNumber((100 * (best - baseline)) / baseline, 3)}% worse`})
        </span>
      ) : (
        <span className="muted">no seasonal-naive baseline reported for this model</span>
      )}
    </div>
  );
}

function MetricCharts({ metrics, logScale, smoothing }: { metrics: MetricSeriesDto; logScale: boolean; smoothing: number }) {
  const names = useMemo(() => Object.keys(metrics.metrics).filter((n) => n !== BASELINE).sort(), [metrics]);
  const baseline = metrics.metrics[BASELINE]?.values.at(-1);
  const curves = useMemo(() => Object.fromEntries(names.map((n) => [n, [{ name: n, ...metrics.metrics[n] }]])), [names, metrics]);
  if (names.length === 0) return <p className="muted">No epochs reported yet.</p>;
  return (
    <div className="metric-grid">
      {names.map((name) => (
        <div key={name} className="metric-chart" data-testid="metric-chart" data-metric={name}>
          <h3>{name}</h3>
          <CurvesChart
            curves={curves[name]}
            metric={name}
            logScale={logScale}
            smoothing={smoothing}
            height={220}
            baseline={name === 'val_mae' && baseline !== undefined ? { label: `seasonal naive ${formatNumber(baseline)}`, value: baseline } : undefined}
          />
        </div>
      ))}
    </div>
  );
}
