import { DomainError } from '../domain/errors';
import { validateSuspensionWindow, type SuspensionWindow } from '../domain/suspension';
import type { Db } from '../db/client';
import type { CaseService } from './case-service';
import type { TimerService } from './timer-service';
import { prismaQuery } from '../db/query';
import { loadWindows, lockWindows } from './windows';

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Suspension windows (the seasonal rule): admins add and remove them. Each edit recomputes, in
 * its own transaction and under the windows lock, the due times of the waiting cases it touches.
 */
export class WindowService {
  constructor(
    private readonly db: Db,
    private readonly cases: CaseService,
    private readonly timers: TimerService,
  ) {}

  list(): Promise<SuspensionWindow[]> {
    return loadWindows(prismaQuery(this.db));
  }

  /** Adds a window; answers it and how many waiting cases got a new due time. */
  async create(w: { from: string; to: string; reason: string }, by: string): Promise<{ window: SuspensionWindow; recomputed: number }> {
    const problems = validateSuspensionWindow(w);
    if (problems.length > 0) {
      throw new DomainError('validation-failed', problems.join('; '), {
        errors: problems.map((m) => ({ in: 'body', path: m.startsWith('from:') ? '/from' : '/to', message: m })),
      });
    }
    const out = await this.db.$transaction(async (tx) => {
      await lockWindows(prismaQuery(tx), 'exclusive');
      const row = await tx.suspensionWindow.create({
        data: { fromDate: new Date(`${w.from}T00:00:00Z`), toDate: new Date(`${w.to}T00:00:00Z`), reason: w.reason, createdBy: by },
      });
      const recomputed = await this.timers.recomputeWaitingTimers(prismaQuery(tx), w);
      return { window: { id: row.id, from: w.from, to: w.to, reason: w.reason }, recomputed };
    });
    this.cases.forgetWindows();
    return out;
  }

  /** Removes a window; answers how many waiting cases got a new due time. */
  async remove(id: string): Promise<{ recomputed: number }> {
    const out = await this.db.$transaction(async (tx) => {
      await lockWindows(prismaQuery(tx), 'exclusive');
      const row = await tx.suspensionWindow.findUnique({ where: { id } });
      if (!row) throw new DomainError('not-found', 'No such suspension window.');
      await tx.suspensionWindow.delete({ where: { id } });
      return { recomputed: await this.timers.recomputeWaitingTimers(prismaQuery(tx), { from: isoDate(row.fromDate), to: isoDate(row.toDate) }) };
    });
    // After the commit: a view reading windows meanwhile would otherwise cache the old ones again.
    this.cases.forgetWindows();
    return out;
  }
}
