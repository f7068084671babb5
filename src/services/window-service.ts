import { DomainError } from '../domain/errors';
import { validateSuspensionWindow, type SuspensionWindow } from '../domain/suspension';
import type { Db } from '../plugins/db';
import type { CaseService } from './case-service';
import { loadWindows } from './windows';

/** Suspension windows (the seasonal rule): admins add and remove them. */
export class WindowService {
  constructor(
    private readonly db: Db,
    private readonly cases: CaseService,
  ) {}

  list(): Promise<SuspensionWindow[]> {
    return loadWindows(this.db);
  }

  /** Adds a window and recomputes the due times of the waiting cases, in one transaction. */
  async create(w: { from: string; to: string; reason: string }, by: string): Promise<{ window: SuspensionWindow; recomputed: number }> {
    const problems = validateSuspensionWindow(w);
    if (problems.length > 0) {
      throw new DomainError('validation-failed', problems.join('; '), {
        errors: problems.map((m) => ({ in: 'body', path: '', message: m })),
      });
    }
    return this.db.$transaction(async (tx) => {
      const row = await tx.suspensionWindow.create({
        data: { fromDate: new Date(`${w.from}T00:00:00Z`), toDate: new Date(`${w.to}T00:00:00Z`), reason: w.reason, createdBy: by },
      });
      const recomputed = await this.cases.recomputeWaitingTimers(tx);
      return { window: { id: row.id, from: w.from, to: w.to, reason: w.reason }, recomputed };
    });
  }

  /** Removes a window and recomputes the due times of the waiting cases. */
  async remove(id: string): Promise<{ recomputed: number }> {
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.suspensionWindow.deleteMany({ where: { id } });
      if (count === 0) throw new DomainError('not-found', 'No such suspension window.');
      return { recomputed: await this.cases.recomputeWaitingTimers(tx) };
    });
  }
}
