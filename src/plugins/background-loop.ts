import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';

/** setTimeout fires at once for a delay past 2^31 − 1 ms (≈24.8 days); longer waits are cut to it. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface BackgroundLoopOptions<T> {
  /** Names the loop in its log lines ("timer sweep" logs "timer sweep failed; …"). */
  name: string;
  /** Pause between the end of one run and the start of the next; 0 or less turns the loop off. */
  intervalMs: number;
  /** Delay of the first run once the app is ready; 0 (the default) runs it at once. */
  firstRunDelayMs?: number;
  /**
   * Pause after a failed run, when shorter than intervalMs (default: intervalMs). A daily job
   * whose run failed (a statement timeout under load, a database restart) tries again within
   * minutes instead of a day later.
   */
  retryAfterFailureMs?: number;
  /** How long close waits for a run under way after asking it to stop (see loopCloseTimeoutMs). */
  closeTimeoutMs: number;
  /**
   * One run. `signal` aborts when the app starts closing: a run checks it between batches and
   * returns early, so no batch is cut short and close need not wait for a long backlog.
   */
  run: (signal: AbortSignal) => Promise<T>;
  /** Reports a run's result (logging, metrics); an error thrown here counts as the run's. */
  onResult?: (result: T) => void;
}

/**
 * The bound on a loop's wait at close: half the shutdown grace. Every loop is told to stop when
 * close begins and all wind down at once, so the waits overlap rather than add up; the other half
 * is left for in-flight requests, closing the pool and flushing the log before the forced exit.
 */
export function loopCloseTimeoutMs(config: Pick<Config, 'SHUTDOWN_GRACE_MS'>): number {
  return Math.floor(config.SHUTDOWN_GRACE_MS / 2);
}

/**
 * Runs `run` in the background of `app`: first when the app is ready, then `intervalMs` after each
 * run ends (so runs never overlap). Its timers are unref'd: the server's socket keeps the process
 * alive, a pending run alone does not. A failed run is logged as a warning and the loop goes on.
 *
 * Close stops it in two steps: when close begins (preClose) the signal aborts and no new run
 * starts; the onClose hook then waits for the run under way, but not past `closeTimeoutMs` from
 * the abort, so a stuck run cannot hold the shutdown beyond its grace. The hook is registered by
 * the calling plugin, so it runs before the hooks of plugins registered earlier (the database).
 */
export function backgroundLoop<T>(app: FastifyInstance, opts: BackgroundLoopOptions<T>): void {
  const { name, intervalMs, closeTimeoutMs } = opts;
  if (intervalMs <= 0) return;
  const stop = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stoppedAt = 0;
  const retryMs = Math.min(intervalMs, opts.retryAfterFailureMs ?? intervalMs);

  const schedule = (delay: number): void => {
    timer = setTimeout(tick, Math.min(Math.max(delay, 0), MAX_TIMEOUT_MS));
    timer.unref();
  };

  function tick(): void {
    timer = null;
    if (stop.signal.aborted) return;
    let failed = false;
    running = (async () => {
      const result = await opts.run(stop.signal);
      opts.onResult?.(result);
    })()
      // app.log is read here, not captured at registration, so a logger swapped in later is used.
      .catch((err: unknown) => {
        failed = true;
        app.log.warn({ err, loop: name, retryInMs: retryMs }, `${name} failed; retrying ${retryMs < intervalMs ? 'soon' : 'next interval'}`);
      })
      .finally(() => {
        running = null;
        if (!stop.signal.aborted) schedule(failed ? retryMs : intervalMs);
      });
  }

  const halt = (): void => {
    if (stop.signal.aborted) return;
    stoppedAt = Date.now();
    stop.abort();
    if (timer) clearTimeout(timer);
    timer = null;
  };

  app.addHook('onReady', async () => {
    schedule(opts.firstRunDelayMs ?? 0);
  });
  app.addHook('preClose', async () => {
    halt();
  });
  app.addHook('onClose', async () => {
    halt();
    if (!running) return;
    const left = stoppedAt + closeTimeoutMs - Date.now();
    if (!(await settlesWithin(running, left))) {
      app.log.warn({ loop: name, closeTimeoutMs }, `${name} still running at close; not waiting longer`);
    }
  });
}

/** Whether `p` settles within `ms`. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    // Not unref'd: close is under way and must come to its end, which this bounds.
    const t = setTimeout(() => resolve(false), ms);
    const settled = (): void => {
      clearTimeout(t);
      resolve(true);
    };
    void p.then(settled, settled);
  });
}
