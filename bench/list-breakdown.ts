/**
 * `npm run bench:list-breakdown`: where the list scenario's ratio to the lean reference is lost.
 * Each list query of the benchmark (bench/lib/scenarios.ts listQueries and their second pages)
 * alone, then the mix, against the service and the lean reference in turn: requests per second
 * at BENCH_CONNECTIONS (default 16) for BENCH_DURATION seconds (default 4), and the CPU each
 * request cost in the server's Node process and in PostgreSQL.
 *
 * PostgreSQL's CPU is the utime + stime of every `postgres` process on the machine over the
 * measurement (backends and background workers alike: run it on a quiet server), divided by the
 * requests answered. The service's CPU is also split into user and system time.
 *
 * It reads the database `npm run bench` keeps with BENCH_REUSE_DB=1 (saksflyt_bench_seed_<BENCH_CASES>,
 * default 1,000,000 cases; seed it with that command first) on the server of BENCH_DATABASE_URL,
 * and changes nothing in it: every request is a read. BENCH_LIST_ONLY=<text> keeps the queries
 * whose name contains it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuMsOf, startApp, startLean, type AppProcess } from './lib/app-process';
import { ADMIN_URL } from './lib/db';
import { runHttp, type HttpRequest } from './lib/load';
import { listQueries, listRequests, signTokens, withSecondPages, type ListQuery } from './lib/scenarios';
import { withDatabase } from '../test/helpers/env';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_DURATION ?? 4);
const ONLY = process.env.BENCH_LIST_ONLY;

/** CPU ms of every `postgres` process now (a process that ends between two readings is lost). */
function postgresCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/stat`, 'utf8').includes('(postgres)')) continue;
      const [u, s] = cpuMsOf(pid);
      total += u + s;
    } catch {
      // The process ended.
    }
  }
  return total;
}

interface Side {
  rps: number;
  nodeMs: number;
  userMs: number;
  sysMs: number;
  pgMs: number;
  failures: number;
}

async function measure(server: AppProcess, next: () => HttpRequest): Promise<Side> {
  await runHttp(server.baseUrl, CONNECTIONS, 1, next);
  const [u0, s0] = cpuMsOf(server.pid);
  const pg0 = postgresCpuMs();
  const m = await runHttp(server.baseUrl, CONNECTIONS, SECONDS, next);
  const pg1 = postgresCpuMs();
  const [u1, s1] = cpuMsOf(server.pid);
  const n = Math.max(1, m.ok);
  return {
    rps: m.rps,
    nodeMs: (u1 - u0 + s1 - s0) / n,
    userMs: (u1 - u0) / n,
    sysMs: (s1 - s0) / n,
    pgMs: (pg1 - pg0) / n,
    failures: Object.values(m.failures).reduce((a, b) => a + b, 0),
  };
}

async function main(): Promise<void> {
  const url = withDatabase(ADMIN_URL, `saksflyt_bench_seed_${CASES}`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'saksflyt-list-breakdown-'));
  let app: AppProcess | undefined;
  let lean: AppProcess | undefined;
  try {
    app = await startApp({
      logFile: path.join(dataDir, 'service.log'),
      env: {
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        DATABASE_URL: url,
        LOG_LEVEL: 'info',
        RATE_LIMIT_MAX: '0',
        TIMER_INTERVAL_MS: '0',
        SLA_INTERVAL_MS: '0',
        RETENTION_INTERVAL_MS: '0',
        WEBHOOK_INTERVAL_MS: '0',
      },
    });
    lean = await startLean({ databaseUrl: url, poolMax: 10, logFile: path.join(dataDir, 'lean.log') });
    const tokens = await signTokens(dataDir);
    const queries = await withSecondPages(app.baseUrl, tokens, listQueries(new Date()));
    const runs: Array<{ name: string; qs: ListQuery[] }> = queries
      .filter((q) => !ONLY || q.name.includes(ONLY))
      .map((q) => ({ name: q.name, qs: [q] }));
    runs.push({ name: 'the mix (as npm run bench)', qs: queries });
    const f = (x: number) => x.toFixed(2);
    console.log(`${CONNECTIONS} connections, ${SECONDS} s each; CPU in ms per request`);
    console.log('| query | service req/s | Node (user + sys) | PostgreSQL | lean req/s | Node | PostgreSQL | of lean |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of runs) {
      const a = await measure(app, listRequests(tokens, r.qs));
      const l = await measure(lean, listRequests(tokens, r.qs));
      const failed = a.failures + l.failures > 0 ? ` (failures: service ${a.failures}, lean ${l.failures})` : '';
      console.log(
        `| ${r.name}${failed} | ${a.rps.toFixed(0)} | ${f(a.nodeMs)} (${f(a.userMs)} + ${f(a.sysMs)}) | ${f(a.pgMs)} | ` +
          `${l.rps.toFixed(0)} | ${f(l.nodeMs)} | ${f(l.pgMs)} | ${((a.rps / l.rps) * 100).toFixed(0)} % |`,
      );
    }
  } finally {
    await app?.stop();
    await lean?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
