import { Inject, Injectable, Logger } from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import { CSRF_HEADER, SESSION_COOKIE } from '@tuneforge/contracts';
import { parseApiToken, secretMatches, sha256, Stores, TOKEN_TOUCH_INTERVAL_MS, type ApiTokenEntity, type Credential, type UserEntity } from '@tuneforge/persistence';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { UnauthenticatedError } from '../common/domain-errors';
import type { AuthenticatedRequest, Principal } from './principal';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who a request comes from: an `Authorization: Bearer` API token, or the dashboard's session cookie
 * (whose writes must echo the session's CSRF token in X-CSRF-Token). Every refusal says what to do,
 * and never repeats the credential.
 */
@Injectable()
export class Authenticator {
  private readonly logger = new Logger(Authenticator.name);

  constructor(
    private readonly stores: Stores,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async principalOf(request: AuthenticatedRequest): Promise<Principal> {
    try {
      return await this.authenticate(request);
    } catch (error) {
      // The refusal's message names a token by its prefix at most, never its secret.
      if (error instanceof UnauthenticatedError) this.logger.debug(`refused ${request.method} ${request.path}: ${error.message}`);
      throw error;
    }
  }

  private async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    if (this.config.auth.mode === 'off') return this.offPrincipal();
    const header = request.headers.authorization;
    if (header !== undefined) return this.fromToken(header);
    const session = parseCookies(request.headers.cookie ?? '')[SESSION_COOKIE];
    if (session) return this.fromSession(session, request);
    throw new UnauthenticatedError('sign in: send Authorization: Bearer <token> (`tuneforge login`, or the admin token), or sign in on the dashboard');
  }

  private async fromToken(header: string): Promise<Principal> {
    const [scheme, token, ...rest] = header.trim().split(/\s+/);
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) throw new UnauthenticatedError('the Authorization header must be `Bearer <token>`');
    const found = await this.validToken(token);
    // A use within the interval is already recorded: no write on every request (the statement keeps its own guard for races).
    const lastUsed = found.row.lastUsedAt?.getTime();
    if (lastUsed === undefined || Date.now() - lastUsed >= TOKEN_TOUCH_INTERVAL_MS) await this.stores.accounts.touchToken(found.row.id);
    return { ...(await this.principalFor(found.user)), via: 'token', tokenId: found.row.id, tokenPrefix: found.row.prefix };
  }

  /** The stored token a presented one names, if it holds: known, its secret matching, neither revoked nor expired; else why not. */
  async validToken(token: string): Promise<Credential<ApiTokenEntity>> {
    const parsed = parseApiToken(token);
    if (!parsed) throw new UnauthenticatedError('the bearer token is not a Tuneforge API token (tf_<prefix>_<secret>)');
    const found = await this.stores.accounts.tokenByPrefix(parsed.prefix);
    if (!found || !secretMatches(parsed.secret, found.row.secretSha256)) throw new UnauthenticatedError('the API token is not known; create one with `tuneforge token create`');
    if (found.row.revokedAt) throw new UnauthenticatedError(`the API token ${parsed.prefix} was revoked; create another with \`tuneforge token create\``);
    if (found.row.expiresAt && found.row.expiresAt.getTime() <= Date.now()) throw new UnauthenticatedError(`the API token ${parsed.prefix} has expired; create another with \`tuneforge token create\``);
    return found;
  }

  private async fromSession(secret: string, request: AuthenticatedRequest): Promise<Principal> {
    const found = await this.stores.accounts.sessionBySecret(sha256(secret));
    if (!found || found.row.expiresAt.getTime() <= Date.now()) throw new UnauthenticatedError('the session has expired; sign in again');
    if (!SAFE_METHODS.has(request.method)) {
      const csrf = request.headers[CSRF_HEADER];
      if (typeof csrf !== 'string' || !secretMatches(csrf, found.row.csrfSha256)) {
        throw new UnauthenticatedError(`a signed-in write must send the session's CSRF token in ${CSRF_HEADER}`, 'CSRF_TOKEN_INVALID');
      }
    }
    return { ...(await this.principalFor(found.user)), via: 'session', sessionId: found.row.id };
  }

  async principalFor(user: UserEntity): Promise<Omit<Principal, 'via'>> {
    return { userId: user.id, name: user.name, kind: user.kind, isAdmin: user.isAdmin, memberships: await this.stores.accounts.memberships(user.id) };
  }

  /** With AUTH_MODE=off every request acts as a deployment admin. */
  private async offPrincipal(): Promise<Principal> {
    const admin = await this.stores.accounts.firstAdmin();
    return { userId: admin?.id ?? '', name: admin?.name ?? 'anonymous', kind: 'person', isAdmin: true, via: 'auth-off', memberships: await this.stores.accounts.allProjects() };
  }
}
