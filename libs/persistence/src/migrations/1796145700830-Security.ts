import { MigrationInterface, QueryRunner } from 'typeorm';

export class Security1796145700830 implements MigrationInterface {
  name = 'Security1796145700830';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TYPE "public"."audit_outcome" AS ENUM('ok', 'refused')
        `);
    await queryRunner.query(`
            CREATE TABLE "audit_events" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "actor_user_id" uuid,
                "actor_name" character varying(100) NOT NULL,
                "via" character varying(16),
                "token_prefix" character varying(32),
                "action" character varying(40) NOT NULL,
                "target_kind" character varying(20),
                "target_id" character varying(200),
                "project_id" uuid,
                "client_address" character varying(64),
                "outcome" "public"."audit_outcome" NOT NULL,
                "status" smallint NOT NULL,
                CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_audit_events_action_at" ON "audit_events" ("action", "at")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_audit_events_actor_at" ON "audit_events" ("actor_name", "at")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_audit_events_at" ON "audit_events" ("at")
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."sign_in_attempt_outcome" AS ENUM('pending', 'failed', 'ok')
        `);
    await queryRunner.query(`
            CREATE TABLE "sign_in_attempts" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
                "account_name" character varying(100),
                "client_address" character varying(64) NOT NULL,
                "outcome" "public"."sign_in_attempt_outcome" NOT NULL DEFAULT 'pending',
                CONSTRAINT "PK_b5b5e9a98dbb74ada205a0084d8" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_sign_in_attempts_at" ON "sign_in_attempts" ("at")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_sign_in_attempts_address_at" ON "sign_in_attempts" ("client_address", "at")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_sign_in_attempts_name_at" ON "sign_in_attempts" ("account_name", "at")
        `);
    await queryRunner.query(`
            CREATE TABLE "oidc_logins" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "state_sha256" character varying(64) NOT NULL,
                "browser_sha256" character varying(64) NOT NULL,
                "nonce" character varying(100) NOT NULL,
                "return_to" character varying(2000) NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_27f2bad66363345736ca34c2803" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_oidc_logins_state" ON "oidc_logins" ("state_sha256")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_oidc_logins_expires_at" ON "oidc_logins" ("expires_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "users"
            ADD "oidc_issuer" character varying(500)
        `);
    await queryRunner.query(`
            ALTER TABLE "users"
            ADD "oidc_subject" character varying(255)
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_users_oidc" ON "users" ("oidc_issuer", "oidc_subject")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."uq_users_oidc"
        `);
    await queryRunner.query(`
            ALTER TABLE "users" DROP COLUMN "oidc_subject"
        `);
    await queryRunner.query(`
            ALTER TABLE "users" DROP COLUMN "oidc_issuer"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_oidc_logins_expires_at"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_oidc_logins_state"
        `);
    await queryRunner.query(`
            DROP TABLE "oidc_logins"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_sign_in_attempts_name_at"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_sign_in_attempts_address_at"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_sign_in_attempts_at"
        `);
    await queryRunner.query(`
            DROP TABLE "sign_in_attempts"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."sign_in_attempt_outcome"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_audit_events_at"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_audit_events_actor_at"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_audit_events_action_at"
        `);
    await queryRunner.query(`
            DROP TABLE "audit_events"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."audit_outcome"
        `);
  }
}
