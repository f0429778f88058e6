import { isIP } from 'node:net';
import { z } from 'zod';
import { parseEnv, PROJECT_ROLES, type ProjectRole } from '@tuneforge/contracts';

const count = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

const GroupRoleSchema = z.strictObject({ project: z.string().min(1).max(100), role: z.enum(PROJECT_ROLES) });
const GroupRolesSchema = z.record(z.string().min(1).max(200), z.union([GroupRoleSchema, z.array(GroupRoleSchema).min(1)]));

/** `OIDC_GROUP_ROLES`: JSON, each group of the provider's groups claim to a project (name or id) and role, or a list of them. */
const groupRolesJson = z
  .string()
  .max(100_000)
  .transform((text, context) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      context.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"tuneforge-admins":{"project":"default","role":"admin"}}' });
      return z.NEVER;
    }
    const parsed = GroupRolesSchema.safeParse(value);
    if (!parsed.success) {
      context.addIssue({ code: 'custom', message: `must map each group to { project, role } (role ${PROJECT_ROLES.join(' | ')}), or a list of them: ${z.prettifyError(parsed.error)}` });
      return z.NEVER;
    }
    return Object.entries(parsed.data).map(([group, grants]) => ({ group, grants: Array.isArray(grants) ? grants : [grants] }));
  });

/**
 * `TRUST_PROXY`: how many proxies in front of the coordinator to trust (a number of hops), or which ones (a comma
 * list of addresses, CIDRs and express's names loopback, linklocal, uniquelocal). `true` is refused: it would trust
 * any client's X-Forwarded-For, and the address limits on sign-ins with it.
 */
const trustProxy = z
  .string()
  .trim()
  .refine((value) => value !== 'true', 'true would trust every X-Forwarded-For: give the number of proxies, or their addresses')
  .transform((value): number | string[] => (/^\d{1,2}$/.test(value) ? Number(value) : value.split(',').map((part) => part.trim())))
  .refine((value) => typeof value === 'number' || value.every(isTrustedProxy), 'a number of hops, or a comma list of addresses, CIDRs (10.0.0.0/8), loopback, linklocal, uniquelocal');

/** One entry of a TRUST_PROXY list, as express's proxy-addr reads it (it throws at start-up on anything else). */
function isTrustedProxy(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  return /^\d{1,3}$/.test(range) ? Number(range) <= (family === 4 ? 32 : 128) : family === 4 && isIP(range) === 4;
}

const SecurityEnvSchema = z
  .object({
    TRUST_PROXY: trustProxy.optional(),
    /** Failed sign-ins (POST /auth/session) allowed per account name and per client address within the window. */
    SIGN_IN_MAX_FAILURES_PER_NAME: count(5),
    SIGN_IN_MAX_FAILURES_PER_ADDRESS: count(20),
    SIGN_IN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(15 * 60),
    OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
    OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).max(2_000).optional(),
    /** This coordinator's callback as the provider knows it: https://tuneforge.example/api/v1/auth/oidc/callback. */
    OIDC_REDIRECT_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** The name of the sign-in button. */
    OIDC_NAME: z.string().min(1).max(100).default('Single sign-on'),
    OIDC_SCOPES: z.string().regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, 'scopes separated by single spaces').default('openid profile email'),
    OIDC_GROUPS_CLAIM: z.string().min(1).max(100).default('groups'),
    OIDC_GROUP_ROLES: groupRolesJson.optional(),
  })
  .superRefine((env, context) => {
    if (env.OIDC_ISSUER === undefined) return;
    for (const name of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL'] as const) {
      if (env[name] === undefined) context.addIssue({ code: 'custom', path: [name], message: 'required with OIDC_ISSUER' });
    }
    if (!env.OIDC_ISSUER.startsWith('https:') && !isLoopbackUrl(env.OIDC_ISSUER)) {
      context.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'must be https (plain http only for a provider on 127.0.0.1 or localhost)' });
    }
    if (!env.OIDC_SCOPES.split(' ').includes('openid')) context.addIssue({ code: 'custom', path: ['OIDC_SCOPES'], message: 'must include openid' });
  });

/** Whether a URL names this machine (127.0.0.1, localhost, [::1]). */
export function isLoopbackUrl(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

export interface GroupGrant {
  project: string;
  role: ProjectRole;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  name: string;
  scopes: string;
  groupsClaim: string;
  /** Each group and the project roles it grants (projects by name or id). */
  groupRoles: { group: string; grants: GroupGrant[] }[];
}

export interface SecurityConfig {
  /** express's `trust proxy`: undefined trusts none (request.ip is the socket's peer). */
  trustProxy?: number | string[];
  signInLimits: { perName: number; perAddress: number; windowSeconds: number };
  /** Single sign-on, when OIDC_ISSUER is set. */
  oidc?: OidcConfig;
}

/** Sign-in limits, proxies and single sign-on, from the environment. */
export function loadSecurityConfig(env: NodeJS.ProcessEnv): SecurityConfig {
  const e = parseEnv(SecurityEnvSchema, env, 'coordinator');
  const oidc =
    e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET && e.OIDC_REDIRECT_URL
      ? {
          issuer: e.OIDC_ISSUER,
          clientId: e.OIDC_CLIENT_ID,
          clientSecret: e.OIDC_CLIENT_SECRET,
          redirectUrl: e.OIDC_REDIRECT_URL,
          name: e.OIDC_NAME,
          scopes: e.OIDC_SCOPES,
          groupsClaim: e.OIDC_GROUPS_CLAIM,
          groupRoles: e.OIDC_GROUP_ROLES ?? [],
        }
      : undefined;
  return {
    trustProxy: e.TRUST_PROXY,
    signInLimits: { perName: e.SIGN_IN_MAX_FAILURES_PER_NAME, perAddress: e.SIGN_IN_MAX_FAILURES_PER_ADDRESS, windowSeconds: e.SIGN_IN_WINDOW_SECONDS },
    oidc,
  };
}
