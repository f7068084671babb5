/**
 * `npm run bench`: the service against its raw-SQL floor, over a throwaway database.
 *
 * Creates and migrates a database (on BENCH_DATABASE_URL's server, default the local
 * PostgreSQL), seeds BENCH_CASES cases in SQL, starts the service as a child process on a
 * loopback port, and for each scenario (create, read, transition, list) and each concurrency
 * (BENCH_CONNECTIONS) drives it with autocannon for BENCH_DURATION seconds, then runs the same
 * statements through `pg` (bench/lib/floor.ts) for as long. Then the timer sweep of BENCH_TIMERS
 * due timers, by the service and by the floor. Writes bench/results.md; docs/benchmarks.md
 * explains how to read it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config';
import { startApp, type AppProcess } from './lib/app-process';
import { createBenchDatabase, sampleReadableIds, seedCases, seedDueTimers, seedTransitionPool, serverInfo, type BenchDatabase } from './lib/db';
import { createFloor, listFloor, readFloor, sweepFloor, transitionFloor, type FloorScenario } from './lib/floor';
import { runHttp, runLoops, type HttpRequest, type Measurement } from './lib/load';
import { failures, machineInfo, ms, num, writeResults } from './lib/report';
import {
  createRequests,
  listQueries,
  listRequests,
  OPERATOR_TEAMS,
  readRequests,
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

const SCENARIOS = ['create', 'read', 'transition', 'list', 'sweep'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const settings = {
  cases: intEnv('BENCH_CASES', 1_000_000),
  timers: intEnv('BENCH_TIMERS', 100_000),
  duration: intEnv('BENCH_DURATION', 10),
  warmup: intEnv('BENCH_WARMUP', 3),
  connections: (process.env.BENCH_CONNECTIONS ?? '1,16,64').split(',').map((s) => Number(s.trim())),
  scenarios: (process.env.BENCH_SCENARIOS ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()) as ScenarioName[],
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  keepDb: process.env.BENCH_KEEP_DB === '1',
};
// The service's own configuration (DB_POOL_MAX, TIMER_BATCH_SIZE, …) comes from the environment
// as it would in production; the floor uses the same pool size and batch size.
const appConfig = loadConfig({ ...process.env, NODE_ENV: 'development' });

for (const s of settings.scenarios) if (!SCENARIOS.includes(s)) throw new Error(`BENCH_SCENARIOS: unknown scenario ${s}`);
for (const c of settings.connections) if (!Number.isInteger(c) || c < 1) throw new Error('BENCH_CONNECTIONS: whole numbers ≥ 1');

const log = (msg: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

interface Row {
  scenario: ScenarioName;
  connections: number;
  app: Measurement;
  floor: Measurement | undefined;
  peakRssMb: number;
}

interface SweepResult {
  timers: number;
  appSeconds: number;
  appFired: number;
  floorSeconds: number;
  floorFired: number;
  peakRssMb: number;
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

async function main(): Promise<void> {
  const started = new Date();
  log(`saksflyt benchmark: ${JSON.stringify(settings)}; DB_POOL_MAX=${appConfig.DB_POOL_MAX}`);
  const machine = machineInfo();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'saksflyt-bench-'));
  let db: BenchDatabase | null = null;
  let app: AppProcess | null = null;
  let floorPool: pg.Pool | null = null;
  const rows: Row[] = [];
  const traces: Partial<Record<ScenarioName, { service: number; floor: number; sample: string[] }>> = {};
  let sweep: SweepResult | null = null;
  let seedSeconds = 0;
  let succeeded = false;
  try {
    db = await createBenchDatabase();
    log(`database ${db.name}`);
    const seedStart = Date.now();
    log(`seeding ${settings.cases.toLocaleString('en-US')} cases`);
    await seedCases(db.url, settings.cases, log);
    const maxConns = Math.max(...settings.connections);
    const poolSize = Math.max(256, maxConns * 8);
    const appPool = await seedTransitionPool(db.url, poolSize);
    const floorCases = await seedTransitionPool(db.url, poolSize);
    const readIds = await sampleReadableIds(db.url, 20_000);
    seedSeconds = (Date.now() - seedStart) / 1000;
    log(`seeded in ${seedSeconds.toFixed(0)} s`);

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
    floorPool = new pg.Pool({ connectionString: db.url, max: appConfig.DB_POOL_MAX });

    const year = Number(new Intl.DateTimeFormat('en', { timeZone: appConfig.TIMEZONE, year: 'numeric' }).format(new Date()));
    const queries = await withSecondPages(app.baseUrl, tokens, listQueries(new Date()));
    const toggle = new TogglePool(appPool);
    const requestsOf: Record<Exclude<ScenarioName, 'sweep'>, () => () => HttpRequest> = {
      create: () => createRequests(tokens),
      read: () => readRequests(tokens, readIds),
      transition: () => transitionRequests(tokens, toggle),
      list: () => listRequests(tokens, queries),
    };
    const floors: Record<Exclude<ScenarioName, 'sweep'>, (concurrency: number) => FloorScenario> = {
      create: () =>
        createFloor(
          floorPool!,
          tokens.requesters.map((_, i) => `bench-req-${i}`),
          year,
        ),
      read: () => readFloor(floorPool!, readIds),
      transition: transitionFloor(floorPool, floorCases),
      list: () => listFloor(floorPool!, queries, OPERATOR_TEAMS),
    };

    for (const scenario of settings.scenarios) {
      if (scenario === 'sweep') continue;
      // Round trips: the statements the service sent for a few sequential requests.
      const next = requestsOf[scenario]();
      const sampleCount = scenario === 'list' ? queries.length : 4;
      const statements = await app.traceSql(async () => {
        for (let i = 0; i < sampleCount; i++) await oneRequest(app!, next());
      });
      traces[scenario] = { service: statements.length / sampleCount, floor: floors[scenario](1).statements, sample: statements };
      log(`${scenario}: ${traces[scenario].service.toFixed(1)} statements per request (floor ${traces[scenario].floor})`);

      if (settings.warmup > 0) {
        await runHttp(app.baseUrl, 16, settings.warmup, next);
        const f = floors[scenario](16);
        await runLoops(16, settings.warmup, (w) => f.op(w));
      }
      for (const connections of settings.connections) {
        app.resetPeak();
        const a = await runHttp(app.baseUrl, connections, settings.duration, next);
        const peakRssMb = app.peakRssMb();
        const f = floors[scenario](connections);
        const fl = await runLoops(connections, settings.duration, (w) => f.op(w));
        rows.push({ scenario, connections, app: a, floor: fl, peakRssMb });
        log(
          `${scenario} ×${connections}: service ${num(a.rps)}/s p50 ${ms(a.p50)} p99 ${ms(a.p99)} ms (failures ${failures(a)}); ` +
            `floor ${num(fl.rps)}/s p50 ${ms(fl.p50)} p99 ${ms(fl.p99)} ms (failures ${failures(fl)}); ratio ${(a.rps / fl.rps).toFixed(2)}; ` +
            `peak RSS ${peakRssMb.toFixed(0)} MiB`,
        );
      }
    }

    if (settings.scenarios.includes('sweep') && settings.timers > 0) {
      log(`seeding ${settings.timers.toLocaleString('en-US')} due timers`);
      await seedDueTimers(db.url, settings.timers);
      app.resetPeak();
      const t0 = performance.now();
      const res = await postJson(`${app.baseUrl}/v1/admin/timers/run`, tokens.admin, { asOf: new Date().toISOString() });
      const appSeconds = (performance.now() - t0) / 1000;
      if (res.status !== 200) throw new Error(`timer sweep: HTTP ${res.status} ${res.body.slice(0, 300)}`);
      const appFired = (JSON.parse(res.body) as { fired: number }).fired;
      const peakRssMb = app.peakRssMb();
      log(`sweep: service fired ${appFired} in ${appSeconds.toFixed(1)} s`);
      await seedDueTimers(db.url, settings.timers);
      const t1 = performance.now();
      const floorFired = await sweepFloor(floorPool, appConfig.TIMER_BATCH_SIZE, appConfig.COMPLETED_DAYS);
      const floorSeconds = (performance.now() - t1) / 1000;
      log(`sweep: floor fired ${floorFired} in ${floorSeconds.toFixed(1)} s`);
      sweep = { timers: settings.timers, appSeconds, appFired, floorSeconds, floorFired, peakRssMb };
    }

    const pgInfo = await serverInfo(db.url);
    writeResults(renderReport({ started, machine, pgInfo, rows, traces, sweep, seedSeconds }));
    log('wrote bench/results.md');
    succeeded = true;
  } finally {
    await app?.stop().catch(() => undefined);
    await floorPool?.end().catch(() => undefined);
    if (db && !settings.keepDb) await db.drop().catch((err: unknown) => log(`could not drop ${db!.name}: ${String(err)}`));
    else if (db) log(`kept database ${db.url}`);
    // On failure the service's log stays for a look.
    if (succeeded) rmSync(dataDir, { recursive: true, force: true });
    else log(`service log kept in ${dataDir}`);
  }
}

const TARGET_RATIO = 0.5;
const TARGET_LIST_P99_MS = 30;
const TARGET_SWEEP_S = 30;

function renderReport(r: {
  started: Date;
  machine: string;
  pgInfo: string;
  rows: Row[];
  traces: Partial<Record<ScenarioName, { service: number; floor: number; sample: string[] }>>;
  sweep: SweepResult | null;
  seedSeconds: number;
}): string {
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push('Written by `npm run bench` (bench/run.ts); every run overwrites this file. How to run and how to read it: docs/benchmarks.md.', '');
  lines.push(`- **Date:** ${r.started.toISOString()}`);
  lines.push(`- **Machine:** ${r.machine}`);
  lines.push(`- **PostgreSQL:** ${r.pgInfo}`);
  lines.push(
    `- **Sizes:** ${settings.cases.toLocaleString('en-US')} seeded cases (in ${r.seedSeconds.toFixed(0)} s), ` +
      `${settings.timers.toLocaleString('en-US')} due timers; ${settings.duration} s per measurement after a ${settings.warmup} s warm-up; ` +
      `connections ${settings.connections.join(', ')}`,
  );
  lines.push(
    `- **Service settings:** DB_POOL_MAX=${appConfig.DB_POOL_MAX}, TIMER_BATCH_SIZE=${appConfig.TIMER_BATCH_SIZE}, ` +
      `LOG_LEVEL=${settings.logLevel}, rate limit and background loops off; the floor uses a \`pg\` pool of the same size`,
  );
  lines.push('');
  lines.push('## Requests', '');
  lines.push(
    '| scenario | conns | service req/s | p50 ms | p99 ms | floor req/s | floor p50 | floor p99 | ratio | peak RSS MiB | non-2xx (service / floor) |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const row of r.rows) {
    const ratio = row.floor ? row.app.rps / row.floor.rps : NaN;
    lines.push(
      `| ${row.scenario} | ${row.connections} | ${num(row.app.rps)} | ${ms(row.app.p50)} | ${ms(row.app.p99)} | ` +
        `${num(row.floor?.rps ?? NaN)} | ${ms(row.floor?.p50 ?? NaN)} | ${ms(row.floor?.p99 ?? NaN)} | ` +
        `${Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)} %` : '–'} | ${row.peakRssMb.toFixed(0)} | ${failures(row.app)} / ${failures(row.floor)} |`,
    );
  }
  lines.push('');
  if (r.sweep) {
    const s = r.sweep;
    lines.push('## Timer sweep', '');
    lines.push('| | due timers | fired | seconds | timers/s | peak RSS MiB |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    lines.push(
      `| service (POST /v1/admin/timers/run) | ${s.timers.toLocaleString('en-US')} | ${s.appFired.toLocaleString('en-US')} | ${s.appSeconds.toFixed(1)} | ${num(s.appFired / s.appSeconds)} | ${s.peakRssMb.toFixed(0)} |`,
    );
    lines.push(
      `| floor | ${s.timers.toLocaleString('en-US')} | ${s.floorFired.toLocaleString('en-US')} | ${s.floorSeconds.toFixed(1)} | ${num(s.floorFired / s.floorSeconds)} | – |`,
    );
    lines.push('', `Service at ${((s.floorSeconds / s.appSeconds) * 100).toFixed(0)} % of the floor's rate.`, '');
  }
  lines.push('## Round trips', '');
  lines.push('Statements sent to PostgreSQL per request (BEGIN and COMMIT count), traced in the service; the floor runs the same list.', '');
  lines.push('| scenario | service | floor |');
  lines.push('|---|---:|---:|');
  for (const [name, t] of Object.entries(r.traces)) lines.push(`| ${name} | ${t.service.toFixed(1)} | ${t.floor} |`);
  lines.push('');
  lines.push('## Targets', '');
  const check = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'met' : '**missed**');
  for (const s of ['create', 'read', 'transition'] as const) {
    const mine = r.rows.filter((x) => x.scenario === s && x.floor);
    const ratios = mine.map((x) => `${x.connections}: ${((x.app.rps / x.floor!.rps) * 100).toFixed(0)} %`).join(', ');
    lines.push(
      `- ${s} ≥ ${TARGET_RATIO * 100} % of the floor's throughput: ${check(mine.length ? mine.every((x) => x.app.rps >= TARGET_RATIO * x.floor!.rps) : null)} (${ratios || '–'})`,
    );
  }
  const list16 = r.rows.find((x) => x.scenario === 'list' && x.connections === 16);
  lines.push(
    `- list p99 < ${TARGET_LIST_P99_MS} ms at 16 connections over ${settings.cases.toLocaleString('en-US')} cases: ` +
      `${check(list16 ? list16.app.p99 < TARGET_LIST_P99_MS : null)} (${list16 ? `${ms(list16.app.p99)} ms` : '–'})`,
  );
  lines.push(
    `- sweep of ${settings.timers.toLocaleString('en-US')} due timers < ${TARGET_SWEEP_S} s: ` +
      `${check(r.sweep ? r.sweep.appSeconds < TARGET_SWEEP_S : null)} (${r.sweep ? `${r.sweep.appSeconds.toFixed(1)} s` : '–'})`,
  );
  lines.push('');
  return lines.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
