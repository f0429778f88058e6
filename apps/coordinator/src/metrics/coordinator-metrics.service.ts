import { Injectable, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Buckets (seconds) of the coordinator's latency histograms: 1 ms to 30 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The coordinator's Prometheus registry and the series its code observes as it works: HTTP answers, top-ups,
 * reconcile passes, and Node's process metrics. Series read from PostgreSQL and Redis at scrape time are
 * MetricsScrape's. No label carries an id, a name or a secret.
 */
@Injectable()
export class CoordinatorMetrics implements OnModuleInit {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'tuneforge_http_requests_total',
    help: 'HTTP requests answered, by method, route template (API_ROUTES path, or what served it) and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'tuneforge_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being sent, by method and route template (an event stream counts until it closes)',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly topUpDuration = new Histogram({
    name: 'tuneforge_top_up_duration_seconds',
    help: "One top-up of a sweep: its row locked, free slots filled with new trials, the trials enqueued",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly reconcileDuration = new Histogram({
    name: 'tuneforge_reconcile_pass_duration_seconds',
    help: 'One reconcile pass: lost jobs repaired, un-enqueued trials enqueued, running sweeps topped up',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry });
  }
}
