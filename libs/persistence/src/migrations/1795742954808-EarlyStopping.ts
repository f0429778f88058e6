import { MigrationInterface, QueryRunner } from 'typeorm';

export class EarlyStopping1795742954808 implements MigrationInterface {
  name = 'EarlyStopping1795742954808';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trials"
            ADD "pruned_rung" integer
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trials" DROP COLUMN "pruned_rung"
        `);
  }
}
