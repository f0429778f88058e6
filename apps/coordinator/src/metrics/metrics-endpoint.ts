import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type express from 'express';
import { bearerMatches, sha256 } from '@tuneforge/persistence';
import { UnauthenticatedError } from '../common/domain-errors';
import type { MetricsScrape } from './metrics-scrape.service';

/**
 * GET /metrics (Prometheus text), outside /api/v1 and before the dashboard. With METRICS_TOKEN set, only a
 * request with `Authorization: Bearer <METRICS_TOKEN>` is answered (401 UNAUTHENTICATED otherwise); without
 * it the endpoint is open: its series carry counts, route templates and timings, no ids, names or secrets.
 */
export function serveMetrics(app: NestExpressApplication, scrape: MetricsScrape, metricsToken: string | undefined): void {
  const tokenSha256 = metricsToken === undefined ? undefined : sha256(metricsToken);
  if (tokenSha256 === undefined) Logger.log('GET /metrics answers whoever reaches this port (no METRICS_TOKEN)', 'Metrics');
  const server = app.getHttpAdapter().getInstance() as express.Express;
  server.get('/metrics', (request, response, next) => {
    if (tokenSha256 !== undefined && !bearerMatches(request.headers.authorization, tokenSha256)) {
      const why = request.headers.authorization ? 'the bearer token is not this deployment\'s METRICS_TOKEN' : 'no Authorization header';
      return next(new UnauthenticatedError(`${why}: GET /metrics needs Authorization: Bearer <METRICS_TOKEN>`));
    }
    scrape
      .text()
      .then((text) => response.status(200).set({ 'Content-Type': scrape.contentType, 'Cache-Control': 'no-store' }).end(text))
      .catch(next);
  });
}
