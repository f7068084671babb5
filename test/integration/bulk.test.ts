import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { mapLimit } from '../../src/services/map-limit';

interface BulkAnswer {
  results: Array<{ index: number; status: number; case?: { id: string; status: string }; problem?: { code: string; status: number } }>;
  succeeded: number;
  failed: number;
}

describe('POST /v1/cases/bulk', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  beforeAll(async () => {
    t = await createTestApp();
    h = await headersFor(t);
  });
  afterAll(async () => t.close());

  async function fileCases(n: number): Promise<string[]> {
    return mapLimit(
      Array.from({ length: n }, (_, i) => i),
      5,
      async (i) => {
        const res = await api(t).post('/v1/cases', h.requester, { categoryKey: 'general', subject: `bulk ${i}`, description: 'd' });
        expectStatus(res, 201);
        return res.json<{ id: string }>().id;
      },
    );
  }

  it('applies 490 of 500 operations and reports the 10 invalid ones (200)', async () => {
    const ids = await fileCases(98);
    // Per case, in order: assign → IN_PROGRESS → team payroll → ON_HOLD → IN_PROGRESS.
    const valid = ids.flatMap((caseId) => [
      { op: 'assign', caseId, assigneeId: 'kari' },
      { op: 'transition', caseId, to: 'IN_PROGRESS' },
      { op: 'setTeam', caseId, teamKey: 'payroll', reason: 'salary question' },
      { op: 'transition', caseId, to: 'ON_HOLD' },
      { op: 'transition', caseId, to: 'IN_PROGRESS' },
    ]);
    const missing = '00000000-0000-4000-8000-000000000000';
    const invalid: Array<{ op: Record<string, unknown>; status: number; code: string }> = [
      { op: { op: 'assign', caseId: missing, assigneeId: 'kari' }, status: 404, code: 'not-found' },
      { op: { op: 'transition', caseId: missing, to: 'IN_PROGRESS' }, status: 404, code: 'not-found' },
      { op: { op: 'setTeam', caseId: missing, teamKey: 'payroll' }, status: 404, code: 'not-found' },
      { op: { op: 'setTeam', caseId: ids[0]!, teamKey: 'no-such-team' }, status: 400, code: 'validation-failed' },
      { op: { op: 'setTeam', caseId: ids[1]!, teamKey: 'no-such-team' }, status: 400, code: 'validation-failed' },
      { op: { op: 'transition', caseId: ids[2]!, to: 'REOPENED_BY_USER' }, status: 409, code: 'invalid-transition' },
      { op: { op: 'transition', caseId: ids[3]!, to: 'CLOSED' }, status: 409, code: 'invalid-transition' },
      { op: { op: 'transition', caseId: ids[4]!, to: 'WAITING_FOR_USER' }, status: 409, code: 'reply-required' },
      { op: { op: 'transition', caseId: ids[5]!, to: 'REGISTERED' }, status: 409, code: 'invalid-transition' },
      { op: { op: 'transition', caseId: ids[6]!, to: 'WAITING_FOR_USER' }, status: 409, code: 'reply-required' },
    ];
    // Scatter the invalid operations: every 50th slot, after the valid ones of that case so far.
    const operations: Array<Record<string, unknown>> = [...valid];
    const invalidAt: number[] = [];
    invalid.forEach((inv, k) => {
      const at = k * 50 + 7;
      operations.splice(at, 0, inv.op);
      invalidAt.push(at);
    });
    expect(operations).toHaveLength(500);

    const res = await api(t).post('/v1/cases/bulk', h.operator, { operations });
    expectStatus(res, 200);
    const body = res.json<BulkAnswer>();
    expect(body.results).toHaveLength(500);
    expect(body.results.map((r) => r.index)).toEqual(operations.map((_, i) => i));
    expect(body).toMatchObject({ succeeded: 490, failed: 10 });

    const failed = body.results.filter((r) => r.status !== 200);
    expect(failed.map((r) => r.index)).toEqual(invalidAt);
    failed.forEach((r, k) => {
      expect(r.status).toBe(invalid[k]!.status);
      expect(r.problem).toMatchObject({ code: invalid[k]!.code, status: invalid[k]!.status });
      expect(r.case).toBeUndefined();
    });
    expect(body.results.filter((r) => r.status === 200).every((r) => r.case !== undefined && r.problem === undefined)).toBe(true);

    const rows = await t.app.db.case.findMany({ where: { id: { in: ids } } });
    expect(rows).toHaveLength(98);
    for (const c of rows) expect(c).toMatchObject({ status: 'IN_PROGRESS', teamKey: 'payroll', assigneeId: 'kari', version: 6 });
    expect(await t.app.db.caseHistory.count({ where: { caseId: { in: ids }, field: 'team', toValue: 'payroll' } })).toBe(98);
  });

  it('refuses a malformed operation as a whole, and more than 500 (400)', async () => {
    const bad = await api(t).post('/v1/cases/bulk', h.operator, { operations: [{ op: 'delete', caseId: '00000000-0000-4000-8000-000000000000' }] });
    expect(bad.statusCode).toBe(400);
    const many = Array.from({ length: 501 }, () => ({ op: 'assign', caseId: '00000000-0000-4000-8000-000000000000', assigneeId: 'x' }));
    expect((await api(t).post('/v1/cases/bulk', h.operator, { operations: many })).statusCode).toBe(400);
  });

  it("applies each operation with the caller's rights: a requester may not assign (403)", async () => {
    const [id] = await fileCases(1);
    const res = await api(t).post('/v1/cases/bulk', h.requester, {
      operations: [
        { op: 'assign', caseId: id, assigneeId: 'ola' },
        { op: 'transition', caseId: id, to: 'CLOSED', reason: 'solved it myself' },
      ],
    });
    expectStatus(res, 200);
    const body = res.json<BulkAnswer>();
    expect(body.results.map((r) => r.status)).toEqual([403, 200]);
    expect(body.results[1]!.case!.status).toBe('CLOSED');
  });
});
