import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CSRF_COOKIE, SESSION_COOKIE, SignInSchema, type MeDto } from '@tuneforge/contracts';
import { newSecret, parseApiToken, passwordMatches, secretMatches, sha256, Stores, type UserEntity } from '@tuneforge/persistence';
import { UnauthenticatedError } from '../common/domain-errors';
import { parseBody } from '../common/query';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { Authenticator } from './authenticator.service';
import { CurrentPrincipal, type AuthenticatedRequest, type Principal } from './principal';

/** Signing in and out of the dashboard (an HttpOnly session cookie, and a readable CSRF cookie its writes echo), and who the caller is. */
@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly stores: Stores,
    private readonly authenticator: Authenticator,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  @Post('auth/session')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with a name and password, or an API token: sets the session cookie (HttpOnly, SameSite=Strict) and the CSRF cookie' })
  @ApiResponse({ status: 401, description: 'the name, password or token is wrong' })
  async signIn(@Body() body: unknown, @Req() request: AuthenticatedRequest, @Res({ passthrough: true }) response: Response): Promise<MeDto> {
    const user = await this.userSigningIn(parseBody(SignInSchema, body));
    const secret = newSecret();
    const csrf = newSecret();
    const expiresAt = new Date(Date.now() + this.config.auth.sessionTtlMs);
    await this.stores.accounts.insertSession({ userId: user.id, secretSha256: sha256(secret), csrfSha256: sha256(csrf), expiresAt });
    const secure = request.secure;
    response.cookie(SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: expiresAt });
    // Readable by the dashboard's script, which echoes it in X-CSRF-Token; another site can neither read it nor send it.
    response.cookie(CSRF_COOKIE, csrf, { httpOnly: false, sameSite: 'strict', secure, path: '/', expires: expiresAt });
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
      const parsed = parseApiToken(credentials.token);
      const found = parsed && (await this.stores.accounts.tokenByPrefix(parsed.prefix));
      if (!parsed || !found || !secretMatches(parsed.secret, found.row.secretSha256) || found.row.revokedAt || (found.row.expiresAt && found.row.expiresAt.getTime() <= Date.now())) throw refused;
      return found.user;
    }
    const user = await this.stores.accounts.userByName(credentials.name);
    if (!user?.passwordHash || !(await passwordMatches(credentials.password, user.passwordHash))) throw refused;
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
