import { onRealServer } from '../helpers/db';
import { createTestApp, type TestApp, type Who } from '../helpers/app';

/**
 * Privacy leaks of issue #12, items 1, 2, 3 and 7, each reproduced through the API against
 * PostgreSQL (docs/security.md lists them with their controls).
 */
const KARI: Who = { sub: 'kari-op', roles: ['operator'], teams: ['payroll', 'absence'], name: 'Kari Operatør', employeeNumber: '7007' };
const PER: Who = { sub: 'per-op', roles: ['operator'], teams: ['payroll', 'absence'] };
const OLA: Who = { sub: 'ola-emp', name: 'Ola Nordmann', employeeNumber: '40417' };
const ADMIN: Who = { sub: 'root', roles: ['admin'] };
const MARKER: Who = { sub: 'anonymised', roles: ['requester'] };
const EMPTY_MARKER: Who = { sub: '', roles: ['requester'] };

// The retention sweep reaches every expired case of its database: it needs a database of its own.
const describeOwnDb = onRealServer() ? describe : describe.skip;

describeOwnDb('privacy (issue #12)', () => {
  let t: TestApp;

  async function send(who: Who, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object, status?: number) {
    const res = await t.app.inject({ method, url, headers: await t.auth(who), ...(payload ? { payload } : {}) });
    if (status !== undefined && res.statusCode !== status)
      throw new Error(`${method} ${url}: expected ${status}, got ${res.statusCode}: ${res.body}`);
    return res;
  }
  const file = (who: Who, body: object) => send(who, 'POST', '/v1/cases', body, 201).then((r) => r.json<{ id: string; version: number }>());
  const accessLog = async (id: string) =>
    (await send(ADMIN, 'GET', `/v1/cases/${id}/access-log`, undefined, 200)).json<Array<{ actorId: string; endpoint: string }>>();

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('1. anonymisation leaves nobody behind', () => {
    let id: string;
    /** Everything stored about the case (and answers stored for replay), as text. */
    async function stored(caseId: string): Promise<string> {
      const rows = await t.app.db.$queryRaw<Array<{ t: string }>>`
        SELECT row_to_json(c)::text AS t FROM "case" c WHERE c.id = ${caseId}::uuid
        UNION ALL SELECT row_to_json(m)::text FROM case_message m WHERE m.case_id = ${caseId}::uuid
        UNION ALL SELECT row_to_json(x)::text FROM case_history x WHERE x.case_id = ${caseId}::uuid
        UNION ALL SELECT row_to_json(a)::text FROM attachment a WHERE a.case_id = ${caseId}::uuid
        UNION ALL SELECT row_to_json(e)::text FROM outbox_event e WHERE e.case_id = ${caseId}::uuid
        UNION ALL SELECT row_to_json(l)::text FROM access_log l WHERE l.case_id = ${caseId}::uuid
        UNION ALL SELECT row_to_json(i)::text FROM idempotency_key i WHERE strpos(i.body, ${caseId}) > 0`;
      return rows.map((r) => r.t).join('\n');
    }

    beforeAll(async () => {
      t.clock.set('2025-03-03T09:00:00Z');
      // An operator files a sickness case of their own (idempotently: its answer is stored),
      // reads it, is assigned it by a colleague, and closes it.
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { ...(await t.auth(KARI)), 'idempotency-key': 'own-sick-case' },
        payload: { categoryKey: 'sickness', subject: 'Sick in March', description: 'Back pain' },
      });
      expect(res.statusCode).toBe(201);
      id = res.json().id;
      await send(KARI, 'GET', `/v1/cases/${id}`, undefined, 200);
      // Assigning a case to its own requester is refused since issue #13 (assignees are staff who
      // can handle the case); rows assigned so before then must still be scrubbed, so the
      // assignment is written as it was stored then.
      await send(PER, 'POST', `/v1/cases/${id}/transitions`, { to: 'IN_PROGRESS', assigneeId: PER.sub }, 200);
      await t.app.pool.query(`UPDATE "case" SET assignee_id = $2 WHERE id = $1`, [id, KARI.sub]);
      await t.app.pool.query(
        `INSERT INTO case_history (case_id, at, actor_id, actor_role, field, from_value, to_value)
         VALUES ($1, now(), $2, 'operator', 'assignee', $2, $3)`,
        [id, PER.sub, KARI.sub],
      );
      await send(PER, 'POST', `/v1/cases/${id}/messages`, { body: 'Noted', visibility: 'internal' }, 201);
      await send(KARI, 'POST', `/v1/cases/${id}/transitions`, { to: 'CLOSED', reason: 'Back at work' }, 200);
      expect(await stored(id)).toContain(KARI.sub);
      // Past sickness' retention (24 months after closing).
      const run = await send(ADMIN, 'POST', '/v1/admin/retention/run', { asOf: '2027-04-01T00:00:00Z' }, 200);
      expect(run.json().anonymised).toBeGreaterThanOrEqual(1);
    });

    it('scrubs the person from every table, whatever role they acted in (200)', async () => {
      const text = await stored(id);
      for (const s of [KARI.sub, KARI.name!, KARI.employeeNumber!, 'Sick in March', 'Back pain', 'Back at work']) expect(text).not.toContain(s);
      // Staff who handled it as staff keep their ids (accountability).
      expect(text).toContain(PER.sub);
    });

    it('is found by no token: not by `anonymised`, and an empty subject is no token (404, 401)', async () => {
      await send(MARKER, 'GET', `/v1/cases/${id}`, undefined, 404);
      expect((await send(MARKER, 'GET', '/v1/cases', undefined, 200)).json().items).toEqual([]);
      await send(MARKER, 'POST', `/v1/cases/${id}/transitions`, { to: 'REOPENED_BY_USER' }, 404);
      await send(EMPTY_MARKER, 'GET', '/v1/cases', undefined, 401);
    });

    it('refuses every write: notes, messages, transitions, files (409)', async () => {
      for (const [url, payload] of [
        [`/v1/cases/${id}/messages`, { body: 'late note', visibility: 'internal' }],
        [`/v1/cases/${id}/transitions`, { to: 'REOPENED_BY_USER', onBehalfOfRequester: false }],
      ] as const) {
        const res = await send(ADMIN, 'POST', url, payload);
        expect([res.statusCode, res.json().code]).toEqual([409, 'case-closed']);
      }
      const up = await t.app.inject({
        method: 'POST',
        url: `/v1/cases/${id}/attachments`,
        headers: { ...(await t.auth(ADMIN)), 'content-type': 'multipart/form-data; boundary=b' },
        payload: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n',
      });
      expect([up.statusCode, up.json().code]).toEqual([409, 'case-closed']);
    });
  });

  describe('2. every response with a sensitive case body is a logged read', () => {
    it('logs a PATCH that changes nothing, and bulk results (200)', async () => {
      t.clock.set('2025-03-04T09:00:00Z');
      const c = await file(OLA, { categoryKey: 'sickness', subject: 'Sick', description: 'Flu' });
      await send(PER, 'PATCH', `/v1/cases/${c.id}`, { teamKey: 'absence' }, 200);
      expect(await accessLog(c.id)).toContainEqual(expect.objectContaining({ actorId: PER.sub, endpoint: 'PATCH /v1/cases/:id' }));
      const bulk = await send(PER, 'POST', '/v1/cases/bulk', { operations: [{ op: 'assign', caseId: c.id, assigneeId: PER.sub }] }, 200);
      expect(bulk.json().results[0].case.id).toBe(c.id);
      expect(await accessLog(c.id)).toContainEqual(expect.objectContaining({ actorId: PER.sub, endpoint: 'POST /v1/cases/bulk' }));
    });
  });

  describe('3. staff who are the requester get the requester view of their own case', () => {
    it('hides internal notes about them and refuses staff moves (200, 409, 403)', async () => {
      const c = await file(KARI, { categoryKey: 'salary', subject: 'My own pay', description: 'Missing overtime' });
      await send(PER, 'POST', `/v1/cases/${c.id}/messages`, { body: 'Kari is often late', visibility: 'internal' }, 201);
      const view = (await send(KARI, 'GET', `/v1/cases/${c.id}`, undefined, 200)).json();
      expect(view.allowedTransitions).toEqual(['CLOSED']);
      const messages = (await send(KARI, 'GET', `/v1/cases/${c.id}/messages`, undefined, 200)).json();
      expect(messages.map((m: { body: string }) => m.body)).not.toContain('Kari is often late');
      const history = (await send(KARI, 'GET', `/v1/cases/${c.id}/history`, undefined, 200)).json();
      expect(history.every((h: { internal: boolean }) => !h.internal)).toBe(true);
      const assign = await send(KARI, 'PATCH', `/v1/cases/${c.id}`, { assigneeId: KARI.sub });
      expect(assign.statusCode).toBe(403);
      const complete = await send(KARI, 'POST', `/v1/cases/${c.id}/transitions`, { to: 'COMPLETED' });
      expect([complete.statusCode, complete.json().code]).toEqual([409, 'invalid-transition']);
      // A colleague still handles it as staff.
      expect((await send(PER, 'GET', `/v1/cases/${c.id}/messages`, undefined, 200)).json()).toHaveLength(1);
    });
  });

  describe('4. no privilege escalation through the admin scope', () => {
    const CLIENT: Who = { sub: 'ops-client', roles: ['integration'], scope: ['admin'] };
    it('a client with only the admin scope cannot read, grant or remove staff, itself included (403)', async () => {
      for (const [method, url, payload] of [
        ['GET', '/v1/staff', undefined],
        ['GET', `/v1/staff/${CLIENT.sub}`, undefined],
        ['PUT', `/v1/staff/${CLIENT.sub}`, { roles: ['admin'] }],
        ['PUT', '/v1/staff/someone', { roles: ['operator'], teams: ['absence'] }],
      ] as const) {
        const res = await t.app.inject({ method, url, headers: await t.auth(CLIENT), ...(payload ? { payload } : {}) });
        expect([method, url, res.statusCode, res.json().code]).toEqual([method, url, 403, 'forbidden']);
      }
      const del = await t.app.inject({ method: 'DELETE', url: '/v1/staff/someone', headers: await t.auth(CLIENT) });
      expect(del.statusCode).toBe(403);
      // Nothing was granted: the staff table has no row for the client.
      expect((await send(ADMIN, 'GET', `/v1/staff/${CLIENT.sub}`)).statusCode).toBe(404);
      // An admin signed in as a person still manages staff.
      await send(ADMIN, 'PUT', '/v1/staff/new-op', { roles: ['operator'], teams: ['absence'] }, 201);
    });
  });

  describe('11. a change that takes the case out of sight', () => {
    it('commits and answers the case as the caller left it, with no moves left, not 404 (200)', async () => {
      const ABSENCE_ONLY: Who = { sub: 'siv-op', roles: ['operator'], teams: ['absence'] };
      const c = await file(OLA, { categoryKey: 'sickness', subject: 'Sick', description: 'Misrouted' });
      const res = await send(ABSENCE_ONLY, 'PATCH', `/v1/cases/${c.id}`, { teamKey: 'payroll', reason: 'their case' }, 200);
      expect(res.json()).toMatchObject({ id: c.id, teamKey: 'payroll', allowedTransitions: [] });
      await send(ABSENCE_ONLY, 'GET', `/v1/cases/${c.id}`, undefined, 404);
      expect((await send(PER, 'GET', `/v1/cases/${c.id}`, undefined, 200)).json().teamKey).toBe('payroll');
    });
  });

  describe("7. a requester cannot put someone else's employee number on their case", () => {
    it('refuses another number, keeps their own, lets staff set one (403, 201)', async () => {
      const body = { categoryKey: 'salary', subject: 'Pay', description: 'Question' };
      const other = await send(OLA, 'POST', '/v1/cases', { ...body, employeeNumber: '99999' });
      expect([other.statusCode, other.json().code]).toEqual([403, 'forbidden']);
      const own = await send(OLA, 'POST', '/v1/cases', { ...body, employeeNumber: OLA.employeeNumber }, 201);
      expect(own.json().requester.employeeNumber).toBe(OLA.employeeNumber);
      const implicit = await send(OLA, 'POST', '/v1/cases', body, 201);
      expect(implicit.json().requester.employeeNumber).toBe(OLA.employeeNumber);
      const external = { name: 'Eva Ekstern', phone: '+47 400 00 000' };
      const byStaff = await send(PER, 'POST', '/v1/cases', { ...body, channel: 'phone', externalRequester: external, employeeNumber: '55555' }, 201);
      expect(byStaff.json().requester.employeeNumber).toBe('55555');
    });
  });
});
