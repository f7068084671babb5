import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/** Resolution (#16 point 9): COMPLETED records whether the case was solved or answered. */
describe('resolution of completed cases', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let feed: Headers;
  beforeAll(async () => {
    t = await createTestApp();
    h = await headersFor(t);
    feed = await t.auth({ sub: 'hr-system', roles: ['integration'], scope: ['cases:read'] });
  });
  afterAll(async () => t.close());

  const file = async () => {
    const r = await api(t).post('/v1/cases', h.requester, { categoryKey: 'general', subject: 's', description: 'd' });
    expectStatus(r, 201);
    return r.json<{ id: string; version: number }>();
  };
  const move = (id: string, body: Record<string, unknown>) => api(t).post(`/v1/cases/${id}/transitions`, h.operator, body);
  const view = async (id: string) => (await api(t).get(`/v1/cases/${id}`, h.operator)).json();
  const historyOf = async (id: string) =>
    (await api(t).get(`/v1/cases/${id}/history`, h.operator))
      .json<Array<{ field: string; to: string | null }>>()
      .filter((x) => x.field === 'resolution');
  const statusEvents = async (id: string) => {
    const r = await api(t).get('/v1/events?after=0&limit=1000', feed);
    expectStatus(r, 200);
    return (r.json().items as Array<{ type: string; caseId: string; payload: { to: string; resolution?: string } }>).filter(
      (e) => e.type === 'case.status_changed' && e.caseId === id,
    );
  };

  it('records the resolution staff give, in the case, its history and its event', async () => {
    const c = await file();
    const r = await move(c.id, { to: 'COMPLETED', resolution: 'answered', reply: 'Feriepengene utbetales i juni.' });
    expectStatus(r, 200);
    expect(r.json()).toMatchObject({ status: 'COMPLETED', resolution: 'answered' });
    expect(await historyOf(c.id)).toMatchObject([{ field: 'resolution', to: 'answered' }]);
    const events = await statusEvents(c.id);
    expect(events.map((e) => [e.payload.to, e.payload.resolution])).toEqual([['COMPLETED', 'answered']]);
  });

  it('is solved when staff do not say, and null before completion', async () => {
    const c = await file();
    expect((await view(c.id)).resolution).toBeNull();
    expectStatus(await move(c.id, { to: 'COMPLETED' }), 200);
    expect((await view(c.id)).resolution).toBe('solved');
  });

  it('is kept when the case closes and cleared when work resumes', async () => {
    const c = await file();
    expectStatus(await move(c.id, { to: 'COMPLETED', resolution: 'answered' }), 200);
    expectStatus(await move(c.id, { to: 'IN_PROGRESS' }), 200);
    expect((await view(c.id)).resolution).toBeNull();
    expectStatus(await move(c.id, { to: 'COMPLETED' }), 200);
    expect((await view(c.id)).resolution).toBe('solved');
    expectStatus(await api(t).post(`/v1/cases/${c.id}/transitions`, h.requester, { to: 'CLOSED' }), 200);
    expect((await view(c.id)).resolution).toBe('solved');
    expectStatus(await api(t).post(`/v1/cases/${c.id}/transitions`, h.requester, { to: 'REOPENED_BY_USER' }), 200);
    expect((await view(c.id)).resolution).toBeNull();
  });

  it('a wait that runs out completes the case as answered', async () => {
    const c = await file();
    expectStatus(await move(c.id, { to: 'WAITING_FOR_USER', reply: 'Send oss lønnsslippen.' }), 200);
    const r = await t.app.inject({ method: 'POST', url: '/v1/admin/timers/run', headers: h.admin, payload: { asOf: '2025-04-30T09:00:00Z' } });
    expectStatus(r, 200);
    const after = await view(c.id);
    expect(after).toMatchObject({ status: 'COMPLETED', resolution: 'answered' });
    expect(await historyOf(c.id)).toMatchObject([{ field: 'resolution', to: 'answered' }]);
  });

  it('a message that completes the case takes a resolution too', async () => {
    const c = await file();
    const r = await api(t).post(`/v1/cases/${c.id}/messages`, h.operator, { body: 'Rettet.', setStatus: 'COMPLETED', resolution: 'solved' });
    expectStatus(r, 201);
    expect(r.json().case.resolution).toBe('solved');
  });

  it('refuses a resolution without a move to COMPLETED, or an unknown one (400), and changes nothing', async () => {
    const c = await file();
    let r = await move(c.id, { to: 'IN_PROGRESS', resolution: 'solved' });
    expectStatus(r, 400);
    expect(r.json().errors).toEqual([{ in: 'body', path: '/resolution', message: 'only with COMPLETED' }]);
    expectStatus(await move(c.id, { to: 'COMPLETED', resolution: 'fixed' }), 400);
    expectStatus(await move(c.id, { to: 'COMPLETED', resolution: null }), 400);
    r = await api(t).post(`/v1/cases/${c.id}/messages`, h.operator, { body: 'x', resolution: 'answered' });
    expectStatus(r, 400);
    const now = await view(c.id);
    expect(now).toMatchObject({ status: 'REGISTERED', version: c.version, resolution: null });
    // Requesters cannot complete a case, with or without a resolution.
    expectStatus(await api(t).post(`/v1/cases/${c.id}/transitions`, h.requester, { to: 'COMPLETED', resolution: 'solved' }), 409);
  });

  it('the SLA report counts how the completed cases of a group ended', async () => {
    await t.app.serviceLevels.sla.sweep(t.clock.now());
    const from = encodeURIComponent('2025-01-01T00:00:00Z');
    const to = encodeURIComponent('2026-01-01T00:00:00Z');
    const r = await api(t).get(`/v1/reports/sla?from=${from}&to=${to}`, h.admin);
    expectStatus(r, 200);
    const general = (r.json().groups as Array<{ key: string; resolvedAs: unknown }>).find((g) => g.key === 'general');
    // answered: the first case and the one whose wait ran out; solved: the default, and the message.
    expect(general?.resolvedAs).toEqual({ solved: 2, answered: 2 });
  });
});
