import { MigrationInterface, QueryRunner } from 'typeorm';

export class TrainingWorkers1795741540357 implements MigrationInterface {
  name = 'TrainingWorkers1795741540357';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "workers" (
                "id" character varying(120) NOT NULL,
                "host" character varying(255) NOT NULL,
                "pid" integer NOT NULL,
                "backend" character varying(32) NOT NULL,
                "concurrency" integer NOT NULL,
                "running_trial_ids" jsonb NOT NULL DEFAULT '[]',
                "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "last_heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "stopped_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_e950c9aba3bd84a4f193058d838" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_workers_last_heartbeat_at" ON "workers" ("last_heartbeat_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD "worker_id" character varying(120)
        `);
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD "backend" character varying(32)
        `);
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD "events" jsonb NOT NULL DEFAULT '[]'
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trials" DROP COLUMN "events"
        `);
    await queryRunner.query(`
            ALTER TABLE "trials" DROP COLUMN "backend"
        `);
    await queryRunner.query(`
            ALTER TABLE "trials" DROP COLUMN "worker_id"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_workers_last_heartbeat_at"
        `);
    await queryRunner.query(`
            DROP TABLE "workers"
        `);
  }
}
