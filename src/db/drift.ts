/**
 * Runs the Prisma 6.19 CLI (devDependency alias `prisma6`) for the two checks
 * Prisma 7 cannot do here: `migrate diff` (does prisma/schema.prisma match
 * what prisma/migrations builds?) and `migrate status` (does Prisma accept a
 * database our own migrator built?). Why Prisma 6 and not a DMMF comparison:
 * docs/decisions/schema-drift.md.
 *
 * Prisma 7's CLI needs the native schema engine, which cannot be downloaded
 * here. Prisma 6.19 ships the schema engine as WASM and drives the database
 * through a JS driver adapter (`engine: 'js'` in its config file), so each run
 * gets a generated config file and a copy of the schema rewritten for 6.19.
 * Test/dev tooling only: nothing in the app imports this.
 */
import { spawn } from 'node:child_process';
import { ROOT_DIR } from '../paths';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

const REPO_ROOT = ROOT_DIR;
export const DEFAULT_SCHEMA_PATH = path.join(REPO_ROOT, 'prisma', 'schema.prisma');
export const DEFAULT_MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma', 'migrations');
/** A server where throw-away shadow databases may be created and dropped. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const DATABASE_URL_ENV = 'SAKSFLYT_PRISMA6_DATABASE_URL';
const SHADOW_URL_ENV = 'SAKSFLYT_PRISMA6_SHADOW_DATABASE_URL';

export interface Prisma6Result {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunPrisma6Options {
  /** Builds the CLI arguments once the rewritten schema and config exist. */
  args: (paths: { schema: string; migrations: string; config: string }) => string[];
  /** A Prisma 7 schema file (or a folder of .prisma files); rewritten for 6.19 in a temp dir. */
  schemaPath?: string;
  migrationsDir?: string;
  /** The database the driver adapter connects to (the one `migrate status` inspects). */
  databaseUrl: string;
  /** An empty database the engine may fill; needed by `--from-migrations`. Left as it is afterwards. */
  shadowDatabaseUrl?: string;
  timeoutMs?: number;
}

export interface DriftCheckOptions {
  schemaPath?: string;
  migrationsDir?: string;
  /** Default: env DRIFT_ADMIN_URL, else DEFAULT_ADMIN_URL. */
  adminUrl?: string;
  timeoutMs?: number;
}

export interface DriftResult {
  drift: boolean;
  /** What Prisma says it would change to get from the migrations to the schema ("No difference detected." when none). */
  summary: string;
}

function prisma6Cli(): string {
  // `prisma6/build/index.js` is an exported subpath of the aliased package.
  return require.resolve('prisma6/build/index.js');
}

/**
 * Does applying every migration in `migrationsDir` to an empty database give
 * exactly the schema in `schemaPath`? Creates a throw-away shadow database on
 * the admin server for the migrations to run in, and drops it afterwards.
 * Rejects when Prisma cannot answer (bad schema, a migration that fails).
 */
export async function checkSchemaDrift(opts: DriftCheckOptions = {}): Promise<DriftResult> {
  const adminUrl = opts.adminUrl ?? process.env.DRIFT_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const shadow = await createThrowawayDatabase(adminUrl, 'saksflyt_drift_shadow');
  try {
    const res = await runPrisma6({
      schemaPath: opts.schemaPath,
      migrationsDir: opts.migrationsDir,
      // The engine opens the main connection but `--from-migrations
      // --to-schema-datamodel` only reads files and the shadow database.
      databaseUrl: adminUrl,
      shadowDatabaseUrl: shadow.url,
      timeoutMs: opts.timeoutMs,
      args: (p) => ['migrate', 'diff', '--config', p.config, '--from-migrations', p.migrations, '--to-schema-datamodel', p.schema, '--exit-code'],
    });
    // --exit-code: 0 = no difference, 2 = difference, anything else = error.
    if (res.exitCode === 0 || res.exitCode === 2) {
      return { drift: res.exitCode === 2, summary: res.stdout.trim() };
    }
    throw new Error(`prisma@6 migrate diff failed (exit ${res.exitCode}):\n${res.stderr.trim()}\n${res.stdout.trim()}`);
  } finally {
    await shadow.drop();
  }
}

export async function runPrisma6(opts: RunPrisma6Options): Promise<Prisma6Result> {
  const schemaPath = path.resolve(opts.schemaPath ?? DEFAULT_SCHEMA_PATH);
  const migrationsDir = path.resolve(opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'saksflyt-prisma6-'));
  try {
    const schema = path.join(work, 'schema.prisma');
    const config = path.join(work, 'prisma.config.cjs');
    await fs.writeFile(schema, toPrisma6Schema(await readSchema(schemaPath)));
    await fs.writeFile(config, configSource(schema, migrationsDir));
    return await spawnCollect(process.execPath, [prisma6Cli(), ...opts.args({ schema, migrations: migrationsDir, config })], {
      // Run from the temp dir so no prisma.config.ts (Prisma 7's) or .env of
      // the repo is picked up.
      cwd: work,
      timeoutMs: opts.timeoutMs ?? 120_000,
      env: {
        ...process.env,
        [DATABASE_URL_ENV]: opts.databaseUrl,
        [SHADOW_URL_ENV]: opts.shadowDatabaseUrl ?? '',
        // The CLI insists the query-engine library is on disk before any
        // command and would download it otherwise; no command run here loads
        // it, so any existing file satisfies the check.
        PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/**
 * A Prisma 7 schema, made acceptable to the 6.19 parser without changing
 * what it describes:
 * - generator blocks go: `migrate diff/status` never generate, and 6.19 would
 *   reject 7-only generator settings;
 * - the datasource gets `url = env(...)`, which 6.19 requires even though the
 *   driver adapter, not the URL, is what it connects with (7 forbids it, so
 *   the real schema has none).
 * previewFeatures lived in the generator, so a schema that relies on a preview
 * feature for its *models* (e.g. views) would need it carried over here.
 */
export function toPrisma6Schema(source: string): string {
  const withoutGenerators = source.replace(/^[ \t]*generator\s+\w+\s*\{[\s\S]*?^[ \t]*\}[ \t]*$/gm, '');
  let sawDatasource = false;
  const out = withoutGenerators.replace(
    /^([ \t]*datasource\s+\w+\s*\{)([\s\S]*?)(^[ \t]*\}[ \t]*$)/m,
    (_m, open: string, body: string, close: string) => {
      sawDatasource = true;
      const kept = body
        .split('\n')
        .filter((line) => !/^\s*(url|directUrl|shadowDatabaseUrl)\s*=/.test(line))
        .join('\n');
      return `${open}\n  url = env("${DATABASE_URL_ENV}")${kept.startsWith('\n') ? '' : '\n'}${kept}${close}`;
    },
  );
  if (!sawDatasource) throw new Error('schema has no datasource block');
  return out;
}

async function readSchema(schemaPath: string): Promise<string> {
  const stat = await fs.stat(schemaPath);
  if (!stat.isDirectory()) return fs.readFile(schemaPath, 'utf8');
  // A multi-file schema folder: one file is equivalent for the parser.
  const files = (await fs.readdir(schemaPath, { recursive: true }))
    .map(String)
    .filter((f) => f.endsWith('.prisma'))
    .sort();
  const parts = await Promise.all(files.map((f) => fs.readFile(path.join(schemaPath, f), 'utf8')));
  return parts.join('\n\n');
}

/**
 * The Prisma 6.19 config for one run. It is plain CommonJS with absolute
 * require paths because it lives in a temp dir, outside this repo's
 * node_modules; URLs come from the environment so none is written to disk.
 */
function configSource(schema: string, migrationsDir: string): string {
  const pgPath = require.resolve('pg');
  const adapterPath = require.resolve('@prisma/adapter-pg');
  return `// Generated by src/db/drift.ts for a single Prisma 6.19 CLI run.
'use strict';
const pg = require(${JSON.stringify(pgPath)});
const { PrismaPg } = require(${JSON.stringify(adapterPath)});

// The schema engine describes a database by querying pg_catalog, whose
// columns of type "char" (oid 18) and "char"[] (1002) @prisma/adapter-pg 7
// does not map to a Prisma column type, failing the describe with
// "Column type 'char' could not be deserialized". Their values are plain
// strings already, so reporting them as text / text[] is exact.
const AS_TEXT = { 18: 25, 1002: 1009 };
function retype(res) {
  for (const r of Array.isArray(res) ? res : [res]) {
    for (const f of (r && r.fields) || []) if (AS_TEXT[f.dataTypeID]) f.dataTypeID = AS_TEXT[f.dataTypeID];
  }
  return res;
}
class CatalogAsTextClient extends pg.Client {
  query(...args) {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last];
      args[last] = (err, res) => cb(err, err ? res : retype(res));
      return super.query(...args);
    }
    const out = super.query(...args);
    return out && typeof out.then === 'function' ? out.then(retype) : out;
  }
}

function factory(url) {
  // allowExitOnIdle: nothing ends these pools, and an idle pool would keep
  // the CLI alive for its idle timeout after it has printed its answer.
  return new PrismaPg({ connectionString: url, Client: CatalogAsTextClient, allowExitOnIdle: true });
}
const main = factory(process.env[${JSON.stringify(DATABASE_URL_ENV)}]);
const shadowUrl = process.env[${JSON.stringify(SHADOW_URL_ENV)}];
const shadow = shadowUrl ? factory(shadowUrl) : null;

module.exports = {
  experimental: { adapter: true },
  engine: 'js',
  schema: ${JSON.stringify(schema)},
  migrations: { path: ${JSON.stringify(migrationsDir)} },
  adapter: async () => ({
    provider: main.provider,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    // adapter-pg's own connectToShadowDb creates a database named from the
    // main URL's config, which a connectionString overrides, so it would
    // replay the migrations into the main database. The caller owns a
    // dedicated empty one instead.
    connectToShadowDb: async () => {
      if (!shadow) throw new Error('no shadow database configured (${SHADOW_URL_ENV})');
      return shadow.connect();
    },
  }),
};
`;
}

export interface ThrowawayDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE on the admin server, with a URL to it and a drop() that also ends leftover sessions. */
export async function createThrowawayDatabase(adminUrl: string, prefix: string): Promise<ThrowawayDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(adminUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function spawnCollect(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Prisma6Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prisma@6 ${args.slice(1, 3).join(' ')} timed out after ${opts.timeoutMs} ms\n${stderr}\n${stdout}`));
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
