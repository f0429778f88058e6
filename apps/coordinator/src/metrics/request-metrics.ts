import type express from 'express';
import { dashboardPageOf } from '@tuneforge/contracts';
import { apiRouteOf } from '../auth/api-route-of';
import type { CoordinatorMetrics } from './coordinator-metrics.service';

/** Counts and times every answer, by a route label of bounded cardinality (routeLabelOf). The first middleware. */
export function recordRequests(metrics: CoordinatorMetrics): express.RequestHandler {
  return (request, response, next) => {
    const started = performance.now();
    response.once('finish', () => {
      const { method } = request;
      const route = routeLabelOf(request, response.statusCode);
      metrics.httpRequests.inc({ method, route, status: String(response.statusCode) });
      metrics.httpDuration.observe({ method, route }, (performance.now() - started) / 1000);
    });
    next();
  };
}

/**
 * A request's route as a label, never its raw URL (ids would make a series per sweep): the API_ROUTES path
 * (`/api/v1/sweeps/:id`), another registered route's path (`/metrics`, the API docs), the dashboard page
 * (`/trials/:id`), else what answered: `(static)` for the dashboard's files, `(unmatched)` for a 404,
 * `(unrouted)` for a request refused before routing (a body over its limit, say).
 */
export function routeLabelOf(request: express.Request, status: number): string {
  const api = apiRouteOf(request);
  if (api) return `/api/v1${api.route.path}`;
  const routePath = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof routePath === 'string') return routePath;
  const page = dashboardPageOf(request.path);
  if (page) return page.page;
  if (status === 404) return '(unmatched)';
  return status < 400 ? '(static)' : '(unrouted)';
}
