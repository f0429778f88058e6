import { z } from 'zod';

/** GET /api/v1/auth/providers: how one may sign in on the dashboard. */
export const AuthProvidersDtoSchema = z.object({
  password: z.boolean(),
  /** Single sign-on with an OpenID Connect provider, when configured: its name for the button. */
  oidc: z.object({ name: z.string() }).nullable(),
});
export type AuthProvidersDto = z.infer<typeof AuthProvidersDtoSchema>;

const RETURN_TO_MAX = 2_000;

/**
 * Where a sign-in may send the browser back to: a path of this origin (`/sweeps/1?x=y`), never another
 * site. `//evil.example`, `/\evil.example`, `https://...`, `javascript:` and control characters are refused.
 */
export function isSameOriginPath(value: string): boolean {
  if (value.length > RETURN_TO_MAX || !value.startsWith('/') || value.startsWith('//') || value.includes('\\') || hasControlCharacter(value)) return false;
  const base = 'http://tuneforge.invalid';
  try {
    return new URL(value, base).origin === base;
  } catch {
    return false;
  }
}

function hasControlCharacter(value: string): boolean {
  return [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

export const ReturnToSchema = z.string().refine(isSameOriginPath, { message: 'must be a path of this site starting with a single / (not //host, not an absolute URL)' });

/** GET /api/v1/auth/oidc/login: where to go once signed in (default `/`). */
export const OidcLoginQuerySchema = z.strictObject({ returnTo: ReturnToSchema.optional().describe('a path of the dashboard to return to, e.g. /sweeps') });

/**
 * GET /api/v1/auth/oidc/callback: what the OpenID provider sends back (RFC 6749 4.1.2, RFC 9207 `iss`); other
 * parameters a provider adds (session_state) are let through, each one string of bounded length.
 */
export const OidcCallbackQuerySchema = z.object({
  state: z.string().min(1).max(500).optional(),
  code: z.string().min(1).max(4_000).optional(),
  iss: z.string().max(2_000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2_000).optional(),
}).catchall(z.string().max(2_000));
export type OidcCallbackQuery = z.output<typeof OidcCallbackQuerySchema>;
