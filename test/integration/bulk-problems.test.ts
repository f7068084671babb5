import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/**
 * A bulk item answers the problem its operation alone would answer: the same mapping, not a 500
 * where the single endpoint says 400.
 */
describe('POST /v1/cases/bulk item problems match the single endpoint', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  beforeAll(async () => {
    t = await createTestApp();
    h = await headersFor(t);
  });
  afterAll(async () => t.close());

  async function assignedCase(): Promise<string> {
    const res = await api(t).post('/v1/cases', h.requester, { categoryKey: 'general', subject: 'nul', description: 'd' });
    expectStatus(res, 201);
    const id = res.json<{ id: string }>().id;
    expectStatus(await api(t).patch(`/v1/cases/${id}`, h.operator, { assigneeId: 'kari' }), 200);
    return id;
  }

  it('answers a reason with a NUL character 400 validation-failed, alone and in bulk (400)', async () => {
    const id = await assignedCase();
    const alone = await api(t).post(`/v1/cases/${id}/transitions`, h.operator, { to: 'IN_PROGRESS', reason: 'a\u0000b' });
    const bulk = await api(t).post('/v1/cases/bulk', h.operator, {
      operations: [{ op: 'transition', caseId: id, to: 'IN_PROGRESS', reason: 'a\u0000b' }],
    });
    expectStatus(bulk, 200);
    const item = bulk.json<{ results: Array<{ status: number; problem?: { code: string; status: number } }> }>().results[0]!;
    expect(alone.statusCode).toBe(400);
    expect(item.status).toBe(alone.statusCode);
    expect(item.problem).toMatchObject({ code: alone.json<{ code: string }>().code, status: alone.statusCode });
  });
});
