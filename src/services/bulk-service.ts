import type { Principal } from '../domain/roles';
import type { CaseDto } from '../schemas/case';
import type { CaseService } from './case-service';
import { mapLimit } from './map-limit';

/** One operation of a bulk request. */
export type BulkOperation =
  | { op: 'assign'; caseId: string; assigneeId: string | null; reason?: string }
  | { op: 'transition'; caseId: string; to: Parameters<CaseService['transition']>[2]['to']; reason?: string }
  | { op: 'setTeam'; caseId: string; teamKey: string; reason?: string };

/** The outcome of one operation: the case after it, or the error that refused it. */
export type BulkOutcome = { index: number; ok: true; case: CaseDto } | { index: number; ok: false; error: unknown };

/** Where bulk results, which show each case, are logged as reads of sensitive cases. */
const BULK = 'POST /v1/cases/bulk';

/** Cases worked on at once; each operation is its own transaction and holds one connection. */
const CONCURRENCY = 4;

/**
 * Applies operations one by one through CaseService, each in its own transaction, so a refused
 * operation leaves the others applied. Operations on the same case run in request order (one
 * after another); different cases run a few at a time.
 */
export class BulkService {
  constructor(private readonly cases: CaseService) {}

  async apply(p: Principal, operations: readonly BulkOperation[]): Promise<BulkOutcome[]> {
    const byCase = new Map<string, number[]>();
    operations.forEach((op, index) => {
      const list = byCase.get(op.caseId) ?? [];
      list.push(index);
      byCase.set(op.caseId, list);
    });
    const outcomes = new Array<BulkOutcome>(operations.length);
    await mapLimit([...byCase.values()], CONCURRENCY, async (indexes) => {
      for (const index of indexes) {
        try {
          outcomes[index] = { index, ok: true, case: await this.one(p, operations[index]!) };
        } catch (error) {
          outcomes[index] = { index, ok: false, error };
        }
      }
    });
    return outcomes;
  }

  private one(p: Principal, op: BulkOperation): Promise<CaseDto> {
    switch (op.op) {
      case 'assign':
        return this.cases.patch(p, op.caseId, { assigneeId: op.assigneeId, reason: op.reason }, undefined, BULK);
      case 'setTeam':
        return this.cases.patch(p, op.caseId, { teamKey: op.teamKey, reason: op.reason }, undefined, BULK);
      case 'transition':
        return this.cases.transition(p, op.caseId, { to: op.to, reason: op.reason }, undefined, BULK);
    }
  }
}
