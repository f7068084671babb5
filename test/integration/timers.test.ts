import { createTestApp, type TestApp } from '../helpers/app';
import { TimedCases } from '../helpers/timed-cases';

/**
 * The timed transitions through the API: WAITING_FOR_USER → COMPLETED → CLOSED after 10
 * calendar days each (Europe/Oslo), fired by the sweep as `system`, exercised with `asOf`.
 */
describe('timed transitions', () => {
  let timed: TimedCases;
  let t: TestApp;
  let ola: { authorization: string };
  let kari: { authorization: string };
  let admin: { authorization: string };

  beforeAll(async () => {
    timed = await TimedCases.open();
    ({ t, ola, kari, admin } = timed);
  });
  afterAll(async () => timed.close());
  // Each test counts the timers it fires; those of earlier tests' cases must not add to it.
  beforeEach(async () => timed.clearTimers());

  const newCase = () => timed.newCase('Payslip', 'Where is it?');
  const toStatus = (id: string, to: string, extra: Record<string, unknown> = {}) => timed.toStatus(id, to, extra);
  const waiting = (id: string) => toStatus(id, 'WAITING_FOR_USER', { reply: 'Here is the answer.' });
  const runTimers = (asOf?: string) => timed.runTimers(asOf);
  const getCase = (id: string) => timed.getCase(id);

  async function systemHistory(id: string) {
    const r = await t.app.inject({ method: 'GET', url: `/v1/cases/${id}/history`, headers: kari });
    return r
      .json()
      .filter((h: { actor: { id: string } }) => h.actor.id === 'system')
      .map((h: { field: string; from: string; to: string; at: string; actor: { role: string } }) => ({
        field: h.field,
        from: h.from,
        to: h.to,
        at: h.at,
        role: h.actor.role,
      }));
  }

  async function systemEvents(id: string) {
    const rows = await t.app.db.outboxEvent.findMany({ where: { caseId: id }, orderBy: { position: 'asc' } });
    return rows
      .map((e) => ({ type: e.type, payload: e.payload as Record<string, unknown> & { actor: { id: string } } }))
      .filter((e) => e.payload.actor.id === 'system');
  }

  const ms = (iso: string, delta: number) => new Date(Date.parse(iso) + delta).toISOString();

  it('completes a case 10 calendar days after it entered WAITING_FOR_USER and closes it 10 days later, as system (200)', async () => {
    // 10:00 in Oslo on 25 March (CET); summer time starts on 30 March, so the 10 days are 239 hours.
    t.clock.set('2025-03-25T09:00:00Z');
    const id = await newCase();
    const w = await waiting(id);
    const completeAt = '2025-04-04T08:00:00.000Z';
    expect(w.autoTransition).toEqual({ to: 'COMPLETED', dueAt: completeAt });

    expect(await runTimers(ms(completeAt, -1000))).toBe(0);
    expect((await getCase(id)).status).toBe('WAITING_FOR_USER');

    expect(await runTimers(completeAt)).toBe(1);
    const completed = await getCase(id);
    expect(completed.status).toBe('COMPLETED');
    expect(completed.statusChangedAt).toBe(completeAt);
    const closeAt = '2025-04-14T08:00:00.000Z';
    expect(completed.autoTransition).toEqual({ to: 'CLOSED', dueAt: closeAt });
    expect(completed.version).toBe(w.version + 1);
    // A second sweep at the same instant finds nothing left to do.
    expect(await runTimers(completeAt)).toBe(0);

    expect(await runTimers(ms(closeAt, -1000))).toBe(0);
    expect((await getCase(id)).status).toBe('COMPLETED');
    expect(await runTimers(closeAt)).toBe(1);
    const closed = await getCase(id);
    expect(closed.status).toBe('CLOSED');
    expect(closed.autoTransition).toBeNull();
    expect(await runTimers('2026-01-01T00:00:00Z')).toBe(0);

    expect(await systemHistory(id)).toEqual([
      { field: 'status', from: 'WAITING_FOR_USER', to: 'COMPLETED', at: completeAt, role: 'system' },
      // A wait that ran out: the question was answered (docs/service-levels.md "Resolution").
      { field: 'resolution', from: null, to: 'answered', at: completeAt, role: 'system' },
      { field: 'status', from: 'COMPLETED', to: 'CLOSED', at: closeAt, role: 'system' },
    ]);
    const events = await systemEvents(id);
    expect(events.map((e) => [e.type, e.payload.from, e.payload.to, e.payload.status, e.payload.at, e.payload.reason])).toEqual([
      ['case.status_changed', 'WAITING_FOR_USER', 'COMPLETED', 'COMPLETED', completeAt, 'timer'],
      ['case.status_changed', 'COMPLETED', 'CLOSED', 'CLOSED', closeAt, 'timer'],
    ]);
    expect(events.map((e) => e.payload.version)).toEqual([w.version + 1, w.version + 2]);
    const row = await t.app.db.case.findUniqueOrThrow({ where: { id } });
    expect(row.completedAt?.toISOString()).toBe(completeAt);
    expect(row.closedAt?.toISOString()).toBe(closeAt);
  });

  it('counts COMPLETED → CLOSED from when the case actually completed, even when the sweep ran late (200)', async () => {
    t.clock.set('2025-05-05T08:00:00Z');
    const id = await newCase();
    await waiting(id);
    // The sweep runs 3 days after the due time (say the service was down).
    expect(await runTimers('2025-05-18T08:00:00Z')).toBe(1);
    const c = await getCase(id);
    expect(c.status).toBe('COMPLETED');
    expect(c.autoTransition).toEqual({ to: 'CLOSED', dueAt: '2025-05-28T08:00:00.000Z' });
  });

  it('never completes a case by a timer of a WAITING_FOR_USER it has left (200)', async () => {
    t.clock.set('2025-06-02T08:00:00Z');
    const byOperator = await newCase();
    await waiting(byOperator);
    const moved = await toStatus(byOperator, 'IN_PROGRESS');
    expect(moved.autoTransition).toBeNull();

    const byRequester = await newCase();
    await waiting(byRequester);
    const r = await t.app.inject({ method: 'POST', url: `/v1/cases/${byRequester}/messages`, headers: ola, payload: { body: 'Thanks, but…' } });
    expect(r.statusCode).toBe(201);
    expect(r.json().case.status).toBe('UPDATED_BY_USER');
    expect(r.json().case.autoTransition).toBeNull();

    // Left for ON_HOLD, back in WAITING_FOR_USER two days later: the 10 days start again then.
    const reentered = await newCase();
    await waiting(reentered);
    await toStatus(reentered, 'ON_HOLD');
    t.clock.set('2025-06-04T08:00:00Z');
    const again = await waiting(reentered);
    expect(again.autoTransition).toEqual({ to: 'COMPLETED', dueAt: '2025-06-14T08:00:00.000Z' });

    expect(await runTimers('2025-06-12T08:00:00Z')).toBe(0);
    expect((await getCase(byOperator)).status).toBe('IN_PROGRESS');
    expect((await getCase(byRequester)).status).toBe('UPDATED_BY_USER');
    expect((await getCase(reentered)).status).toBe('WAITING_FOR_USER');
    expect(await runTimers('2025-06-14T08:00:00Z')).toBe(1);
    expect((await getCase(reentered)).status).toBe('COMPLETED');
    for (const id of [byOperator, byRequester]) expect(await systemHistory(id)).toEqual([]);
  });

  it('shows the pending timer of each case and voids COMPLETED → CLOSED when the completion is undone (200)', async () => {
    t.clock.set('2025-09-01T10:00:00Z');
    const id = await newCase();
    expect((await getCase(id)).autoTransition).toBeNull();
    const done = await toStatus(id, 'COMPLETED');
    expect(done.autoTransition).toEqual({ to: 'CLOSED', dueAt: '2025-09-11T10:00:00.000Z' });
    const undone = await toStatus(id, 'IN_PROGRESS');
    expect(undone.autoTransition).toBeNull();
    expect(await runTimers('2025-12-01T00:00:00Z')).toBe(0);
    expect((await getCase(id)).status).toBe('IN_PROGRESS');

    const list = await t.app.inject({ method: 'GET', url: '/v1/cases?limit=100', headers: kari });
    for (const c of list.json().items) expect(c).toHaveProperty('autoTransition');
  });

  it('runs due timers at the clock when no asOf is given (200)', async () => {
    t.clock.set('2025-10-01T10:00:00Z');
    const id = await newCase();
    await waiting(id);
    t.clock.set('2025-10-11T09:59:59.999Z');
    expect(await runTimers()).toBe(0);
    t.clock.set('2025-10-11T10:00:00Z');
    expect(await runTimers()).toBe(1);
    expect((await getCase(id)).status).toBe('COMPLETED');
  });

  it("fires a single case's timer through TimerService.fireTimer only once it is due (200)", async () => {
    t.clock.set('2025-11-03T09:00:00Z');
    const id = await newCase();
    await waiting(id);
    const timers = t.app.services.timers;
    expect(await timers.fireTimer(id, 'WAITING_FOR_USER', 'COMPLETED', new Date('2025-11-13T08:59:59.999Z'))).toBe(false);
    expect(await timers.fireTimer(id, 'COMPLETED', 'CLOSED', new Date('2025-12-31T00:00:00Z'))).toBe(false);
    expect(await timers.fireTimer(id, 'WAITING_FOR_USER', 'COMPLETED', new Date('2025-11-13T09:00:00Z'))).toBe(true);
    expect(await timers.fireTimer(id, 'WAITING_FOR_USER', 'COMPLETED', new Date('2025-11-13T09:00:00Z'))).toBe(false);
    expect((await getCase(id)).status).toBe('COMPLETED');
    expect((await systemHistory(id)).map((h: { field: string }) => h.field)).toEqual(['status', 'resolution']);
  });

  it('lets only admins run the timers (403)', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/admin/timers/run', headers: kari, payload: {} });
    expect(r.statusCode).toBe(403);
    expect(r.json().type).toBe('/problems/forbidden');
  });

  it('refuses an asOf that is not a date-time (400)', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/admin/timers/run', headers: admin, payload: { asOf: 'tomorrow' } });
    expect(r.statusCode).toBe(400);
  });
});

describe('timers in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { NODE_ENV: 'production' } });
  });
  afterAll(async () => t.close());

  it('refuses asOf in production (400) but runs the timers at the clock (200)', async () => {
    const admin = await t.auth({ sub: 'root', roles: ['admin'] });
    let r = await t.app.inject({ method: 'POST', url: '/v1/admin/timers/run', headers: admin, payload: { asOf: '2030-01-01T00:00:00Z' } });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors).toEqual([expect.objectContaining({ path: '/asOf' })]);
    r = await t.app.inject({ method: 'POST', url: '/v1/admin/timers/run', headers: admin });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ fired: 0, asOf: t.clock.now().toISOString() });
  });
});
