/**
 * A stand-in for `prisma migrate deploy`.
 *
 * Prisma's schema engine is a native binary that cannot be downloaded on the
 * machines this service is built and run on, so the app applies its own
 * migrations. Everything here mirrors what the schema engine does (see
 * prisma-engines: schema-engine/core/src/commands/apply_migrations.rs and
 * sql-schema-connector/src/sql_migration_persistence.rs), so that the
 * `_prisma_migrations` table stays readable by the real Prisma CLI: a database
 * migrated here can later be handed to `prisma migrate deploy|status` and the
 * reverse.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MIGRATIONS_DIR } from '../paths';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Client, DatabaseError } from 'pg';

type MigratorLog = (obj: object, msg: string) => void;
/**
 * A bare function gets every line; a logger object (pino's, say) gets
 * warnings on `warn`. Methods are called on the object, so pino keeps `this`.
 */
type MigratorLogger = MigratorLog | { info: MigratorLog; warn: MigratorLog };

export interface ApplyMigrationsOptions {
  connectionString: string;
  /** Defaults to `<repo>/prisma/migrations`. */
  migrationsDir?: string;
  log?: MigratorLogger;
  /**
   * How long to wait for another migrator (another replica, a CLI run) to
   * release the advisory lock. Prisma gives up after 10 s; so do we by default.
   */
  lockTimeoutMs?: number;
}

export interface MigrationStatus {
  /** On disk, with no row in `_prisma_migrations` (or only rolled-back rows). */
  pending: string[];
  /** Finished and not rolled back. */
  applied: string[];
  /** Started but neither finished nor rolled back: `migrate deploy` refuses (P3009) until resolved. */
  failed: string[];
}

/** The key Prisma Migrate takes; sharing it serialises us against the real CLI too. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

export const DEFAULT_MIGRATIONS_DIR = MIGRATIONS_DIR;

const MIGRATIONS_TABLE = '_prisma_migrations';

// Byte-for-byte Prisma's DDL (flavour/postgres.rs, create_migrations_table), so
// `prisma migrate diff/status` sees the table it would have created itself.
const CREATE_MIGRATIONS_TABLE_SQL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

// Prisma lets these PostGIS tables exist in a "fresh" database (P3005 check).
const IGNORED_TABLES = /^(spatial_ref_sys|geometry_columns)$/i;

interface MigrationDir {
  name: string;
  script: string;
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

class MigrationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'MigrationError';
  }
}

interface Logger {
  info: MigratorLog;
  warn: MigratorLog;
}

function toLogger(log: MigratorLogger | undefined): Logger {
  if (log === undefined) return { info: () => undefined, warn: () => undefined };
  if (typeof log === 'function') return { info: log, warn: log };
  return { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) };
}

export async function applyMigrations(opts: ApplyMigrationsOptions): Promise<{ applied: string[] }> {
  const log = toLogger(opts.log);
  const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const lockTimeoutMs = opts.lockTimeoutMs ?? 10_000;

  // Read the directory before touching the database: a broken checkout should
  // fail without taking the lock or creating the table.
  await checkLockfileProvider(migrationsDir);
  const onDisk = await readMigrationsDir(migrationsDir);

  const client = await connect(opts.connectionString, { createSchema: true });
  try {
    const run = () => applyPending(client, onDisk, migrationsDir, lockTimeoutMs, log);
    // PGlite (src/db/embedded.ts) is one backend session shared by every
    // connection, so the advisory lock is re-entrant across them and excludes
    // nobody; a second migrator in this process would replay the same
    // migrations. Only this process can reach it, so queue in-process.
    return (await isPGlite(client)) ? await serialiseInProcess(opts.connectionString, run) : await run();
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function applyPending(
  client: Client,
  onDisk: MigrationDir[],
  migrationsDir: string,
  lockTimeoutMs: number,
  log: Logger,
): Promise<{ applied: string[] }> {
  await acquireLock(client, lockTimeoutMs);
  try {
    await ensureMigrationsTable(client);
    const rows = await loadRows(client);
    refuseOnFailedMigrations(rows);
    warnOnChecksumMismatch(onDisk, rows, log);

    // Same rule as the engine: a migration counts as applied when any row
    // that is not rolled back carries its name.
    const done = new Set(rows.filter((r) => r.rolled_back_at === null).map((r) => r.migration_name));
    const applied: string[] = [];

    for (const migration of onDisk) {
      if (done.has(migration.name)) continue;
      log.info({ migration: migration.name }, 'applying migration');
      const started = Date.now();
      await applyOne(client, migration);
      log.info({ migration: migration.name, durationMs: Date.now() - started }, 'migration applied');
      applied.push(migration.name);
    }

    if (applied.length === 0) log.info({ migrationsDir }, 'no pending migrations');
    return { applied };
  } finally {
    // The lock is session-scoped and would go with the connection anyway,
    // except on PGlite, whose single session outlives every connection.
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
  }
}

const inProcessQueues = new Map<string, Promise<unknown>>();

async function serialiseInProcess<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = inProcessQueues.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  inProcessQueues.set(key, tail);
  try {
    return await run;
  } finally {
    if (inProcessQueues.get(key) === tail) inProcessQueues.delete(key);
  }
}

async function isPGlite(client: Client): Promise<boolean> {
  const res = await client.query<{ v: string }>('SELECT version() AS v');
  return /PGlite/i.test(res.rows[0]?.v ?? '');
}

export async function migrationStatus(connectionString: string, migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationStatus> {
  const onDisk = await readMigrationsDir(migrationsDir);
  // A missing schema just means nothing is applied yet; a probe must not create it.
  const client = await connect(connectionString, { createSchema: false });
  try {
    // No lock: this is a read used by readiness probes and must never queue
    // behind a long-running migration.
    const rows = (await migrationsTableExists(client)) ? await loadRows(client) : [];
    const live = rows.filter((r) => r.rolled_back_at === null);
    const applied = new Set(live.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
    const failed = new Set(live.filter((r) => r.finished_at === null).map((r) => r.migration_name));
    return {
      pending: onDisk.map((m) => m.name).filter((n) => !applied.has(n) && !failed.has(n)),
      applied: [...applied].sort(compareNames),
      failed: [...failed].sort(compareNames),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Prisma's checksum: lowercase hex SHA-256 of the migration file's bytes. */
export function migrationChecksum(script: Buffer | string): string {
  return createHash('sha256').update(script).digest('hex');
}

async function connect(connectionString: string, opts: { createSchema: boolean }): Promise<Client> {
  const client = new Client({ connectionString, application_name: 'saksflyt-migrator' });
  // An idle client that loses its server emits 'error'; without a listener
  // that would crash the process instead of failing the current query.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await useSchema(client, schemaFromUrl(connectionString), opts.createSchema);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

/**
 * Prisma URLs carry the target schema as `?schema=` (default `public`) and the
 * engine pins `search_path` to it; `pg` ignores that parameter, so do it here
 * or the migrations would land wherever the role's search_path points.
 */
function schemaFromUrl(connectionString: string): string {
  try {
    return new URL(connectionString).searchParams.get('schema') || 'public';
  } catch {
    return 'public';
  }
}

async function useSchema(client: Client, schema: string, create: boolean): Promise<void> {
  // Checked first so that an existing schema needs no CREATE privilege.
  const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (create && exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await client.query(`SET search_path TO ${quoteIdent(schema)}`);
}

async function acquireLock(client: Client, timeoutMs: number): Promise<void> {
  // lock_timeout covers advisory locks as well; a plain pg_advisory_lock would
  // otherwise wait forever behind a crashed-but-connected peer.
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (err) {
    if (err instanceof DatabaseError && err.code === '55P03') {
      throw new MigrationError(
        'P1002',
        `Timed out after ${timeoutMs} ms waiting for the migration advisory lock (pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})); another migrator is holding it.`,
        { cause: err },
      );
    }
    throw err;
  } finally {
    // Migration scripts may legitimately wait on row/table locks.
    await client.query('SET lock_timeout = 0');
  }
}

async function migrationsTableExists(client: Client): Promise<boolean> {
  const res = await client.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relname = $1 AND n.nspname = current_schema()`,
    [MIGRATIONS_TABLE],
  );
  return (res.rowCount ?? 0) > 0;
}

async function ensureMigrationsTable(client: Client): Promise<void> {
  const res = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname = current_schema()`,
  );
  const tables = res.rows.map((r) => r.relname);
  if (tables.includes(MIGRATIONS_TABLE)) return;

  // Applying a history on top of tables nobody recorded would mix two
  // schemas; Prisma refuses that and wants a baseline (`migrate resolve`).
  const foreign = tables.filter((t) => !IGNORED_TABLES.test(t));
  if (foreign.length > 0) {
    throw new MigrationError(
      'P3005',
      `The database schema is not empty (found ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}) and has no ${MIGRATIONS_TABLE} table. Baseline it first: https://pris.ly/d/migrate-baseline`,
    );
  }
  await client.query(CREATE_MIGRATIONS_TABLE_SQL);
}

async function loadRows(client: Client): Promise<MigrationRow[]> {
  const res = await client.query<MigrationRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM ${MIGRATIONS_TABLE} ORDER BY started_at ASC`,
  );
  return res.rows;
}

function refuseOnFailedMigrations(rows: MigrationRow[]): void {
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length === 0) return;
  const details = failed
    .map((r) => {
      const logs = r.logs?.trim();
      return `The \`${r.migration_name}\` migration started at ${r.started_at.toISOString()} failed${logs ? ` with the following logs:\n${logs}` : ''}`;
    })
    .join('\n');
  throw new MigrationError(
    'P3009',
    `migrate found failed migrations in the target database, new migrations will not be applied. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n${details}`,
  );
}

function warnOnChecksumMismatch(onDisk: MigrationDir[], rows: MigrationRow[], log: Logger): void {
  const byName = new Map(onDisk.map((m) => [m.name, m]));
  for (const row of rows) {
    if (row.rolled_back_at !== null || row.finished_at === null) continue;
    const local = byName.get(row.migration_name);
    if (local && !checksumMatches(local.script, row.checksum)) {
      log.warn(
        { migration: row.migration_name, recordedChecksum: row.checksum, localChecksum: local.checksum },
        'migration was modified after it was applied',
      );
    }
  }
}

/**
 * Same tolerance as the engine's script_matches_checksum: git may have
 * rewritten line endings since the migration was applied, and very old Prisma
 * versions stored the hex without zero-padding.
 */
function checksumMatches(script: string, recorded: string): boolean {
  const candidates = [script, script.replace(/\r\n/g, '\n'), script.replace(/\n/g, '\r\n')];
  return candidates.some((s) => {
    const digest = createHash('sha256').update(s, 'utf8').digest();
    if (recorded.length === 64) return digest.toString('hex') === recorded;
    return [...digest].map((b) => b.toString(16)).join('') === recorded;
  });
}

async function applyOne(client: Client, migration: MigrationDir): Promise<void> {
  const id = randomUUID();
  await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, started_at, migration_name) VALUES ($1, $2, now(), $3)`, [
    id,
    migration.checksum,
    migration.name,
  ]);
  try {
    // One simple-protocol query, as the engine does: a multi-statement script
    // then runs in one implicit transaction, all or nothing, unless the
    // script manages transactions itself.
    await client.query(migration.script);
  } catch (err) {
    // A script with its own BEGIN leaves the session in an aborted
    // transaction, and the bookkeeping below would be refused.
    await client.query('ROLLBACK').catch(() => undefined);
    await client.query(`UPDATE ${MIGRATIONS_TABLE} SET logs = $2 WHERE id = $1`, [id, describeFailure(migration, err)]).catch(() => undefined);
    throw new MigrationError('P3018', describeFailure(migration, err), { cause: err });
  }
  await client.query(`UPDATE ${MIGRATIONS_TABLE} SET applied_steps_count = applied_steps_count + 1, finished_at = now() WHERE id = $1`, [id]);
}

function describeFailure(migration: MigrationDir, err: unknown): string {
  const code = err instanceof DatabaseError ? (err.code ?? 'none') : 'none';
  const message = err instanceof Error ? err.message : String(err);
  let detail = `ERROR: ${message}`;
  if (err instanceof DatabaseError) {
    if (err.detail) detail += `\nDETAIL: ${err.detail}`;
    if (err.hint) detail += `\nHINT: ${err.hint}`;
    const where = err.position ? lineAt(migration.script, Number(err.position)) : undefined;
    if (where) detail += `\n\nPosition:\n${where}`;
  }
  return `A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\nMigration name: ${migration.name}\n\nDatabase error code: ${code}\n\nDatabase error:\n${detail}`;
}

/** `position` is a 1-based character offset into the script. */
function lineAt(script: string, position: number): string | undefined {
  if (!Number.isFinite(position) || position < 1) return undefined;
  const before = script.slice(0, position - 1);
  const lineNo = before.split('\n').length;
  const line = script.split('\n')[lineNo - 1];
  return line === undefined ? undefined : `${String(lineNo).padStart(3)} ${line}`;
}

/**
 * Prisma's rule for a migrations directory: every sub-directory is a
 * migration whose name is the directory name and whose script is
 * `migration.sql`; plain files (migration_lock.toml, READMEs) are ignored;
 * order is by name, which the timestamp prefix makes chronological.
 */
async function readMigrationsDir(dir: string): Promise<MigrationDir[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(compareNames);
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, 'migration.sql');
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch (err) {
        throw new MigrationError(
          'P3015',
          `Could not find the migration file at ${file}. Please delete the directory or restore the migration file.`,
          {
            cause: err,
          },
        );
      }
      return { name, script: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
    }),
  );
}

async function checkLockfileProvider(dir: string): Promise<void> {
  let toml: string;
  try {
    toml = await fs.readFile(path.join(dir, 'migration_lock.toml'), 'utf8');
  } catch {
    return;
  }
  const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(toml)?.[1];
  if (provider !== undefined && provider !== 'postgresql') {
    throw new MigrationError(
      'P3019',
      `The datasource provider \`postgresql\` does not match \`${provider}\` in ${path.join(dir, 'migration_lock.toml')}.`,
    );
  }
}

/** Byte order, like Rust's `str` ordering the engine sorts with; localeCompare would differ on `_` vs letters. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
