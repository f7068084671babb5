import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/* /v1/cases/{id}/links (docs/merge-and-links.md). */

describe('links between cases', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;
  let db: pg.Client;
  let opPayroll: Headers;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    a = api(t);
    opPayroll = await t.auth({ sub: 'oda', roles: ['operator'], teams: ['payroll'] });
    db = new pg.Client({ connectionString: t.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const file = async (who: Headers, body: Record<string, unknown> = {}) => {
    const res = await a.post('/v1/cases', who, { categoryKey: 'general', subject: 'Pay question', description: 'd', ...body });
    expectStatus(res, 201);
    return res.json<{ id: string; number: string }>();
  };
  const del = (id: string, other: string, who: Headers) => t.app.inject({ method: 'DELETE', url: `/v1/cases/${id}/links/${other}`, headers: who });
  const events = async (type: string, ids: string[]) =>
    (
      await db.query<{ case_id: string }>(`SELECT case_id FROM outbox_event WHERE type = $1 AND case_id = ANY($2::uuid[]) ORDER BY position`, [
        type,
        ids,
      ])
    ).rows.map((r) => r.case_id);

  it('links both ways, shows the link on both, and unlinks both ways (201, 200, 204)', async () => {
    const x = await file(h.requester);
    const y = await file(h.requester, { subject: 'Same again' });
    const res = await a.post(`/v1/cases/${x.id}/links`, h.operator, { caseId: y.id, kind: 'duplicate' });
    expectStatus(res, 201);
    expect(res.json()).toMatchObject({ caseId: y.id, number: y.number, kind: 'duplicate', subject: 'Same again', createdBy: 'kari' });

    expect((await a.get(`/v1/cases/${x.id}/links`, h.operator)).json()).toEqual([expect.objectContaining({ caseId: y.id, kind: 'duplicate' })]);
    expect((await a.get(`/v1/cases/${y.id}/links`, h.operator)).json()).toEqual([expect.objectContaining({ caseId: x.id, kind: 'duplicate' })]);
    // The requester owns both, so sees the link.
    expect((await a.get(`/v1/cases/${x.id}/links`, h.requester)).json()).toHaveLength(1);
    expect(await events('case.linked', [x.id, y.id])).toEqual([x.id, y.id]);
    const hist = (await a.get(`/v1/cases/${y.id}/history`, h.operator)).json<Array<Record<string, unknown>>>();
    expect(hist.at(-1)).toMatchObject({ field: 'link', to: `duplicate:${x.number}` });

    const again = await a.post(`/v1/cases/${y.id}/links`, h.operator, { caseId: x.id, kind: 'related' });
    expectStatus(again, 409);
    expect(again.json()).toMatchObject({ reason: 'already-linked' });

    expectStatus(await del(y.id, x.id, h.operator), 204);
    expect((await a.get(`/v1/cases/${x.id}/links`, h.operator)).json()).toEqual([]);
    expect((await a.get(`/v1/cases/${y.id}/links`, h.operator)).json()).toEqual([]);
    expect(await events('case.unlinked', [x.id, y.id])).toEqual([y.id, x.id]);
    expectStatus(await del(y.id, x.id, h.operator), 404);
  });

  it('never shows a requester a link to a case they cannot see', async () => {
    const ola = await file(h.requester);
    const nils = await file(h.otherRequester);
    expectStatus(await a.post(`/v1/cases/${ola.id}/links`, h.operator, { caseId: nils.id, kind: 'related' }), 201);
    expect((await a.get(`/v1/cases/${ola.id}/links`, h.requester)).json()).toEqual([]);
    expect((await a.get(`/v1/cases/${nils.id}/links`, h.otherRequester)).json()).toEqual([]);
    expectStatus(await a.get(`/v1/cases/${nils.id}/links`, h.requester), 404);
    expect((await a.get(`/v1/cases/${ola.id}/links`, h.operator)).json()).toHaveLength(1);
  });

  it('refuses requesters (403), another team on a sensitive case (404), itself and hostile input (400); nothing changes', async () => {
    const x = await file(h.requester);
    const y = await file(h.requester);
    const sick = await file(h.requester, { categoryKey: 'sickness', details: { from: '2025-03-01' } });
    expectStatus(await a.post(`/v1/cases/${x.id}/links`, h.requester, { caseId: y.id, kind: 'related' }), 403);
    expectStatus(await a.post(`/v1/cases/${x.id}/links`, opPayroll, { caseId: sick.id, kind: 'related' }), 404);
    expectStatus(await a.post(`/v1/cases/${sick.id}/links`, opPayroll, { caseId: x.id, kind: 'related' }), 404);
    expectStatus(await a.post(`/v1/cases/${x.id}/links`, h.operator, { caseId: x.id, kind: 'related' }), 400);
    expectStatus(await a.post(`/v1/cases/${x.id}/links`, h.operator, { caseId: y.id, kind: 'friends' }), 400);
    expectStatus(await a.post(`/v1/cases/${x.id}/links`, h.operator, { caseId: "'; DROP TABLE case_link; --", kind: 'related' }), 400);
    expectStatus(await a.post(`/v1/cases/${x.id}/links`, h.operator, { caseId: y.id, kind: 'related', extra: 1 }), 400);
    expectStatus(await del(x.id, 'nope', h.operator), 400);
    const n = await db.query('SELECT 1 FROM case_link WHERE case_id = ANY($1::uuid[])', [[x.id, y.id, sick.id]]);
    expect(n.rowCount).toBe(0);
    const v = await db.query<{ version: number }>('SELECT version FROM "case" WHERE id = ANY($1::uuid[])', [[x.id, y.id, sick.id]]);
    expect(v.rows.map((r) => r.version)).toEqual([1, 1, 1]);
  });
});
