import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { PROJECT_ROLES, USER_KINDS, type ProjectResource, type ProjectRole, type UserKind } from '@tuneforge/contracts';
import { ApiTokenEntity, ProjectEntity, ProjectMemberEntity, SessionEntity, UserEntity } from '../entities';
import { column, queryRows, rowsChanged } from '../rows';

export interface Membership {
  projectId: string;
  projectName: string;
  role: ProjectRole;
}

/** A token or session as the guard checks it: whose it is and whether it still holds. */
export interface Credential<T> {
  row: T;
  user: UserEntity;
}

/** How often a token's lastUsedAt is written at most (reads of the API must not each write). */
export const TOKEN_TOUCH_INTERVAL_MS = 60_000;

/** Users, projects, memberships, API tokens and sessions. */
export class AccountStore {
  constructor(private readonly manager: EntityManager) {}

  /** Serialises the first-start bootstrap of coordinators starting together (until the caller's transaction ends). */
  async lockForBootstrap(): Promise<void> {
    await this.manager.query(`SELECT pg_advisory_xact_lock(hashtext('tuneforge-admin-bootstrap'))`);
  }

  /** Serialises the first sign-ons of one provider subject (until the caller's transaction ends), so it becomes one user. */
  async lockForSubject(issuer: string, subject: string): Promise<void> {
    await this.manager.query(`SELECT pg_advisory_xact_lock(hashtext('tuneforge-oidc'), hashtext($1))`, [`${issuer} ${subject}`]);
  }

  countUsers(): Promise<number> {
    return this.manager.count(UserEntity);
  }

  createUser(user: { name: string; kind: UserKind; passwordHash: string | null; isAdmin: boolean; oidcIssuer?: string; oidcSubject?: string }): Promise<UserEntity> {
    return this.manager.save(this.manager.create(UserEntity, user));
  }

  /** The user who signs in with single sign-on as this subject of this issuer. */
  async userByOidc(issuer: string, subject: string): Promise<UserEntity | undefined> {
    return (await this.manager.findOne(UserEntity, { where: { oidcIssuer: issuer, oidcSubject: subject } })) ?? undefined;
  }

  async userByName(name: string): Promise<UserEntity | undefined> {
    return (await this.manager.findOne(UserEntity, { where: { name } })) ?? undefined;
  }

  async user(id: string): Promise<UserEntity | undefined> {
    return (await this.manager.findOne(UserEntity, { where: { id } })) ?? undefined;
  }

  /**
   * Creates the user unless one has the name already (then undefined): one statement, so two requests
   * creating the same name cannot both succeed.
   */
  async createUserIfNew(user: { name: string; kind: UserKind; passwordHash: string | null; isAdmin: boolean }): Promise<UserEntity | undefined> {
    const [row] = await queryRows(
      this.manager,
      z.object({ id: column.id }),
      `INSERT INTO users (name, kind, password_hash, is_admin) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING id`,
      [user.name, user.kind, user.passwordHash, user.isAdmin],
    );
    return row && this.user(row.id);
  }

  /** Every user, by name. */
  users(): Promise<UserEntity[]> {
    return this.manager.find(UserEntity, { order: { name: 'ASC' } });
  }

  async firstAdmin(): Promise<UserEntity | undefined> {
    return (await this.manager.findOne(UserEntity, { where: { isAdmin: true }, order: { createdAt: 'ASC' } })) ?? undefined;
  }

  createProject(name: string): Promise<ProjectEntity> {
    return this.manager.save(this.manager.create(ProjectEntity, { name }));
  }

  /** Creates the project unless one has the name already (then undefined). */
  async createProjectIfNew(name: string): Promise<ProjectEntity | undefined> {
    const [row] = await queryRows(this.manager, z.object({ id: column.id }), `INSERT INTO projects (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id`, [name]);
    return row && this.project(row.id);
  }

  /** Locks the project's row for the caller's transaction (membership changes of one project go one at a time); false when there is no such project. */
  async lockProject(id: string): Promise<boolean> {
    const rows = await queryRows(this.manager, z.object({ id: column.id }), `SELECT id FROM projects WHERE id = $1 FOR UPDATE`, [id]);
    return rows.length > 0;
  }

  async project(id: string): Promise<ProjectEntity | undefined> {
    return (await this.manager.findOne(ProjectEntity, { where: { id } })) ?? undefined;
  }

  async projectByName(name: string): Promise<ProjectEntity | undefined> {
    return (await this.manager.findOne(ProjectEntity, { where: { name } })) ?? undefined;
  }

  /** Sets the user's role in the project (adding the membership if there is none). */
  async setMember(projectId: string, userId: string, role: ProjectRole): Promise<void> {
    await this.manager.upsert(ProjectMemberEntity, { projectId, userId, role }, ['projectId', 'userId']);
  }

  async removeMember(projectId: string, userId: string): Promise<boolean> {
    return (await rowsChanged(this.manager, `DELETE FROM project_members WHERE project_id = $1 AND user_id = $2`, [projectId, userId])) > 0;
  }

  /** The user's projects with their role in each, by project name. */
  memberships(userId: string): Promise<Membership[]> {
    return queryRows(
      this.manager,
      z.object({ projectId: column.id, projectName: column.text, role: z.enum(PROJECT_ROLES) }),
      `SELECT p.id AS "projectId", p.name AS "projectName", m.role::text AS role
       FROM project_members m JOIN projects p ON p.id = m.project_id WHERE m.user_id = $1 ORDER BY p.name`,
      [userId],
    );
  }

  /** Every project, for deployment admins (who hold admin in each). */
  async allProjects(): Promise<Membership[]> {
    const projects = await this.manager.find(ProjectEntity, { order: { name: 'ASC' } });
    return projects.map((p) => ({ projectId: p.id, projectName: p.name, role: 'admin' as const }));
  }

  /** The members of a project with their names and roles (only `userId`'s membership when given). */
  members(projectId: string, userId?: string): Promise<{ userId: string; name: string; kind: UserKind; role: ProjectRole }[]> {
    return queryRows(
      this.manager,
      z.object({ userId: column.id, name: column.text, kind: z.enum(USER_KINDS), role: z.enum(PROJECT_ROLES) }),
      `SELECT u.id AS "userId", u.name, u.kind::text AS kind, m.role::text AS role
       FROM project_members m JOIN users u ON u.id = m.user_id WHERE m.project_id = $1 AND ($2::uuid IS NULL OR m.user_id = $2) ORDER BY u.name`,
      [projectId, userId ?? null],
    );
  }

  /** One member of a project with their name and role; undefined when the user is not a member. */
  async member(projectId: string, userId: string): Promise<{ userId: string; name: string; kind: UserKind; role: ProjectRole } | undefined> {
    return (await this.members(projectId, userId))[0];
  }

  /** How many members hold admin in the project. */
  async adminCount(projectId: string): Promise<number> {
    const [row] = await queryRows(this.manager, z.object({ n: column.int }), `SELECT count(*)::int AS n FROM project_members WHERE project_id = $1 AND role = 'admin'`, [projectId]);
    return row.n;
  }

  /** The project that owns a resource; undefined when there is no such resource. */
  async projectOf(kind: ProjectResource, id: string): Promise<string | undefined> {
    const sql: Record<ProjectResource, string> = {
      sweep: `SELECT project_id AS "projectId" FROM sweeps WHERE id = $1`,
      trial: `SELECT s.project_id AS "projectId" FROM trials t JOIN sweeps s ON s.id = t.sweep_id WHERE t.id = $1`,
      dataset: `SELECT project_id AS "projectId" FROM datasets WHERE id = $1`,
      project: `SELECT id AS "projectId" FROM projects WHERE id = $1`,
      webhook: `SELECT project_id AS "projectId" FROM webhooks WHERE id = $1`,
    };
    const [row] = await queryRows(this.manager, z.object({ projectId: column.id }), sql[kind], [id]);
    return row?.projectId;
  }

  /** Which of these trials belong to sweeps of these projects. */
  async trialsOfProjects(trialIds: readonly string[], projects: readonly string[]): Promise<string[]> {
    if (trialIds.length === 0 || projects.length === 0) return [];
    const rows = await queryRows(
      this.manager,
      z.object({ id: column.id }),
      `SELECT t.id FROM trials t JOIN sweeps s ON s.id = t.sweep_id WHERE t.id = ANY($1::uuid[]) AND s.project_id = ANY($2::uuid[])`,
      [trialIds, projects],
    );
    return rows.map((r) => r.id);
  }

  insertToken(token: Pick<ApiTokenEntity, 'userId' | 'name' | 'prefix' | 'secretSha256' | 'expiresAt'>): Promise<ApiTokenEntity> {
    return this.manager.save(this.manager.create(ApiTokenEntity, { ...token, revokedAt: null, lastUsedAt: null }));
  }

  async tokenByPrefix(prefix: string): Promise<Credential<ApiTokenEntity> | undefined> {
    const row = await this.manager.findOne(ApiTokenEntity, { where: { prefix }, relations: { user: true } });
    return row?.user ? { row, user: row.user } : undefined;
  }

  tokensOf(userId: string): Promise<ApiTokenEntity[]> {
    return this.manager.find(ApiTokenEntity, { where: { userId }, order: { createdAt: 'DESC' } });
  }

  async token(id: string): Promise<ApiTokenEntity | undefined> {
    return (await this.manager.findOne(ApiTokenEntity, { where: { id } })) ?? undefined;
  }

  /** Revokes the token (once; a revoked one stays revoked); false when there is none to revoke. */
  async revokeToken(id: string): Promise<boolean> {
    return (await rowsChanged(this.manager, `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id])) > 0;
  }

  /** Records a use of the token, at most once per TOKEN_TOUCH_INTERVAL_MS. */
  async touchToken(id: string): Promise<void> {
    await rowsChanged(
      this.manager,
      `UPDATE api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [id, TOKEN_TOUCH_INTERVAL_MS / 1000],
    );
  }

  insertSession(session: Pick<SessionEntity, 'userId' | 'secretSha256' | 'csrfSha256' | 'expiresAt'>): Promise<SessionEntity> {
    return this.manager.save(this.manager.create(SessionEntity, session));
  }

  async sessionBySecret(secretSha256: string): Promise<Credential<SessionEntity> | undefined> {
    const row = await this.manager.findOne(SessionEntity, { where: { secretSha256 }, relations: { user: true } });
    return row?.user ? { row, user: row.user } : undefined;
  }

  async deleteSession(id: string): Promise<void> {
    await rowsChanged(this.manager, `DELETE FROM sessions WHERE id = $1`, [id]);
  }
}
