import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../../src/config/coordinator.config';

/** Who the test provider signs in next: a subject with a name and groups, or a refusal. */
export interface TestIdentity {
  sub: string;
  preferred_username?: string;
  email?: string;
  groups?: string[];
}

export interface TestOpenIdProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The identity the next sign-in logs in as (no login page: the interaction finishes by itself). */
  identity: TestIdentity;
  /** When set, the next interaction ends with this OAuth error (`access_denied`) instead. */
  refuse?: string;
  /** The paths of every request the provider got, in order (`/jwks` once the client checks an ID token's signature). */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A real OpenID provider (panva's oidc-provider) on 127.0.0.1, with one confidential client (client_secret_basic,
 * PKCE required) redirecting to `redirectUrl`, its own signing key, the `groups` claim (scope `groups`) in ID tokens,
 * and an interaction that logs `identity` in and grants the scopes asked, with no page.
 */
export async function startTestOpenIdProvider(redirectUrl: string): Promise<TestOpenIdProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'tuneforge-test';
  const clientSecret = randomBytes(24).toString('base64url');
  const signingKey = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
  const state: TestOpenIdProvider = {
    issuer,
    clientId,
    clientSecret,
    identity: { sub: 'nobody' },
    requests: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUrl], response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic' }],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'], groups: ['groups'] },
    // The scopes' claims in the ID token itself (not only at userinfo), as most enterprise providers put groups.
    conformIdTokenClaims: false,
    pkce: { methods: ['S256'], required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ ...state.identity, sub }) }),
    adapter: mapAdapter(),
  });
  const callback = provider.callback();
  server.on('request', (request, response) => {
    state.requests.push(new URL(request.url ?? '/', issuer).pathname);
    if (!request.url?.startsWith('/interaction/')) return void callback(request, response);
    void (async () => {
      const details = await provider.interactionDetails(request, response);
      if (state.refuse) return provider.interactionFinished(request, response, { error: state.refuse, error_description: 'the test provider refused' }, { mergeWithLastSubmission: false });
      const accountId = state.identity.sub;
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(request, response, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  return state;
}

/** The provider's state in this process's memory, for one test file (the provider's own in-memory store warns at start). */
function mapAdapter(): new (model: string) => Adapter {
  const rows = new Map<string, AdapterPayload>();
  const sessionsByUid = new Map<string, string>();
  return class MapAdapter implements Adapter {
    constructor(private readonly model: string) {}
    private key = (id: string) => `${this.model}:${id}`;
    async upsert(id: string, payload: AdapterPayload): Promise<void> {
      rows.set(this.key(id), payload);
      if (this.model === 'Session' && payload.uid) sessionsByUid.set(payload.uid, id);
    }
    async find(id: string): Promise<AdapterPayload | undefined> {
      return rows.get(this.key(id));
    }
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = sessionsByUid.get(uid);
      return id === undefined ? undefined : this.find(id);
    }
    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined;
    }
    async consume(id: string): Promise<void> {
      const row = rows.get(this.key(id));
      if (row) row.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string): Promise<void> {
      rows.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [key, row] of rows) if (row.grantId === grantId) rows.delete(key);
    }
  };
}

/** The coordinator's single sign-on settings for the test provider, read as the environment gives them. */
export function ssoConfigFor(idp: TestOpenIdProvider, redirectUrl: string, groupRoles: object): CoordinatorConfig['oidc'] {
  return loadCoordinatorConfig({
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_REDIRECT_URL: redirectUrl,
    OIDC_NAME: 'Test IdP',
    OIDC_SCOPES: 'openid profile email groups',
    OIDC_GROUP_ROLES: JSON.stringify(groupRoles),
  }).oidc;
}
