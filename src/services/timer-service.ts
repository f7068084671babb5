import type { Clock } from '../domain/clock';
import type { CaseService } from './case-service';

/** What a sweep did. */
export interface SweepReport {
  /** Timers that moved their case. */
  fired: number;
  /** Cases whose timer was void instead (stale, or refused by the transition graph). */
  voided: string[];
  batches: number;
}

/**
 * Fires due timed transitions. Timers live in the database (case_timer), so a restart loses
 * none and an overdue one fires at the next sweep. Any number of instances may sweep at once:
 * each batch claims its timers with FOR UPDATE SKIP LOCKED, so a timer fires once however many
 * sweepers see it.
 */
export class TimerService {
  constructor(
    private readonly cases: CaseService,
    private readonly clock: Clock,
    private readonly batchSize: number,
  ) {}

  /** Fires every timer due at `asOf` (now by default); answers how many fired. */
  async runDue(asOf: Date = this.clock.now()): Promise<number> {
    return (await this.sweep(asOf)).fired;
  }

  /**
   * Fires batches of timers due at `asOf` until none is left that no other sweeper holds, or
   * `signal` aborts (checked between batches, so closing the app never cuts a batch short).
   */
  async sweep(asOf: Date = this.clock.now(), signal?: AbortSignal): Promise<SweepReport> {
    const report: SweepReport = { fired: 0, voided: [], batches: 0 };
    while (!signal?.aborted) {
      const batch = await this.cases.fireDueTimers(asOf, this.batchSize);
      report.batches++;
      report.fired += batch.fired;
      report.voided.push(...batch.voided);
      // A short batch means every due timer left is held by another sweeper, which fires it.
      if (batch.claimed < this.batchSize) break;
    }
    return report;
  }
}
