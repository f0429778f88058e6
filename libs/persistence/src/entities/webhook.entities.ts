import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import { DELIVERY_OUTCOMES, WEBHOOK_FORMATS, type DeliveryOutcome, type NotificationFacts, type WebhookEvent, type WebhookFormat } from '@tuneforge/contracts';
import { ProjectEntity } from './account.entities';
import { SweepEntity } from './sweep.entity';

/**
 * A subscription: where to post which events of a project's sweeps (or of one sweep). The target URL and the signing
 * secret are sealed (AES-256-GCM with the coordinator's WEBHOOK_SECRETS_KEY, bound to the row's id): a dump of the
 * database holds neither.
 */
@Entity({ name: 'webhooks' })
export class WebhookEntity {
  /** Chosen by the coordinator before the insert: the sealed columns are bound to it. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('ix_webhooks_project')
  @Column({ name: 'project_id', type: 'uuid' })
  projectId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_webhooks_project' })
  project?: Relation<ProjectEntity>;

  /** Only this sweep's events; null for every sweep of the project. Goes with its sweep. */
  @Index('ix_webhooks_sweep')
  @Column({ name: 'sweep_id', type: 'uuid', nullable: true })
  sweepId!: string | null;

  @ManyToOne(() => SweepEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sweep_id', foreignKeyConstraintName: 'fk_webhooks_sweep' })
  sweep?: Relation<SweepEntity>;

  /** What lists show of the URL: scheme, host and first path segment. */
  @Column({ name: 'url_shown', type: 'varchar', length: 400 })
  urlShown!: string;

  @Column({ name: 'url_sealed', type: 'text' })
  urlSealed!: string;

  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed!: string;

  @Column({ type: 'varchar', length: 40, array: true })
  events!: WebhookEvent[];

  @Column({ type: 'enum', enum: WEBHOOK_FORMATS, enumName: 'webhook_format', default: 'json' })
  format!: WebhookFormat;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * The outbox: one row per webhook, event and subject (a sweep's end, a failed trial, a new best), written in the
 * transaction that saw it happen, then put on the webhooks queue (its id is the job's id). Delivered or failed once.
 */
@Entity({ name: 'webhook_notifications' })
@Unique('uq_webhook_notifications_subject', ['webhookId', 'event', 'subject'])
// Not yet delivered nor given up on: the dispatcher's catch-up reads these (oldest first).
@Index('ix_webhook_notifications_open', ['createdAt'], { where: `"delivered_at" IS NULL AND "failed_at" IS NULL` })
export class WebhookNotificationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId!: string;

  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'fk_webhook_notifications_webhook' })
  webhook?: Relation<WebhookEntity>;

  @Column({ type: 'varchar', length: 40 })
  event!: WebhookEvent;

  /** What it is about, once per event: the trial's id, or the sweep's id (with its planned trials for a completion: a reopened sweep completes again). */
  @Column({ type: 'varchar', length: 100 })
  subject!: string;

  @Index('ix_webhook_notifications_sweep')
  @Column({ name: 'sweep_id', type: 'uuid' })
  sweepId!: string;

  @ManyToOne(() => SweepEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sweep_id', foreignKeyConstraintName: 'fk_webhook_notifications_sweep' })
  sweep?: Relation<SweepEntity>;

  @Column({ name: 'trial_id', type: 'uuid', nullable: true })
  trialId!: string | null;

  /** The sweep, trial and best as they were when it happened: every attempt posts the same. */
  @Column({ type: 'jsonb' })
  facts!: NotificationFacts;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'enqueued_at', type: 'timestamptz', nullable: true })
  enqueuedAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;
}

/** The delivery log: one row per attempt to post a notification. */
@Entity({ name: 'webhook_deliveries' })
@Index('ix_webhook_deliveries_webhook_at', ['webhookId', 'at'])
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('ix_webhook_deliveries_notification')
  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId!: string;

  @ManyToOne(() => WebhookNotificationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'fk_webhook_deliveries_notification' })
  notification?: Relation<WebhookNotificationEntity>;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId!: string;

  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'fk_webhook_deliveries_webhook' })
  webhook?: Relation<WebhookEntity>;

  @Column({ type: 'smallint' })
  attempt!: number;

  @Column({ name: 'status_code', type: 'smallint', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'enum', enum: DELIVERY_OUTCOMES, enumName: 'webhook_delivery_outcome' })
  outcome!: DeliveryOutcome;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;
}
