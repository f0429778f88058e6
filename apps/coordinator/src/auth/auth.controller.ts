import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CSRF_COOKIE, SESSION_COOKIE, SignInSchema, type MeDto } from '@tuneforge/contracts';
import { decoyPasswordHash, parseApiToken, passwordMatches, Stores, type UserEntity } from '@tuneforge/persistence';
import { noteAudit } from '../audit/audit-note';
import { UnauthenticatedError } from '../common/domain-errors';
import { parseBody } from '../common/query';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { Authenticator } from './authenticator.service';
import { CurrentPrincipal, type AuthenticatedRequest, type Principal } from './principal';
import { startSession } from './session-cookies';
import { SignInLimiter } from './sign-in-limiter.service';

/** Signing in and out of the dashboard (an HttpOnly session cookie, and a readable CSRF cookie its writes echo), and who the caller is. */
@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly stores: Stores,
    private readonly authenticator: Authenticator,
    private readonly limiter: SignInLimiter,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  @Post('auth/session')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with a name and password, or an API token: sets the session cookie (HttpOnly, SameSite=Strict) and the CSRF cookie' })
  @ApiResponse({ status: 401, description: 'the name, password or token is wrong' })
  @ApiResponse({ status: 429, description: 'too many failed sign-ins for this name or from this address (Retry-After)' })
  async signIn(@Body() body: unknown, @Req() request: AuthenticatedRequest, @Res({ passthrough: true }) response: Response): Promise<MeDto> {
    const credentials = parseBody(SignInSchema, body);
    const name = 'name' in credentials ? credentials.name : null;
    const tokenPrefix = 'token' in credentials ? parseApiToken(credentials.token)?.prefix : undefined;
    noteAudit(request, name !== null ? { via: 'password', target: { kind: 'account', id: name } } : { via: 'token', tokenPrefix, target: { kind: 'account', id: tokenPrefix ?? null } });
    const user = await this.limiter.attempt(name, request.ip ?? 'unknown', () => this.userSigningIn(credentials));
    noteAudit(request, { actor: { userId: user.id, name: user.name } });
    await startSession(this.stores, this.config.auth.sessionTtlMs, user.id, request, response);
    return toMeDto({ ...(await this.authenticator.principalFor(user)), via: 'session' });
  }

  @Delete('auth/session')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: ends the session and clears its cookies' })
  async signOut(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<void> {
    if (principal.sessionId) await this.stores.accounts.deleteSession(principal.sessionId);
    response.clearCookie(SESSION_COOKIE, { path: '/' });
    response.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller: name, whether they administer the deployment, and their role in each project' })
  me(@CurrentPrincipal() principal: Principal): MeDto {
    return toMeDto(principal);
  }

  private async userSigningIn(credentials: { name: string; password: string } | { token: string }): Promise<UserEntity> {
    const refused = new UnauthenticatedError('the name and password, or the token, are not right');
    if ('token' in credentials) {
      // The Authorization header's check, with one answer for every refusal (a form does not say why).
      const found = await this.authenticator.validToken(credentials.token).catch((error: unknown) => {
        throw error instanceof UnauthenticatedError ? refused : error;
      });
      return found.user;
    }
    const user = await this.stores.accounts.userByName(credentials.name);
    // An unknown name (or one without a password) costs a hash too: the answer's time does not tell which names exist.
    const matches = await passwordMatches(credentials.password, user?.passwordHash ?? (await decoyPasswordHash()));
    if (!user?.passwordHash || !matches) throw refused;
    return user;
  }
}

function toMeDto(principal: Principal): MeDto {
  return {
    user: { id: principal.userId, name: principal.name, kind: principal.kind, isAdmin: principal.isAdmin },
    projects: principal.memberships.map((m) => ({ id: m.projectId, name: m.projectName, role: m.role })),
    via: principal.via,
  };
}
