import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { PROJECT_ROLES, USER_KINDS, type ProjectRole, type UserKind } from '@tuneforge/contracts';

/** A person (signs in with a password, or an API token) or a service account (API tokens only, for automation). */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_users_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'enum', enum: USER_KINDS, enumName: 'user_kind', default: 'person' })
  kind!: UserKind;

  /** `scrypt$N$r$p$salt$hash` (base64); null for service accounts and users who sign in with tokens or SSO only. */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  /** Administers the deployment: every project, users, the audit log. */
  @Column({ name: 'is_admin', type: 'boolean', default: false })
  isAdmin!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** The project every deployment starts with (created by the migration): sweeps and datasets from before projects, and those created without naming one, go here. */
export const DEFAULT_PROJECT_ID = '00000000-0000-4000-8000-000000000001';

/** What sweeps and datasets belong to; members see and change it by role. */
@Entity({ name: 'projects' })
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_projects_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'project_members' })
export class ProjectMemberEntity {
  @PrimaryColumn({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @Index('ix_project_members_user')
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_project_members_project' })
  project?: Relation<ProjectEntity>;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_project_members_user' })
  user?: Relation<UserEntity>;

  @Column({ type: 'enum', enum: PROJECT_ROLES, enumName: 'project_role' })
  role!: ProjectRole;
}

/** An API token: shown once; only its prefix (to find it) and a SHA-256 of its secret are stored. */
@Entity({ name: 'api_tokens' })
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_api_tokens_user' })
  user?: Relation<UserEntity>;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Index('uq_api_tokens_prefix', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  prefix!: string;

  @Column({ name: 'secret_sha256', type: 'varchar', length: 64 })
  secretSha256!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A dashboard session (the HttpOnly cookie holds its secret; a SHA-256 of it is stored). */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_sessions_user' })
  user?: Relation<UserEntity>;

  @Index('uq_sessions_secret', { unique: true })
  @Column({ name: 'secret_sha256', type: 'varchar', length: 64 })
  secretSha256!: string;

  /** The CSRF token the session's cookie-authenticated writes must echo in X-CSRF-Token (SHA-256). */
  @Column({ name: 'csrf_sha256', type: 'varchar', length: 64 })
  csrfSha256!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
