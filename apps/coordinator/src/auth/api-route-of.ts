import { API_ROUTES, type ApiRoute, type ApiRouteName } from '@tuneforge/contracts';
import type { Request } from 'express';

/** Each route of API_ROUTES by its express path (`GET /api/v1/sweeps/:id`): the one list of routes. */
const ROUTES = new Map<string, { name: ApiRouteName; route: ApiRoute }>(
  (Object.entries(API_ROUTES) as [ApiRouteName, ApiRoute][]).map(([name, route]) => [`${route.method} /api/v1${route.path}`, { name, route }]),
);

/** The route of API_ROUTES a request was routed to (its method and express route path). */
export function apiRouteOf(request: Request): { name: ApiRouteName; route: ApiRoute } | undefined {
  return ROUTES.get(routeKeyOf(request));
}

export function routeKeyOf(request: Request): string {
  return `${request.method} ${(request.route as { path?: string } | undefined)?.path ?? request.path}`;
}
