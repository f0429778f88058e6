import { MigrationInterface, QueryRunner } from 'typeorm';

export class TrialTestScores1796141492533 implements MigrationInterface {
  name = 'TrialTestScores1796141492533';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD "test_metrics" jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD "preprocessing" jsonb
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trials" DROP COLUMN "preprocessing"
        `);
    await queryRunner.query(`
            ALTER TABLE "trials" DROP COLUMN "test_metrics"
        `);
  }
}
