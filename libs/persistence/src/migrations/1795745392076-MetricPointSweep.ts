import { MigrationInterface, QueryRunner } from 'typeorm';

export class MetricPointSweep1795745392076 implements MigrationInterface {
  name = 'MetricPointSweep1795745392076';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Added nullable, filled from the trials, then made NOT NULL, so that existing rows survive.
    await queryRunner.query(`
            ALTER TABLE "metric_points"
            ADD "sweep_id" uuid
        `);
    await queryRunner.query(`
            UPDATE "metric_points" mp SET "sweep_id" = t."sweep_id" FROM "trials" t WHERE t."id" = mp."trial_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "metric_points"
            ALTER COLUMN "sweep_id" SET NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_metric_points_sweep_name_epoch" ON "metric_points" ("sweep_id", "name", "epoch")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_metric_points_sweep_name_epoch"
        `);
    await queryRunner.query(`
            ALTER TABLE "metric_points" DROP COLUMN "sweep_id"
        `);
  }
}
