/**
 * The migrator against a real PostgreSQL (127.0.0.1:5432 unless
 * MIGRATOR_TEST_ADMIN_URL says otherwise) and against the embedded PGlite.
 * Every test gets its own throw-away database, dropped in afterAll, so the
 * tests neither see each other's rows nor depend on order.
 */
import { spawn } from 'node:child_process';
import { promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, migrationChecksum, migrationStatus } from '../../src/db/migrator';
import { createThrowawayDatabase, runPrisma6, type ThrowawayDatabase } from '../../src/db/drift';

// Same variable as test/helpers/global-setup.ts: an admin URL of a server where databases may be created.
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const M1 = '20240101000000_create_widget';
const M2 = '20240102000000_add_colour';
const M1_SQL = `CREATE TABLE "widget" ("id" SERIAL PRIMARY KEY, "name" TEXT NOT NULL);
INSERT INTO "widget" ("name") VALUES ('first');
-- Keeps the first migrator inside its lock long enough for a concurrent one to queue on it.
SELECT pg_sleep(0.3);
`;
const M2_SQL = `ALTER TABLE "widget" ADD COLUMN "colour" TEXT;\n`;

let tmpRoot: string;
/** M1 + M2, a lock file and a stray file: the "real" fixture. */
let migrationsDir: string;
/** M1 only: a database that is one migration behind. */
let firstOnlyDir: string;
const databases: ThrowawayDatabase[] = [];

async function freshDatabase(): Promise<string> {
  const db = await createThrowawayDatabase(ADMIN_URL, 'saksflyt_migrator');
  databases.push(db);
  return db.url;
}

async function writeMigrations(dir: string, migrations: Record<string, string>): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  for (const [name, sql] of Object.entries(migrations)) {
    await fs.mkdir(path.join(dir, name), { recursive: true });
    await fs.writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function sql<T extends object = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

interface Row {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

const rowsOf = (url: string) => sql<Row>(url, 'SELECT * FROM _prisma_migrations ORDER BY migration_name, started_at');

beforeAll(async () => {
  tmpRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'saksflyt-migrator-test-'));
  migrationsDir = await writeMigrations(path.join(tmpRoot, 'migrations'), { [M1]: M1_SQL, [M2]: M2_SQL });
  await fs.writeFile(path.join(migrationsDir, 'README.md'), 'not a migration\n');
  firstOnlyDir = await writeMigrations(path.join(tmpRoot, 'first-only'), { [M1]: M1_SQL });
});

afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  await fs.rm(tmpRoot, { recursive: true, force: true });
});

describe('applyMigrations on PostgreSQL', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
  });

  test('applies each migration once, in name order, and records it as Prisma does', async () => {
    const { applied } = await applyMigrations({ connectionString: url, migrationsDir });
    expect(applied).toEqual([M1, M2]);

    const rows = await rowsOf(url);
    expect(rows.map((r) => r.migration_name)).toEqual([M1, M2]);
    for (const r of rows) {
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
    expect(rows[0]?.checksum).toBe(migrationChecksum(Buffer.from(M1_SQL)));
    expect(rows[1]?.checksum).toBe(migrationChecksum(Buffer.from(M2_SQL)));

    expect(await sql(url, 'SELECT name, colour FROM widget')).toEqual([{ name: 'first', colour: null }]);
  });

  test('creates _prisma_migrations with exactly the columns Prisma creates', async () => {
    const cols = await sql(
      url,
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(cols).toEqual([
      { column_name: 'id', data_type: 'character varying', len: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', len: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', data_type: 'character varying', len: 255, is_nullable: 'NO', column_default: null },
      { column_name: 'logs', data_type: 'text', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', len: null, is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', data_type: 'integer', len: null, is_nullable: 'NO', column_default: '0' },
    ]);
    const pk = await sql(url, `SELECT conname FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass AND contype = 'p'`);
    expect(pk).toEqual([{ conname: '_prisma_migrations_pkey' }]);
  });

  test('a second run applies nothing', async () => {
    const logs: string[] = [];
    const { applied } = await applyMigrations({ connectionString: url, migrationsDir, log: (_o, m) => logs.push(m) });
    expect(applied).toEqual([]);
    expect(logs).toContain('no pending migrations');
    expect(await rowsOf(url)).toHaveLength(2);
  });

  test('a migration edited after it was applied is warned about, not re-run', async () => {
    const edited = await writeMigrations(path.join(tmpRoot, 'edited'), {
      [M1]: M1_SQL,
      [M2]: `${M2_SQL}-- edited afterwards\n`,
    });
    const warnings: Array<{ obj: object; msg: string }> = [];
    const { applied } = await applyMigrations({
      connectionString: url,
      migrationsDir: edited,
      log: { info: () => undefined, warn: (obj, msg) => warnings.push({ obj, msg }) },
    });
    expect(applied).toEqual([]);
    expect(warnings).toEqual([{ obj: expect.objectContaining({ migration: M2 }), msg: expect.stringMatching(/modified/) }]);
  });

  test('CRLF line endings of an applied migration do not count as an edit (as in Prisma)', async () => {
    const crlf = await writeMigrations(path.join(tmpRoot, 'crlf'), {
      [M1]: M1_SQL.replace(/\n/g, '\r\n'),
      [M2]: M2_SQL,
    });
    const warnings: string[] = [];
    await applyMigrations({ connectionString: url, migrationsDir: crlf, log: { info: () => undefined, warn: (_o, m) => warnings.push(m) } });
    expect(warnings).toEqual([]);
  });
});

describe('concurrency', () => {
  test('two concurrent runs on one empty database apply each migration exactly once', async () => {
    const url = await freshDatabase();
    const results = await Promise.all([
      applyMigrations({ connectionString: url, migrationsDir }),
      applyMigrations({ connectionString: url, migrationsDir }),
    ]);
    // One wins the advisory lock and applies both; the other waits, then finds nothing to do.
    expect(results.map((r) => r.applied).sort((a, b) => a.length - b.length)).toEqual([[], [M1, M2]]);
    const counts = await sql(url, 'SELECT migration_name, count(*)::int AS n FROM _prisma_migrations GROUP BY 1 ORDER BY 1');
    expect(counts).toEqual([
      { migration_name: M1, n: 1 },
      { migration_name: M2, n: 1 },
    ]);
    expect(await sql(url, 'SELECT count(*)::int AS n FROM widget')).toEqual([{ n: 1 }]);
  });

  test('gives up with P1002 when another migrator holds the lock for too long', async () => {
    const url = await freshDatabase();
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72707369)');
      await expect(applyMigrations({ connectionString: url, migrationsDir, lockTimeoutMs: 300 })).rejects.toThrow(/P1002/);
    } finally {
      await holder.end();
    }
    // Nothing was started while the lock was held elsewhere.
    expect(await sql(url, `SELECT to_regclass('_prisma_migrations') AS t`)).toEqual([{ t: null }]);
  });
});

describe('refusals and failures', () => {
  test('refuses with P3009 while a migration is recorded as started but not finished', async () => {
    const url = await freshDatabase();
    await applyMigrations({ connectionString: url, migrationsDir: firstOnlyDir });
    await sql(url, `INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES (gen_random_uuid()::text, 'x', $1)`, [M2]);

    const attempt = applyMigrations({ connectionString: url, migrationsDir });
    await expect(attempt).rejects.toThrow(/P3009/);
    await expect(attempt).rejects.toThrow(new RegExp(M2));
    expect(await sql(url, `SELECT column_name FROM information_schema.columns WHERE table_name = 'widget' AND column_name = 'colour'`)).toEqual([]);
  });

  test('a failing migration rejects, is rolled back, and leaves an unfinished row with the error in logs', async () => {
    const url = await freshDatabase();
    const bad = '20240103000000_broken';
    const dir = await writeMigrations(path.join(tmpRoot, 'broken'), {
      [M1]: M1_SQL,
      [bad]: `CREATE TABLE "half_done" ("id" INT);\nSELECT * FROM "no_such_table";\n`,
    });

    await expect(applyMigrations({ connectionString: url, migrationsDir: dir })).rejects.toThrow(/P3018[\s\S]*no_such_table/);

    const rows = await rowsOf(url);
    expect(rows.map((r) => [r.migration_name, r.finished_at !== null])).toEqual([
      [M1, true],
      [bad, false],
    ]);
    const failed = rows[1];
    expect(failed?.applied_steps_count).toBe(0);
    expect(failed?.logs).toMatch(/Database error code: 42P01/);
    expect(failed?.logs).toMatch(/no_such_table/);
    // The script ran as one implicit transaction: its first statement is gone too.
    expect(await sql(url, `SELECT to_regclass('half_done') AS t`)).toEqual([{ t: null }]);

    await expect(applyMigrations({ connectionString: url, migrationsDir: dir })).rejects.toThrow(/P3009/);
  });

  test('refuses with P3005 to migrate a non-empty database that has no migration history', async () => {
    const url = await freshDatabase();
    await sql(url, 'CREATE TABLE stray (x INT)');
    await expect(applyMigrations({ connectionString: url, migrationsDir })).rejects.toThrow(/P3005/);
    expect(await sql(url, `SELECT to_regclass('_prisma_migrations') AS t`)).toEqual([{ t: null }]);
  });

  test('honours ?schema= like Prisma, creating the schema', async () => {
    const base = await freshDatabase();
    const url = `${base}?schema=tenant_a`;
    expect((await applyMigrations({ connectionString: url, migrationsDir })).applied).toEqual([M1, M2]);
    expect(await sql(base, `SELECT to_regclass('tenant_a.widget')::text AS t, to_regclass('public.widget')::text AS p`)).toEqual([
      { t: 'tenant_a.widget', p: null },
    ]);
    expect((await migrationStatus(url, migrationsDir)).pending).toEqual([]);
    expect((await migrationStatus(base, migrationsDir)).pending).toEqual([M1, M2]);
  });
});

describe('migrationStatus', () => {
  test('reports pending, applied and failed migrations', async () => {
    const url = await freshDatabase();
    expect(await migrationStatus(url, migrationsDir)).toEqual({ pending: [M1, M2], applied: [], failed: [] });
    // Reading status must not create anything.
    expect(await sql(url, `SELECT to_regclass('_prisma_migrations') AS t`)).toEqual([{ t: null }]);

    await applyMigrations({ connectionString: url, migrationsDir: firstOnlyDir });
    expect(await migrationStatus(url, migrationsDir)).toEqual({ pending: [M2], applied: [M1], failed: [] });

    await sql(url, `INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES (gen_random_uuid()::text, 'x', $1)`, [M2]);
    expect(await migrationStatus(url, migrationsDir)).toEqual({ pending: [], applied: [M1], failed: [M2] });

    // `prisma migrate resolve --rolled-back` marks the row; the migration is pending again.
    await sql(url, `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1`, [M2]);
    expect(await migrationStatus(url, migrationsDir)).toEqual({ pending: [M2], applied: [M1], failed: [] });
    expect((await applyMigrations({ connectionString: url, migrationsDir })).applied).toEqual([M2]);
    expect(await migrationStatus(url, migrationsDir)).toEqual({ pending: [], applied: [M1, M2], failed: [] });
  });
});

describe('Prisma 6.19 accepts what the migrator built', () => {
  const schema7 = `datasource db {\n  provider = "postgresql"\n}\n\ngenerator client {\n  provider = "prisma-client"\n  output   = "./generated"\n}\n\nmodel widget {\n  id     Int     @id @default(autoincrement())\n  name   String\n  colour String?\n}\n`;

  const status = async (url: string, dir: string) => {
    const schemaPath = path.join(tmpRoot, 'status-schema.prisma');
    await fs.writeFile(schemaPath, schema7);
    return runPrisma6({
      schemaPath,
      migrationsDir: dir,
      databaseUrl: url,
      args: (p) => ['migrate', 'status', '--config', p.config, '--schema', p.schema],
    });
  };

  test('`prisma migrate status` says up to date, and sees a new migration as pending', async () => {
    const url = await freshDatabase();
    await applyMigrations({ connectionString: url, migrationsDir });

    const ok = await status(url, migrationsDir);
    expect({ exitCode: ok.exitCode, out: ok.stdout }).toEqual({ exitCode: 0, out: expect.stringMatching(/Database schema is up to date/) });

    const newer = await writeMigrations(path.join(tmpRoot, 'newer'), {
      [M1]: M1_SQL,
      [M2]: M2_SQL,
      '20240104000000_later': 'SELECT 1;\n',
    });
    const behind = await status(url, newer);
    expect(behind.exitCode).toBe(1);
    expect(behind.stdout).toMatch(/have not yet been applied[\s\S]*20240104000000_later/);
  }, 60_000);
});

const realMigrations = (() => {
  try {
    return readdirSync(DEFAULT_MIGRATIONS_DIR).length > 0;
  } catch {
    return false;
  }
})();

(realMigrations ? describe : describe.skip)('the repository migrations (prisma/migrations)', () => {
  test('apply cleanly to an empty PostgreSQL 15 database, once', async () => {
    const url = await freshDatabase();
    const names = (await fs.readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect((await applyMigrations({ connectionString: url })).applied).toEqual(names);
    expect((await applyMigrations({ connectionString: url })).applied).toEqual([]);
    expect(await migrationStatus(url)).toEqual({ pending: [], applied: names, failed: [] });
  });
});

/**
 * PGlite loads Node built-ins with dynamic import(), which jest's VM refuses
 * (without --experimental-vm-modules), so the embedded server runs in a child
 * process, as it would in the app: this process only connects to it.
 */
async function startEmbeddedInChild(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const script = path.join(tmpRoot, 'embedded-child.ts');
  await fs.writeFile(
    script,
    `import { startEmbeddedPostgres } from ${JSON.stringify(path.resolve(__dirname, '../../src/db/embedded'))};
startEmbeddedPostgres({ dataDir: process.argv[2] }).then((pg) => {
  process.stdout.write(JSON.stringify({ url: pg.url }) + '\\n');
  process.stdin.resume();
  process.stdin.on('end', () => pg.close().then(() => process.exit(0), () => process.exit(1)));
}, (err) => { console.error(err); process.exit(1); });
`,
  );
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), script, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then((code) => reject(new Error(`embedded PostgreSQL child exited early (${code})`)));
  });
  return {
    url,
    stop: async () => {
      child.stdin.end();
      expect(await exited).toBe(0);
    },
  };
}

describe('embedded PostgreSQL (PGlite)', () => {
  test('migrates, serialises concurrent runs in-process, and keeps data across a restart', async () => {
    const dataDir = path.join(tmpRoot, 'pglite');
    let pg = await startEmbeddedInChild(dataDir);
    try {
      // PGlite's one shared session makes the advisory lock exclude nobody;
      // the migrator must still apply each migration once.
      const results = await Promise.all([
        applyMigrations({ connectionString: pg.url, migrationsDir }),
        applyMigrations({ connectionString: pg.url, migrationsDir }),
      ]);
      expect(results.map((r) => r.applied).sort((a, b) => a.length - b.length)).toEqual([[], [M1, M2]]);
      expect(await migrationStatus(pg.url, migrationsDir)).toEqual({ pending: [], applied: [M1, M2], failed: [] });
    } finally {
      await pg.stop();
    }

    pg = await startEmbeddedInChild(dataDir);
    try {
      expect(await migrationStatus(pg.url, migrationsDir)).toEqual({ pending: [], applied: [M1, M2], failed: [] });
      expect((await applyMigrations({ connectionString: pg.url, migrationsDir })).applied).toEqual([]);
      expect(await sql(pg.url, 'SELECT count(*)::int AS n FROM widget')).toEqual([{ n: 1 }]);
    } finally {
      await pg.stop();
    }
  }, 90_000);
});
