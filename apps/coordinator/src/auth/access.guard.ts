import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { roleAtLeast, type ProjectResource, type ProjectRole } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { ForbiddenError, NotFoundError, ProjectRequiredError, RequestValidationError } from '../common/domain-errors';
import { isUuid, refuseUnstorable } from '../common/query';
import { apiRouteOf, routeKeyOf } from './api-route-of';
import { Authenticator } from './authenticator.service';
import { roleIn, type AuthenticatedRequest, type Principal } from './principal';

const NOT_FOUND_CODES = { sweep: 'SWEEP_NOT_FOUND', trial: 'TRIAL_NOT_FOUND', dataset: 'DATASET_NOT_FOUND', project: 'PROJECT_NOT_FOUND', webhook: 'WEBHOOK_NOT_FOUND' } as const;

/**
 * Every API request passes here (a global guard): the route's access rule from API_ROUTES decides.
 * A route without a rule is refused (fail closed). A caller who may not see a resource gets its 404,
 * never a 403, so ids say nothing about other projects.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly stores: Stores,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const rule = apiRouteOf(request)?.route.access;
    if (rule === undefined) throw new Error(`no access rule for ${routeKeyOf(request)}: add the route to API_ROUTES with one`);
    // Before anything reads the database: text PostgreSQL cannot store (NUL, lone surrogates) in any query is a 400 naming it
    // (bodies are checked by their routes, whose messages name the field in the body's own terms).
    refuseUnstorable(request.query, 'query');
    if (rule === 'public') return true;
    const principal = await this.authenticator.principalOf(request);
    request.principal = principal;
    if (rule === 'signed-in') return true;
    if (rule === 'deployment-admin') {
      if (!principal.isAdmin) throw new ForbiddenError('only an administrator of the deployment may do this');
      return true;
    }
    if (rule.of === 'new') request.projectId = await this.targetProject(principal, request, rule.role);
    else await this.checkResource(principal, request, rule.of, rule.role);
    return true;
  }

  /** The caller must hold `role` in the project owning the `:id` resource (noted on the request); a non-member sees the resource's 404. */
  private async checkResource(principal: Principal, request: AuthenticatedRequest, kind: ProjectResource, role: ProjectRole): Promise<void> {
    const id = String(request.params.id ?? '');
    // A malformed or unknown id: the route answers its own 404 (no project's resource has it).
    if (!isUuid(id)) return;
    const projectId = await this.stores.accounts.projectOf(kind, id);
    if (projectId === undefined) return;
    request.projectId = projectId;
    const held = roleIn(principal, projectId);
    if (!held) throw new NotFoundError(NOT_FOUND_CODES[kind], kind, id);
    if (!roleAtLeast(held, role)) throw new ForbiddenError(`your role in this ${kind}'s project is ${held}; this needs ${role}`);
  }

  /** A project by id or name, as an administrator holds it (admin, without membership). */
  private async anyProject(named: string): Promise<{ projectId: string; projectName: string; role: ProjectRole } | undefined> {
    const project = (isUuid(named) ? await this.stores.accounts.project(named) : undefined) ?? (await this.stores.accounts.projectByName(named));
    return project && { projectId: project.id, projectName: project.name, role: 'admin' };
  }

  /** The project `?project=` names (id or name), or the caller's only project where they hold `role`. */
  private async targetProject(principal: Principal, request: AuthenticatedRequest, role: ProjectRole): Promise<string> {
    const named = request.query.project;
    if (named !== undefined) {
      if (typeof named !== 'string' || named.length === 0) throw new RequestValidationError([{ path: 'project', message: 'expected one project id or name' }]);
      const membership = principal.memberships.find((m) => m.projectId === named || m.projectName === named) ?? (principal.isAdmin ? await this.anyProject(named) : undefined);
      if (!membership) throw new NotFoundError('PROJECT_NOT_FOUND', 'project', named);
      if (!roleAtLeast(membership.role, role)) throw new ForbiddenError(`your role in project '${membership.projectName}' is ${membership.role}; this needs ${role}`);
      return membership.projectId;
    }
    const eligible = principal.memberships.filter((m) => roleAtLeast(m.role, role));
    if (eligible.length === 1) return eligible[0].projectId;
    if (eligible.length === 0) throw new ForbiddenError(`you are ${role} in no project; ask a project admin to add you`);
    throw new ProjectRequiredError(eligible.map((m) => m.projectName));
  }
}
