import { spawn } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { backgroundLoop, loopCloseTimeoutMs, type BackgroundLoopOptions } from '../../src/plugins/background-loop';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A bare app with one loop, its log lines captured. */
function appWith<T>(opts: Partial<BackgroundLoopOptions<T>> & Pick<BackgroundLoopOptions<T>, 'run'>) {
  const lines: Array<{ level: number; msg: string; loop?: string; err?: { message: string } }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const app: FastifyInstance = Fastify({ logger: { level: 'info', stream } });
  backgroundLoop(app, { name: 'test loop', intervalMs: 5, closeTimeoutMs: 2_000, ...opts });
  return { app, lines };
}

/** A promise and its resolver. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('backgroundLoop', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
  });
  const track = <A extends { app: FastifyInstance }>(x: A): A => {
    apps.push(x.app);
    return x;
  };

  it('runs first when the app is ready, not before', async () => {
    let runs = 0;
    const { app } = track(appWith({ intervalMs: 60_000, run: async () => void runs++ }));
    await sleep(30);
    expect(runs).toBe(0);
    await app.ready();
    await eventually('the first run', () => runs === 1);
    await sleep(30);
    expect(runs).toBe(1);
  });

  it('delays the first run by firstRunDelayMs', async () => {
    let ranAt = 0;
    const { app } = track(appWith({ intervalMs: 60_000, firstRunDelayMs: 80, run: async () => void (ranAt = Date.now()) }));
    await app.ready();
    const readyAt = Date.now();
    await eventually('the first run', () => ranAt > 0);
    expect(ranAt - readyAt).toBeGreaterThanOrEqual(70);
  });

  it('never overlaps runs, and waits intervalMs after each one ends', async () => {
    let active = 0;
    let most = 0;
    const ends: number[] = [];
    const starts: number[] = [];
    const { app } = track(
      appWith({
        intervalMs: 20,
        run: async () => {
          starts.push(Date.now());
          most = Math.max(most, ++active);
          await sleep(30);
          active--;
          ends.push(Date.now());
        },
      }),
    );
    await app.ready();
    await eventually('four runs', () => ends.length >= 4);
    expect(most).toBe(1);
    for (let i = 1; i < 4; i++) expect(starts[i]! - ends[i - 1]!).toBeGreaterThanOrEqual(15);
  });

  it('is off with an interval of 0: no run, nothing to wait for at close', async () => {
    let runs = 0;
    const { app } = track(appWith({ intervalMs: 0, run: async () => void runs++ }));
    await app.ready();
    await sleep(30);
    expect(runs).toBe(0);
  });

  it('logs a failed run as a warning and goes on', async () => {
    let runs = 0;
    const results: number[] = [];
    const { app, lines } = track(
      appWith({
        run: async () => {
          runs++;
          if (runs === 1) throw new Error('database hiccup');
          return runs;
        },
        onResult: (n) => {
          if (n === 2) throw new Error('reporting failed');
          results.push(n);
        },
      }),
    );
    await app.ready();
    await eventually('a third run', () => results.length > 0);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.map((w) => [w.msg, w.loop, w.err?.message])).toEqual([
      ['test loop failed; retrying next interval', 'test loop', 'database hiccup'],
      ['test loop failed; retrying next interval', 'test loop', 'reporting failed'],
    ]);
    expect(results[0]).toBe(3);
  });

  it('tries a failed run again after retryAfterFailureMs, and then keeps its interval', async () => {
    const startedAt: number[] = [];
    const { app, lines } = track(
      appWith({
        intervalMs: 60_000,
        retryAfterFailureMs: 20,
        run: async () => {
          startedAt.push(Date.now());
          if (startedAt.length === 1) throw new Error('statement timeout');
        },
      }),
    );
    await app.ready();
    await eventually('the retry', () => startedAt.length === 2);
    expect(startedAt[1]! - startedAt[0]!).toBeLessThan(60_000);
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual(['test loop failed; retrying soon']);
    // A run that succeeds waits the full interval again.
    await sleep(100);
    expect(startedAt).toHaveLength(2);
  });

  it('aborts the signal when close begins; a run honours it between batches, and close waits for it', async () => {
    const batch = gate();
    let signal: AbortSignal | undefined;
    let batches = 0;
    let runs = 0;
    const { app } = appWith({
      run: async (s) => {
        runs++;
        signal = s;
        // A backlog of 100 batches; the signal is checked between them.
        for (let i = 0; i < 100 && !s.aborted; i++) {
          batches++;
          await batch.wait;
        }
      },
    });
    await app.ready();
    await eventually('a run to start', () => batches === 1);
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await eventually('the signal to abort', () => signal!.aborted);
    await sleep(20);
    expect(closed).toBe(false);
    batch.open();
    await closing;
    expect(closed).toBe(true);
    expect(batches).toBe(1);
    expect(runs).toBe(1);
    // No run after close, however long we look.
    await sleep(40);
    expect(runs).toBe(1);
  });

  it('waits at close no longer than closeTimeoutMs for a stuck run, and says so', async () => {
    const { app, lines } = appWith({ closeTimeoutMs: 100, run: () => new Promise<never>(() => undefined) });
    await app.ready();
    await sleep(20);
    const t0 = Date.now();
    await app.close();
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(90);
    expect(took).toBeLessThan(1_000);
    expect(lines.some((l) => l.level === 40 && l.msg === 'test loop still running at close; not waiting longer')).toBe(true);
  });

  it('counts the close bound from when close begins, so loops winding down together share it', async () => {
    const stuck = () => new Promise<never>(() => undefined);
    const app = Fastify({ logger: false });
    for (const name of ['a', 'b', 'c']) backgroundLoop(app, { name, intervalMs: 5, closeTimeoutMs: 100, run: stuck });
    await app.ready();
    await sleep(20);
    const t0 = Date.now();
    await app.close();
    // Three loops, one bound: not three bounds one after another.
    expect(Date.now() - t0).toBeLessThan(250);
  });

  it('keeps no timer that holds the process alive', async () => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '../helpers/loop-child.ts')], {
      cwd: path.join(__dirname, '../..'),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // Only a guard against a hang (a kept timer would keep the child alive for good); generous,
    // since starting tsx on a loaded two-core machine takes seconds.
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(killer);
    expect(out.trim()).toBe('ran');
    expect(code).toBe(0);
  }, 60_000);

  it('derives the close bound from the shutdown grace: half of it', () => {
    expect(loopCloseTimeoutMs({ SHUTDOWN_GRACE_MS: 20_000 })).toBe(10_000);
    expect(loopCloseTimeoutMs({ SHUTDOWN_GRACE_MS: 1_001 })).toBe(500);
  });
});
