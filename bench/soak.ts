/**
 * `npm run soak`: the service under steady mixed load for a while (default 10 minutes), its
 * resident memory sampled every few seconds; the curve goes into bench/results.md (the soak
 * section, replaced by each soak, kept by `npm run bench`). Flat RSS after warm-up means no leak.
 *
 * BENCH_SOAK_SECONDS (600), BENCH_SOAK_CONNECTIONS (16), BENCH_SOAK_SAMPLE_SECONDS (5),
 * BENCH_SOAK_CASES (20000 seeded cases), BENCH_DATABASE_URL as for the benchmark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type AppProcess } from './lib/app-process';
import { createBenchDatabase, sampleReadableIds, seedCases, seedTransitionPool, type BenchDatabase } from './lib/db';
import { runHttp, type HttpRequest } from './lib/load';
import { asciiPlot, failures, machineInfo, num, writeSoakSection } from './lib/report';
import { createRequests, listQueries, listRequests, readRequests, signTokens, TogglePool, transitionRequests } from './lib/scenarios';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1 (got ${raw})`);
  return n;
}

const seconds = intEnv('BENCH_SOAK_SECONDS', 600);
const connections = intEnv('BENCH_SOAK_CONNECTIONS', 16);
const sampleSeconds = intEnv('BENCH_SOAK_SAMPLE_SECONDS', 5);
const cases = intEnv('BENCH_SOAK_CASES', 20_000);

const log = (msg: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

interface Sample {
  at: number;
  rssMb: number;
  rps: number;
}

/** Mean of the samples whose time falls in [from, to) of the run, as fractions. */
function meanRss(samples: Sample[], from: number, to: number): number {
  const xs = samples.filter((s) => s.at >= from * seconds && s.at < to * seconds).map((s) => s.rssMb);
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** Least-squares slope of RSS over time, in MiB per minute, over the samples after `from`. */
function slopeMbPerMin(samples: Sample[], from: number): number {
  const xs = samples.filter((s) => s.at >= from * seconds);
  if (xs.length < 2) return NaN;
  const mx = xs.reduce((a, s) => a + s.at, 0) / xs.length;
  const my = xs.reduce((a, s) => a + s.rssMb, 0) / xs.length;
  const num_ = xs.reduce((a, s) => a + (s.at - mx) * (s.rssMb - my), 0);
  const den = xs.reduce((a, s) => a + (s.at - mx) ** 2, 0);
  return (num_ / den) * 60;
}

async function main(): Promise<void> {
  const started = new Date();
  const machine = machineInfo();
  log(`soak: ${seconds} s at ${connections} connections, RSS every ${sampleSeconds} s, ${cases} seeded cases`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'saksflyt-soak-'));
  let db: BenchDatabase | null = null;
  let app: AppProcess | null = null;
  let succeeded = false;
  try {
    db = await createBenchDatabase('saksflyt_soak');
    await seedCases(db.url, cases, () => undefined);
    const pool = new TogglePool(await seedTransitionPool(db.url, Math.max(256, connections * 8)));
    const readIds = await sampleReadableIds(db.url, 5000);
    const tokens = await signTokens(dataDir);
    app = await startApp({
      logFile: path.join(dataDir, 'service.log'),
      env: {
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
        RATE_LIMIT_MAX: '0',
        // The loops stay on (at their defaults) for a soak: their memory counts too.
      },
    });
    log(`service pid ${app.pid}`);
    // One request of each kind in turn: filing, reading, moving, listing.
    const kinds = [
      createRequests(tokens),
      readRequests(tokens, readIds),
      transitionRequests(tokens, pool),
      listRequests(tokens, listQueries(new Date())),
    ];
    let turn = 0;
    let done = 0;
    const next = (): HttpRequest => {
      const r = kinds[turn++ % kinds.length]!();
      const inner = r.onResponse;
      return {
        ...r,
        onResponse: (status, body) => {
          done++;
          inner?.(status, body);
        },
      };
    };
    const samples: Sample[] = [{ at: 0, rssMb: app.rssMb(), rps: 0 }];
    const t0 = performance.now();
    let last = 0;
    const sampler = setInterval(() => {
      const at = (performance.now() - t0) / 1000;
      samples.push({ at, rssMb: app!.rssMb(), rps: (done - last) / sampleSeconds });
      last = done;
    }, sampleSeconds * 1000);
    const m = await runHttp(app.baseUrl, connections, seconds, next);
    clearInterval(sampler);
    const peak = app.peakRssMb();
    log(`soak done: ${num(m.rps)} req/s, failures ${failures(m)}, peak RSS ${peak.toFixed(0)} MiB`);

    const warm = meanRss(samples, 0.2, 0.4);
    const end = meanRss(samples, 0.8, 1.01);
    const growth = ((end - warm) / warm) * 100;
    const slope = slopeMbPerMin(samples, 0.5);
    const flat = Math.abs(growth) < 10;
    const step = Math.max(1, Math.ceil(samples.length / 40));
    const shown = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
    const lines = [
      '## Soak (memory under steady load)',
      '',
      `Written by \`npm run soak\` (bench/soak.ts) on ${started.toISOString()}; ${machine}.`,
      '',
      `- **Load:** ${seconds} s at ${connections} connections, requests in turn: file a case, read one, move one (IN_PROGRESS ↔ ON_HOLD), list; ` +
        `${cases.toLocaleString('en-US')} seeded cases; background loops on`,
      `- **Throughput:** ${num(m.rps)} requests/s on average; non-2xx ${failures(m)}`,
      `- **RSS:** ${samples[0]!.rssMb.toFixed(0)} MiB at start, ${warm.toFixed(0)} MiB mean over 20–40 % of the run, ${end.toFixed(0)} MiB over the last 20 %, ` +
        `peak ${peak.toFixed(0)} MiB; slope over the second half ${slope.toFixed(2)} MiB/min`,
      `- **Verdict:** ${flat ? 'flat' : '**growing**'} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % from warm to end; flat means within ±10 %)`,
      '',
      'RSS (MiB) by seconds into the run, sampled every ' + `${sampleSeconds} s${step > 1 ? ` (every ${step}th sample shown)` : ''}:`,
      '',
      '```',
      asciiPlot(shown.map((s) => ({ label: `${s.at.toFixed(0)} s`, value: s.rssMb }))),
      '```',
      '',
      '| s | RSS MiB | req/s in the interval |',
      '|---:|---:|---:|',
      ...shown.map((s) => `| ${s.at.toFixed(0)} | ${s.rssMb.toFixed(1)} | ${s.rps ? num(s.rps) : '–'} |`),
    ];
    writeSoakSection(lines.join('\n'));
    log('wrote the soak section of bench/results.md');
    succeeded = true;
  } finally {
    await app?.stop().catch(() => undefined);
    await db?.drop().catch(() => undefined);
    if (succeeded) rmSync(dataDir, { recursive: true, force: true });
    else log(`service log kept in ${dataDir}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
