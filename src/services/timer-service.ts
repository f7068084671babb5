import type { Clock } from '../domain/clock';
import type { Db } from '../plugins/db';
import type { CaseService } from './case-service';

/**
 * Fires due timed transitions. Timers live in the database (case_timer); any number of
 * instances may sweep at once: each firing locks its case and timer with SKIP LOCKED and
 * re-checks them, so a timer fires once however many sweepers see it.
 */
export class TimerService {
  constructor(
    private readonly db: Db,
    private readonly cases: CaseService,
    private readonly clock: Clock,
    private readonly batchSize: number,
  ) {}

  /** Fires every timer due at `asOf` (now by default); answers how many fired. */
  async runDue(asOf: Date = this.clock.now()): Promise<number> {
    let fired = 0;
    let after: { dueAt: Date; caseId: string } | null = null;
    for (;;) {
      const due: Array<{ caseId: string; fromStatus: string; toStatus: string; dueAt: Date }> =
        await this.db.caseTimer.findMany({
          where: {
            dueAt: { lte: asOf },
            ...(after ? { OR: [{ dueAt: { gt: after.dueAt } }, { dueAt: after.dueAt, caseId: { gt: after.caseId } }] } : {}),
          },
          orderBy: [{ dueAt: 'asc' }, { caseId: 'asc' }],
          take: this.batchSize,
        });
      for (const t of due) {
        if (await this.cases.fireTimer(t.caseId, t.fromStatus as never, t.toStatus as never, asOf)) fired++;
      }
      if (due.length < this.batchSize) return fired;
      const last = due[due.length - 1]!;
      after = { dueAt: last.dueAt, caseId: last.caseId };
    }
  }
}
