import { dropDatabase } from '../database-admin';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}
dropDatabase(url).catch((error: unknown) => {
  console.error(`could not drop the database: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
