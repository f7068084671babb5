import { FixedClock } from '../../src/domain/clock';
import type { CaseService, TimerBatch } from '../../src/services/case-service';
import { TimerService } from '../../src/services/timer-service';

/** A CaseService stand-in that answers the given batches in turn and records the calls. */
function fakeCases(batches: TimerBatch[], onCall?: (n: number) => void) {
  const calls: Array<{ asOf: Date; limit: number }> = [];
  const cases = {
    fireDueTimers: async (asOf: Date, limit: number) => {
      calls.push({ asOf, limit });
      onCall?.(calls.length);
      return batches.shift() ?? { claimed: 0, fired: 0, voided: [] };
    },
  } as unknown as CaseService;
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
    const report = await new TimerService(cases, clock, 3).sweep();
    expect(report).toEqual({ fired: 6, voided: ['a'], batches: 3 });
    expect(calls.map((c) => [c.asOf.toISOString(), c.limit])).toEqual(
      Array(3).fill(['2025-03-13T09:00:00.000Z', 3]),
    );
  });

  it('stops between batches once aborted', async () => {
    const stop = new AbortController();
    const full = { claimed: 2, fired: 2, voided: [] };
    const { cases, calls } = fakeCases([full, full, full, full], (n) => n === 2 && stop.abort());
    const report = await new TimerService(cases, clock, 2).sweep(clock.now(), stop.signal);
    expect(calls).toHaveLength(2);
    expect(report.fired).toBe(4);
  });

  it('answers how many fired from runDue, at the given instant', async () => {
    const { cases, calls } = fakeCases([{ claimed: 1, fired: 1, voided: [] }]);
    expect(await new TimerService(cases, clock, 10).runDue(new Date('2030-01-01T00:00:00Z'))).toBe(1);
    expect(calls[0]!.asOf.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});
