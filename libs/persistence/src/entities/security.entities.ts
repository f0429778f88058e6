import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { AUDIT_OUTCOMES, type AuditAction, type AuditOutcome, type AuditVia } from '@tuneforge/contracts';

/**
 * One thing someone did through the API (or tried to): who, how, what, on what, from where, with what outcome.
 * Never a secret: tokens appear by prefix, passwords not at all. No foreign keys: the log outlives what it names.
 */
@Entity({ name: 'audit_events' })
@Index('ix_audit_events_at', ['at'])
@Index('ix_audit_events_actor_at', ['actorName', 'at'])
@Index('ix_audit_events_action_at', ['action', 'at'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId!: string | null;

  /** The user's name then, or 'anonymous'. */
  @Column({ name: 'actor_name', type: 'varchar', length: 100 })
  actorName!: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  via!: AuditVia | null;

  @Column({ name: 'token_prefix', type: 'varchar', length: 32, nullable: true })
  tokenPrefix!: string | null;

  /** One of AUDIT_ACTIONS (text, not an enum type: new actions need no migration). */
  @Column({ type: 'varchar', length: 40 })
  action!: AuditAction;

  @Column({ name: 'target_kind', type: 'varchar', length: 20, nullable: true })
  targetKind!: string | null;

  @Column({ name: 'target_id', type: 'varchar', length: 200, nullable: true })
  targetId!: string | null;

  @Column({ name: 'project_id', type: 'uuid', nullable: true })
  projectId!: string | null;

  @Column({ name: 'client_address', type: 'varchar', length: 64, nullable: true })
  clientAddress!: string | null;

  @Column({ type: 'enum', enum: AUDIT_OUTCOMES, enumName: 'audit_outcome' })
  outcome!: AuditOutcome;

  /** The HTTP status answered. */
  @Column({ type: 'smallint' })
  status!: number;
}

export const SIGN_IN_ATTEMPT_OUTCOMES = ['pending', 'failed', 'ok'] as const;
export type SignInAttemptOutcome = (typeof SIGN_IN_ATTEMPT_OUTCOMES)[number];

/**
 * A sign-in with a name and password or a token (POST /auth/session), for the limits on failures per name and per
 * address: written before the credential is checked (`pending`), then `failed` or `ok`. Rows older than the window go.
 */
@Entity({ name: 'sign_in_attempts' })
@Index('ix_sign_in_attempts_name_at', ['accountName', 'at'])
@Index('ix_sign_in_attempts_address_at', ['clientAddress', 'at'])
@Index('ix_sign_in_attempts_at', ['at'])
export class SignInAttemptEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  at!: Date;

  /** The name signed in with; null for a token sign-in. */
  @Column({ name: 'account_name', type: 'varchar', length: 100, nullable: true })
  accountName!: string | null;

  @Column({ name: 'client_address', type: 'varchar', length: 64 })
  clientAddress!: string;

  @Column({ type: 'enum', enum: SIGN_IN_ATTEMPT_OUTCOMES, enumName: 'sign_in_attempt_outcome', default: 'pending' })
  outcome!: SignInAttemptOutcome;
}

/**
 * A single sign-on under way (between the redirect to the OpenID provider and its callback): found by the state's
 * SHA-256, bound to the browser by the SHA-256 of its cookie's secret (whose HMAC is the PKCE verifier, so no
 * secret is stored), used once.
 */
@Entity({ name: 'oidc_logins' })
export class OidcLoginEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_oidc_logins_state', { unique: true })
  @Column({ name: 'state_sha256', type: 'varchar', length: 64 })
  stateSha256!: string;

  @Column({ name: 'browser_sha256', type: 'varchar', length: 64 })
  browserSha256!: string;

  @Column({ type: 'varchar', length: 100 })
  nonce!: string;

  @Column({ name: 'return_to', type: 'varchar', length: 2000 })
  returnTo!: string;

  @Index('ix_oidc_logins_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
