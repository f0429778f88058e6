import { Injectable, Logger } from '@nestjs/common';
import type { CreateServiceAccount, CreateUser, ServiceAccountDto, UserDto } from '@tuneforge/contracts';
import { hashPassword, Stores, type UserEntity } from '@tuneforge/persistence';
import { ConflictError, NotFoundError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { toUserDto } from './account-dtos';
import { issueToken, lockProject } from './account-writes';

/** People (deployment admins create them) and service accounts (project admins create them, with a role and a first token). */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(private readonly stores: Stores) {}

  /** A user by id or name; USER_NOT_FOUND otherwise. */
  async find(ref: string, stores = this.stores): Promise<UserEntity> {
    const user = (isUuid(ref) ? await stores.accounts.user(ref) : undefined) ?? (await stores.accounts.userByName(ref));
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'user', ref);
    return user;
  }

  async list(): Promise<{ items: UserDto[] }> {
    return { items: (await this.stores.accounts.users()).map(toUserDto) };
  }

  async create({ name, password, isAdmin = false }: CreateUser): Promise<UserDto> {
    const passwordHash = password === undefined ? null : await hashPassword(password);
    const user = await this.stores.accounts.createUserIfNew({ name, kind: 'person', passwordHash, isAdmin });
    if (!user) throw taken(name);
    this.logger.log(`created user '${name}'${isAdmin ? ' (administrator of the deployment)' : ''}${passwordHash ? ' with a password' : ''}`);
    return toUserDto(user);
  }

  /** A service account, its membership and its first token, in one transaction (all or nothing). */
  async createServiceAccount(projectId: string, { name, role }: CreateServiceAccount): Promise<ServiceAccountDto> {
    const created = await this.stores.transaction(async (tx) => {
      await lockProject(tx, projectId);
      const user = await tx.accounts.createUserIfNew({ name, kind: 'service', passwordHash: null, isAdmin: false });
      if (!user) throw taken(name);
      await tx.accounts.setMember(projectId, user.id, role);
      return { user: toUserDto(user), role, token: await issueToken(tx, user.id, 'first token') };
    });
    this.logger.log(`created service account '${name}' (${role} of project ${projectId}) with token ${created.token.prefix}`);
    return created;
  }
}

function taken(name: string): ConflictError {
  return new ConflictError('USER_EXISTS', `a user or service account named '${name}' exists already`);
}
