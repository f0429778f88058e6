import { MigrationInterface, QueryRunner } from 'typeorm';

export class TrialBestEpoch1796138164657 implements MigrationInterface {
  name = 'TrialBestEpoch1796138164657';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD "best_epoch" integer
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trials" DROP COLUMN "best_epoch"
        `);
  }
}
