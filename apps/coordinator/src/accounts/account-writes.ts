import type { CreatedTokenDto } from '@tuneforge/contracts';
import { newApiToken, type Stores } from '@tuneforge/persistence';
import { NotFoundError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { toTokenDto } from './account-dtos';

const DAY_MS = 24 * 60 * 60_000;

/** Makes an API token for the user: only its prefix and a SHA-256 of its secret are stored; the answer is the one place the token appears. */
export async function issueToken(stores: Stores, userId: string, name: string, expiresInDays?: number): Promise<CreatedTokenDto> {
  const made = newApiToken();
  const expiresAt = expiresInDays === undefined ? null : new Date(Date.now() + expiresInDays * DAY_MS);
  const row = await stores.accounts.insertToken({ userId, name, prefix: made.prefix, secretSha256: made.secretSha256, expiresAt });
  return { ...toTokenDto(row), token: made.token };
}

export function projectNotFound(projectId: string): NotFoundError {
  return new NotFoundError('PROJECT_NOT_FOUND', 'project', projectId);
}

/** PROJECT_NOT_FOUND unless the project exists (the access guard lets an unknown id through to its route's own 404). */
export async function requireProject(stores: Stores, projectId: string): Promise<void> {
  if (!isUuid(projectId) || !(await stores.accounts.project(projectId))) throw projectNotFound(projectId);
}

/** Locks the project's row for the transaction; PROJECT_NOT_FOUND when there is none. */
export async function lockProject(tx: Stores, projectId: string): Promise<void> {
  if (!isUuid(projectId) || !(await tx.accounts.lockProject(projectId))) throw projectNotFound(projectId);
}
