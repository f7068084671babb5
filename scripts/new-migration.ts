// Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL that takes a database from
// the existing migrations to prisma/schema.prisma, as Prisma 6.19's WASM engine computes it
// (Prisma Migrate's native engine cannot be fetched here). Usage: npm run db:new-migration -- <name>
// Needs a PostgreSQL for the shadow database (DRIFT_ADMIN_URL, default the local server).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createThrowawayDatabase, DEFAULT_ADMIN_URL, DEFAULT_MIGRATIONS_DIR, runPrisma6 } from '../src/db/drift';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('give a name of [a-z0-9_]');
  const adminUrl = process.env.DRIFT_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const shadow = await createThrowawayDatabase(adminUrl, 'saksflyt_newmig_shadow');
  try {
    const res = await runPrisma6({
      databaseUrl: adminUrl,
      shadowDatabaseUrl: shadow.url,
      args: (p) => ['migrate', 'diff', '--config', p.config, '--from-migrations', p.migrations, '--to-schema-datamodel', p.schema, '--script'],
    });
    if (res.exitCode !== 0) throw new Error(`prisma@6 migrate diff failed:\n${res.stderr}`);
    if (/^-- This is an empty migration\./m.test(res.stdout) || res.stdout.trim() === '') {
      process.stdout.write('no difference: nothing written\n');
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(DEFAULT_MIGRATIONS_DIR, `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'migration.sql'), res.stdout);
    process.stdout.write(`wrote ${path.relative(process.cwd(), dir)}/migration.sql\n`);
  } finally {
    await shadow.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`new-migration: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
