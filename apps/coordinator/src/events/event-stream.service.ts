import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import type { DashboardEvent } from '@tuneforge/contracts';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { ChangeFeed } from './change-feed.service';
import { Stores } from '@tuneforge/persistence';

/** How long a browser waits before reconnecting after the stream drops (the SSE `retry:` field). */
export const SSE_RETRY_MS = 2_000;

interface Subscriber {
  response: Response;
  /** Only this sweep's sweep/trial/metrics events, when set. */
  sweepId?: string;
  /** The projects whose sweeps' events it gets (its memberships when it connected); `all` for deployment admins. */
  projects: ReadonlySet<string> | 'all';
}

/**
 * Fans change events out to Server-Sent Events subscribers. PostgreSQL is polled only while
 * someone listens, once per `eventsPollMs`; a heartbeat every `eventsHeartbeatMs` lets clients
 * tell a quiet stream from a dead one.
 */
@Injectable()
export class EventStream implements OnModuleDestroy {
  private readonly logger = new Logger(EventStream.name);
  private readonly subscribers = new Set<Subscriber>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly sweepProjects = new Map<string, string | undefined>();

  constructor(
    private readonly feed: ChangeFeed,
    private readonly stores: Stores,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  subscribe(response: Response, projects: readonly string[] | 'all', sweepId?: string): void {
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.socket?.setNoDelay(true);
    response.write(`retry: ${SSE_RETRY_MS}\n\n`);
    const subscriber: Subscriber = { response, sweepId, projects: projects === 'all' ? 'all' : new Set(projects) };
    this.subscribers.add(subscriber);
    send(subscriber, { type: 'hello', serverTime: new Date().toISOString(), pollMs: this.config.eventsPollMs });
    response.on('close', () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stop();
    });
    this.start();
  }

  onModuleDestroy(): void {
    this.stop();
    // An open stream would keep the HTTP server from closing.
    for (const subscriber of this.subscribers) subscriber.response.end();
    this.subscribers.clear();
  }

  private start(): void {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => this.broadcast({ type: 'heartbeat', serverTime: new Date().toISOString() }), this.config.eventsHeartbeatMs);
    if (!this.polling) void this.pollWhileSubscribed();
  }

  private stop(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.feed.reset();
  }

  private async pollWhileSubscribed(): Promise<void> {
    this.polling = true;
    while (this.heartbeatTimer) {
      try {
        const events = await this.feed.poll();
        const projects = await this.projectsOf(events);
        for (const event of events) this.broadcast(event, projects);
      } catch (error) {
        this.logger.warn(`change poll failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.config.eventsPollMs).unref());
    }
    this.polling = false;
  }

  /** The project of each sweep the events name (a sweep never changes project: looked up once). */
  private async projectsOf(events: readonly DashboardEvent[]): Promise<ReadonlyMap<string, string | undefined>> {
    for (const event of events) {
      if ('sweepId' in event && !this.sweepProjects.has(event.sweepId)) this.sweepProjects.set(event.sweepId, await this.stores.accounts.projectOf('sweep', event.sweepId));
    }
    return this.sweepProjects;
  }

  private broadcast(event: DashboardEvent, projects?: ReadonlyMap<string, string | undefined>): void {
    for (const subscriber of this.subscribers) {
      if ('sweepId' in event) {
        if (subscriber.sweepId && event.sweepId !== subscriber.sweepId) continue;
        const project = projects?.get(event.sweepId);
        if (subscriber.projects !== 'all' && (project === undefined || !subscriber.projects.has(project))) continue;
      }
      send(subscriber, event);
    }
  }
}

function send(subscriber: Subscriber, event: DashboardEvent): void {
  const { type, ...data } = event;
  subscriber.response.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
}
