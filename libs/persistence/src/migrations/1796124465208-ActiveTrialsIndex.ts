import { MigrationInterface, QueryRunner } from 'typeorm';

export class ActiveTrialsIndex1796124465208 implements MigrationInterface {
  name = 'ActiveTrialsIndex1796124465208';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE INDEX "ix_trials_active" ON "trials" ("status", "updated_at")
            WHERE "status" IN ('queued', 'running')
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_trials_active"
        `);
  }
}
