import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Response } from 'express';
import type { ApiRoute, AuditAction } from '@tuneforge/contracts';
import { apiRouteOf } from '../auth/api-route-of';
import type { AuthenticatedRequest } from '../auth/principal';
import { AuditTrail } from './audit-trail.service';

/** The first global guard: arms the audit event of a route with an `audit` action, before anything can refuse it. */
@Injectable()
export class AuditWatchGuard implements CanActivate {
  constructor(private readonly trail: AuditTrail) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const route = apiRouteOf(request)?.route;
    if (route?.audit) this.trail.watch(request, http.getResponse<Response>(), route as ApiRoute & { audit: AuditAction });
    return true;
  }
}
