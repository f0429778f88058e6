import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1796151927802 implements MigrationInterface {
  name = 'Webhooks1796151927802';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TYPE "public"."webhook_format" AS ENUM('json', 'slack')
        `);
    await queryRunner.query(`
            CREATE TABLE "webhooks" (
                "id" uuid NOT NULL,
                "project_id" uuid NOT NULL,
                "sweep_id" uuid,
                "url_shown" character varying(400) NOT NULL,
                "url_sealed" text NOT NULL,
                "secret_sealed" text NOT NULL,
                "events" character varying(40) array NOT NULL,
                "format" "public"."webhook_format" NOT NULL DEFAULT 'json',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_9e8795cfc899ab7bdaa831e8527" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhooks_project" ON "webhooks" ("project_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhooks_sweep" ON "webhooks" ("sweep_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "webhook_notifications" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "webhook_id" uuid NOT NULL,
                "event" character varying(40) NOT NULL,
                "subject" character varying(100) NOT NULL,
                "sweep_id" uuid NOT NULL,
                "trial_id" uuid,
                "facts" jsonb NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "enqueued_at" TIMESTAMP WITH TIME ZONE,
                "delivered_at" TIMESTAMP WITH TIME ZONE,
                "failed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "uq_webhook_notifications_subject" UNIQUE ("webhook_id", "event", "subject"),
                CONSTRAINT "PK_ae644eb6677f6e4ac17f6765399" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhook_notifications_sweep" ON "webhook_notifications" ("sweep_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhook_notifications_open" ON "webhook_notifications" ("created_at")
            WHERE "delivered_at" IS NULL
                AND "failed_at" IS NULL
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."webhook_delivery_outcome" AS ENUM('delivered', 'retrying', 'failed')
        `);
    await queryRunner.query(`
            CREATE TABLE "webhook_deliveries" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "notification_id" uuid NOT NULL,
                "webhook_id" uuid NOT NULL,
                "attempt" smallint NOT NULL,
                "status_code" smallint,
                "error" text,
                "outcome" "public"."webhook_delivery_outcome" NOT NULL,
                "duration_ms" integer NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhook_deliveries_notification" ON "webhook_deliveries" ("notification_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhook_deliveries_webhook_at" ON "webhook_deliveries" ("webhook_id", "at")
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ADD "status_reason" text
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ADD "announced_best" double precision
        `);
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD "failure_announced" boolean NOT NULL DEFAULT false
        `);
    // Failures from before webhooks existed are not announced (no webhook could hear of them).
    await queryRunner.query(`
            UPDATE "trials" SET "failure_announced" = true WHERE "status" = 'failed'
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trials_failure_unannounced" ON "trials" ("sweep_id")
            WHERE "status" = 'failed'
                AND NOT "failure_announced"
        `);
    await queryRunner.query(`
            ALTER TABLE "webhooks"
            ADD CONSTRAINT "fk_webhooks_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "webhooks"
            ADD CONSTRAINT "fk_webhooks_sweep" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_notifications"
            ADD CONSTRAINT "fk_webhook_notifications_webhook" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_notifications"
            ADD CONSTRAINT "fk_webhook_notifications_sweep" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_deliveries"
            ADD CONSTRAINT "fk_webhook_deliveries_notification" FOREIGN KEY ("notification_id") REFERENCES "webhook_notifications"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_deliveries"
            ADD CONSTRAINT "fk_webhook_deliveries_webhook" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_webhook"
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_notification"
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_notifications" DROP CONSTRAINT "fk_webhook_notifications_sweep"
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_notifications" DROP CONSTRAINT "fk_webhook_notifications_webhook"
        `);
    await queryRunner.query(`
            ALTER TABLE "webhooks" DROP CONSTRAINT "fk_webhooks_sweep"
        `);
    await queryRunner.query(`
            ALTER TABLE "webhooks" DROP CONSTRAINT "fk_webhooks_project"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_trials_failure_unannounced"
        `);
    await queryRunner.query(`
            ALTER TABLE "trials" DROP COLUMN "failure_announced"
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps" DROP COLUMN "announced_best"
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps" DROP COLUMN "status_reason"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_deliveries_webhook_at"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_deliveries_notification"
        `);
    await queryRunner.query(`
            DROP TABLE "webhook_deliveries"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."webhook_delivery_outcome"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_notifications_open"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_notifications_sweep"
        `);
    await queryRunner.query(`
            DROP TABLE "webhook_notifications"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhooks_sweep"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhooks_project"
        `);
    await queryRunner.query(`
            DROP TABLE "webhooks"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."webhook_format"
        `);
  }
}
