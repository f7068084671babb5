import { pgQuery, type Query } from '../../src/db/query';
import type { StatusStint } from '../../src/domain/sla';
import { replaceStints, type CaseStints } from '../../src/repositories/sla-repository';
import { createTestApp, type TestApp } from '../helpers/app';
import { caseIn, headersFor } from '../helpers/cases';

/**
 * replaceStints writes only what changed (the SLA refresh holds its case_sla rows, which a move
 * of the same case waits for, while it runs): unchanged stints keep their rows, and the stints
 * afterwards are exactly those given, whatever was there before.
 */
describe('the stints a refresh writes', () => {
  let t: TestApp;
  let q: Query;
  let caseId: string;
  let otherId: string;

  const at = (h: number) => new Date(Date.UTC(2025, 2, 3, 8 + h));
  const stint = (status: StatusStint['status'], from: number, to: number | null): StatusStint => ({
    status,
    enteredAt: at(from),
    leftAt: to === null ? null : at(to),
    workingMs: to === null ? null : (to - from) * 3_600_000,
  });
  const of = (id: string, stints: StatusStint[]): CaseStints => ({ caseId: id, filedAt: at(0), categoryKey: 'general', teamKey: 'service', stints });
  const rows = async (id: string) =>
    q<{ id: string; status: string; entered_at: Date; left_at: Date | null; working_ms: string | null }>(
      `SELECT id::text, status::text, entered_at, left_at, working_ms::text FROM case_status_stint WHERE case_id = $1 ORDER BY entered_at, id`,
      [id],
    );

  beforeAll(async () => {
    t = await createTestApp();
    q = pgQuery(t.app.pool);
    const h = await headersFor(t);
    const file = async () => (await caseIn(t, h, 'REGISTERED')).id;
    caseId = await file();
    otherId = await file();
  });
  afterAll(async () => t.close());

  it('keeps unchanged stints, replaces changed ones, adds new ones and drops the rest', async () => {
    await replaceStints(q, [of(caseId, [stint('REGISTERED', 0, 1), stint('ASSIGNED', 1, null)]), of(otherId, [stint('REGISTERED', 0, null)])]);
    const first = await rows(caseId);
    expect(first.map((r) => [r.status, r.left_at])).toEqual([
      ['REGISTERED', at(1)],
      ['ASSIGNED', null],
    ]);

    // A move: the open stint closes and a new one opens.
    await replaceStints(q, [of(caseId, [stint('REGISTERED', 0, 1), stint('ASSIGNED', 1, 3), stint('IN_PROGRESS', 3, null)])]);
    const second = await rows(caseId);
    expect(second.map((r) => [r.status, r.left_at, r.working_ms])).toEqual([
      ['REGISTERED', at(1), String(3_600_000)],
      ['ASSIGNED', at(3), String(2 * 3_600_000)],
      ['IN_PROGRESS', null, null],
    ]);
    expect(second[0]!.id).toBe(first[0]!.id); // not rewritten
    expect(second[1]!.id).not.toBe(first[1]!.id); // changed: replaced

    // Another case of the batch is left alone when it is not in the call.
    expect((await rows(otherId)).map((r) => r.status)).toEqual(['REGISTERED']);

    // No stints at all: every row of the case goes.
    await replaceStints(q, [of(caseId, [])]);
    expect(await rows(caseId)).toEqual([]);
  });

  it('keeps as many copies of an identical stint as it is given', async () => {
    const twice = [stint('ON_HOLD', 5, 6), stint('ON_HOLD', 5, 6)];
    await replaceStints(q, [of(caseId, twice)]);
    expect(await rows(caseId)).toHaveLength(2);
    await replaceStints(q, [of(caseId, [stint('ON_HOLD', 5, 6)])]);
    expect(await rows(caseId)).toHaveLength(1);
    await replaceStints(q, [of(caseId, [...twice, stint('ON_HOLD', 5, 6)])]);
    expect(await rows(caseId)).toHaveLength(3);
  });
});
