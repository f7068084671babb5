import type pg from 'pg';
import { DomainError } from '../domain/errors';
import { validateSuspensionWindow, type SuspensionWindow } from '../domain/suspension';
import { inTransaction, pgQuery, type Query } from '../db/query';
import { bumpWindowEpoch, deleteWindow, insertWindow, loadWindows, lockWindows } from '../repositories/window-repository';
import type { CaseService } from './case-service';
import type { TimerService } from './timer-service';

/**
 * Suspension windows (the seasonal rule): admins add and remove them. Each edit recomputes, in
 * its own transaction and under the windows lock, the due times of the waiting cases it touches.
 */
export class WindowService {
  private readonly q: Query;

  constructor(
    private readonly pool: pg.Pool,
    private readonly cases: CaseService,
    private readonly timers: TimerService,
  ) {
    this.q = pgQuery(pool);
  }

  list(): Promise<SuspensionWindow[]> {
    return loadWindows(this.q);
  }

  /** Adds a window; answers it and how many waiting cases got a new due time. */
  async create(w: { from: string; to: string; reason: string }, by: string): Promise<{ window: SuspensionWindow; recomputed: number }> {
    const problems = validateSuspensionWindow(w);
    if (problems.length > 0) {
      throw new DomainError('validation-failed', problems.join('; '), {
        errors: problems.map((m) => ({ in: 'body', path: m.startsWith('from:') ? '/from' : '/to', message: m })),
      });
    }
    const out = await inTransaction(this.pool, async (q) => {
      await lockWindows(q, 'exclusive');
      await bumpWindowEpoch(q);
      const id = await insertWindow(q, { ...w, createdBy: by });
      const recomputed = await this.timers.recomputeWaitingTimers(q, w);
      return { window: { id, from: w.from, to: w.to, reason: w.reason }, recomputed };
    });
    this.cases.forgetWindows();
    return out;
  }

  /** Removes a window; answers how many waiting cases got a new due time. */
  async remove(id: string): Promise<{ recomputed: number }> {
    const out = await inTransaction(this.pool, async (q) => {
      await lockWindows(q, 'exclusive');
      await bumpWindowEpoch(q);
      const removed = await deleteWindow(q, id);
      if (!removed) throw new DomainError('not-found', 'No such suspension window.');
      return { recomputed: await this.timers.recomputeWaitingTimers(q, removed) };
    });
    // After the commit: a view reading windows meanwhile would otherwise cache the old ones again.
    this.cases.forgetWindows();
    return out;
  }
}
