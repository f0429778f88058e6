import type { TokenDto, UserDto } from '@tuneforge/contracts';
import type { ApiTokenEntity, UserEntity } from '@tuneforge/persistence';

export function toTokenDto(row: ApiTokenEntity): TokenDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    userId: row.userId,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export function toUserDto(user: UserEntity): UserDto {
  return { id: user.id, name: user.name, kind: user.kind, isAdmin: user.isAdmin, createdAt: user.createdAt.toISOString() };
}
