import { Injectable, Logger } from '@nestjs/common';
import type { CreatedTokenDto, CreateToken, TokenDto } from '@tuneforge/contracts';
import { Stores, type UserEntity } from '@tuneforge/persistence';
import type { Principal } from '../auth/principal';
import { ForbiddenError, NotFoundError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { toTokenDto } from './account-dtos';
import { issueToken } from './account-writes';
import { UsersService } from './users.service';

/** API tokens: a caller's own; deployment admins may make, list and revoke anyone's. */
@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);

  constructor(
    private readonly stores: Stores,
    private readonly users: UsersService,
  ) {}

  async create(principal: Principal, { name, expiresInDays, user }: CreateToken): Promise<CreatedTokenDto> {
    const owner = await this.ownerNamed(principal, user, 'create tokens for');
    const created = await issueToken(this.stores, owner.id, name, expiresInDays);
    this.logger.log(`created API token ${created.prefix} '${name}' for '${owner.name}'${created.expiresAt ? `, expiring ${created.expiresAt}` : ''}`);
    return created;
  }

  async list(principal: Principal, user: string | undefined): Promise<{ items: TokenDto[] }> {
    const owner = await this.ownerNamed(principal, user, "list the tokens of");
    return { items: (await this.stores.accounts.tokensOf(owner.id)).map(toTokenDto) };
  }

  /** Revokes the caller's token (a deployment admin: anyone's); another user's answers as if there were none. Revoking twice is no error. */
  async revoke(principal: Principal, id: string): Promise<void> {
    const token = isUuid(id) ? await this.stores.accounts.token(id) : undefined;
    if (!token || (token.userId !== principal.userId && !principal.isAdmin)) throw new NotFoundError('TOKEN_NOT_FOUND', 'API token', id);
    if (await this.stores.accounts.revokeToken(id)) this.logger.log(`revoked API token ${token.prefix} '${token.name}'`);
  }

  /** The caller, or the user `ref` names (id or name): only a deployment admin may name someone else. */
  private async ownerNamed(principal: Principal, ref: string | undefined, what: string): Promise<Pick<UserEntity, 'id' | 'name'>> {
    if (ref === undefined || ref === principal.userId || ref === principal.name) return { id: principal.userId, name: principal.name };
    if (!principal.isAdmin) throw new ForbiddenError(`only an administrator of the deployment may ${what} another user`);
    return this.users.find(ref);
  }
}
