/**
 * Summarises V8 CPU profiles (`.cpuprofile`, as `node --cpu-prof` writes them; the bench passes
 * the flag through BENCH_NODE_ARGS) into the shares #17 item 3 asks about: where the service's
 * own CPU goes, by function and by bucket (fastify, pino, validation, serialisation, token
 * verification, pg, prom-client, our src/ files, …).
 *
 *   npx tsx bench/profile-summary.ts <dir or .cpuprofile>… [--top=40] [--bucket=<name>] [--skip=<s>] [--windows=<a-b,c-d>]
 *
 * A directory means every .cpuprofile in it (all of them summed: the bench starts one service
 * process, the soak one per instance). Shares are of the busy time: samples of `(idle)` are left
 * out; `(program)` (V8/native work it could not attribute) and `(garbage collector)` stay in.
 *
 * Two views of the same samples:
 * - **self**: the time a function was itself on top of the stack, bucketed by where it lives.
 *   Node's own code (`node:internal/…`, JSON, Buffer) shows up as `node` and V8 builtins as
 *   `(native)`, whoever called them.
 * - **attributed**: the same self time, but a frame in `node` or `(native)` is charged to the
 *   nearest caller in a package or in our code: a `writev` called by pg is pg's, a JSON.stringify
 *   called by our code is ours. This is the view to ask "what does pino cost in all".
 * `--bucket=<name>` lists the top functions (self) of one bucket, with the caller chain's first
 * non-node frame. `--skip=<s>` leaves out each profile's first s seconds (the start: module
 * loading and schema compilation are not per-request work); the busy time per second printed
 * first shows where the start ends and the load begins. `--windows=16-21,23-28` keeps only the
 * samples in those seconds since the profile's start (the measurements, whose end times the bench
 * logs: a measurement ending 21 s after the service started runs from 21 − BENCH_DURATION), so
 * two runs compare the same work without their traces and warm-ups.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The bucket a frame's script belongs to. Packages are grouped by what they do for a request;
 * an unknown package is its own bucket under its name.
 */
const PACKAGE_BUCKETS: [RegExp, string][] = [
  [/^(fastify|@fastify\/(?!type-provider)|find-my-way|avvio|light-my-request|fastify-plugin|toad-cache|process-warning|abstract-logging)/, 'fastify'],
  [
    /^(pino|pino-std-serializers|sonic-boom|thread-stream|on-exit-leak-free|fast-redact|@pinojs\/redact|safe-stable-stringify|quick-format-unescaped|atomic-sleep)/,
    'pino (logging)',
  ],
  [
    /^(ajv|ajv-formats|typebox|@sinclair\/typebox|@fastify\/type-provider-typebox|fast-uri|fast-deep-equal|json-schema-traverse|@fastify\/ajv-compiler)/,
    'validation (ajv/typebox)',
  ],
  [/^(fast-json-stringify|@fastify\/fast-json-stringify-compiler|json-schema-ref-resolver|rfdc)/, 'serialisation (fast-json-stringify)'],
  [/^(jose)/, 'token verification (jose)'],
  [
    /^(pg|pg-protocol|pg-pool|pg-types|pgpass|postgres-array|postgres-date|postgres-interval|postgres-bytea|pg-connection-string|buffer-writer|packet-reader)/,
    'pg',
  ],
  [/^(prom-client|fastify-metrics|tdigest|bintrees)/, 'metrics (prom-client)'],
  [/^(@prisma|prisma|@electric-sql)/, 'prisma'],
  [/^(luxon)/, 'luxon'],
  [/^(helmet|@fastify\/helmet)/, 'fastify'],
];

function packageOf(url: string): string | undefined {
  const i = url.lastIndexOf('node_modules/');
  if (i < 0) return undefined;
  const rest = url.slice(i + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

/** `src/services/case-service.ts` for the compiled `…/dist/src/services/case-service.js`. */
function ourFile(url: string): string | undefined {
  const m = /\/dist\/((?:src|bench)\/.*)\.js$/.exec(url) ?? /\/((?:src|bench)\/.*)\.ts$/.exec(url);
  return m ? `${m[1]}.ts` : undefined;
}

function bucketOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)' || functionName === '(program)' || functionName === '(idle)') return functionName;
    return '(native)';
  }
  const pkg = packageOf(url);
  if (pkg !== undefined) {
    for (const [re, bucket] of PACKAGE_BUCKETS) if (re.test(pkg)) return bucket;
    return `package ${pkg}`;
  }
  const file = ourFile(url);
  if (file !== undefined) {
    const dir = file.split('/').slice(0, 2).join('/');
    return `ours: ${dir}`;
  }
  if (url.startsWith('node:')) return 'node';
  return url.startsWith('file:') || url.startsWith('/') ? `other ${path.basename(url)}` : 'node';
}

/** Buckets that are charged to their caller in the attributed view. */
const PASS_THROUGH = new Set(['node', '(native)']);

function label(frame: CallFrame): string {
  const where = ourFile(frame.url) ?? packageOf(frame.url) ?? (frame.url ? frame.url.replace(/^node:/, '') : '');
  return `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`;
}

function profilesIn(args: string[]): string[] {
  const files: string[] = [];
  for (const a of args) {
    if (statSync(a).isDirectory()) {
      for (const f of readdirSync(a).sort()) if (f.endsWith('.cpuprofile')) files.push(path.join(a, f));
    } else files.push(a);
  }
  return files;
}

interface Totals {
  busy: number;
  idle: number;
  self: Map<string, number>;
  bucketSelf: Map<string, number>;
  bucketAttributed: Map<string, number>;
  /** For --bucket: function label → [self µs, first non-pass-through caller]. */
  byFunctionInBucket: Map<string, Map<string, number>>;
  timelines: string[];
}

const add = <K>(m: Map<K, number>, k: K, v: number) => m.set(k, (m.get(k) ?? 0) + v);

function summarise(file: string, t: Totals, focus: string | undefined, keep: (atUs: number) => boolean): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  // Self time per node from the sample deltas (a sample's delta is the time since the one before).
  const selfUs = new Map<number, number>();
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const busyPerSecond: number[] = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (!idleIds.has(id)) {
      const second = Math.floor(at / 1e6);
      busyPerSecond[second] = (busyPerSecond[second] ?? 0) + delta;
    }
    if (keep(at)) add(selfUs, id, delta);
  });
  t.timelines.push(`${path.basename(file)}: busy ms per second: ${Array.from(busyPerSecond, (us) => Math.round((us ?? 0) / 1000)).join(' ')}`);
  const attributedBucket = (id: number): string => {
    let cur: number | undefined = id;
    while (cur !== undefined) {
      const b = bucketOf(byId.get(cur)!.callFrame);
      if (!PASS_THROUGH.has(b)) return b;
      cur = parent.get(cur);
    }
    return bucketOf(byId.get(id)!.callFrame);
  };
  const callerOutside = (id: number): string => {
    let cur = parent.get(id);
    while (cur !== undefined) {
      const f = byId.get(cur)!.callFrame;
      if (!PASS_THROUGH.has(bucketOf(f))) return label(f);
      cur = parent.get(cur);
    }
    return '';
  };
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || us <= 0) continue;
    const bucket = bucketOf(node.callFrame);
    if (bucket === '(idle)') {
      t.idle += us;
      continue;
    }
    t.busy += us;
    add(t.self, `${label(node.callFrame)}  [${bucket}]`, us);
    add(t.bucketSelf, bucket, us);
    const attributed = attributedBucket(id);
    add(t.bucketAttributed, attributed, us);
    if (focus !== undefined && (bucket === focus || attributed === focus)) {
      const key = `${label(node.callFrame)}${PASS_THROUGH.has(bucket) ? `  ← ${callerOutside(id)}` : ''}`;
      let m = t.byFunctionInBucket.get(focus);
      if (!m) t.byFunctionInBucket.set(focus, (m = new Map()));
      add(m, key, us);
    }
  }
}

function table(title: string, m: Map<string, number>, busy: number, top: number): string {
  const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = rows.map(([k, us]) => `${((100 * us) / busy).toFixed(1).padStart(6)} %  ${(us / 1000).toFixed(0).padStart(8)} ms  ${k}`);
  return `\n## ${title}\n${lines.join('\n')}\n`;
}

function main(): void {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 40);
  const focus = args.find((a) => a.startsWith('--bucket='))?.slice(9);
  const skipUs = Number(args.find((a) => a.startsWith('--skip='))?.slice(7) ?? 0) * 1e6;
  const windowsArg = args.find((a) => a.startsWith('--windows='))?.slice(10);
  const windows = (windowsArg ?? '')
    .split(',')
    .filter(Boolean)
    .map((w) => w.split('-').map((x) => Number(x) * 1e6) as [number, number]);
  const keep = (at: number) => at >= skipUs && (windows.length === 0 || windows.some(([from, to]) => at >= from && at < to));
  const files = profilesIn(args.filter((a) => !a.startsWith('--')));
  if (files.length === 0) {
    process.stderr.write('usage: npx tsx bench/profile-summary.ts <dir or .cpuprofile>… [--top=40] [--bucket=<name>]\n');
    process.exit(2);
  }
  const t: Totals = {
    busy: 0,
    idle: 0,
    self: new Map(),
    bucketSelf: new Map(),
    bucketAttributed: new Map(),
    byFunctionInBucket: new Map(),
    timelines: [],
  };
  for (const f of files) summarise(f, t, focus, keep);
  let out = `# CPU profile summary\n${t.timelines.join('\n')}\n${skipUs > 0 ? `first ${skipUs / 1e6} s of each left out; ` : ''}${windowsArg ? `seconds ${windowsArg} only; ` : ''}busy ${(t.busy / 1e6).toFixed(2)} s, idle ${(t.idle / 1e6).toFixed(2)} s (shares below are of busy time)\n`;
  out += table('Buckets, self time', t.bucketSelf, t.busy, 100);
  out += table('Buckets, attributed (node internals and natives charged to the nearest caller outside them)', t.bucketAttributed, t.busy, 100);
  out += table(`Functions, self time (top ${top})`, t.self, t.busy, top);
  if (focus !== undefined) out += table(`Functions in ${focus} (self, or charged to it)`, t.byFunctionInBucket.get(focus) ?? new Map(), t.busy, top);
  process.stdout.write(out);
}

main();
