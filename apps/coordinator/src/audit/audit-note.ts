import type { AuditVia } from '@tuneforge/contracts';
import type { AuthenticatedRequest } from '../auth/principal';

/**
 * What a handler tells the audit event of its request: the actor and credential of a sign-in (a public route, so no
 * principal), a target of its own. The created resource's id is noted by AuditAnswerInterceptor.
 */
export interface AuditNote {
  actor?: { userId: string; name: string };
  via?: AuditVia;
  tokenPrefix?: string;
  target?: { kind: string; id: string | null };
  answerId?: string;
}

export function noteAudit(request: AuthenticatedRequest, note: AuditNote): void {
  request.audit = { ...request.audit, ...note };
}
