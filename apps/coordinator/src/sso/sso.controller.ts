import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { isSameOriginPath, OidcCallbackQuerySchema, OidcLoginQuerySchema, type AuthProvidersDto } from '@tuneforge/contracts';
import { newSecret, sha256, Stores } from '@tuneforge/persistence';
import { AuditTrail } from '../audit/audit-trail.service';
import { noteAudit } from '../audit/audit-note';
import type { AuthenticatedRequest } from '../auth/principal';
import { startSession } from '../auth/session-cookies';
import { SingleSignOnError } from '../common/domain-errors';
import { parseQuery } from '../common/query';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { OidcClient, pkceVerifierOf } from './oidc-client.service';
import { SsoUsers } from './sso-users.service';

/** The browser's half of a sign-on under way (HttpOnly, SameSite=Lax: the provider's redirect back is a cross-site navigation). */
export const OIDC_COOKIE = 'tf_oidc';
const OIDC_COOKIE_PATH = '/api/v1/auth/oidc';
const LOGIN_TTL_MS = 10 * 60_000;

/** How to sign in, and single sign-on with an OpenID Connect provider (the dashboard's button). */
@ApiTags('auth')
@Controller('auth')
export class SsoController {
  constructor(
    private readonly stores: Stores,
    private readonly client: OidcClient,
    private readonly users: SsoUsers,
    private readonly audit: AuditTrail,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  @Get('providers')
  @ApiOperation({ summary: 'How one may sign in: with a name and password (or a token), and with single sign-on when configured' })
  providers(): AuthProvidersDto {
    return { password: true, oidc: this.config.oidc ? { name: this.config.oidc.name } : null };
  }

  @Get('oidc/login')
  @ApiOperation({ summary: 'Starts single sign-on: redirects the browser to the OpenID provider (authorization code flow with PKCE, state and nonce)' })
  @ApiResponse({ status: 302, description: "to the provider's authorization endpoint" })
  @ApiResponse({ status: 400, description: 'returnTo is not a path of this site' })
  @ApiResponse({ status: 404, description: 'single sign-on is not configured' })
  @ApiResponse({ status: 503, description: 'the provider does not answer' })
  async login(@Query() query: unknown, @Req() request: AuthenticatedRequest, @Res() response: Response): Promise<void> {
    const { returnTo } = parseQuery(OidcLoginQuerySchema, query);
    const browserSecret = newSecret();
    const checks = { state: newSecret(), nonce: newSecret(), codeVerifier: pkceVerifierOf(browserSecret) };
    const url = await this.client.authorizationUrl(checks);
    await this.stores.oidcLogins.start({
      stateSha256: sha256(checks.state),
      browserSha256: sha256(browserSecret),
      nonce: checks.nonce,
      returnTo: returnTo ?? '/',
      expiresAt: new Date(Date.now() + LOGIN_TTL_MS),
    });
    response.cookie(OIDC_COOKIE, browserSecret, { httpOnly: true, sameSite: 'lax', secure: request.secure, path: OIDC_COOKIE_PATH, maxAge: LOGIN_TTL_MS });
    response.redirect(302, url.href);
  }

  @Get('oidc/callback')
  @ApiOperation({ summary: "Ends single sign-on: checks the state against this browser's sign-on, exchanges the code, verifies the ID token, signs in (session cookies) and redirects to returnTo" })
  @ApiResponse({ status: 302, description: 'signed in: to the returnTo of the sign-on' })
  @ApiResponse({ status: 400, description: 'the state is missing, forged, used or expired, or the query is malformed' })
  @ApiResponse({ status: 401, description: 'the provider refused, or its answer did not hold' })
  @ApiResponse({ status: 404, description: 'single sign-on is not configured' })
  @ApiResponse({ status: 503, description: 'the provider does not answer' })
  async callback(@Query() query: unknown, @Req() request: AuthenticatedRequest, @Res() response: Response): Promise<void> {
    noteAudit(request, { via: 'oidc' });
    this.client.assertConfigured();
    const params = parseQuery(OidcCallbackQuerySchema, query);
    const { state } = params;
    const browserSecret = parseCookies(request.headers.cookie ?? '')[OIDC_COOKIE];
    response.clearCookie(OIDC_COOKIE, { path: OIDC_COOKIE_PATH });
    const login = state && browserSecret ? await this.stores.oidcLogins.take(sha256(state), sha256(browserSecret)) : undefined;
    if (!state || !browserSecret || !login) {
      throw new SingleSignOnError('OIDC_STATE_INVALID', 'this sign-on is not one this browser started, or it was used or has expired; start again from the sign-in page');
    }
    if (params.error) throw new SingleSignOnError('OIDC_SIGN_IN_FAILED', `the OpenID provider refused the sign-in: ${params.error}${params.error_description ? `: ${params.error_description}` : ''}`);
    // Checked when the sign-on started; checked again, as it is where the browser goes.
    if (!isSameOriginPath(login.returnTo)) throw new SingleSignOnError('OIDC_STATE_INVALID', 'the sign-on names no path of this site to return to');
    const claims = await this.client.exchange(new URL(request.originalUrl, 'http://callback.invalid').search, {
      state,
      nonce: login.nonce,
      codeVerifier: pkceVerifierOf(browserSecret),
    });
    const { user, created } = await this.users.signIn(claims);
    const actor = { actorUserId: user.id, actorName: user.name, via: 'oidc' as const, tokenPrefix: null, clientAddress: request.ip?.slice(0, 64) ?? null };
    if (created) await this.audit.write({ ...actor, action: 'user-created', targetKind: 'user', targetId: user.id, projectId: null, status: 201 });
    noteAudit(request, { actor: { userId: user.id, name: user.name }, target: { kind: 'account', id: user.name } });
    await startSession(this.stores, this.config.auth.sessionTtlMs, user.id, request, response);
    response.redirect(302, login.returnTo);
  }
}
