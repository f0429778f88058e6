import { z } from 'zod';
import { PROJECT_ROLES, USER_KINDS } from './access';

/**
 * The accounts API: API tokens, users and service accounts, projects and their members. Request bodies are
 * strict (an unknown field is a 400 naming it); answers never carry a stored secret (a token's secret is
 * in the answer that creates it, once).
 */

const isoTime = z.string().describe('ISO 8601 time');

/** A user's or project's name: what people type in `tuneforge project add-member default alice`. */
export const AccountNameSchema = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, "letters, digits, '.', '_', '@' and '-', starting with a letter or digit");

/** Passwords: long enough to resist guessing (scrypt makes each guess slow, not impossible); bounded so hashing stays cheap. */
export const PASSWORD_MIN_LENGTH = 12;
export const PasswordSchema = z.string().min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`).max(1_000);

export const MAX_TOKEN_DAYS = 3_650;

/** POST /tokens: a token for the caller (a deployment admin may name another user). */
export const CreateTokenSchema = z.strictObject({
  /** What it is for (`laptop`, `ci`): shown in lists, not secret. */
  name: z.string().min(1).max(100),
  /** Days until it stops working; never when absent. */
  expiresInDays: z.int().min(1).max(MAX_TOKEN_DAYS).optional(),
  /** Deployment admins only: the user (id or name) the token is for; the caller when absent. */
  user: z.string().min(1).max(100).optional(),
});
export type CreateToken = z.output<typeof CreateTokenSchema>;

/** GET /tokens: `user` (id or name, deployment admins only) lists another user's tokens. */
export const ListTokensQuerySchema = z.strictObject({ user: z.string().min(1).max(100).optional().describe("deployment admins: another user's tokens (id or name)") });

/** An API token as lists show it: its prefix (the start of `tf_<prefix>_...`), never its secret. */
export const TokenDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  userId: z.string(),
  createdAt: isoTime,
  expiresAt: isoTime.nullable(),
  lastUsedAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
});
export type TokenDto = z.infer<typeof TokenDtoSchema>;

/** The answer that creates a token: the token itself, shown this once (only a SHA-256 of its secret is stored). */
export const CreatedTokenDtoSchema = TokenDtoSchema.extend({ token: z.string().describe('the API token, shown once: send it as Authorization: Bearer <token>') });
export type CreatedTokenDto = z.infer<typeof CreatedTokenDtoSchema>;

export const TokenListSchema = z.object({ items: z.array(TokenDtoSchema) });

/** POST /users: a person; with a password they can sign in on the dashboard, without one they use tokens only. */
export const CreateUserSchema = z.strictObject({
  name: AccountNameSchema,
  password: PasswordSchema.optional(),
  /** Makes them an administrator of the deployment (every project, users). */
  isAdmin: z.boolean().optional(),
});
export type CreateUser = z.output<typeof CreateUserSchema>;

export const UserDtoSchema = z.object({ id: z.string(), name: z.string(), kind: z.enum(USER_KINDS), isAdmin: z.boolean(), createdAt: isoTime });
export type UserDto = z.infer<typeof UserDtoSchema>;

export const UserListSchema = z.object({ items: z.array(UserDtoSchema) });

/** POST /projects/:id/service-accounts: automation (CI, a scheduler) with its own role and tokens. */
export const CreateServiceAccountSchema = z.strictObject({ name: AccountNameSchema, role: z.enum(PROJECT_ROLES) });
export type CreateServiceAccount = z.output<typeof CreateServiceAccountSchema>;

export const ServiceAccountDtoSchema = z.object({ user: UserDtoSchema, role: z.enum(PROJECT_ROLES), token: CreatedTokenDtoSchema });
export type ServiceAccountDto = z.infer<typeof ServiceAccountDtoSchema>;

/** A project with the caller's role in it (deployment admins: admin). */
export const ProjectDtoSchema = z.object({ id: z.string(), name: z.string(), role: z.enum(PROJECT_ROLES) });
export type ProjectDto = z.infer<typeof ProjectDtoSchema>;

export const ProjectListSchema = z.object({ items: z.array(ProjectDtoSchema) });

export const CreateProjectSchema = z.strictObject({ name: AccountNameSchema });
export type CreateProject = z.output<typeof CreateProjectSchema>;

export const MemberDtoSchema = z.object({ userId: z.string(), name: z.string(), kind: z.enum(USER_KINDS), role: z.enum(PROJECT_ROLES) });
export type MemberDto = z.infer<typeof MemberDtoSchema>;

export const MemberListSchema = z.object({ items: z.array(MemberDtoSchema) });

/** PUT /projects/:id/members/:user: adds the user, or changes their role. */
export const SetMemberSchema = z.strictObject({ role: z.enum(PROJECT_ROLES) });
export type SetMember = z.output<typeof SetMemberSchema>;
