/**
 * `prisma migrate deploy` for this repo: applies prisma/migrations (or the
 * directory given as the first argument) to DATABASE_URL and prints the names
 * it applied, one per line. Progress goes to stderr so stdout stays scriptable.
 *
 *   DATABASE_URL=postgres://… tsx scripts/migrate.ts [migrationsDir]
 */
import { applyMigrations } from '../src/db/migrator';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    // No embedded fallback here: migrating a throw-away in-process database
    // from a CLI would do nothing useful; the server migrates that one itself.
    console.error('DATABASE_URL is not set; set it to the database to migrate.');
    return 1;
  }
  const { applied } = await applyMigrations({
    connectionString: url,
    migrationsDir: process.argv[2],
    log: (obj, msg) => console.error(`${msg} ${JSON.stringify(obj)}`),
  });
  for (const name of applied) console.log(name);
  console.error(applied.length === 0 ? 'Database is up to date.' : `Applied ${applied.length} migration(s).`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
