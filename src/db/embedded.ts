/**
 * Embedded PostgreSQL for running without DATABASE_URL (a laptop, a demo, the
 * first start of a fresh checkout): PGlite (Postgres compiled to WASM, in this
 * process) behind pglite-socket, which speaks the wire protocol on a loopback
 * port so `pg`, Prisma's adapter-pg and the migrator use it like any server.
 * Why this and not a real postgres binary: docs/decisions/embedded-postgres.md.
 *
 * PGlite is a single Postgres backend in single-user mode. Every socket
 * connection shares that one session, statements run one at a time, and while
 * one connection has a transaction open the others' statements wait for it to
 * end. Hence: give the app a pool of 1 connection, keep transactions short,
 * never wait inside a transaction on work that needs another connection, and
 * run no concurrency tests against this.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

export interface EmbeddedPostgresOptions {
  /** Holds the cluster; created when missing, reused (data kept) on later starts. */
  dataDir: string;
  /** Defaults to 127.0.0.1. Keep it on loopback: there is no authentication. */
  host?: string;
  /** 0 (the default) lets the OS pick a free port; the URL returned carries it. */
  port?: number;
  log?: (obj: object, msg: string) => void;
  /**
   * Socket connections accepted at once. pglite-socket's own default is 1,
   * but then a second client (the migrator, a readiness probe, a pool
   * replacing a connection it just closed) is refused with a bare "Too many
   * connections"; a few spare slots cost nothing because statements are
   * serialised anyway.
   */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** postgres://postgres@host:port/postgres — PGlite answers to any user or database name, always as `postgres`. */
  url: string;
  /** Stops accepting connections, drops open ones, then shuts Postgres down cleanly. Safe to call twice. */
  close(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => undefined);
  const host = opts.host ?? '127.0.0.1';
  const dataDir = path.resolve(opts.dataDir);
  const started = Date.now();

  await fs.mkdir(dataDir, { recursive: true });
  // Only for the log line: a directory without PG_VERSION gets initdb
  // (seconds), one with it is just opened (well under a second).
  const fresh = !(await exists(path.join(dataDir, 'PG_VERSION')));

  // PGlite needs no OS user: initdb and the backend run inside WASM, so the
  // "postgres refuses to run as root" rule that rules out real binaries here
  // does not apply.
  // Extensions the migrations create must be loaded into the WASM build first: pg_trgm backs the
  // subject search index (migration 20261201180000_subject_trigram_index).
  const db = await PGlite.create({ dataDir, extensions: { pg_trgm } });
  let server: PGLiteSocketServer | undefined;
  try {
    server = new PGLiteSocketServer({
      db,
      host,
      port: opts.port ?? 0,
      maxConnections: opts.maxConnections ?? 4,
    });
    await server.start();
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }

  // After start() pglite-socket reports the port actually bound, which is
  // how a requested port 0 becomes usable.
  const port = Number(server.getServerConn().slice(server.getServerConn().lastIndexOf(':') + 1));
  const url = `postgres://postgres@${host.includes(':') ? `[${host}]` : host}:${port}/postgres`;
  log({ dataDir, url, initialised: fresh, startMs: Date.now() - started }, 'embedded PostgreSQL (PGlite) started');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const t = Date.now();
      try {
        await server.stop();
      } finally {
        // Closing PGlite shuts the backend down and flushes it to dataDir;
        // skipping it (a hard kill) leaves crash recovery to the next start.
        await db.close();
      }
      log({ dataDir, closeMs: Date.now() - t }, 'embedded PostgreSQL stopped');
    })();
    return closing;
  };

  return { url, close };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
