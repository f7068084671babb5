/**
 * `npm run bench`: the service against independent references, over a throwaway (or kept) database.
 *
 * Creates and migrates a database (on BENCH_DATABASE_URL's server, default the local PostgreSQL),
 * seeds BENCH_CASES cases in SQL (or reuses a database seeded earlier, BENCH_REUSE_DB=1), runs
 * pgbench's TPC-B-like and select-only scripts at each concurrency in a database of their own,
 * starts the service and the lean reference (bench/lean/server.ts) as child processes on
 * loopback ports, and for each scenario (create, read, transition, list) and each concurrency
 * (BENCH_CONNECTIONS) drives both with autocannon for BENCH_DURATION seconds. Then the search
 * benchmark (#16) and the timer sweep of BENCH_TIMERS due timers (service, then the lean SQL).
 * Writes bench/results.md (BENCH_RESULTS) and the README's performance table; docs/benchmarks.md
 * explains the knobs and how to read the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config';
import { POOL_OPTIONS } from '../src/db/pool-options';
import { leanSweep } from './lean/sweep';
import { cpuMsOf, machineCpuMs, startApp, startLean, type AppProcess } from './lib/app-process';
import {
  ADMIN_URL,
  createBenchDatabase,
  markSeeded,
  reusableBenchDatabase,
  sampleReadableIds,
  sampleSearchTargets,
  seedCases,
  seedDueTimers,
  seedTransitionPool,
  markPoolFresh,
  serverInfo,
  type BenchDatabase,
} from './lib/db';
import { runHttp, type HttpRequest } from './lib/load';
import { preparePgbench, type Pgbench } from './lib/pgbench';
import { failures, machineInfo, ms, num, RESULTS_FILE, writeResults } from './lib/report';
import {
  pgbenchScriptOf,
  renderResults,
  writeReadmeTable,
  type PgbenchRow,
  type RequestRow,
  type RequestScenario,
  type SearchRow,
  type SweepCpu,
  type SweepResult,
} from './lib/results';
import {
  createRequests,
  listQueries,
  listRequests,
  messageRequests,
  OPERATOR_TEAMS,
  readRequests,
  searchQueries,
  searchRequests,
  signTokens,
  TogglePool,
  transitionRequests,
  withSecondPages,
  type Tokens,
} from './lib/scenarios';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number (got ${raw})`);
  return n;
}

const listEnv = (name: string, fallback: string) =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const SCENARIOS = ['create', 'read', 'transition', 'list', 'search', 'sweep'] as const;
type ScenarioName = (typeof SCENARIOS)[number];
const REFERENCES = ['lean', 'pgbench'] as const;

const cases = intEnv('BENCH_CASES', 1_000_000);
const settings = {
  cases,
  timers: intEnv('BENCH_TIMERS', 100_000),
  duration: intEnv('BENCH_DURATION', 10),
  warmup: intEnv('BENCH_WARMUP', 3),
  connections: listEnv('BENCH_CONNECTIONS', '1,16,64').map(Number),
  searchConnections: listEnv('BENCH_SEARCH_CONNECTIONS', '1,16').map(Number),
  scenarios: listEnv('BENCH_SCENARIOS', SCENARIOS.join(',')) as ScenarioName[],
  references: listEnv('BENCH_REFERENCES', REFERENCES.join(',')) as Array<(typeof REFERENCES)[number]>,
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  keepDb: process.env.BENCH_KEEP_DB === '1',
  reuseDb: process.env.BENCH_REUSE_DB === '1',
  // Indexes after the bulk insert pays from about half a million cases on (measured: docs/benchmarks.md).
  indexesAfter: process.env.BENCH_INDEXES_AFTER ? process.env.BENCH_INDEXES_AFTER === '1' : cases >= 500_000,
  pgbenchScale: intEnv('BENCH_PGBENCH_SCALE', 10),
  pgbenchDb: process.env.BENCH_PGBENCH_DB ?? 'saksflyt_pgbench',
  leanSingleStatement: process.env.BENCH_LEAN_SINGLE_STATEMENT === '1',
  // Cases of the transition scenario (each of the service and the lean reference): enough that a
  // measurement moves each at most about once, as production moves cases an SLA sweep has
  // refreshed in between (the pool's SLA rows are marked fresh before every measurement).
  transitionPool: intEnv('BENCH_TRANSITION_POOL', 10_000),
  resultsFile: process.env.BENCH_RESULTS ? path.resolve(process.env.BENCH_RESULTS) : RESULTS_FILE,
};
// The service's own configuration (DB_POOL_MAX, TIMER_BATCH_SIZE, …) comes from the environment
// as it would in production; the lean reference uses the same pool size, its sweep the same batch.
const appConfig = loadConfig({ ...process.env, NODE_ENV: 'development' });

for (const s of settings.scenarios) if (!SCENARIOS.includes(s)) throw new Error(`BENCH_SCENARIOS: unknown scenario ${s}`);
for (const r of settings.references) if (!REFERENCES.includes(r)) throw new Error(`BENCH_REFERENCES: unknown reference ${r}`);
for (const c of [...settings.connections, ...settings.searchConnections])
  if (!Number.isInteger(c) || c < 1) throw new Error('BENCH_CONNECTIONS, BENCH_SEARCH_CONNECTIONS: whole numbers ≥ 1');

const log = (msg: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

/** A sweep's CPU seconds from two machine readings and the sweeping process's own. */
function sweepCpu(before: { busy: number; steal: number }, after: { busy: number; steal: number }, ownS: number): SweepCpu {
  return { machineS: (after.busy - before.busy) / 1000, stealS: (after.steal - before.steal) / 1000, ownS };
}

function describeCpu(c: SweepCpu): string {
  return `CPU ${c.machineS.toFixed(1)} s on the machine, ${c.ownS.toFixed(1)} s of it the sweeper's; ${c.stealS.toFixed(1)} s stolen by the host`;
}

/** POST with no client-side timeout: a sweep of a large backlog is one long request. */
function postJson(url: string, token: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function oneRequest(app: AppProcess, r: HttpRequest): Promise<void> {
  const res = await fetch(`${app.baseUrl}${r.path}`, {
    method: r.method,
    headers: { ...r.headers, ...(r.body ? { 'content-type': 'application/json' } : {}) },
    body: r.body,
  });
  const text = await res.text();
  r.onResponse?.(res.status, text);
  if (res.status >= 300) throw new Error(`${r.method} ${r.path}: HTTP ${res.status} ${text.slice(0, 300)}`);
}

/**
 * Every identity signs in once (GET /v1/categories), a few at a time: a token's first request
 * verifies its signature and records the sign-in (a statement), which a running service does once
 * per identity and TOKEN_CACHE_SECONDS, not per request.
 */
async function signIn(app: AppProcess, identities: string[]): Promise<void> {
  let i = 0;
  const worker = async () => {
    while (i < identities.length) {
      await oneRequest(app, { method: 'GET', path: '/v1/categories', headers: { authorization: `Bearer ${identities[i++]!}` } });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/**
 * Statements per request of a scenario in steady state: its identities signed in (within the
 * token cache's life) and one untraced round of its requests (the category, windows and calendar
 * copies filled), then `count` sequential requests traced. Only statements sent while handling a
 * request count; a background loop's (notifications, metrics refresh) are logged apart.
 */
async function traceRoundTrips(app: AppProcess, name: string, identities: string[], next: () => HttpRequest, count: number): Promise<number> {
  await signIn(app, identities);
  for (let i = 0; i < count; i++) await oneRequest(app, next());
  const statements = await app.traceSql(async () => {
    for (let i = 0; i < count; i++) await oneRequest(app, next());
  });
  const ofRequests = statements.filter((s) => s.request);
  const perRequest = ofRequests.length / count;
  const shapes = new Map<string, number>();
  for (const s of ofRequests) shapes.set(s.sql.slice(0, 60), (shapes.get(s.sql.slice(0, 60)) ?? 0) + 1);
  log(
    `${name}: ${perRequest.toFixed(1)} statements per request over ${count} requests` +
      ` (${statements.length - ofRequests.length} by background loops meanwhile, not counted): ` +
      [...shapes].map(([sql, n]) => `${n}× ${sql}`).join(' | '),
  );
  return perRequest;
}

async function main(): Promise<void> {
  const started = new Date();
  log(`saksflyt benchmark: ${JSON.stringify(settings)}; DB_POOL_MAX=${appConfig.DB_POOL_MAX}`);
  const machine = machineInfo();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'saksflyt-bench-'));
  let db: BenchDatabase | null = null;
  let app: AppProcess | null = null;
  let lean: AppProcess | null = null;
  let leanPool: pg.Pool | null = null;
  const rows: RequestRow[] = [];
  const pgbenchRows: PgbenchRow[] = [];
  const searchRows: SearchRow[] = [];
  const traces: Record<string, number> = {};
  let sweep: SweepResult | null = null;
  const seed = { seconds: 0, reused: false, indexesAfter: settings.indexesAfter };
  let succeeded = false;
  const requestScenarios = settings.scenarios.filter((s): s is RequestScenario => ['create', 'read', 'transition', 'list'].includes(s));
  const wantLean = settings.references.includes('lean');
  try {
    if (settings.reuseDb) {
      const r = await reusableBenchDatabase(settings.cases, log);
      db = r.db;
      seed.reused = r.seeded;
    } else db = await createBenchDatabase();
    log(`database ${db.name}`);
    if (!seed.reused) {
      const seedStart = Date.now();
      log(`seeding ${settings.cases.toLocaleString('en-US')} cases${settings.indexesAfter ? ' (indexes after the bulk insert)' : ''}`);
      await seedCases(db.url, settings.cases, log, { indexesAfter: settings.indexesAfter });
      seed.seconds = (Date.now() - seedStart) / 1000;
      if (settings.reuseDb) await markSeeded(db.url, settings.cases);
      log(`seeded in ${seed.seconds.toFixed(0)} s`);
    }
    const maxConns = Math.max(...settings.connections);
    const poolSize = Math.max(settings.transitionPool, maxConns * 8);
    const appPool = requestScenarios.includes('transition') ? await seedTransitionPool(db.url, poolSize) : [];
    const leanCases = requestScenarios.includes('transition') && wantLean ? await seedTransitionPool(db.url, poolSize) : [];
    const messageCases = await seedTransitionPool(db.url, 4);
    const readIds = await sampleReadableIds(db.url, 20_000);

    // pgbench first, on a quiet server (the service and the lean reference are not started yet).
    let pgbench: Pgbench | null = null;
    if (settings.references.includes('pgbench') && requestScenarios.length)
      pgbench = await preparePgbench(ADMIN_URL, settings.pgbenchDb, settings.pgbenchScale, log);
    if (pgbench) {
      const scripts = [...new Set(requestScenarios.map(pgbenchScriptOf))];
      for (const script of scripts) {
        for (const connections of settings.connections) {
          const m = await pgbench.run(script, connections, settings.duration);
          pgbenchRows.push({ script, connections, m });
          log(`pgbench ${script} ×${connections}: ${num(m.rps)} tps, p50 ${ms(m.p50)} p99 ${ms(m.p99)} ms`);
        }
      }
    }

    const tokens: Tokens = await signTokens(dataDir);
    app = await startApp({
      logFile: path.join(dataDir, 'service.log'),
      env: {
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        LOG_LEVEL: settings.logLevel,
        // Per-identity rate limiting would cap a one-identity load at 600 requests a minute.
        RATE_LIMIT_MAX: '0',
        // Background loops off: they would compete with the measured requests at random moments.
        TIMER_INTERVAL_MS: '0',
        SLA_INTERVAL_MS: '0',
        RETENTION_INTERVAL_MS: '0',
        WEBHOOK_INTERVAL_MS: '0',
      },
    });
    log(`service pid ${app.pid} at ${app.baseUrl} (log ${app.logFile})`);
    if (wantLean) {
      lean = await startLean({
        databaseUrl: db.url,
        poolMax: appConfig.DB_POOL_MAX,
        logFile: path.join(dataDir, 'lean.log'),
        singleStatement: settings.leanSingleStatement,
      });
      log(`lean reference pid ${lean.pid} at ${lean.baseUrl}`);
    }

    const queries = await withSecondPages(app.baseUrl, tokens, listQueries(new Date()));
    const requestsOf: Record<RequestScenario, (pool: TogglePool) => () => HttpRequest> = {
      create: () => createRequests(tokens),
      read: () => readRequests(tokens, readIds),
      transition: (pool) => transitionRequests(tokens, pool),
      list: () => listRequests(tokens, queries),
    };
    const appToggle = new TogglePool(appPool);
    const leanToggle = new TogglePool(leanCases);

    // Round trips of a message (not timed): #17 counts its statements too.
    traces.message = await traceRoundTrips(app, 'message', [tokens.operator], messageRequests(tokens, messageCases), 4);

    for (const scenario of requestScenarios) {
      // Round trips: the statements the service sent for a few sequential requests, in steady state.
      const next = requestsOf[scenario](appToggle);
      const identities = scenario === 'create' ? tokens.requesters : scenario === 'list' ? tokens.operators : [tokens.operator];
      traces[scenario] = await traceRoundTrips(app, scenario, identities, next, scenario === 'list' ? queries.length : 8);
      const leanNext = lean ? requestsOf[scenario](leanToggle) : null;

      // The transition pool's SLA rows as a sweep leaves them (bench/lib/db.ts markPoolFresh):
      // each measured move then marks its case's row stale, the write production makes.
      const dbUrl = db.url;
      const freshPool = async () => {
        if (scenario === 'transition') await markPoolFresh(dbUrl, appPool);
      };
      if (settings.warmup > 0) {
        await freshPool();
        await runHttp(app.baseUrl, 16, settings.warmup, next);
        if (lean && leanNext) await runHttp(lean.baseUrl, 16, settings.warmup, leanNext);
      }
      for (const connections of settings.connections) {
        await freshPool();
        app.resetPeak();
        const cpu0 = app.cpuSeconds();
        const a = await runHttp(app.baseUrl, connections, settings.duration, next);
        const answered = a.ok + Object.values(a.failures).reduce((n, k) => n + k, 0);
        const cpuMsPerRequest = ((app.cpuSeconds() - cpu0) * 1000) / Math.max(1, answered);
        const peakRssMb = app.peakRssMb();
        const l = lean && leanNext ? await runHttp(lean.baseUrl, connections, settings.duration, leanNext) : undefined;
        rows.push({ scenario, connections, app: a, lean: l, peakRssMb });
        log(
          `${scenario} ×${connections}: service ${num(a.rps)}/s p50 ${ms(a.p50)} p99 ${ms(a.p99)} ms (failures ${failures(a)}); ` +
            (l
              ? `lean ${num(l.rps)}/s p50 ${ms(l.p50)} p99 ${ms(l.p99)} ms (failures ${failures(l)}); of lean ${((a.rps / l.rps) * 100).toFixed(0)} %; `
              : '') +
            `peak RSS ${peakRssMb.toFixed(0)} MiB; service CPU ${cpuMsPerRequest.toFixed(2)} ms per request`,
        );
      }
    }

    if (settings.scenarios.includes('search')) {
      const targets = await sampleSearchTargets(db.url, OPERATOR_TEAMS);
      for (const s of searchQueries(targets)) {
        const next = searchRequests(tokens, s);
        const first = await fetch(`${app.baseUrl}${next().path}`, { headers: next().headers });
        const body = (await first.json()) as { items?: unknown[] };
        if (first.status !== 200) throw new Error(`search ${s.name}: HTTP ${first.status} ${JSON.stringify(body).slice(0, 300)}`);
        const hits = body.items?.length ?? 0;
        if (settings.warmup > 0) await runHttp(app.baseUrl, 1, Math.min(settings.warmup, 2), next);
        for (const connections of settings.searchConnections) {
          const m = await runHttp(app.baseUrl, connections, settings.duration, next);
          searchRows.push({ name: s.name, q: s.q, hits, connections, m });
          log(
            `search ${s.name} (${s.q}, ${hits} hits) ×${connections}: ${num(m.rps)}/s p50 ${ms(m.p50)} p99 ${ms(m.p99)} ms (failures ${failures(m)})`,
          );
        }
      }
    }

    if (settings.scenarios.includes('sweep') && settings.timers > 0) {
      log(`seeding ${settings.timers.toLocaleString('en-US')} due timers`);
      await seedDueTimers(db.url, settings.timers);
      app.resetPeak();
      // The CPU each sweep costs: the machine's (every process: the sweeper, PostgreSQL on this
      // machine, and whatever else runs; the service and the lean reference are idle meanwhile) and the
      // sweeping process's own, so that a target in seconds can be held against what the
      // machine's cores can give (docs/benchmarks.md).
      let machine0 = machineCpuMs();
      const appCpu0 = cpuMsOf(app.pid);
      const t0 = performance.now();
      const res = await postJson(`${app.baseUrl}/v1/admin/timers/run`, tokens.admin, { asOf: new Date().toISOString() });
      const appSeconds = (performance.now() - t0) / 1000;
      const appCpu1 = cpuMsOf(app.pid);
      const appCpu = sweepCpu(machine0, machineCpuMs(), (appCpu1[0] - appCpu0[0] + appCpu1[1] - appCpu0[1]) / 1000);
      if (res.status !== 200) throw new Error(`timer sweep: HTTP ${res.status} ${res.body.slice(0, 300)}`);
      const appFired = (JSON.parse(res.body) as { fired: number }).fired;
      const peakRssMb = app.peakRssMb();
      log(`sweep: service fired ${appFired} in ${appSeconds.toFixed(1)} s (${describeCpu(appCpu)})`);
      await seedDueTimers(db.url, settings.timers);
      leanPool = new pg.Pool({ connectionString: db.url, max: appConfig.DB_POOL_MAX, options: POOL_OPTIONS });
      machine0 = machineCpuMs();
      const leanCpu0 = process.cpuUsage();
      const t1 = performance.now();
      const leanFired = await leanSweep(leanPool, appConfig.TIMER_BATCH_SIZE, appConfig.COMPLETED_DAYS);
      const leanSeconds = (performance.now() - t1) / 1000;
      const leanOwn = process.cpuUsage(leanCpu0);
      const leanCpu = sweepCpu(machine0, machineCpuMs(), (leanOwn.user + leanOwn.system) / 1e6);
      log(`sweep: lean SQL fired ${leanFired} in ${leanSeconds.toFixed(1)} s (${describeCpu(leanCpu)})`);
      sweep = {
        timers: settings.timers,
        appSeconds,
        appFired,
        appCpu,
        leanSeconds,
        leanFired,
        leanCpu,
        cores: os.cpus().length,
        peakRssMb,
      };
    }

    const report = {
      started,
      machine,
      pgInfo: await serverInfo(db.url),
      settings: {
        cases: settings.cases,
        timers: settings.scenarios.includes('sweep') ? settings.timers : 0,
        duration: settings.duration,
        warmup: settings.warmup,
        connections: settings.connections,
        logLevel: settings.logLevel,
        poolMax: appConfig.DB_POOL_MAX,
        timerBatch: appConfig.TIMER_BATCH_SIZE,
        pgbenchScale: settings.pgbenchScale,
        leanSingleStatement: settings.leanSingleStatement,
      },
      seed,
      rows,
      pgbench: pgbenchRows,
      search: searchRows,
      traces,
      sweep,
    };
    writeResults(renderResults(report), settings.resultsFile);
    log(`wrote ${path.relative(process.cwd(), settings.resultsFile)}`);
    if (settings.resultsFile === RESULTS_FILE) {
      writeReadmeTable(report);
      log('updated the README performance table');
    }
    succeeded = true;
  } finally {
    await app?.stop().catch(() => undefined);
    await lean?.stop().catch(() => undefined);
    await leanPool?.end().catch(() => undefined);
    if (db && !settings.keepDb && !settings.reuseDb) await db.drop().catch((err: unknown) => log(`could not drop ${db!.name}: ${String(err)}`));
    else if (db) log(`kept database ${db.url}`);
    // On failure the service's log stays for a look.
    if (succeeded) rmSync(dataDir, { recursive: true, force: true });
    else log(`service log kept in ${dataDir}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
