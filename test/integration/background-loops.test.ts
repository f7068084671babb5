import { createTestApp } from '../helpers/app';
import { logMessages, logSink } from '../helpers/log-sink';

/** The loops of the app, on the real database: they run by themselves and stop at close. */
describe('the background loops (timers, webhooks, idempotency purge, retention, word list cleanup, service levels)', () => {
  it('each runs by itself every interval, without a failure, and none runs after close', async () => {
    const logged: string[] = [];
    const stream = logSink(logged);
    const every = '20';
    const t = await createTestApp({
      config: {
        TIMER_INTERVAL_MS: every,
        WEBHOOK_INTERVAL_MS: every,
        IDEMPOTENCY_PURGE_INTERVAL_MS: every,
        RETENTION_INTERVAL_MS: every,
        SLA_INTERVAL_MS: every,
      },
      logger: { level: 'warn', stream },
    });
    let closed = false;
    const calls: Record<string, number> = { timers: 0, webhooks: 0, purge: 0, retention: 0, sla: 0, words: 0 };
    const afterClose: string[] = [];
    const signals: AbortSignal[] = [];
    const signalsOf: Record<string, AbortSignal[]> = {};
    // Count each loop's calls, going through to the real method.
    function spy<O extends object>(key: string, obj: O, method: keyof O & string): void {
      const real = (obj[method] as (...a: unknown[]) => Promise<unknown>).bind(obj);
      (obj as Record<string, unknown>)[method] = (...args: unknown[]) => {
        calls[key]!++;
        if (closed) afterClose.push(key);
        const s = args.find((a): a is AbortSignal => a instanceof AbortSignal);
        if (s) signals.push(s);
        if (s) (signalsOf[key] ??= []).push(s);
        return real(...args);
      };
    }
    try {
      spy('timers', t.app.services.timers, 'sweep');
      spy('retention', t.app.services.retention, 'run');
      spy('webhooks', t.app.integration.webhooks, 'run');
      spy('purge', t.app.integration.idempotency, 'purgeExpired');
      spy('sla', t.app.serviceLevels.sla, 'sweep');
      // Each retention run cleans the word list at its end too; the loop's own calls carry a signal no run got.
      spy('words', t.app.services.retention, 'cleanUpWords');
      const byWordLoop = () => (signalsOf.words ?? []).filter((s) => !(signalsOf.retention ?? []).includes(s)).length;
      const until = Date.now() + 15_000;
      while ((Object.values(calls).some((n) => n < 2) || byWordLoop() < 2) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(Object.values(calls).every((n) => n >= 2)).toBe(true);
      expect(byWordLoop()).toBeGreaterThanOrEqual(2);
    } finally {
      await t.close();
      closed = true;
    }
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((s) => s.aborted)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(afterClose).toEqual([]);
    expect(logMessages(logged)).toEqual([]);
  });
});
