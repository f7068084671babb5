/**
 * `npm run soak`: the service under steady mixed load for a while (default 10 minutes), its
 * resident memory sampled every few seconds; the curve goes into bench/results.md (the soak
 * section, replaced by each soak, kept by `npm run bench`). Flat RSS after warm-up means no leak.
 *
 * BENCH_SOAK_SECONDS (600), BENCH_SOAK_CONNECTIONS (16), BENCH_SOAK_SAMPLE_SECONDS (5),
 * BENCH_SOAK_CASES (20000 seeded cases), BENCH_DATABASE_URL as for the benchmark.
 *
 * BENCH_SOAK_INSTANCES=2 (#17): two service processes on two ports over one database, both with
 * their background loops; first one of them alone under the load for BENCH_SOAK_ONE_SECONDS
 * (120), then both behind a round-robin load generator (connections dealt alternately) for
 * BENCH_SOAK_SECONDS; the report compares the throughput of one and two and plots each
 * instance's memory.
 *
 * RSS alone does not tell a leak from the garbage collector's sizing (V8 grows its heap while
 * there is room, and RSS swings with every collection), so each service also runs with
 * `--trace-gc` and the report gives the heap left after each full collection (Mark-Compact): the
 * live objects. A leak shows there as a rising floor. V8 may run few full collections in a
 * soak (the old space grows while there is room), so BENCH_SOAK_HEAP_SNAPSHOTS=N (0) also takes N
 * heap snapshots of each service, spread over the measured window (`--heapsnapshot-signal`,
 * SIGTTIN: SIGUSR2 is a shutdown signal of the service's close-with-grace;
 * each forces a full collection and pauses the service for a few seconds, so throughput is
 * lower in such a run), and compares the first and the last: live size and the object kinds
 * that grew most.
 *
 * BENCH_RESULTS writes the soak section into another file than bench/results.md. Warnings and
 * errors of the services' logs (a 503's cause, e.g. a pool or statement timeout) are summed up at
 * the end of the run, with the answers that were not 2xx.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type AppProcess } from './lib/app-process';
import { createBenchDatabase, sampleReadableIds, seedCases, seedTransitionPool, type BenchDatabase } from './lib/db';
import { runHttp, runHttpMulti, type HttpRequest, type Measurement } from './lib/load';
import { asciiPlot, failures, machineInfo, ms, num, writeSoakSection } from './lib/report';
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
const instances = intEnv('BENCH_SOAK_INSTANCES', 1);
const snapshots = process.env.BENCH_SOAK_HEAP_SNAPSHOTS && process.env.BENCH_SOAK_HEAP_SNAPSHOTS !== '0' ? intEnv('BENCH_SOAK_HEAP_SNAPSHOTS', 0) : 0;
const oneSeconds = instances > 1 ? intEnv('BENCH_SOAK_ONE_SECONDS', 120) : 0;

const resultsFile = process.env.BENCH_RESULTS ? path.resolve(process.env.BENCH_RESULTS) : undefined;

const log = (msg: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

interface Sample {
  at: number;
  /** RSS of the first instance. */
  rssMb: number;
  /** RSS of every instance. */
  rss: number[];
  /** What each instance's RSS is made of (MemSplit), where it could be read. */
  mem: MemSplit[];
  rps: number;
}

/**
 * An instance's memory beyond its RSS (MiB): the kernel's split of the resident set, and V8's
 * own view from the service's /metrics (prom-client's default metrics): the heap V8 has committed
 * and uses, and `external` (memory held outside the heap for JS objects: Buffers, ArrayBuffers).
 * Anonymous RSS growing while the committed heap and external stay flat is memory the process
 * holds outside V8 (the C allocator's arenas), not live objects.
 */
interface MemSplit {
  anon: number;
  file: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

const MIB = 1024 * 1024;

/** Reads an instance's memory split; the /metrics values are NaN when the scrape fails. */
async function memSplit(app: AppProcess): Promise<MemSplit> {
  const { anon, file } = app.rssSplitMb();
  const out: MemSplit = { anon, file, heapTotal: NaN, heapUsed: NaN, external: NaN };
  try {
    const text = await (await fetch(`${app.baseUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    const gauge = (name: string) => {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
      return m ? Number(m[1]) / MIB : NaN;
    };
    out.heapTotal = gauge('nodejs_heap_size_total_bytes');
    out.heapUsed = gauge('nodejs_heap_size_used_bytes');
    out.external = gauge('nodejs_external_memory_bytes');
  } catch {
    // A slow scrape under load leaves this sample's V8 figures out.
  }
  return out;
}

/** Mean of the samples whose time falls in [from, to) of the run, as fractions. */
function meanRss(samples: Sample[], from: number, to: number): number {
  const xs = samples.filter((s) => s.at >= from * seconds && s.at < to * seconds).map((s) => s.rssMb);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
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

/** The warnings and errors of a service's log, counted by message (and the error's message). */
function logProblems(file: string): void {
  const counts = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string }; res?: { statusCode?: number } };
      if ((e.level ?? 0) < 40) continue;
      const key = `${e.msg ?? ''}${e.res?.statusCode ? ` ${e.res.statusCode}` : ''}${e.err?.message ? `: ${e.err.message.slice(0, 160)}` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } catch {
      // not a log line of ours
    }
  }
  const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n}× ${k}`);
  log(`${path.basename(file)}: ${lines.length ? `warnings and errors:\n${lines.join('\n')}` : 'no warnings or errors'}`);
}

async function main(): Promise<void> {
  const started = new Date();
  const machine = machineInfo();
  log(
    `soak: ${seconds} s at ${connections} connections on ${instances} instance(s)` +
      `${instances > 1 ? ` after ${oneSeconds} s on one` : ''}, RSS every ${sampleSeconds} s, ${cases} seeded cases`,
  );
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'saksflyt-soak-'));
  let db: BenchDatabase | null = null;
  const apps: AppProcess[] = [];
  let succeeded = false;
  try {
    db = await createBenchDatabase('saksflyt_soak');
    await seedCases(db.url, cases, () => undefined);
    const pool = new TogglePool(await seedTransitionPool(db.url, Math.max(256, connections * 8)));
    const readIds = await sampleReadableIds(db.url, 5000);
    const tokens = await signTokens(dataDir);
    const spawnedAt: number[] = [];
    for (let n = 0; n < instances; n++) {
      spawnedAt.push(performance.now());
      apps.push(
        await startApp({
          logFile: path.join(dataDir, `service-${n}.log`),
          nodeArgs: [
            '--trace-gc',
            ...(snapshots
              ? ['--heapsnapshot-signal=SIGTTIN', `--diagnostic-dir=${mkdirSync(path.join(dataDir, `heap-${n}`), { recursive: true })}`]
              : []),
          ],
          env: {
            NODE_ENV: 'development',
            DATA_DIR: dataDir,
            DATABASE_URL: db.url,
            LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
            RATE_LIMIT_MAX: '0',
            // The loops stay on (at their defaults) for a soak: their memory counts too.
          },
        }),
      );
      log(`service ${n + 1} pid ${apps[n]!.pid} at ${apps[n]!.baseUrl}`);
    }
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
    const samples: Sample[] = [
      { at: 0, rssMb: apps[0]!.rssMb(), rss: apps.map((a) => a.rssMb()), mem: await Promise.all(apps.map(memSplit)), rps: 0 },
    ];
    const t0 = performance.now();
    let last = 0;
    // Heap snapshots at the end of each N-th of the measured window (the last just before its end).
    const snapshotTimers = Array.from({ length: snapshots }, (_, k) =>
      setTimeout(
        () => {
          for (const a of apps) process.kill(a.pid, 'SIGTTIN');
          log(`heap snapshot ${k + 1} of ${snapshots} asked for`);
        },
        (oneSeconds + (seconds * (k + 1)) / snapshots - Math.min(20, seconds / snapshots / 2)) * 1000,
      ),
    );
    const sampler = setInterval(() => {
      const at = (performance.now() - t0) / 1000;
      const rss = apps.map((a) => a.rssMb());
      const sample: Sample = { at, rssMb: rss[0]!, rss, mem: [], rps: (done - last) / sampleSeconds };
      samples.push(sample);
      last = done;
      void Promise.all(apps.map(memSplit)).then((mem) => {
        sample.mem = mem;
      });
    }, sampleSeconds * 1000);
    let one: Measurement | null = null;
    if (instances > 1) {
      one = await runHttp(apps[0]!.baseUrl, connections, oneSeconds, next);
      log(`one instance: ${num(one.rps)} req/s, p99 ${ms(one.p99)} ms, failures ${failures(one)}`);
    }
    const m =
      instances > 1
        ? await runHttpMulti(
            apps.map((a) => a.baseUrl),
            connections,
            seconds,
            next,
          )
        : await runHttp(apps[0]!.baseUrl, connections, seconds, next);
    clearInterval(sampler);
    for (const t of snapshotTimers) clearTimeout(t);
    const peaks = apps.map((a) => a.peakRssMb());
    log(`soak done: ${num(m.rps)} req/s, failures ${failures(m)}, peak RSS ${peaks.map((p) => p.toFixed(0)).join(' / ')} MiB`);
    // Stopped before the report: the GC trace lines are in the logs only once the services exit.
    for (const a of apps) await a.stop();
    const heaps = apps.map((a, i) => heapAfterFullGc(a.logFile, (spawnedAt[i]! - t0) / 1000));
    const window = instances > 1 ? [oneSeconds, oneSeconds + seconds] : [0, seconds];
    for (const [i, h] of heaps.entries()) {
      const v = heapVerdict(h, window[0]!, window[1]!);
      log(`instance ${i + 1}: ${h.length} full collections; heap after them ${v.text}`);
    }
    const snapshotLines = snapshots ? apps.flatMap((_, n) => compareSnapshots(path.join(dataDir, `heap-${n}`), n + 1)) : [];
    for (const l of snapshotLines) log(l);
    const section =
      instances > 1
        ? renderTwo({ started, machine, samples, one: one!, many: m, peaks, heaps })
        : renderOne({ started, machine, samples, m, peak: peaks[0]!, heap: heaps[0]! });
    writeSoakSection(
      snapshotLines.length ? `${section}\n\nHeap snapshots (BENCH_SOAK_HEAP_SNAPSHOTS=${snapshots}):\n\n${snapshotLines.join('\n')}` : section,
      resultsFile,
    );
    log(`wrote the soak section of ${resultsFile ?? 'bench/results.md'}`);
    // A run with failed requests keeps its service logs: they say which statements failed.
    succeeded = Object.keys(m.failures).length === 0 && Object.keys(one?.failures ?? {}).length === 0;
  } finally {
    for (const a of apps) await a.stop().catch(() => undefined);
    // After the stop: the services write their log lines in batches and flush the rest on exit.
    for (const a of apps) {
      try {
        logProblems(a.logFile);
      } catch (err) {
        log(`could not read ${a.logFile}: ${String(err)}`);
      }
    }
    await db?.drop().catch(() => undefined);
    if (succeeded) rmSync(dataDir, { recursive: true, force: true });
    else log(`service log kept in ${dataDir}`);
  }
}

/** The heap in use right after a full collection (V8's `--trace-gc` Mark-Compact lines), at seconds into the run. */
interface HeapPoint {
  at: number;
  mb: number;
}

/**
 * The Mark-Compact lines of a service log: `[pid:isolate]  12345 ms: Mark-Compact 120.1 (150.2)
 * -> 80.3 (152.0) MB, …` (ms since the isolate started; the heap used before and after, with the
 * committed size in brackets). `offset`: when the process was spawned, in seconds into the run.
 */
function heapAfterFullGc(logFile: string, offset: number): HeapPoint[] {
  const points: HeapPoint[] = [];
  const re = /\s(\d+) ms: Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const hit = re.exec(line);
    if (hit) points.push({ at: offset + Number(hit[1]) / 1000, mb: Number(hit[2]) });
  }
  return points;
}

/**
 * Flat: the mean heap after full collections over the last fifth of the window [from, to]
 * (seconds) within ±10 % of the mean over 20–40 % of it (the same rule as for RSS).
 */
function heapVerdict(points: HeapPoint[], from: number, to: number): { warm: number; end: number; growth: number; flat: boolean; text: string } {
  const span = to - from;
  const mean = (a: number, b: number) => {
    const xs = points.filter((p) => p.at >= from + a * span && p.at < from + b * span).map((p) => p.mb);
    return xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : NaN;
  };
  const warm = mean(0.2, 0.4);
  const end = mean(0.8, 1.01);
  const growth = ((end - warm) / warm) * 100;
  const flat = Math.abs(growth) < 10;
  const inWindow = points.filter((p) => p.at >= from && p.at <= to);
  const range = inWindow.length
    ? `${Math.min(...inWindow.map((p) => p.mb)).toFixed(1)}–${Math.max(...inWindow.map((p) => p.mb)).toFixed(1)} MB`
    : 'none';
  const text =
    `${Number.isFinite(warm) ? warm.toFixed(1) : '–'} MB mean over 20–40 %, ${Number.isFinite(end) ? end.toFixed(1) : '–'} MB over the last 20 % ` +
    `(range ${range}, ${inWindow.length} full collections): ${verdictWord(growth, flat)}` +
    `${Number.isFinite(growth) ? ` (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %)` : ''}`;
  return { warm, end, growth, flat, text };
}

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Live bytes of a heap snapshot, by object kind (node type and constructor or name). */
function heapByKind(file: string): Map<string, number> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshotFile;
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const types = snap.snapshot.meta.node_types[0];
  const kinds = new Map<string, number>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!]!;
    // Strings and code by type only: their names are their contents.
    const name =
      type === 'object' || type === 'closure' || type === 'native' ? `${type} ${snap.strings[snap.nodes[i + nameAt]!]!.slice(0, 60)}` : type;
    kinds.set(name, (kinds.get(name) ?? 0) + snap.nodes[i + sizeAt]!);
  }
  return kinds;
}

/** The first and last heap snapshot of a service compared: live size, and the kinds that grew most. */
function compareSnapshots(dir: string, instance: number): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.heapsnapshot'))
    .sort()
    .map((f) => path.join(dir, f));
  if (files.length < 2) return [`- instance ${instance}: ${files.length} heap snapshot(s) written; two are needed to compare`];
  const sizes = files.map((f) => heapByKind(f));
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0) / 2 ** 20;
  const first = sizes[0]!;
  const last = sizes.at(-1)!;
  const grown = [...last]
    .map(([k, v]) => ({ k, d: v - (first.get(k) ?? 0), v }))
    .sort((a, b) => b.d - a.d)
    .slice(0, 8);
  return [
    `- instance ${instance}: live heap in ${files.length} snapshots ${sizes.map((m) => total(m).toFixed(1)).join(' → ')} MiB`,
    ...grown.map((g) => `  - ${g.k.replace(/\|/g, '/')}: ${g.d >= 0 ? '+' : ''}${(g.d / 1024).toFixed(0)} KiB (now ${(g.v / 1024).toFixed(0)} KiB)`),
  ];
}

/** Flat: mean RSS over the last fifth within ±10 % of the mean over 20–40 % of the window [from, to] (seconds). */
function verdict(
  samples: Sample[],
  idx: number,
  from: number,
  to: number,
): { warm: number; end: number; growth: number; slope: number; flat: boolean } {
  const span = to - from;
  const mean = (a: number, b: number) => {
    const xs = samples.filter((s) => s.at >= from + a * span && s.at < from + b * span).map((s) => s.rss[idx]!);
    return xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : NaN;
  };
  const warm = mean(0.2, 0.4);
  const end = mean(0.8, 1.01);
  const growth = ((end - warm) / warm) * 100;
  const xs = samples.filter((s) => s.at >= from + 0.5 * span);
  let slope = NaN;
  if (xs.length >= 2) {
    const mx = xs.reduce((a, s) => a + s.at, 0) / xs.length;
    const my = xs.reduce((a, s) => a + s.rss[idx]!, 0) / xs.length;
    slope = (xs.reduce((a, s) => a + (s.at - mx) * (s.rss[idx]! - my), 0) / xs.reduce((a, s) => a + (s.at - mx) ** 2, 0)) * 60;
  }
  return { warm, end, growth, slope, flat: Math.abs(growth) < 10 };
}

/**
 * What instance `idx`'s memory was made of over 20–40 % of the window [from, to] (seconds) and
 * over its last 20 % (the RSS verdict's two spans): each MemSplit figure's mean, warm → end.
 */
function splitLine(samples: Sample[], idx: number, from: number, to: number): string {
  const span = to - from;
  const mean = (a: number, b: number, of: (m: MemSplit) => number) => {
    const xs = samples
      .filter((s) => s.at >= from + a * span && s.at < from + b * span && s.mem[idx] !== undefined)
      .map((s) => of(s.mem[idx]!))
      .filter(Number.isFinite);
    return xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : NaN;
  };
  const part = (label: string, of: (m: MemSplit) => number) => {
    const w = mean(0.2, 0.4, of);
    const e = mean(0.8, 1.01, of);
    const d = e - w;
    return `${label} ${w.toFixed(0)} → ${e.toFixed(0)} (${d >= 0 ? '+' : ''}${d.toFixed(1)})`;
  };
  return [
    part('anonymous', (m) => m.anon),
    part('file-backed', (m) => m.file),
    part('V8 heap committed', (m) => m.heapTotal),
    part('V8 heap used', (m) => m.heapUsed),
    part('external (Buffers)', (m) => m.external),
    // What neither the collector nor the kernel's file cache accounts for: the C allocator's
    // arenas, thread stacks, code outside the heap. A leak in native code shows here.
    part('anonymous outside the V8 heap (anonymous − committed)', (m) => m.anon - m.heapTotal),
  ].join(', ');
}

/**
 * The verdict words: flat, growing, shrinking (a heap V8 let grow early and gave back), or too few
 * samples to tell (a run shorter than a few samples).
 */
function verdictWord(growth: number, flat: boolean): string {
  if (!Number.isFinite(growth)) return 'too few samples to tell';
  return flat ? 'flat' : growth > 0 ? '**growing**' : 'shrinking';
}

function renderOne(r: { started: Date; machine: string; samples: Sample[]; m: Measurement; peak: number; heap: HeapPoint[] }): string {
  const { samples, m, peak } = r;
  const warm = meanRss(samples, 0.2, 0.4);
  const end = meanRss(samples, 0.8, 1.01);
  const growth = ((end - warm) / warm) * 100;
  const slope = slopeMbPerMin(samples, 0.5);
  const flat = Math.abs(growth) < 10;
  const step = Math.max(1, Math.ceil(samples.length / 40));
  const shown = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  return [
    '## Soak (memory under steady load)',
    '',
    `Written by \`npm run soak\` (bench/soak.ts) on ${r.started.toISOString()}; ${r.machine}.`,
    '',
    `- **Load:** ${seconds} s at ${connections} connections, requests in turn: file a case, read one, move one (IN_PROGRESS ↔ ON_HOLD), list; ` +
      `${cases.toLocaleString('en-US')} seeded cases; background loops on`,
    `- **Throughput:** ${num(m.rps)} requests/s on average; non-2xx ${failures(m)}`,
    `- **RSS:** ${samples[0]!.rssMb.toFixed(0)} MiB at start, ${warm.toFixed(0)} MiB mean over 20–40 % of the run, ${end.toFixed(0)} MiB over the last 20 %, ` +
      `peak ${peak.toFixed(0)} MiB; slope over the second half ${slope.toFixed(2)} MiB/min`,
    `- **Verdict:** ${verdictWord(growth, flat)} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % from warm to end; flat means within ±10 %)`,
    `- **Heap after full collections** (live objects, \`--trace-gc\`): ${heapVerdict(r.heap, 0, seconds).text}`,
    `- **What the RSS is made of** (MiB, mean over 20–40 % → last 20 %): ${splitLine(samples, 0, 0, seconds)}`,
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
  ].join('\n');
}

function renderTwo(r: {
  started: Date;
  machine: string;
  samples: Sample[];
  one: Measurement;
  many: Measurement;
  peaks: number[];
  heaps: HeapPoint[][];
}): string {
  const { samples, one, many, peaks, heaps } = r;
  const n = peaks.length;
  const step = Math.max(1, Math.ceil(samples.length / 40));
  const shown = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  const lines = [
    `## Soak with ${n} instances (throughput and memory per instance)`,
    '',
    `Written by \`BENCH_SOAK_INSTANCES=${n} npm run soak\` (bench/soak.ts) on ${r.started.toISOString()}; ${r.machine}.`,
    '',
    `- **Load:** ${connections} connections, requests in turn: file a case, read one, move one (IN_PROGRESS ↔ ON_HOLD), list; ` +
      `${cases.toLocaleString('en-US')} seeded cases; background loops on in every instance. First ${oneSeconds} s on instance 1 alone, ` +
      `then ${seconds} s with the connections dealt round robin over ${n} instances.`,
    '',
    '| phase | instances | req/s | p50 ms | p99 ms | non-2xx |',
    '|---|---:|---:|---:|---:|---|',
    `| one instance | 1 | ${num(one.rps)} | ${ms(one.p50)} | ${ms(one.p99)} | ${failures(one)} |`,
    `| round robin | ${n} | ${num(many.rps)} | ${ms(many.p50)} | ${ms(many.p99)} | ${failures(many)} |`,
    '',
    `- **Scaling:** ${n} instances reach ${((many.rps / one.rps) * 100).toFixed(0)} % of one instance's throughput ` +
      `(${(many.rps / one.rps).toFixed(2)}×; linear would be ${n}×). docs/benchmarks.md says what a two-core machine can show.`,
  ];
  for (let i = 0; i < n; i++) {
    const v = verdict(samples, i, oneSeconds, oneSeconds + seconds);
    lines.push(
      `- **Instance ${i + 1} RSS** (round-robin phase): ${v.warm.toFixed(0)} MiB over 20–40 %, ${v.end.toFixed(0)} MiB over the last 20 %, peak ${peaks[i]!.toFixed(0)} MiB, ` +
        `slope over the second half ${v.slope.toFixed(2)} MiB/min: ${verdictWord(v.growth, v.flat)} (${v.growth >= 0 ? '+' : ''}${v.growth.toFixed(1)} %)`,
      `- **Instance ${i + 1} heap after full collections** (live objects, \`--trace-gc\`): ${heapVerdict(heaps[i]!, oneSeconds, oneSeconds + seconds).text}`,
      `- **Instance ${i + 1}, what the RSS is made of** (MiB, mean over 20–40 % → last 20 % of the round robin): ${splitLine(samples, i, oneSeconds, oneSeconds + seconds)}`,
    );
  }
  lines.push(
    '',
    `RSS (MiB) of each instance by seconds into the run (instance 2 idles until ${oneSeconds} s), sampled every ${sampleSeconds} s:`,
    '',
  );
  for (let i = 0; i < n; i++) {
    lines.push(`Instance ${i + 1}:`, '', '```', asciiPlot(shown.map((s) => ({ label: `${s.at.toFixed(0)} s`, value: s.rss[i]! }))), '```', '');
  }
  lines.push(`| s | ${peaks.map((_, i) => `RSS ${i + 1} MiB`).join(' | ')} | req/s in the interval |`);
  lines.push(`|---:|${peaks.map(() => '---:').join('|')}|---:|`);
  for (const s of shown) lines.push(`| ${s.at.toFixed(0)} | ${s.rss.map((x) => x.toFixed(1)).join(' | ')} | ${s.rps ? num(s.rps) : '–'} |`);
  return lines.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
