import { MigrationInterface, QueryRunner } from 'typeorm';

export class Accounts1796144372695 implements MigrationInterface {
  name = 'Accounts1796144372695';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TYPE "public"."user_kind" AS ENUM('person', 'service')
        `);
    await queryRunner.query(`
            CREATE TABLE "users" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" character varying(100) NOT NULL,
                "kind" "public"."user_kind" NOT NULL DEFAULT 'person',
                "password_hash" text,
                "is_admin" boolean NOT NULL DEFAULT false,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_users_name" ON "users" ("name")
        `);
    await queryRunner.query(`
            CREATE TABLE "projects" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" character varying(100) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_projects_name" ON "projects" ("name")
        `);
    // The default project (DEFAULT_PROJECT_ID): the sweeps and datasets stored before projects belong to it.
    await queryRunner.query(`INSERT INTO "projects" ("id", "name") VALUES ('00000000-0000-4000-8000-000000000001', 'default')`);
    await queryRunner.query(`
            CREATE TYPE "public"."project_role" AS ENUM('viewer', 'editor', 'admin')
        `);
    await queryRunner.query(`
            CREATE TABLE "project_members" (
                "project_id" uuid NOT NULL,
                "user_id" uuid NOT NULL,
                "role" "public"."project_role" NOT NULL,
                CONSTRAINT "PK_b3f491d3a3f986106d281d8eb4b" PRIMARY KEY ("project_id", "user_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_project_members_user" ON "project_members" ("user_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "api_tokens" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "user_id" uuid NOT NULL,
                "name" character varying(100) NOT NULL,
                "prefix" character varying(32) NOT NULL,
                "secret_sha256" character varying(64) NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                "last_used_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_api_tokens_prefix" ON "api_tokens" ("prefix")
        `);
    await queryRunner.query(`
            CREATE TABLE "sessions" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "user_id" uuid NOT NULL,
                "secret_sha256" character varying(64) NOT NULL,
                "csrf_sha256" character varying(64) NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_sessions_secret" ON "sessions" ("secret_sha256")
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ADD "project_id" uuid NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001'
        `);
    await queryRunner.query(`
            ALTER TABLE "datasets"
            ADD "project_id" uuid NOT NULL DEFAULT '00000000-0000-4000-8000-000000000001'
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_sweeps_project" ON "sweeps" ("project_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_datasets_project" ON "datasets" ("project_id")
        `);
    await queryRunner.query(`
            ALTER TABLE "project_members"
            ADD CONSTRAINT "fk_project_members_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "project_members"
            ADD CONSTRAINT "fk_project_members_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "api_tokens"
            ADD CONSTRAINT "fk_api_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "sessions"
            ADD CONSTRAINT "fk_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ADD CONSTRAINT "fk_sweeps_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "datasets"
            ADD CONSTRAINT "fk_datasets_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "datasets" DROP CONSTRAINT "fk_datasets_project"
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps" DROP CONSTRAINT "fk_sweeps_project"
        `);
    await queryRunner.query(`
            ALTER TABLE "sessions" DROP CONSTRAINT "fk_sessions_user"
        `);
    await queryRunner.query(`
            ALTER TABLE "api_tokens" DROP CONSTRAINT "fk_api_tokens_user"
        `);
    await queryRunner.query(`
            ALTER TABLE "project_members" DROP CONSTRAINT "fk_project_members_user"
        `);
    await queryRunner.query(`
            ALTER TABLE "project_members" DROP CONSTRAINT "fk_project_members_project"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_datasets_project"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_sweeps_project"
        `);
    await queryRunner.query(`
            ALTER TABLE "datasets" DROP COLUMN "project_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps" DROP COLUMN "project_id"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_sessions_secret"
        `);
    await queryRunner.query(`
            DROP TABLE "sessions"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_api_tokens_prefix"
        `);
    await queryRunner.query(`
            DROP TABLE "api_tokens"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_project_members_user"
        `);
    await queryRunner.query(`
            DROP TABLE "project_members"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."project_role"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_projects_name"
        `);
    await queryRunner.query(`
            DROP TABLE "projects"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_users_name"
        `);
    await queryRunner.query(`
            DROP TABLE "users"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."user_kind"
        `);
  }
}
