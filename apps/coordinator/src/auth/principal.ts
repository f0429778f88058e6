import type { Request } from 'express';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ProjectRole, UserKind } from '@tuneforge/contracts';
import type { Membership } from '@tuneforge/persistence';
import type { AuditNote } from '../audit/audit-note';

/** Who makes a request, as the guard authenticated them. */
export interface Principal {
  userId: string;
  name: string;
  kind: UserKind;
  /** Administers the deployment: admin of every project. */
  isAdmin: boolean;
  via: 'token' | 'session' | 'auth-off';
  tokenId?: string;
  /** The API token's prefix (shown in the audit log; never the secret). */
  tokenPrefix?: string;
  sessionId?: string;
  /** The projects it is a member of, with its role (an administrator holds admin in the others too, without membership). */
  memberships: Membership[];
}

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
  /** The project a creating route creates in (`{ of: 'new' }` rules), or that owns the route's `:id` resource. */
  projectId?: string;
  /** What the handler adds to the request's audit event (a sign-in's actor and target). */
  audit?: AuditNote;
}

export function roleIn(principal: Principal, projectId: string): ProjectRole | undefined {
  if (principal.isAdmin) return 'admin';
  return principal.memberships.find((m) => m.projectId === projectId)?.role;
}

/** The projects whose sweeps, datasets and trials the caller may see; `all` for deployment admins. */
export function visibleProjects(principal: Principal): string[] | 'all' {
  return principal.isAdmin ? 'all' : principal.memberships.map((m) => m.projectId);
}

/** The authenticated caller of a route whose rule is not `public`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('no principal: the route is public, or the guard did not run');
  return principal;
});

/** The project a creating route creates in, chosen by the guard. */
export const TargetProject = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const projectId = context.switchToHttp().getRequest<AuthenticatedRequest>().projectId;
  if (!projectId) throw new Error('no target project: the route has no { of: "new" } rule');
  return projectId;
});
