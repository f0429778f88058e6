import { MigrationInterface, QueryRunner } from 'typeorm';

/** Workers read a sweep's metric points stored since an id (their rung indexes' syncs): by this index, only that sweep's. */
export class MetricPointReadsById1796180000000 implements MigrationInterface {
  name = 'MetricPointReadsById1796180000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE INDEX "ix_metric_points_sweep_name_id" ON "metric_points" ("sweep_id", "name", "id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_metric_points_sweep_name_id"
        `);
  }
}
