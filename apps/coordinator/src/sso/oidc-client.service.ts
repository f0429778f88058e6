import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { SingleSignOnError } from '../common/domain-errors';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { isLoopbackUrl, type OidcConfig } from '../config/security.config';

/** Seconds an OpenID provider's discovery, JWKS and token requests may take. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/** What single sign-on needs of a verified ID token. */
export interface VerifiedClaims {
  issuer: string;
  subject: string;
  preferredUsername?: string;
  email?: string;
  groups: string[];
}

/** One authorization request's secrets: `state` and `nonce` travel through the provider, the PKCE verifier does not. */
export interface AuthorizationChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * The coordinator as an OpenID Connect relying party (openid-client): the authorization code flow with PKCE (S256),
 * state and nonce, client_secret_basic at the token endpoint, and the ID token's signature checked against the
 * provider's JWKS (besides its issuer, audience, expiry and nonce). The provider's metadata is discovered on first use
 * and kept; a failed discovery is retried by the next sign-in.
 */
@Injectable()
export class OidcClient {
  private configuration?: Promise<oidc.Configuration>;

  constructor(@Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig) {}

  /** Refuses single sign-on on a deployment without it (OIDC_NOT_CONFIGURED). */
  assertConfigured(): void {
    void this.settings();
  }

  private settings(): OidcConfig {
    if (!this.config.oidc) throw new SingleSignOnError('OIDC_NOT_CONFIGURED', 'single sign-on is not configured on this deployment (OIDC_ISSUER); sign in with a name and password or a token');
    return this.config.oidc;
  }

  /** The provider's authorization URL to send the browser to. */
  async authorizationUrl(checks: AuthorizationChecks): Promise<URL> {
    const settings = this.settings();
    const configuration = await this.discovered();
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: settings.redirectUrl,
      scope: settings.scopes,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /** Exchanges the callback's code and verifies the ID token; `search` is the callback's query string as received. */
  async exchange(search: string, checks: AuthorizationChecks): Promise<VerifiedClaims> {
    const settings = this.settings();
    const configuration = await this.discovered();
    const callback = new URL(settings.redirectUrl);
    callback.search = search;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      if (isUnreachable(error)) throw unavailable(settings, error);
      throw new SingleSignOnError('OIDC_SIGN_IN_FAILED', `the OpenID provider's answer did not hold: ${describe(error)}`);
    }
    const claims = tokens.claims();
    if (!claims) throw new SingleSignOnError('OIDC_SIGN_IN_FAILED', 'the OpenID provider answered no ID token');
    const groups = claims[settings.groupsClaim];
    return {
      issuer: claims.iss,
      subject: claims.sub,
      preferredUsername: typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined,
      email: typeof claims.email === 'string' ? claims.email : undefined,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : typeof groups === 'string' ? [groups] : [],
    };
  }

  private discovered(): Promise<oidc.Configuration> {
    const settings = this.settings();
    this.configuration ??= oidc
      .discovery(new URL(settings.issuer), settings.clientId, undefined, oidc.ClientSecretBasic(settings.clientSecret), {
        // Plain HTTP only for a provider on this machine (development, tests); security.config refuses it elsewhere.
        execute: [...(isLoopbackUrl(settings.issuer) ? [oidc.allowInsecureRequests] : []), oidc.enableNonRepudiationChecks],
        timeout: PROVIDER_TIMEOUT_SECONDS,
      })
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw unavailable(settings, error);
      });
    return this.configuration;
  }
}

/** The PKCE verifier of a sign-on, derived from its browser cookie's secret (so the server stores none). */
export function pkceVerifierOf(browserSecret: string): string {
  return createHmac('sha256', browserSecret).update('tuneforge-oidc-pkce').digest('base64url');
}

function unavailable(settings: OidcConfig, error: unknown): SingleSignOnError {
  return new SingleSignOnError('OIDC_PROVIDER_UNAVAILABLE', `the OpenID provider ${settings.issuer} did not answer as expected (${describe(error)}); retry later`);
}

/** A network failure, a timeout or a 5xx of the provider (not a refusal of the sign-in). */
function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof TypeError || e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  }
  return error instanceof oidc.ResponseBodyError && error.status >= 500;
}

/** An openid-client error in a line: its message, the provider's error code, never a token. */
function describe(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  return error instanceof Error ? `${error.message}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ''}` : String(error);
}
