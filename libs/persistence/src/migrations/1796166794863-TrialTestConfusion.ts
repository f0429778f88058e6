import { MigrationInterface, QueryRunner } from 'typeorm';

export class TrialTestConfusion1796166794863 implements MigrationInterface {
  name = 'TrialTestConfusion1796166794863';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD "test_confusion" jsonb
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trials" DROP COLUMN "test_confusion"
        `);
  }
}
