import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { ANONYMOUS_ACTOR, SESSION_COOKIE, type ApiRoute, type AuditAction, type AuditVia } from '@tuneforge/contracts';
import { parseApiToken, Stores, type AuditEventInput } from '@tuneforge/persistence';
import type { AuthenticatedRequest } from '../auth/principal';

/** The status recorded for a request whose client went away before it was answered (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499;

/** A refused sign-in is recorded under its own action, so the failures are one filter away. */
const REFUSED_ACTIONS: Partial<Record<AuditAction, AuditAction>> = { 'sign-in': 'sign-in-failed' };

/**
 * The audit log's one writer. A route with an `audit` action in API_ROUTES gets one event per request, recorded once
 * the answer is decided, whatever it was (AuditWatchGuard arms it before the access guard runs, so 401 and 403
 * refusals are recorded too). The write comes after the answer, outside the request's work (an interceptor cannot
 * share a transaction with the stores the handler used): a PostgreSQL that fails it costs the event, logged as a
 * warning, never the request.
 */
@Injectable()
export class AuditTrail {
  private readonly logger = new Logger(AuditTrail.name);

  constructor(private readonly stores: Stores) {}

  /** Records the request's event when its response closes (sent, or the client gone). */
  watch(request: AuthenticatedRequest, response: Response, route: ApiRoute & { audit: AuditAction }): void {
    response.once('close', () => {
      const status = response.headersSent ? response.statusCode : CLIENT_CLOSED_STATUS;
      void this.write(eventOf(request, route, status));
    });
  }

  /** Records one event; a failure is logged, not thrown. */
  async write(event: AuditEventInput): Promise<void> {
    try {
      await this.stores.audit.record(event);
    } catch (error) {
      this.logger.warn(`audit event ${event.action} (${event.status}) by '${event.actorName}' not recorded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The event of a request: the principal the guard found (or the handler's note), its target, project, address and status. */
function eventOf(request: AuthenticatedRequest, route: ApiRoute & { audit: AuditAction }, status: number): AuditEventInput {
  const note = request.audit ?? {};
  const principal = request.principal;
  const actor = note.actor ?? (principal ? { userId: principal.userId || null, name: principal.name } : { userId: null, name: ANONYMOUS_ACTOR });
  const presented = presentedCredential(request);
  const action = status >= 400 ? (REFUSED_ACTIONS[route.audit] ?? route.audit) : route.audit;
  return {
    actorUserId: actor.userId,
    actorName: actor.name.slice(0, 100),
    via: note.via ?? principal?.via ?? presented.via,
    tokenPrefix: note.tokenPrefix ?? principal?.tokenPrefix ?? presented.tokenPrefix,
    action,
    ...targetOf(request, route),
    projectId: request.projectId ?? null,
    clientAddress: request.ip?.slice(0, 64) ?? null,
    status,
  };
}

/**
 * The note's target, else from the route: its last `:<kind>Id` parameter (`:userId` of a membership), its `:id`
 * resource (of the access rule's kind), or what it created (the answer's id, of the action's first word), which wins
 * over `:id` when it is of another kind (a project's new service account).
 */
function targetOf(request: AuthenticatedRequest, route: ApiRoute & { audit: AuditAction }): { targetKind: string | null; targetId: string | null } {
  const note = request.audit ?? {};
  const clip = (id: string | undefined) => id?.slice(0, 200) ?? null;
  if (note.target) return { targetKind: note.target.kind, targetId: clip(note.target.id ?? undefined) };
  const resource = typeof route.access === 'object' && route.access.of !== 'new' ? route.access.of : undefined;
  const noun = route.audit.startsWith('sign-') ? 'account' : route.audit === 'model-downloaded' && resource ? resource : route.audit.split('-')[0];
  const param = [...route.path.matchAll(/:(\w*[iI]d)\b/g)].at(-1)?.[1];
  const value = (name: string) => (typeof request.params?.[name] === 'string' ? request.params[name] : undefined);
  if (param && param !== 'id') return { targetKind: param.slice(0, -2), targetId: clip(value(param)) };
  if (param === 'id' && !(resource && resource !== noun && note.answerId)) return { targetKind: resource ?? noun, targetId: clip(value('id')) };
  return { targetKind: noun, targetId: clip(note.answerId) };
}

/** How a request that did not authenticate tried to: a token (by its prefix only) or a session cookie. */
function presentedCredential(request: AuthenticatedRequest): { via: AuditVia | null; tokenPrefix: string | null } {
  const header = request.headers.authorization;
  if (header !== undefined) return { via: 'token', tokenPrefix: parseApiToken(header.trim().split(/\s+/)[1] ?? '')?.prefix ?? null };
  if (parseCookies(request.headers.cookie ?? '')[SESSION_COOKIE]) return { via: 'session', tokenPrefix: null };
  return { via: null, tokenPrefix: null };
}
