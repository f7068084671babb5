import { FixedClock } from '../../src/domain/clock';
import type pg from 'pg';
import { TimerService, type TimerBatch } from '../../src/services/timer-service';

const CONFIG = { WAITING_DAYS: 10, COMPLETED_DAYS: 10, TIMEZONE: 'Europe/Oslo' };

/**
 * A TimerService whose batches (fireDueTimers, the database part, tested in the integration
 * suites) answer the given batches in turn and record the calls: the sweep's loop alone.
 */
function fakeCases(batches: TimerBatch[], onCall?: (n: number) => void) {
  const calls: Array<{ asOf: Date; limit: number }> = [];
  const fireDueTimers = async (asOf: Date, limit: number) => {
    calls.push({ asOf, limit });
    onCall?.(calls.length);
    return batches.shift() ?? { claimed: 0, fired: 0, voided: [] };
  };
  const cases = (clock: ConstructorParameters<typeof TimerService>[1], batchSize: number) =>
    Object.assign(new TimerService({} as pg.Pool, clock, { ...CONFIG, TIMER_BATCH_SIZE: batchSize }), { fireDueTimers });
  return { cases, calls };
}

describe('TimerService.sweep', () => {
  const clock = new FixedClock('2025-03-13T09:00:00Z');

  it('takes batches until one comes back short, at one instant', async () => {
    const { cases, calls } = fakeCases([
      { claimed: 3, fired: 3, voided: [] },
      { claimed: 3, fired: 2, voided: ['a'] },
      { claimed: 1, fired: 1, voided: [] },
      { claimed: 3, fired: 3, voided: [] },
    ]);
    const report = await cases(clock, 3).sweep();
    expect(report).toEqual({ fired: 6, voided: ['a'], batches: 3 });
    expect(calls.map((c) => [c.asOf.toISOString(), c.limit])).toEqual(Array(3).fill(['2025-03-13T09:00:00.000Z', 3]));
  });

  it('stops between batches once aborted', async () => {
    const stop = new AbortController();
    const full = { claimed: 2, fired: 2, voided: [] };
    const { cases, calls } = fakeCases([full, full, full, full], (n) => n === 2 && stop.abort());
    const report = await cases(clock, 2).sweep(clock.now(), stop.signal);
    expect(calls).toHaveLength(2);
    expect(report.fired).toBe(4);
  });

  it('answers how many fired from runDue, at the given instant', async () => {
    const { cases, calls } = fakeCases([{ claimed: 1, fired: 1, voided: [] }]);
    expect(await cases(clock, 10).runDue(new Date('2030-01-01T00:00:00Z'))).toBe(1);
    expect(calls[0]!.asOf.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});
