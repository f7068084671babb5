import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { POOL_OPTIONS } from '../../src/db/pool-options';

const ROOT = path.resolve(__dirname, '..', '..');

/** A free loopback port (closed again at once; the child binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface TracedStatement {
  sql: string;
  /** Sent while handling an HTTP request (false: a background loop). */
  request: boolean;
}

export interface AppProcess {
  pid: number;
  baseUrl: string;
  logFile: string;
  /** Resets the kernel's peak-RSS mark (VmHWM), so the next reading is the peak since now. */
  resetPeak(): void;
  /** Peak resident set since start or the last resetPeak(), in MiB. */
  peakRssMb(): number;
  /** Resident set now, in MiB. */
  rssMb(): number;
  /**
   * The resident set split as the kernel counts it (/proc/<pid>/status, MiB): anonymous memory
   * (heap, malloc arenas, buffers) and file-backed pages (the node binary and its data mapped in).
   */
  rssSplitMb(): { anon: number; file: number };
  /**
   * CPU seconds the process has used since start (user + system, /proc/<pid>/stat): the CPU a
   * measurement cost is the difference, which a loaded machine stretches less than wall time.
   */
  cpuSeconds(): number;
  /**
   * The SQL statements the service sent while `fn` ran (run nothing else meanwhile), each marked
   * with whether a request sent it or a background loop (bench/lib/trace-sql.cjs).
   */
  traceSql(fn: () => Promise<void>): Promise<TracedStatement[]>;
  stop(): Promise<void>;
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS' | 'RssAnon' | 'RssFile'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** [utime, stime] of a process in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 1/100 s). */
export function cpuMsOf(pid: number | string): [user: number, system: number] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[11]) * 10, Number(fields[12]) * 10];
}

/**
 * The machine's CPU time so far, in ms summed over its cores (/proc/stat): busy (user, nice,
 * system, irq, softirq) and stolen by the host. Differences of two readings are what every process
 * on the machine used between them, including processes that started or ended meanwhile.
 */
export function machineCpuMs(): { busy: number; steal: number } {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((v) => Number(v) * 10);
  return { busy: user! + nice! + system! + irq! + softirq!, steal: steal! };
}

/** utime + stime of a process in seconds. */
function cpuSecondsOf(pid: number): number {
  const [user, system] = cpuMsOf(pid);
  return (user + system) / 1000;
}

let built = false;

/** Compiles the service as `npm start` does (tsc -p tsconfig.build.json → dist/), once per run. */
function buildOnce(): void {
  if (built) return;
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building the service failed (tsc exited with ${r.status})`);
  built = true;
}

/**
 * Starts the service as its own process, built and run as `npm start` runs it
 * (`node dist/src/server.js`), so its memory is its own: the load generator runs in this
 * process. Waits until /health/ready answers 200.
 */
export async function startApp(opts: { env: Record<string, string>; logFile: string; port?: number; nodeArgs?: string[] }): Promise<AppProcess> {
  buildOnce();
  // BENCH_NODE_ARGS: extra node flags for the service, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof.
  const nodeArgs = [...(opts.nodeArgs ?? []), ...(process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
  return spawnServer([...nodeArgs, '--require', path.join(__dirname, 'trace-sql.cjs'), 'dist/src/server.js'], opts);
}

/**
 * Starts the lean reference (bench/lean/server.ts) on `databaseUrl` with a `pg` pool of
 * `poolMax`, as its own process like the service (TypeScript loaded through tsx).
 */
export async function startLean(opts: { databaseUrl: string; poolMax: number; logFile: string; singleStatement?: boolean }): Promise<AppProcess> {
  return spawnServer(['--import', 'tsx', path.join(ROOT, 'bench', 'lean', 'server.ts')], {
    logFile: opts.logFile,
    env: {
      LEAN_DATABASE_URL: opts.databaseUrl,
      LEAN_POOL_MAX: String(opts.poolMax),
      LEAN_SINGLE_STATEMENT: opts.singleStatement ? '1' : '0',
      // The service's connection settings (src/db/pool-options.ts): a floor must not gain or lose by configuration.
      LEAN_PG_OPTIONS: POOL_OPTIONS,
    },
  });
}

async function spawnServer(args: string[], opts: { env: Record<string, string>; logFile: string; port?: number }): Promise<AppProcess> {
  const port = opts.port ?? (await freePort());
  const traceFile = `${opts.logFile}.trace.json`;
  const env = { ...process.env, ...opts.env, HOST: '127.0.0.1', PORT: String(port), BENCH_TRACE_FILE: traceFile };
  const out = createWriteStream(opts.logFile);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.at(-1)} exited with ${child.exitCode} during start; see ${opts.logFile}`);
    try {
      const res = await fetch(`${baseUrl}/health/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.at(-1)} was not ready within 120 s; see ${opts.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const pid = child.pid!;
  return {
    pid,
    baseUrl,
    logFile: opts.logFile,
    resetPeak: () => {
      try {
        // "5" resets the peak RSS (proc(5), clear_refs); needs the same user or root.
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // Not permitted: the peak then covers the process's whole life, which the report says.
      }
    },
    peakRssMb: () => statusKb(pid, 'VmHWM') / 1024,
    cpuSeconds: () => cpuSecondsOf(pid),
    rssMb: () => statusKb(pid, 'VmRSS') / 1024,
    rssSplitMb: () => ({ anon: statusKb(pid, 'RssAnon') / 1024, file: statusKb(pid, 'RssFile') / 1024 }),
    traceSql: async (fn) => {
      rmSync(traceFile, { force: true });
      const settle = () => new Promise((r) => setTimeout(r, 100));
      process.kill(pid, 'SIGWINCH');
      await settle();
      await fn();
      await settle();
      process.kill(pid, 'SIGWINCH');
      for (let i = 0; i < 50; i++) {
        try {
          if (existsSync(traceFile)) return JSON.parse(readFileSync(traceFile, 'utf8')) as TracedStatement[];
        } catch {
          // caught it half-written
        }
        await settle();
      }
      throw new Error('the service wrote no SQL trace (was it started with trace-sql.cjs?)');
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(timer);
      await new Promise<void>((resolve) => out.end(resolve));
    },
  };
}
