import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795741093377 implements MigrationInterface {
  name = 'InitialSchema1795741093377';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TYPE "public"."sweep_status" AS ENUM('running', 'completed', 'cancelled', 'failed')
        `);
    await queryRunner.query(`
            CREATE TABLE "sweeps" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" character varying(200) NOT NULL,
                "status" "public"."sweep_status" NOT NULL DEFAULT 'running',
                "spec" jsonb NOT NULL,
                "seed" bigint NOT NULL,
                "planned_trials" integer NOT NULL,
                "trials_created" integer NOT NULL DEFAULT '0',
                "idempotency_key" character varying(200),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "finished_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_07c638010e068c3d9759020a31a" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_sweeps_created_at" ON "sweeps" ("created_at")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_sweeps_idempotency_key" ON "sweeps" ("idempotency_key")
            WHERE "idempotency_key" IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."trial_status" AS ENUM(
                'queued',
                'running',
                'completed',
                'pruned',
                'failed',
                'cancelled'
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "trials" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "sweep_id" uuid NOT NULL,
                "number" integer NOT NULL,
                "status" "public"."trial_status" NOT NULL DEFAULT 'queued',
                "status_reason" text,
                "config" jsonb NOT NULL,
                "seed" bigint NOT NULL,
                "attempts" integer NOT NULL DEFAULT '0',
                "best_metric" double precision,
                "last_epoch" integer,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "enqueued_at" TIMESTAMP WITH TIME ZONE,
                "started_at" TIMESTAMP WITH TIME ZONE,
                "finished_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "uq_trials_sweep_number" UNIQUE ("sweep_id", "number"),
                CONSTRAINT "PK_afe5dc86ce7253d239c3dfea2d3" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trials_unenqueued" ON "trials" ("created_at")
            WHERE "status" = 'queued'
                AND "enqueued_at" IS NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trials_sweep_best_metric_number" ON "trials" ("sweep_id", "best_metric", "number")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trials_sweep_status" ON "trials" ("sweep_id", "status")
        `);
    await queryRunner.query(`
            CREATE TABLE "checkpoints" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "trial_id" uuid NOT NULL,
                "epoch" integer NOT NULL,
                "format" character varying(64) NOT NULL,
                "bytes" bytea NOT NULL,
                "size_bytes" integer NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_dfcc46a91d96ecba8a8dcd8b11c" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_checkpoints_trial_epoch" ON "checkpoints" ("trial_id", "epoch")
        `);
    await queryRunner.query(`
            CREATE TABLE "datasets" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" character varying(200) NOT NULL,
                "format" character varying(32) NOT NULL,
                "columns" jsonb NOT NULL,
                "row_count" integer NOT NULL,
                "content" bytea NOT NULL,
                "size_bytes" integer NOT NULL,
                "sha256" character varying(64) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_1bf831e43c559a240303e23d038" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "metric_points" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "trial_id" uuid NOT NULL,
                "epoch" integer NOT NULL,
                "name" character varying(64) NOT NULL,
                "value" double precision NOT NULL,
                "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_ea9208dd317b55707dd2a9034c1" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_metric_points_trial_name_epoch" ON "metric_points" ("trial_id", "name", "epoch")
        `);
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD CONSTRAINT "fk_trials_sweep" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "checkpoints"
            ADD CONSTRAINT "fk_checkpoints_trial" FOREIGN KEY ("trial_id") REFERENCES "trials"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "metric_points"
            ADD CONSTRAINT "fk_metric_points_trial" FOREIGN KEY ("trial_id") REFERENCES "trials"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "metric_points" DROP CONSTRAINT "fk_metric_points_trial"
        `);
    await queryRunner.query(`
            ALTER TABLE "checkpoints" DROP CONSTRAINT "fk_checkpoints_trial"
        `);
    await queryRunner.query(`
            ALTER TABLE "trials" DROP CONSTRAINT "fk_trials_sweep"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_metric_points_trial_name_epoch"
        `);
    await queryRunner.query(`
            DROP TABLE "metric_points"
        `);
    await queryRunner.query(`
            DROP TABLE "datasets"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_checkpoints_trial_epoch"
        `);
    await queryRunner.query(`
            DROP TABLE "checkpoints"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_trials_sweep_status"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_trials_sweep_best_metric_number"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_trials_unenqueued"
        `);
    await queryRunner.query(`
            DROP TABLE "trials"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."trial_status"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_sweeps_idempotency_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_sweeps_created_at"
        `);
    await queryRunner.query(`
            DROP TABLE "sweeps"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."sweep_status"
        `);
  }
}
