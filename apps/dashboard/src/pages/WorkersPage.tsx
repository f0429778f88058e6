import { api } from '../api';
import { Card, ErrorBox, useNow } from '../components/common';
import { useLiveReload } from '../events';
import { formatAge } from '../format';
import { Link } from '../router';
import { useLoad } from '../use-load';

export function WorkersPage() {
  const workers = useLoad(() => api.workers(), []);
  // Heartbeats do not come as events; a worker event (joined, left, took a trial) reloads at once.
  useLiveReload((e) => e.type === 'workers' || e.type === 'heartbeat', workers.reload, 1_000);
  const now = useNow();
  return (
    <Card title="Workers" testId="workers">
      {workers.error && <ErrorBox>Could not load workers: {workers.error.message}</ErrorBox>}
      {workers.data && workers.data.items.length === 0 && <p className="muted">No live workers (none has sent a heartbeat in the last 30 s).</p>}
      {workers.data && workers.data.items.length > 0 && (
        <table className="table" data-testid="workers-table">
          <thead>
            <tr>
              <th>Worker</th>
              <th>Host / pid</th>
              <th>Backend</th>
              <th>Running trials (of concurrency)</th>
              <th>Heartbeat age</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {workers.data.items.map((w) => (
              <tr key={w.id} data-testid="worker-row">
                <td>{w.id}</td>
                <td>
                  {w.host} / {w.pid}
                </td>
                <td>
                  <span className="chip chip-backend">{w.backend}</span>
                </td>
                <td>
                  {w.runningTrialIds.length} / {w.concurrency}{' '}
                  {w.runningTrialIds.map((id) => (
                    <Link key={id} to={`/trials/${id}`} className="trial-link">
                      {id.slice(0, 8)}
                    </Link>
                  ))}
                </td>
                <td data-testid="heartbeat-age">{(w.heartbeatAgeSeconds + Math.max(0, now - workers.loadedAt) / 1000).toFixed(0)}s</td>
                <td title={w.startedAt}>{formatAge(w.startedAt, now)} ago</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
