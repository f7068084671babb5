import fp from 'fastify-plugin';
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { FastifyInstance } from 'fastify';
import { PrismaClient } from '../generated/prisma/client';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { applyMigrations } from '../db/migrator';
import { startEmbeddedPostgres } from '../db/embedded';
import { POOL_OPTIONS } from '../db/pool-options';

declare module 'fastify' {
  interface FastifyInstance {
    /** Prisma client over the `pg` pool. */
    db: Db;
    /** The `pg` pool itself, for the few statements Prisma cannot express (SKIP LOCKED). */
    pool: pg.Pool;
    /** Where the database is: the URL in use (the embedded server's when none is configured). */
    databaseUrl: string;
  }
}

interface DbOptions {
  config: Config;
  /** Apply pending migrations before serving (the server does; tests migrate once in setup). */
  migrate: boolean;
}

/**
 * Makes the database ready before the app decorates anything with it: starts the embedded
 * PostgreSQL when no DATABASE_URL is configured, applies migrations, opens the pool; closes
 * all of it on close (after the routes and loops that use it).
 */
async function dbPlugin(app: FastifyInstance, opts: DbOptions): Promise<void> {
  const { config } = opts;
  let url = config.DATABASE_URL;
  let poolMax = config.DB_POOL_MAX;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!url) {
    const started = await startEmbeddedPostgres({
      dataDir: path.resolve(config.DATA_DIR, 'pg'),
      log: (obj, msg) => app.log.info(obj, msg),
    });
    url = started.url;
    stopEmbedded = () => started.close();
    // PGlite runs one statement at a time and an open transaction blocks other connections.
    poolMax = 1;
  }
  if (opts.migrate) {
    const { applied } = await applyMigrations({ connectionString: url, log: (obj, msg) => app.log.info(obj, msg) });
    app.log.info({ applied: applied.length }, 'migrations applied');
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    // Sent at connect, so it bounds every statement on the pool (Prisma's too): one caller's slow
    // statement cannot hold a connection and the CPU for longer. Reports raise it per transaction
    // (ReportService); migrations run on their own connection and are not bound by it.
    ...(config.DB_STATEMENT_TIMEOUT_MS > 0 ? { statement_timeout: config.DB_STATEMENT_TIMEOUT_MS } : {}),
    // No JIT, no parallel workers (src/db/pool-options.ts). PGlite has neither and takes no `options`.
    ...(stopEmbedded ? {} : { options: POOL_OPTIONS }),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', (err) => app.log.warn({ err: { message: err.message } }, 'idle database client error'));
  // pg-pool's end() resolves once it has asked its idle clients to end, not once their
  // connections are closed; a server that ends them first (a restart, DROP DATABASE … FORCE right
  // after close) then raises the error above on a pool already closed. Close waits for them.
  const open = new Set<pg.Client>();
  pool.on('connect', (client) => {
    open.add(client);
    client.once('end', () => open.delete(client));
  });
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });

  app.decorate('db', db);
  app.decorate('pool', pool);
  app.decorate('databaseUrl', url);
  app.addHook('onClose', async () => {
    await db.$disconnect();
    await pool.end();
    await allEnded(open, POOL_END_WAIT_MS);
    if (stopEmbedded) await stopEmbedded();
  });
}

export default fp(dbPlugin, { name: 'db', fastify: '5.x' });

/** How long close waits for the pool's connections to be closed by the server. */
const POOL_END_WAIT_MS = 2000;

/** Resolves when every client in `open` has ended, or after `ms` (close must come to its end). */
async function allEnded(open: ReadonlySet<pg.Client>, ms: number): Promise<void> {
  if (open.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const ended = Promise.all([...open].map((c) => new Promise<void>((resolve) => c.once('end', () => resolve()))));
  await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
