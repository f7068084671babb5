import { createTestApp, signFor, type TestApp, type Who } from '../helpers/app';
import { api, expectStatus, type Headers } from '../helpers/cases';

/*
 * Issue #13, points 2 and 5: employees filed for by phone, e-mail and post (by Feide id or
 * employee number, with a pending match for a number no one holds yet), the person directory,
 * GET /v1/me, team members, and assignees that must be staff able to handle the case.
 */

const KARI: Who = { sub: 'kari', roles: ['operator'], teams: ['service', 'absence'], name: 'Kari Saksbehandler', employeeNumber: '7007' };
const PER: Who = { sub: 'per', roles: ['operator'], teams: ['service'], name: 'Per Saksbehandler' };
const ADMIN: Who = { sub: 'root', roles: ['admin'], name: 'Admin' };
const EMIL: Who = { sub: 'emil@uni.no', name: 'Emil Ansatt', employeeNumber: '31337' };
const NORA: Who = { sub: 'nora@uni.no', name: 'Nora Ny', employeeNumber: '42424' };
const TORE: Who = { sub: 'tore@uni.no', name: 'Tore Tredje', employeeNumber: '55501' };

const phoneCase = { categoryKey: 'general', subject: 'Called about overtime', description: 'May overtime missing', channel: 'phone' };

describe('people: filing for employees, the directory, assignees (issue #13)', () => {
  let t: TestApp;
  let a: ReturnType<typeof api>;
  let kari: Headers;
  let per: Headers;
  let admin: Headers;

  /** A fresh token: its first request is a sign-in (verified, not reused from the token cache). */
  const signIn = async (who: Who): Promise<Headers> => ({ authorization: `Bearer ${await signFor(t.issuer, who)}` });

  beforeAll(async () => {
    t = await createTestApp();
    a = api(t);
    kari = await t.auth(KARI);
    per = await t.auth(PER);
    admin = await t.auth(ADMIN);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('filing for an employee (point 2)', () => {
    it('files a phone case for an employee known by number: they are the requester and see, answer, close and reopen it (201)', async () => {
      const emil = await signIn(EMIL);
      expectStatus(await a.get('/v1/me', emil), 200); // Emil has signed in once: the directory knows his number.

      const res = await a.post('/v1/cases', kari, { ...phoneCase, employeeNumber: EMIL.employeeNumber });
      expectStatus(res, 201);
      const c = res.json();
      expect(c).toMatchObject({
        channel: 'phone',
        requester: { id: EMIL.sub, name: EMIL.name, employeeNumber: EMIL.employeeNumber, external: null },
        filedBy: { id: 'kari', role: 'operator' },
      });

      const list = (await a.get('/v1/cases', emil)).json();
      expect(list.items.map((x: { id: string }) => x.id)).toContain(c.id);
      expect((await a.get(`/v1/cases/${c.id}`, emil)).json()).toMatchObject({ id: c.id, allowedTransitions: ['CLOSED'] });
      expectStatus(await a.post(`/v1/cases/${c.id}/messages`, emil, { body: 'Here is my timesheet' }), 201);
      expect((await a.post(`/v1/cases/${c.id}/transitions`, emil, { to: 'CLOSED' })).json()).toMatchObject({ status: 'CLOSED' });
      expect((await a.post(`/v1/cases/${c.id}/transitions`, emil, { to: 'REOPENED_BY_USER' })).json()).toMatchObject({
        status: 'REOPENED_BY_USER',
      });
      const history = (await a.get(`/v1/cases/${c.id}/history`, kari)).json();
      expect(history[0]).toMatchObject({ field: 'created', actor: { id: 'kari', role: 'operator', onBehalfOf: null } });
    });

    it('files by Feide id (requesterId), by e-mail or post (201)', async () => {
      for (const channel of ['email', 'post'] as const) {
        const res = await a.post('/v1/cases', kari, { ...phoneCase, channel, requesterId: 'someone@uni.no' });
        expectStatus(res, 201);
        expect(res.json()).toMatchObject({ channel, requester: { id: 'someone@uni.no', external: null }, filedBy: { id: 'kari' } });
      }
      const someone = await signIn({ sub: 'someone@uni.no' });
      expect((await a.get('/v1/cases', someone)).json().items).toHaveLength(2);
    });

    it('an unknown number waits for its person: tied to them at their first sign-in, by the system (201)', async () => {
      const res = await a.post('/v1/cases', kari, { ...phoneCase, channel: 'post', employeeNumber: NORA.employeeNumber });
      expectStatus(res, 201);
      const c = res.json();
      expect(c.requester).toEqual({ id: null, name: null, employeeNumber: NORA.employeeNumber, external: null });

      // Nora's first request is her sign-in: it already shows her the case.
      const nora = await signIn(NORA);
      const list = (await a.get('/v1/cases', nora)).json();
      expect(list.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
      const after = (await a.get(`/v1/cases/${c.id}`, nora)).json();
      expect(after).toMatchObject({ requester: { id: NORA.sub, name: NORA.name, employeeNumber: NORA.employeeNumber }, version: 2 });
      const history = (await a.get(`/v1/cases/${c.id}/history`, kari)).json();
      expect(history.at(-1)).toMatchObject({ field: 'requester', from: null, to: NORA.sub, actor: { id: 'system', role: 'system' } });
      const events = await t.app.pool.query(`SELECT payload FROM outbox_event WHERE case_id = $1 AND type = 'case.updated'`, [c.id]);
      expect(events.rows.map((r) => r.payload)).toEqual([expect.objectContaining({ fields: ['requester'], version: 2 })]);

      // Matched once: signing in again changes nothing.
      await a.get('/v1/me', await signIn(NORA));
      expect((await a.get(`/v1/cases/${c.id}`, nora)).json().version).toBe(2);
      expectStatus(await a.post(`/v1/cases/${c.id}/transitions`, nora, { to: 'CLOSED' }), 200);
    });

    it('an admin recording the person ties the waiting case too (PUT /v1/people, 201)', async () => {
      const res = await a.post('/v1/cases', per, { ...phoneCase, employeeNumber: TORE.employeeNumber });
      const c = res.json();
      expect(c.requester.id).toBeNull();
      const put = await a.put(`/v1/people/${encodeURIComponent(TORE.sub)}`, admin, { name: TORE.name, employeeNumber: TORE.employeeNumber });
      expectStatus(put, 201);
      expect(put.json()).toMatchObject({ subject: TORE.sub, name: TORE.name, employeeNumber: TORE.employeeNumber, email: null });
      expect((await a.get(`/v1/cases/${c.id}`, kari)).json().requester).toMatchObject({ id: TORE.sub, name: TORE.name });
      expect((await a.get(`/v1/people/${encodeURIComponent(TORE.sub)}`, admin)).json()).toMatchObject({ employeeNumber: TORE.employeeNumber });
      // A number someone else holds is a conflict; the person's own is fine.
      expectStatus(await a.put('/v1/people/other', admin, { employeeNumber: TORE.employeeNumber }), 409);
      expectStatus(await a.put(`/v1/people/${encodeURIComponent(TORE.sub)}`, admin, { name: TORE.name, employeeNumber: TORE.employeeNumber }), 200);
      expectStatus(await a.put(`/v1/people/x`, kari, { name: 'X' }), 403);
      expectStatus(await a.get('/v1/people/nobody', admin), 404);
    });

    it('refuses the fields to requesters, the portal channel, and an employee together with an external requester (403, 400)', async () => {
      const ola = await t.auth({ sub: 'ola', employeeNumber: '1001' });
      expect((await a.post('/v1/cases', ola, { ...phoneCase, channel: undefined, requesterId: 'emil@uni.no' })).json()).toMatchObject({
        status: 403,
        code: 'forbidden',
      });
      expectStatus(await a.post('/v1/cases', ola, { ...phoneCase, channel: undefined, employeeNumber: '31337' }), 403);
      const portal = await a.post('/v1/cases', kari, { ...phoneCase, channel: 'portal', employeeNumber: '31337' });
      expect(portal.json()).toMatchObject({ status: 400, code: 'validation-failed' });
      const both = await a.post('/v1/cases', kari, { ...phoneCase, requesterId: 'emil@uni.no', externalRequester: { name: 'Ekstern' } });
      expect(both.json()).toMatchObject({ status: 400, code: 'validation-failed' });
      const mismatch = await a.post('/v1/cases', kari, { ...phoneCase, requesterId: EMIL.sub, employeeNumber: '99999' });
      expect(mismatch.json()).toMatchObject({ status: 400, code: 'validation-failed' });
    });

    it('an operator filing with their own number files for themselves, as before (201)', async () => {
      const res = await a.post('/v1/cases', kari, { ...phoneCase, employeeNumber: KARI.employeeNumber });
      expect(res.json()).toMatchObject({ requester: { id: 'kari', employeeNumber: KARI.employeeNumber } });
    });
  });

  describe('who is who (point 5)', () => {
    it('GET /v1/me answers the caller as the service sees them (200)', async () => {
      expect((await a.get('/v1/me', kari)).json()).toEqual({
        subject: 'kari',
        name: 'Kari Saksbehandler',
        roles: ['operator'],
        teams: ['service', 'absence'],
        scopes: [],
        employeeNumber: '7007',
      });
      const client = await t.auth({ sub: 'hr-system', roles: ['integration'], scope: ['cases:read'] });
      expect((await a.get('/v1/me', client)).json()).toMatchObject({ subject: 'hr-system', roles: ['integration'], scopes: ['cases:read'] });
      expectStatus(await a.get('/v1/me', {}), 401);
    });

    it("GET /v1/teams/{key}/members lists a team's operators; 404 for an unknown team; staff only (200, 404, 403)", async () => {
      expect((await a.get('/v1/teams/service/members', kari)).json()).toEqual([
        { subject: 'kari', name: 'Kari Saksbehandler' },
        { subject: 'per', name: 'Per Saksbehandler' },
      ]);
      expect((await a.get('/v1/teams/absence/members', per)).json()).toEqual([{ subject: 'kari', name: 'Kari Saksbehandler' }]);
      expectStatus(await a.get('/v1/teams/nope/members', kari), 404);
      expectStatus(await a.get('/v1/teams/service/members', await t.auth({ sub: 'ola' })), 403);
    });

    it('an operator seen on sign-in joins the directory, with the teams of their token (token-role mode)', async () => {
      const siri: Who = { sub: 'siri', roles: ['operator'], teams: ['travel'], name: 'Siri' };
      expect((await a.get('/v1/teams/travel/members', kari)).json()).toEqual([]);
      expectStatus(await a.get('/v1/me', await signIn(siri)), 200);
      expect((await a.get('/v1/teams/travel/members', kari)).json()).toEqual([{ subject: 'siri', name: 'Siri' }]);
      // A later token with other teams replaces the snapshot.
      expectStatus(await a.get('/v1/me', await signIn({ ...siri, teams: ['payroll'] })), 200);
      expect((await a.get('/v1/teams/travel/members', kari)).json()).toEqual([]);
    });
  });

  describe('assignees are real staff (point 5)', () => {
    let id: string;
    beforeAll(async () => {
      const ola = await t.auth({ sub: 'ola' });
      id = (await a.post('/v1/cases', ola, { categoryKey: 'general', subject: 's', description: 'd' })).json().id;
      await a.get('/v1/me', await signIn({ sub: 'lena', roles: ['leader'] }));
    });

    it('refuses an id the service does not know: PATCH, transition, bulk (422 unknown-assignee)', async () => {
      const patch = await a.patch(`/v1/cases/${id}`, kari, { assigneeId: 'nobody' });
      expect(patch.statusCode).toBe(422);
      expect(patch.json()).toMatchObject({ code: 'unknown-assignee', assigneeId: 'nobody', type: '/problems/unknown-assignee' });
      const move = await a.post(`/v1/cases/${id}/transitions`, kari, { to: 'ASSIGNED', assigneeId: 'nobody' });
      expect(move.json()).toMatchObject({ status: 422, code: 'unknown-assignee' });
      const bulk = await a.post('/v1/cases/bulk', kari, { operations: [{ op: 'assign', caseId: id, assigneeId: 'nobody' }] });
      expect(bulk.json().results[0]).toMatchObject({ status: 422, problem: { code: 'unknown-assignee' } });
      expect((await a.get(`/v1/cases/${id}`, kari)).json()).toMatchObject({ status: 'REGISTERED', assigneeId: null, version: 1 });
    });

    it('refuses the requester and a leader: known, but not staff who may handle the case (422 assignee-cannot-see-case)', async () => {
      for (const who of ['ola', 'lena']) {
        const res = await a.patch(`/v1/cases/${id}`, kari, { assigneeId: who });
        expect(res.json()).toMatchObject({ status: 422, code: 'assignee-cannot-see-case', assigneeId: who });
      }
    });

    it('refuses an operator of another team on a sensitive case, and takes one of the owning team (422, 200)', async () => {
      const ola = await t.auth({ sub: 'ola' });
      const sick = (await a.post('/v1/cases', ola, { categoryKey: 'sickness', subject: 'Sick', description: 'd', details: {} })).json();
      expect((await a.patch(`/v1/cases/${sick.id}`, kari, { assigneeId: 'per' })).json()).toMatchObject({
        status: 422,
        code: 'assignee-cannot-see-case',
      });
      expect((await a.post(`/v1/cases/${sick.id}/transitions`, kari, { to: 'ASSIGNED', assigneeId: 'per' })).json()).toMatchObject({
        code: 'assignee-cannot-see-case',
      });
      expect((await a.patch(`/v1/cases/${sick.id}`, kari, { assigneeId: 'kari' })).json()).toMatchObject({ assigneeId: 'kari' });
      // An admin handles every case.
      expect((await a.patch(`/v1/cases/${sick.id}`, kari, { assigneeId: 'root' })).json()).toMatchObject({ assigneeId: 'root' });
    });

    it('checks against the team the edit sends the case to (422, 200)', async () => {
      const ola = await t.auth({ sub: 'ola' });
      const c = (await a.post('/v1/cases', ola, { categoryKey: 'general', subject: 's', description: 'd' })).json();
      expect((await a.patch(`/v1/cases/${c.id}`, kari, { categoryKey: 'sickness', assigneeId: 'per' })).json()).toMatchObject({
        code: 'assignee-cannot-see-case',
      });
      expect((await a.patch(`/v1/cases/${c.id}`, kari, { categoryKey: 'sickness', assigneeId: 'kari' })).json()).toMatchObject({
        categoryKey: 'sickness',
        teamKey: 'absence',
        assigneeId: 'kari',
      });
    });

    it("an operator who is the case's requester cannot be its assignee (422)", async () => {
      const own = (await a.post('/v1/cases', per, { categoryKey: 'general', subject: 'my own', description: 'd', channel: 'portal' })).json();
      expect((await a.patch(`/v1/cases/${own.id}`, kari, { assigneeId: 'per' })).json()).toMatchObject({ code: 'assignee-cannot-see-case' });
    });
  });
});

describe('assignees with ROLE_SOURCE=database: the staff table is the directory', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { ROLE_SOURCE: 'database', BOOTSTRAP_ADMINS: 'boss' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('assigns to a staff row, not to someone whose token merely claims to be an operator (200, 422)', async () => {
    const a = api(t);
    const boss = await t.auth({ sub: 'boss' });
    expectStatus(await a.put('/v1/staff/anne', boss, { roles: ['operator'], teams: ['service'], name: 'Anne' }), 201);
    const anne = await t.auth({ sub: 'anne' });
    // Claims in a token count for nothing here, also not in the directory.
    await a.get('/v1/me', await t.auth({ sub: 'mallory', roles: ['operator'], teams: ['service'] }));
    const c = (await a.post('/v1/cases', await t.auth({ sub: 'ola' }), { categoryKey: 'general', subject: 's', description: 'd' })).json();
    expect((await a.patch(`/v1/cases/${c.id}`, anne, { assigneeId: 'mallory' })).json()).toMatchObject({ code: 'assignee-cannot-see-case' });
    expect((await a.patch(`/v1/cases/${c.id}`, anne, { assigneeId: 'ghost' })).json()).toMatchObject({ code: 'unknown-assignee' });
    expect((await a.patch(`/v1/cases/${c.id}`, anne, { assigneeId: 'anne' })).json()).toMatchObject({ assigneeId: 'anne', status: 'ASSIGNED' });
    expect((await a.get('/v1/teams/service/members', anne)).json()).toEqual([{ subject: 'anne', name: 'Anne' }]);
    expect((await a.get('/v1/me', anne)).json()).toMatchObject({ subject: 'anne', roles: ['requester', 'operator'], teams: ['service'] });
  });
});
