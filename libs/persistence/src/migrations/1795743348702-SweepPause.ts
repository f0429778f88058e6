import { MigrationInterface, QueryRunner } from 'typeorm';

export class SweepPause1795743348702 implements MigrationInterface {
  name = 'SweepPause1795743348702';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TYPE "public"."sweep_status"
            RENAME TO "sweep_status_old"
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."sweep_status" AS ENUM(
                'running',
                'paused',
                'completed',
                'cancelled',
                'failed'
            )
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ALTER COLUMN "status" DROP DEFAULT
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ALTER COLUMN "status" TYPE "public"."sweep_status" USING "status"::"text"::"public"."sweep_status"
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ALTER COLUMN "status"
            SET DEFAULT 'running'
        `);
    await queryRunner.query(`
            DROP TYPE "public"."sweep_status_old"
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // The old type has no 'paused': a paused sweep goes back to running (its queued trials get jobs again).
    await queryRunner.query(`UPDATE "sweeps" SET "status" = 'running' WHERE "status" = 'paused'`);
    await queryRunner.query(`
            CREATE TYPE "public"."sweep_status_old" AS ENUM('running', 'completed', 'cancelled', 'failed')
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ALTER COLUMN "status" DROP DEFAULT
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ALTER COLUMN "status" TYPE "public"."sweep_status_old" USING "status"::"text"::"public"."sweep_status_old"
        `);
    await queryRunner.query(`
            ALTER TABLE "sweeps"
            ALTER COLUMN "status"
            SET DEFAULT 'running'
        `);
    await queryRunner.query(`
            DROP TYPE "public"."sweep_status"
        `);
    await queryRunner.query(`
            ALTER TYPE "public"."sweep_status_old"
            RENAME TO "sweep_status"
        `);
  }
}
