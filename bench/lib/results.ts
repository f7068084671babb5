/**
 * The report of `npm run bench`: bench/results.md (or BENCH_RESULTS) and the README's
 * performance table, from one run's figures, with the #17 and #16 targets evaluated.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Measurement } from './load';
import type { PgbenchScript } from './pgbench';
import { failures, ms, num } from './report';

export type RequestScenario = 'create' | 'read' | 'transition' | 'list';

export interface RequestRow {
  scenario: RequestScenario;
  connections: number;
  app: Measurement;
  lean: Measurement | undefined;
  peakRssMb: number;
}

export interface PgbenchRow {
  script: PgbenchScript;
  connections: number;
  m: Measurement & { latencyAvg: number };
}

export interface SearchRow {
  name: string;
  q: string;
  hits: number;
  connections: number;
  m: Measurement;
}

/**
 * CPU seconds over a sweep: the machine's busy time summed over its cores (every process), the
 * sweeping process's own share of it, and the time the host stole from the machine's cores.
 */
export interface SweepCpu {
  machineS: number;
  ownS: number;
  stealS: number;
}

export interface SweepResult {
  timers: number;
  appSeconds: number;
  appFired: number;
  appCpu: SweepCpu;
  leanSeconds: number;
  leanFired: number;
  leanCpu: SweepCpu;
  /** The machine's cores: a sweep's CPU ÷ cores is the least time it can take here. */
  cores: number;
  peakRssMb: number;
}

export interface RunReport {
  started: Date;
  machine: string;
  pgInfo: string;
  settings: {
    cases: number;
    timers: number;
    duration: number;
    warmup: number;
    connections: number[];
    logLevel: string;
    poolMax: number;
    timerBatch: number;
    pgbenchScale: number;
    leanSingleStatement: boolean;
  };
  seed: { seconds: number; reused: boolean; indexesAfter: boolean };
  rows: RequestRow[];
  pgbench: PgbenchRow[];
  search: SearchRow[];
  /** Statements per request, traced in the service. */
  traces: Record<string, number>;
  sweep: SweepResult | null;
}

/** #17's targets. */
const AT = 16;
const LEAN_RATIO: Record<RequestScenario, number> = { create: 0.6, transition: 0.6, read: 0.5, list: 0.5 };
const TPCB_RATIO = 0.35;
const P99_FACTOR = 2;
const STATEMENTS: Record<string, number> = { create: 3, transition: 3, message: 3, read: 1, list: 1 };
const SWEEP_S = 10;
/** #16: a search over 1,000,000 cases answers "well under a second". */
const SEARCH_P99_MS = 1000;
const SEARCH_MIN_CASES = 1_000_000;

/** The pgbench script a scenario is measured against: writes against TPC-B, reads against select-only. */
export function pgbenchScriptOf(s: RequestScenario): PgbenchScript {
  return s === 'create' || s === 'transition' ? 'tpcb' : 'select-only';
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)} %` : '–');
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}×` : '–');
const check = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'met' : '**missed**');
const big = (n: number) => n.toLocaleString('en-US');

function pgbenchOf(r: RunReport, s: RequestScenario, connections: number): PgbenchRow | undefined {
  return r.pgbench.find((p) => p.script === pgbenchScriptOf(s) && p.connections === connections);
}

/** Seed seconds extrapolated linearly to 10,000,000 cases (history and index builds grow about linearly). */
function seedExtrapolation(seconds: number, cases: number): string {
  if (cases <= 0 || seconds <= 0) return '–';
  const s = (seconds * 10_000_000) / cases;
  return `≈${(s / 60).toFixed(0)} min for 10,000,000 (linear from ${big(cases)})`;
}

function targetLines(r: RunReport): string[] {
  const lines: string[] = [];
  const at = (s: RequestScenario) => r.rows.find((x) => x.scenario === s && x.connections === AT);
  for (const s of ['create', 'transition', 'read', 'list'] as const) {
    const row = at(s);
    const lr = row?.lean ? row.app.rps / row.lean.rps : NaN;
    lines.push(
      `- ${s} ≥ ${LEAN_RATIO[s] * 100} % of the lean reference at ${AT} connections: ${check(row?.lean ? lr >= LEAN_RATIO[s] : null)} (${pct(lr)})`,
    );
    if (s === 'create' || s === 'transition') {
      const pb = pgbenchOf(r, s, AT);
      const pr = row && pb ? row.app.rps / pb.m.rps : NaN;
      lines.push(
        `- ${s} ≥ ${TPCB_RATIO * 100} % of pgbench TPC-B tps at ${AT} connections: ${check(row && pb ? pr >= TPCB_RATIO : null)} (${pct(pr)})`,
      );
    }
  }
  for (const s of ['create', 'transition', 'read', 'list'] as const) {
    const row = at(s);
    const f = row?.lean ? row.app.p99 / row.lean.p99 : NaN;
    lines.push(
      `- ${s} p99 ≤ ${P99_FACTOR} × the lean reference's p99 at ${AT} connections: ${check(row?.lean ? f <= P99_FACTOR : null)} (${times(f)})`,
    );
  }
  for (const [s, max] of Object.entries(STATEMENTS)) {
    const t = r.traces[s];
    lines.push(
      `- ${s}: ${max === 1 ? '1 statement' : `≤ ${max} statements`} per request: ${check(t === undefined ? null : t <= max)} (${t === undefined ? '–' : t.toFixed(1)})`,
    );
  }
  lines.push(
    `- sweep of ${big(r.settings.timers)} due timers ≤ ${SWEEP_S} s: ${check(r.sweep ? r.sweep.appSeconds <= SWEEP_S : null)} (${r.sweep ? `${r.sweep.appSeconds.toFixed(1)} s` : '–'})` +
      (r.sweep && r.settings.timers !== 100_000 ? ' (target is for 100,000)' : '') +
      (r.sweep
        ? `; the lean SQL's sweep used ${r.sweep.leanCpu.machineS.toFixed(1)} CPU seconds, at least ${(r.sweep.leanCpu.machineS / r.sweep.cores).toFixed(1)} s on this machine's ${r.sweep.cores} cores`
        : ''),
  );
  const s16 = r.search.filter((x) => x.connections === AT);
  const worst = s16.length ? Math.max(...s16.map((x) => x.m.p99)) : NaN;
  lines.push(
    `- search p99 < ${big(SEARCH_P99_MS)} ms at ${AT} connections over ${big(r.settings.cases)} cases (#16: over ${big(SEARCH_MIN_CASES)}): ` +
      `${check(s16.length ? worst < SEARCH_P99_MS : null)} (worst ${ms(worst)} ms)` +
      (r.settings.cases < SEARCH_MIN_CASES ? ' (fewer cases than the target asks for)' : ''),
  );
  return lines;
}

export function renderResults(r: RunReport): string {
  const st = r.settings;
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(
    'Written by `npm run bench` (bench/run.ts, bench/lib/results.ts); every run overwrites this file. How to run and how to read it: docs/benchmarks.md.',
    '',
  );
  lines.push(`- **Date:** ${r.started.toISOString()}`);
  lines.push(`- **Machine:** ${r.machine}`);
  lines.push(`- **PostgreSQL:** ${r.pgInfo}`);
  lines.push(
    `- **Sizes:** ${big(st.cases)} seeded cases (${r.seed.reused ? 'a database seeded by an earlier run, reused' : `seeded in ${r.seed.seconds.toFixed(0)} s${r.seed.indexesAfter ? ', indexes built after the bulk insert' : ''}; ${seedExtrapolation(r.seed.seconds, st.cases)}`}), ` +
      `${big(st.timers)} due timers; ${st.duration} s per measurement after a ${st.warmup} s warm-up; connections ${st.connections.join(', ')}`,
  );
  lines.push(
    `- **Service settings:** DB_POOL_MAX=${st.poolMax}, TIMER_BATCH_SIZE=${st.timerBatch}, LOG_LEVEL=${st.logLevel}, rate limit and background loops off`,
  );
  lines.push(
    `- **References:** the lean reference (bench/lean/server.ts: Fastify + \`pg\`, ${st.leanSingleStatement ? 'each write one statement with CTEs' : 'plain statements in a transaction'}, pool of ${st.poolMax}, the service's connection settings: no JIT, no parallel workers); ` +
      `pgbench scale ${st.pgbenchScale} (TPC-B-like and select-only, \`-j 2\`) in a database of its own`,
  );
  lines.push('');
  lines.push('## Requests: the service, the lean reference and pgbench', '');
  lines.push(
    "Ratios are the service's: throughput ÷ the reference's, p99 × the lean reference's. pgbench: TPC-B for create and transition, select-only for read and list.",
    '',
  );
  lines.push(
    '| scenario | conns | service req/s | p50 ms | p99 ms | lean req/s | lean p50 | lean p99 | of lean | p99 vs lean | pgbench tps | of pgbench | peak RSS MiB | non-2xx (service / lean) |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const row of r.rows) {
    const pb = pgbenchOf(r, row.scenario, row.connections);
    lines.push(
      `| ${row.scenario} | ${row.connections} | ${num(row.app.rps)} | ${ms(row.app.p50)} | ${ms(row.app.p99)} | ` +
        `${num(row.lean?.rps ?? NaN)} | ${ms(row.lean?.p50 ?? NaN)} | ${ms(row.lean?.p99 ?? NaN)} | ` +
        `${pct(row.lean ? row.app.rps / row.lean.rps : NaN)} | ${times(row.lean ? row.app.p99 / row.lean.p99 : NaN)} | ` +
        `${num(pb?.m.rps ?? NaN)} | ${pct(pb ? row.app.rps / pb.m.rps : NaN)} | ${row.peakRssMb.toFixed(0)} | ${failures(row.app)} / ${failures(row.lean)} |`,
    );
  }
  lines.push('');
  if (r.pgbench.length) {
    lines.push('## pgbench', '');
    lines.push('| script | conns | tps | p50 ms | p99 ms | mean ms | failed |');
    lines.push('|---|---:|---:|---:|---:|---:|---|');
    for (const p of r.pgbench)
      lines.push(`| ${p.script} | ${p.connections} | ${num(p.m.rps)} | ${ms(p.m.p50)} | ${ms(p.m.p99)} | ${ms(p.m.latencyAvg)} | ${failures(p.m)} |`);
    lines.push('');
  }
  if (r.search.length) {
    lines.push(`## Search (#16): \`GET /v1/cases?q=\` over ${big(st.cases)} cases`, '');
    lines.push(
      'By the benchmark operator (two teams), first page of 25. "hits" is the number of cases on that page, so 0 means the service found nothing.',
      '',
    );
    lines.push('| query | q | hits | conns | req/s | p50 ms | p99 ms | non-2xx |');
    lines.push('|---|---|---:|---:|---:|---:|---:|---|');
    for (const s of r.search)
      lines.push(`| ${s.name} | \`${s.q}\` | ${s.hits} | ${s.connections} | ${num(s.m.rps)} | ${ms(s.m.p50)} | ${ms(s.m.p99)} | ${failures(s.m)} |`);
    lines.push('');
  }
  if (r.sweep) {
    const s = r.sweep;
    const cpu = (c: SweepCpu) => `${c.machineS.toFixed(1)} (${c.ownS.toFixed(1)})`;
    const least = (c: SweepCpu) => (c.machineS / s.cores).toFixed(1);
    lines.push('## Timer sweep', '');
    lines.push(
      `CPU: the machine's busy time over the sweep, summed over its cores (every process: PostgreSQL's backends and background workers, autovacuum when it runs meanwhile, the sweeper; ` +
        `the service and the lean reference are otherwise idle), with the sweeping process's own share in brackets (the service; the ` +
        `benchmark's own process for the lean SQL). "Least on ${s.cores} cores" is that CPU ÷ the machine's cores: a sweep cannot take less ` +
        `time here without using less CPU. Steal: CPU time the host took from this machine's cores meanwhile.`,
      '',
    );
    lines.push(`| | due timers | fired | seconds | timers/s | CPU s (sweeper's) | least on ${s.cores} cores, s | steal s | peak RSS MiB |`);
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    lines.push(
      `| service (POST /v1/admin/timers/run) | ${big(s.timers)} | ${big(s.appFired)} | ${s.appSeconds.toFixed(1)} | ${num(s.appFired / s.appSeconds)} | ${cpu(s.appCpu)} | ${least(s.appCpu)} | ${s.appCpu.stealS.toFixed(1)} | ${s.peakRssMb.toFixed(0)} |`,
    );
    lines.push(
      `| lean (set-based SQL, bench/lean/sweep.ts) | ${big(s.timers)} | ${big(s.leanFired)} | ${s.leanSeconds.toFixed(1)} | ${num(s.leanFired / s.leanSeconds)} | ${cpu(s.leanCpu)} | ${least(s.leanCpu)} | ${s.leanCpu.stealS.toFixed(1)} | – |`,
    );
    lines.push('');
  }
  lines.push('## Round trips', '');
  lines.push('Statements the service sent to PostgreSQL per request (BEGIN and COMMIT count), traced over a few sequential requests.', '');
  lines.push('| request | statements | target |');
  lines.push('|---|---:|---:|');
  for (const [name, t] of Object.entries(r.traces))
    lines.push(`| ${name} | ${t.toFixed(1)} | ${STATEMENTS[name] === 1 ? '1' : `≤ ${STATEMENTS[name] ?? '–'}`} |`);
  lines.push('');
  lines.push(`## Targets (#17, #16)`, '');
  lines.push(...targetLines(r), '');
  return lines.join('\n');
}

const README = path.resolve(__dirname, '..', '..', 'README.md');
const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';

/** Replaces the generated part of the README's "Performance in brief" (between the markers). */
export function writeReadmeTable(r: RunReport): void {
  const text = readFileSync(README, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return;
  const lines: string[] = [];
  lines.push(
    `From one \`npm run bench\` (${r.started.toISOString().slice(0, 10)}, ${big(r.settings.cases)} seeded cases, ${AT} connections; ` +
      'load generator, service, lean reference, pgbench and PostgreSQL on the same machine; full tables in [bench/results.md](bench/results.md)):',
    '',
  );
  lines.push('| scenario | service req/s, p99 | lean reference req/s, p99 | of lean (throughput / p99) | pgbench tps | of pgbench |');
  lines.push('|---|---|---|---|---|---|');
  for (const s of ['create', 'read', 'transition', 'list'] as const) {
    const row = r.rows.find((x) => x.scenario === s && x.connections === AT);
    if (!row) continue;
    const pb = pgbenchOf(r, s, AT);
    lines.push(
      `| ${s} | ${num(row.app.rps)}, ${ms(row.app.p99)} ms | ${num(row.lean?.rps ?? NaN)}, ${ms(row.lean?.p99 ?? NaN)} ms | ` +
        `${pct(row.lean ? row.app.rps / row.lean.rps : NaN)} / ${times(row.lean ? row.app.p99 / row.lean.p99 : NaN)} | ` +
        `${num(pb?.m.rps ?? NaN)} (${pb?.script ?? '–'}) | ${pct(pb ? row.app.rps / pb.m.rps : NaN)} |`,
    );
  }
  for (const s of r.search.filter((x) => x.connections === AT)) lines.push(`| search: ${s.name} | ${num(s.m.rps)}, ${ms(s.m.p99)} ms | | | | |`);
  if (r.sweep)
    lines.push(`| timer sweep, ${big(r.sweep.timers)} due | ${r.sweep.appSeconds.toFixed(1)} s | ${r.sweep.leanSeconds.toFixed(1)} s (lean) | | | |`);
  lines.push('', 'Targets:', '', ...targetLines(r));
  writeFileSync(README, `${text.slice(0, a + START.length)}\n${lines.join('\n')}\n${text.slice(b)}`);
}
