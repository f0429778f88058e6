import { MigrationInterface, QueryRunner } from 'typeorm';

export class LiveFeedIndex1796133462608 implements MigrationInterface {
  name = 'LiveFeedIndex1796133462608';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE INDEX "ix_trials_updated_at" ON "trials" ("updated_at")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_trials_updated_at"
        `);
  }
}
