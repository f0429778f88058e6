import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../api';
import { Card, ErrorBox, Skeleton, useNow } from '../components/common';
import { formatAge } from '../format';
import { useLiveQuery } from '../queries';

export function WorkersPage() {
  const workers = useQuery({ queryKey: ['workers'], queryFn: api.workers });
  // Heartbeats do not come as events; a worker event (joined, left, took a trial) reloads at once.
  useLiveQuery(['workers'], (e) => e.type === 'workers' || e.type === 'heartbeat', 1_000);
  const now = useNow();
  return (
    <Card title="Workers" testId="workers">
      {workers.isPending && <Skeleton rows={2} />}
      {workers.error && <ErrorBox>Could not load workers: {workers.error.message}</ErrorBox>}
      {workers.data && workers.data.items.length === 0 && <p className="muted">No live workers (none has sent a heartbeat in the last 30 s).</p>}
      {workers.data && workers.data.items.length > 0 && (
        <div className="table-scroll">
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
                      <Link key={id} href={`/trials/${id}`} className="trial-link">
                        {id.slice(0, 8)}
                      </Link>
                    ))}
                  </td>
                  <td data-testid="heartbeat-age">{(w.heartbeatAgeSeconds + Math.max(0, now - workers.dataUpdatedAt) / 1000).toFixed(0)}s</td>
                  <td title={w.startedAt}>{formatAge(w.startedAt, now)} ago</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
