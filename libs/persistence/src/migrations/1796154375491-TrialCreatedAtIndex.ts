import { MigrationInterface, QueryRunner } from 'typeorm';

export class TrialCreatedAtIndex1796154375491 implements MigrationInterface {
  name = 'TrialCreatedAtIndex1796154375491';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE INDEX "ix_trials_sweep_created_at_number" ON "trials" ("sweep_id", "created_at", "number")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_trials_sweep_created_at_number"
        `);
  }
}
