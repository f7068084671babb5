/**
 * pgbench's built-in scripts as the physical floor of the machine (issue #17): TPC-B-like (a
 * small write transaction: three UPDATEs, a SELECT and an INSERT) and select-only (one primary-key
 * SELECT), at the benchmark's connection counts, on the same PostgreSQL, over TCP like the
 * service, in a database of their own (`pgbench -i -s BENCH_PGBENCH_SCALE`, kept between runs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Measurement } from './load';
import { percentile } from './load';

export type PgbenchScript = 'tpcb' | 'select-only';

/** pgbench on the PATH, else in the PostgreSQL installation's bin directory; null if none. */
function findPgbench(): string | null {
  if (process.env.BENCH_PGBENCH) return process.env.BENCH_PGBENCH;
  const which = spawnSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const v of readdirSync(root).sort().reverse()) {
      const p = path.join(root, v, 'bin', 'pgbench');
      if (existsSync(p)) return p;
    }
  }
  return null;
}

/** libpq settings for pgbench from a postgres:// URL (host, port, user, password). */
function connectionArgs(url: string): { args: string[]; env: Record<string, string> } {
  const u = new URL(url);
  const args = ['-h', u.hostname || '127.0.0.1', '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  const env: Record<string, string> = {};
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  return { args, env };
}

function run(bin: string, args: string[], env: Record<string, string>, cwd?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

export interface Pgbench {
  database: string;
  scale: number;
  run(script: PgbenchScript, connections: number, seconds: number): Promise<Measurement & { latencyAvg: number }>;
}

/**
 * The pgbench database `name` on `adminUrl`'s server, initialised at `scale` unless it already
 * is (pgbench_branches has `scale` rows), so a second run skips the initialisation.
 */
export async function preparePgbench(adminUrl: string, name: string, scale: number, log: (m: string) => void): Promise<Pgbench | null> {
  const bin = findPgbench();
  if (!bin) {
    log('pgbench not found (set BENCH_PGBENCH); its columns stay empty');
    return null;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (!exists) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  let ready = false;
  try {
    const r = await c.query<{ n: string }>('SELECT count(*) AS n FROM pgbench_branches').catch(() => null);
    ready = r !== null && Number(r.rows[0]!.n) === scale;
  } finally {
    await c.end();
  }
  const conn = connectionArgs(adminUrl);
  if (!ready) {
    const t0 = Date.now();
    const init = await run(bin, ['-i', '-q', '-s', String(scale), ...conn.args, name], conn.env);
    if (init.code !== 0) throw new Error(`pgbench -i failed: ${init.out.slice(-500)}`);
    log(`pgbench database ${name} initialised at scale ${scale} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  } else log(`pgbench database ${name} reused (scale ${scale})`);

  return {
    database: name,
    scale,
    run: async (script, connections, seconds) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'saksflyt-pgbench-'));
      try {
        const args = [
          ...(script === 'select-only' ? ['-S'] : []),
          '-c',
          String(connections),
          '-j',
          String(Math.min(2, connections)),
          '-T',
          String(seconds),
          // Per-transaction log: the latency of each, for p50/p99 (pgbench itself prints the mean).
          '--log',
          `--log-prefix=${path.join(dir, 'tx')}`,
          ...conn.args,
          name,
        ];
        const r = await run(bin, args, conn.env, dir);
        if (r.code !== 0) throw new Error(`pgbench ${args.join(' ')} failed: ${r.out.slice(-500)}`);
        const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(r.out) ?? /tps = ([\d.]+)/.exec(r.out);
        const avg = /latency average = ([\d.]+) ms/.exec(r.out);
        const failed = /number of failed transactions: (\d+)/.exec(r.out);
        const lat: number[] = [];
        for (const f of readdirSync(dir).filter((x) => x.startsWith('tx.'))) {
          for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
            // client_id transaction_no time(µs) script_no time_epoch time_us
            const t = line.split(' ')[2];
            if (t !== undefined) lat.push(Number(t) / 1000);
          }
        }
        const sorted = Float64Array.from(lat).sort();
        const failures: Record<string, number> = {};
        if (failed && Number(failed[1]) > 0) failures.failed = Number(failed[1]);
        return {
          rps: tps ? Number(tps[1]) : NaN,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          ok: sorted.length,
          failures,
          seconds,
          latencyAvg: avg ? Number(avg[1]) : NaN,
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
