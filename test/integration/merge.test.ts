import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/* POST /v1/cases/{id}/merge (docs/merge-and-links.md). */

function multipart(filename: string, contentType: string, data: Buffer): { payload: Buffer; headers: Headers } {
  const boundary = `----saksflyt${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('merging cases', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;
  let db: pg.Client;
  let opAbsence: Headers;
  let opPayroll: Headers;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    a = api(t);
    opAbsence = await t.auth({ sub: 'otto', roles: ['operator'], teams: ['absence'] });
    opPayroll = await t.auth({ sub: 'oda', roles: ['operator'], teams: ['payroll'] });
    db = new pg.Client({ connectionString: t.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const file = async (who: Headers, body: Record<string, unknown> = {}) => {
    const res = await a.post('/v1/cases', who, { categoryKey: 'general', subject: 'Holiday pay missing', description: 'd', ...body });
    expectStatus(res, 201);
    return res.json<{ id: string; number: string }>();
  };
  const merge = (id: string, into: string, who: Headers, headers: Headers = {}) =>
    t.app.inject({ method: 'POST', url: `/v1/cases/${id}/merge`, headers: { ...who, ...headers }, payload: { into } });
  const state = async (id: string) => {
    const { rows } = await db.query<{ status: string; version: number; history: number; messages: number; files: number }>(
      `SELECT c.status::text AS status, c.version,
              (SELECT count(*)::int FROM case_history WHERE case_id = c.id) AS history,
              (SELECT count(*)::int FROM case_message WHERE case_id = c.id) AS messages,
              (SELECT count(*)::int FROM attachment WHERE case_id = c.id) AS files
         FROM "case" c WHERE c.id = $1`,
      [id],
    );
    return rows[0]!;
  };

  it('moves messages and files to the target, closes the source, records both sides (200)', async () => {
    t.clock.set('2025-03-03T09:00:00Z');
    const source = await file(h.requester);
    const target = await file(h.requester, { subject: 'Feriepenger' });
    t.clock.set('2025-03-03T09:05:00Z');
    expectStatus(await a.post(`/v1/cases/${source.id}/messages`, h.requester, { body: 'My own words' }), 201);
    t.clock.set('2025-03-03T09:10:00Z');
    expectStatus(await a.post(`/v1/cases/${source.id}/messages`, h.operator, { body: 'INTERNAL about Ola', visibility: 'internal' }), 201);
    const data = Buffer.from('%PDF-1.4 payslip');
    const m = multipart('payslip.pdf', 'application/pdf', data);
    const up = await t.app.inject({
      method: 'POST',
      url: `/v1/cases/${source.id}/attachments`,
      headers: { ...h.requester, ...m.headers },
      payload: m.payload,
    });
    expectStatus(up, 201);
    const attId = up.json<{ id: string }>().id;
    const before = await a.get(`/v1/cases/${source.id}`, h.operator);

    t.clock.set('2025-03-04T10:00:00Z');
    const res = await merge(source.id, target.id, h.operator, { 'if-match': before.headers.etag as string });
    expectStatus(res, 200);
    expect(res.json()).toMatchObject({ id: source.id, status: 'CLOSED', mergedInto: target.id });
    expect(res.headers.etag).toBe(`"${res.json<{ version: number }>().version}"`);

    // The target lists the moved messages with their authors, times and visibility.
    const staffView = (await a.get(`/v1/cases/${target.id}/messages`, h.operator)).json<Array<Record<string, unknown>>>();
    expect(staffView).toEqual([
      expect.objectContaining({
        body: 'My own words',
        visibility: 'public',
        author: expect.objectContaining({ id: 'ola', role: 'requester' }),
        createdAt: '2025-03-03T09:05:00.000Z',
      }),
      expect.objectContaining({
        body: 'INTERNAL about Ola',
        visibility: 'internal',
        author: expect.objectContaining({ id: 'kari' }),
        createdAt: '2025-03-03T09:10:00.000Z',
      }),
    ]);
    const requesterView = (await a.get(`/v1/cases/${target.id}/messages`, h.requester)).json<Array<{ body: string }>>();
    expect(requesterView.map((x) => x.body)).toEqual(['My own words']);
    expect((await a.get(`/v1/cases/${source.id}/messages`, h.operator)).json()).toEqual([]);

    // The file is served through the target, no longer through the source.
    const dl = await a.get(`/v1/cases/${target.id}/attachments/${attId}`, h.requester);
    expectStatus(dl, 200);
    expect(dl.rawPayload.equals(data)).toBe(true);
    expectStatus(await a.get(`/v1/cases/${source.id}/attachments/${attId}`, h.requester), 404);
    expect((await a.get(`/v1/cases/${target.id}`, h.operator)).json().attachments).toEqual([expect.objectContaining({ id: attId })]);

    // History on both names the other; the source's status row says why.
    const sh = (await a.get(`/v1/cases/${source.id}/history`, h.requester)).json<Array<Record<string, unknown>>>();
    expect(sh.slice(-2)).toEqual([
      expect.objectContaining({ field: 'merged_into', to: target.number, actor: expect.objectContaining({ id: 'kari' }) }),
      expect.objectContaining({ field: 'status', to: 'CLOSED', reason: `merged into ${target.number}` }),
    ]);
    const th = (await a.get(`/v1/cases/${target.id}/history`, h.operator)).json<Array<Record<string, unknown>>>();
    expect(th.at(-1)).toEqual(expect.objectContaining({ field: 'merged_from', to: source.number }));

    // One case.merged event each, in the same statement.
    const ev = await db.query<{ case_id: string; payload: Record<string, unknown> }>(
      `SELECT case_id, payload FROM outbox_event WHERE type = 'case.merged' AND case_id = ANY($1::uuid[]) ORDER BY position`,
      [[source.id, target.id]],
    );
    expect(ev.rows.map((r) => [r.case_id, r.payload.role, r.payload.movedMessages, r.payload.movedAttachments])).toEqual([
      [source.id, 'source', 2, 1],
      [target.id, 'target', 2, 1],
    ]);

    // The requester follows the source to where it went.
    const mine = await a.get(`/v1/cases/${source.id}`, h.requester);
    expect(mine.json()).toMatchObject({ status: 'CLOSED', mergedInto: target.id, allowedTransitions: [] });
    // It is not reopened: the conversation goes on in the target.
    const reopen = await a.post(`/v1/cases/${source.id}/transitions`, h.requester, { to: 'REOPENED_BY_USER' });
    expectStatus(reopen, 409);
    expect(reopen.json()).toMatchObject({ code: 'case-closed', mergedInto: target.id });
    expect((await a.get(`/v1/cases/${target.id}`, h.operator)).json().mergedInto).toBeNull();
  });

  it('refuses requesters (403) and a stale If-Match (412); nothing changes', async () => {
    const s = await file(h.requester);
    const tg = await file(h.requester);
    const before = [await state(s.id), await state(tg.id)];
    const r = await merge(s.id, tg.id, h.requester);
    expectStatus(r, 403);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expectStatus(await merge(s.id, tg.id, h.operator, { 'if-match': '"7"' }), 412);
    expect([await state(s.id), await state(tg.id)]).toEqual(before);
  });

  it('hides a sensitive case from an operator of another team (404) and keeps sensitive content in its team (409)', async () => {
    const sick = await file(h.requester, { categoryKey: 'sickness', details: { from: '2025-03-01' } });
    const sick2 = await file(h.requester, { categoryKey: 'sickness', details: { from: '2025-03-01' } });
    const plain = await file(h.requester);
    const before = await state(sick.id);
    expectStatus(await merge(sick.id, sick2.id, opPayroll), 404);
    expectStatus(await merge(plain.id, sick.id, opPayroll), 404);
    const down = await merge(sick.id, plain.id, opAbsence);
    expectStatus(down, 409);
    expect(down.json()).toMatchObject({ code: 'conflict', reason: 'less-protected-target' });
    expect(await state(sick.id)).toEqual(before);
    expectStatus(await merge(sick.id, sick2.id, opAbsence), 200);
  });

  it('refuses itself (400), a closed or merged case (409), an anonymised one (409), another requester (409), an unknown target (404)', async () => {
    const s = await file(h.requester);
    const self = await merge(s.id, s.id, h.operator);
    expectStatus(self, 400);

    const closed = await file(h.requester);
    expectStatus(await a.post(`/v1/cases/${closed.id}/transitions`, h.requester, { to: 'CLOSED' }), 200);
    expect((await merge(s.id, closed.id, h.operator)).json()).toMatchObject({ status: 409, code: 'case-closed', mergeRole: 'target' });
    expect((await merge(closed.id, s.id, h.operator)).json()).toMatchObject({ status: 409, code: 'case-closed', mergeRole: 'source' });

    const gone = await file(h.requester);
    await db.query(`UPDATE "case" SET status = 'CLOSED', closed_at = now(), anonymised_at = now() WHERE id = $1`, [gone.id]);
    expect((await merge(s.id, gone.id, h.operator)).json()).toMatchObject({ status: 409, code: 'case-closed', anonymised: true });

    const nils = await file(h.otherRequester);
    const other = await merge(s.id, nils.id, h.operator);
    expectStatus(other, 409);
    expect(other.json()).toMatchObject({ reason: 'different-requester' });

    expectStatus(await merge(s.id, '00000000-0000-4000-8000-000000000000', h.operator), 404);
    expectStatus(await merge(s.id, 'not-a-uuid', h.operator), 400);
    expect(await state(s.id)).toMatchObject({ status: 'REGISTERED', version: 1 });

    // A merged case cannot be merged again, nor take a merge: no chains, no cycles.
    const x = await file(h.requester);
    const y = await file(h.requester);
    expectStatus(await merge(x.id, y.id, h.operator), 200);
    expectStatus(await merge(y.id, x.id, h.operator), 409);
    expectStatus(await merge(x.id, s.id, h.operator), 409);
  });

  it('lets exactly one of two concurrent merges of a case through (200, 409)', async () => {
    const s = await file(h.requester);
    const b = await file(h.requester);
    const c = await file(h.requester);
    const [r1, r2] = await Promise.all([merge(s.id, b.id, h.operator), merge(s.id, c.id, h.operator2)]);
    expect([r1.statusCode, r2.statusCode].sort()).toEqual([200, 409]);
    const events = await db.query(`SELECT 1 FROM outbox_event WHERE type = 'case.merged' AND case_id = $1`, [s.id]);
    expect(events.rowCount).toBe(1);

    // Crossed merges of a pair: one wins, the other finds its case closed.
    const p = await file(h.requester);
    const q = await file(h.requester);
    const [x1, x2] = await Promise.all([merge(p.id, q.id, h.operator), merge(q.id, p.id, h.operator2)]);
    expect([x1.statusCode, x2.statusCode].sort()).toEqual([200, 409]);
    const statuses = [(await state(p.id)).status, (await state(q.id)).status].sort();
    expect(statuses).toEqual(['CLOSED', 'REGISTERED']);
  });
});
