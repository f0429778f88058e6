/**
 * Who may do what: users (people and service accounts), project roles, and the access rule every API
 * route carries (API_ROUTES[...].access). The coordinator's guard applies the rules; its tests walk every
 * route with every kind of caller.
 */

export const USER_KINDS = ['person', 'service'] as const;
export type UserKind = (typeof USER_KINDS)[number];

/** viewer reads; editor also submits, pauses, cancels, extends, uploads and deletes; admin also manages members and service accounts. */
export const PROJECT_ROLES = ['viewer', 'editor', 'admin'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export function roleAtLeast(role: ProjectRole, needed: ProjectRole): boolean {
  return PROJECT_ROLES.indexOf(role) >= PROJECT_ROLES.indexOf(needed);
}

/** The resources a route's `:id` names, each owned by one project. */
export type ProjectResource = 'sweep' | 'trial' | 'dataset' | 'project' | 'webhook';

/**
 * A route's access rule:
 * - `public`: anyone (health checks, signing in);
 * - `signed-in`: any valid token or session; what it lists is filtered to the caller's projects;
 * - `{ role, of }`: the caller's role in the project that owns the `:id` resource (`of`) is at least `role`;
 *   a non-member gets the resource's 404, a member below the role a 403;
 * - `{ role, of: 'new' }`: creates in the project named by `?project=` (or the caller's only project) with at least `role`;
 * - `deployment-admin`: administrators of the deployment only.
 */
export type AccessRule =
  | 'public'
  | 'signed-in'
  | 'deployment-admin'
  | { role: ProjectRole; of: ProjectResource | 'new' };

/** The header a cookie-authenticated write must carry, echoing the readable CSRF cookie. */
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'tf_session';
export const CSRF_COOKIE = 'tf_csrf';
