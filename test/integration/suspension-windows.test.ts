import type { TestApp } from '../helpers/app';
import { TimedCases } from '../helpers/timed-cases';

/** The seasonal rule through the API: windows refuse WAITING_FOR_USER and stop its clock. */
describe('suspension windows', () => {
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
  // Each test counts the timers it fires and recomputes; earlier tests' timers must not add to it.
  beforeEach(async () => timed.clearTimers());

  const newCase = () => timed.newCase('Tax deduction', 'Too high?');
  const waiting = (id: string) => timed.toStatus(id, 'WAITING_FOR_USER', { reply: 'Please send your tax card.' });
  const getCase = (id: string) => timed.getCase(id);
  const runTimers = (asOf: string) => timed.runTimers(asOf);

  async function addWindow(from: string, to: string, reason = 'test window') {
    const r = await t.app.inject({ method: 'POST', url: '/v1/suspension-windows', headers: admin, payload: { from, to, reason } });
    expect(r.statusCode).toBe(201);
    return r.json<{ window: { id: string; from: string; to: string; reason: string }; recomputed: number }>();
  }

  async function removeWindow(id: string): Promise<number> {
    const r = await t.app.inject({ method: 'DELETE', url: `/v1/suspension-windows/${id}`, headers: admin });
    expect(r.statusCode).toBe(200);
    return r.json().recomputed;
  }

  const summer2024 = {
    id: '5b1c7d8e-0000-4000-8000-000000002024',
    from: '2024-06-01',
    to: '2024-08-31',
    reason: 'Summer 2024: absence could make cases close by themselves',
  };

  it('ships with the summer 2024 window, readable by anyone signed in (200)', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/v1/suspension-windows', headers: ola });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual([summer2024]);
  });

  describe('inside a window', () => {
    let id: string;
    let before: { version: number; status: string };
    let historyBefore: number;
    let messagesBefore: number;

    beforeAll(async () => {
      t.clock.set('2024-07-10T10:00:00Z');
      id = await newCase();
      const r = await t.app.inject({ method: 'POST', url: `/v1/cases/${id}/transitions`, headers: kari, payload: { to: 'IN_PROGRESS' } });
      before = r.json();
      historyBefore = await t.app.db.caseHistory.count({ where: { caseId: id } });
      messagesBefore = await t.app.db.caseMessage.count({ where: { caseId: id } });
    });

    async function unchanged() {
      const c = await getCase(id);
      expect(c.status).toBe('IN_PROGRESS');
      expect(c.version).toBe(before.version);
      expect(c.autoTransition).toBeNull();
      expect(await t.app.db.caseHistory.count({ where: { caseId: id } })).toBe(historyBefore);
      expect(await t.app.db.caseMessage.count({ where: { caseId: id } })).toBe(messagesBefore);
    }

    function expectSuspended(body: Record<string, unknown>) {
      expect(body).toMatchObject({
        type: '/problems/status-suspended',
        status: 409,
        code: 'status-suspended',
        window: summer2024,
        suggestion: 'ON_HOLD',
        currentStatus: 'IN_PROGRESS',
      });
      expect(body.allowed).not.toContain('WAITING_FOR_USER');
      expect(body.allowed).toContain('ON_HOLD');
      expect(body.detail).toContain('2024-06-01');
      expect(body.detail).toContain('2024-08-31');
    }

    it('refuses a transition into WAITING_FOR_USER, naming the window and suggesting ON_HOLD (409)', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/v1/cases/${id}/transitions`,
        headers: kari,
        payload: { to: 'WAITING_FOR_USER', reply: 'Answer' },
      });
      expect(r.statusCode).toBe(409);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expectSuspended(r.json());
      await unchanged();
    });

    it('refuses a reply with setStatus WAITING_FOR_USER and keeps the reply out (409)', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/v1/cases/${id}/messages`,
        headers: kari,
        payload: { body: 'Answer', visibility: 'public', setStatus: 'WAITING_FOR_USER' },
      });
      expect(r.statusCode).toBe(409);
      expectSuspended(r.json());
      await unchanged();
    });

    it('leaves WAITING_FOR_USER out of the allowed transitions and still allows ON_HOLD (200)', async () => {
      const c = await getCase(id);
      expect(c.allowedTransitions).not.toContain('WAITING_FOR_USER');
      const r = await t.app.inject({ method: 'POST', url: `/v1/cases/${id}/transitions`, headers: kari, payload: { to: 'ON_HOLD' } });
      expect(r.statusCode).toBe(200);
      expect(r.json().autoTransition).toBeNull();
    });
  });

  it('refuses WAITING_FOR_USER until the last Oslo minute of the window and allows it from the next midnight (409, 200)', async () => {
    const id = await newCase();
    // 23:59:59 on 31 August in Oslo (summer time, UTC+2).
    t.clock.set('2024-08-31T21:59:59Z');
    let r = await t.app.inject({
      method: 'POST',
      url: `/v1/cases/${id}/transitions`,
      headers: kari,
      payload: { to: 'WAITING_FOR_USER', reply: 'A' },
    });
    expect(r.statusCode).toBe(409);
    t.clock.set('2024-08-31T22:00:00Z');
    r = await t.app.inject({ method: 'POST', url: `/v1/cases/${id}/transitions`, headers: kari, payload: { to: 'WAITING_FOR_USER', reply: 'A' } });
    expect(r.statusCode).toBe(200);
    expect(r.json().autoTransition).toEqual({ to: 'COMPLETED', dueAt: '2024-09-10T22:00:00.000Z' });
  });

  it('completes a case waiting across the window exactly window length + 10 days after it began waiting (200)', async () => {
    // 12:00 in Oslo on 25 May 2024: 6.5 days count before 1 June, 3.5 after 31 August.
    t.clock.set('2024-05-25T10:00:00Z');
    const id = await newCase();
    const w = await waiting(id);
    const due = '2024-09-04T10:00:00.000Z';
    expect(Date.parse(due) - Date.parse('2024-05-25T10:00:00Z')).toBe((92 + 10) * 86_400_000);
    expect(w.autoTransition).toEqual({ to: 'COMPLETED', dueAt: due });

    expect(await runTimers('2024-06-04T10:00:00Z')).toBe(0);
    expect(await runTimers('2024-09-04T09:59:59.999Z')).toBe(0);
    expect((await getCase(id)).status).toBe('WAITING_FOR_USER');
    expect(await runTimers(due)).toBe(1);
    const c = await getCase(id);
    expect(c.status).toBe('COMPLETED');
    // COMPLETED → CLOSED counts plain calendar days (DOMAIN.md: only the WAITING timer is suspended).
    expect(c.autoTransition).toEqual({ to: 'CLOSED', dueAt: '2024-09-14T10:00:00.000Z' });
  });

  it('does not suspend COMPLETED → CLOSED across a window (200)', async () => {
    t.clock.set('2024-05-28T10:00:00Z');
    const id = await newCase();
    const r = await t.app.inject({ method: 'POST', url: `/v1/cases/${id}/transitions`, headers: kari, payload: { to: 'COMPLETED' } });
    expect(r.json().autoTransition).toEqual({ to: 'CLOSED', dueAt: '2024-06-07T10:00:00.000Z' });
    expect(await runTimers('2024-06-07T10:00:00Z')).toBe(1);
    expect((await getCase(id)).status).toBe('CLOSED');
  });

  describe('adding and removing a window', () => {
    it('moves the due time of a waiting case by the window days and back on removal (201, 200)', async () => {
      t.clock.set('2025-03-03T09:00:00Z');
      const id = await newCase();
      expect((await waiting(id)).autoTransition.dueAt).toBe('2025-03-13T09:00:00.000Z');
      const completed = await newCase();
      const r = await t.app.inject({ method: 'POST', url: `/v1/cases/${completed}/transitions`, headers: kari, payload: { to: 'COMPLETED' } });
      expect(r.json().autoTransition.dueAt).toBe('2025-03-13T09:00:00.000Z');

      const added = await addWindow('2025-03-05', '2025-03-07', 'Office move');
      expect(added.window).toEqual({ id: expect.any(String), from: '2025-03-05', to: '2025-03-07', reason: 'Office move' });
      expect(added.recomputed).toBe(1);
      expect((await getCase(id)).autoTransition).toEqual({ to: 'COMPLETED', dueAt: '2025-03-16T09:00:00.000Z' });
      expect((await getCase(completed)).autoTransition.dueAt).toBe('2025-03-13T09:00:00.000Z');
      const list = await t.app.inject({ method: 'GET', url: '/v1/suspension-windows', headers: kari });
      expect(list.json()).toEqual([summer2024, added.window]);

      // A window after the due time touches nothing.
      const later = await addWindow('2025-04-01', '2025-04-03');
      expect(later.recomputed).toBe(0);
      expect((await getCase(id)).autoTransition.dueAt).toBe('2025-03-16T09:00:00.000Z');

      expect(await removeWindow(added.window.id)).toBe(1);
      expect((await getCase(id)).autoTransition.dueAt).toBe('2025-03-13T09:00:00.000Z');
      expect(await removeWindow(later.window.id)).toBe(0);
      const after = await t.app.inject({ method: 'GET', url: '/v1/suspension-windows', headers: kari });
      expect(after.json()).toEqual([summer2024]);
    });

    it('fires at the recomputed due time, not the old one (200)', async () => {
      t.clock.set('2025-05-05T08:00:00Z');
      const id = await newCase();
      expect((await waiting(id)).autoTransition.dueAt).toBe('2025-05-15T08:00:00.000Z');
      const w = await addWindow('2025-05-12', '2025-05-13');
      expect((await getCase(id)).autoTransition.dueAt).toBe('2025-05-17T08:00:00.000Z');
      expect(await runTimers('2025-05-15T08:00:00Z')).toBe(0);
      expect(await runTimers('2025-05-17T08:00:00Z')).toBe(1);
      await removeWindow(w.window.id);
    });

    it('stops the clock of a waiting case from midnight when a window starting today is added, and keeps it waiting (201)', async () => {
      t.clock.set('2025-09-01T08:00:00Z'); // 10:00 in Oslo
      const id = await newCase();
      await waiting(id);
      const w = await addWindow('2025-09-01', '2025-09-02', 'Strike');
      expect(w.recomputed).toBe(1);
      const c = await getCase(id);
      expect(c.status).toBe('WAITING_FOR_USER');
      // Counting restarts at 00:00 on 3 September: due 00:00 on 13 September, Oslo.
      expect(c.autoTransition).toEqual({ to: 'COMPLETED', dueAt: '2025-09-12T22:00:00.000Z' });
      expect(c.allowedTransitions).not.toContain('WAITING_FOR_USER');
      // Other cases can no longer enter WAITING_FOR_USER today.
      const other = await newCase();
      const r = await t.app.inject({
        method: 'POST',
        url: `/v1/cases/${other}/transitions`,
        headers: kari,
        payload: { to: 'WAITING_FOR_USER', reply: 'A' },
      });
      expect(r.statusCode).toBe(409);
      expect(r.json().window).toEqual(w.window);
      await removeWindow(w.window.id);
      expect((await getCase(id)).autoTransition.dueAt).toBe('2025-09-11T08:00:00.000Z');
    });

    it('lets only admins add or remove windows (403)', async () => {
      let r = await t.app.inject({
        method: 'POST',
        url: '/v1/suspension-windows',
        headers: kari,
        payload: { from: '2026-01-01', to: '2026-01-02', reason: 'x' },
      });
      expect(r.statusCode).toBe(403);
      r = await t.app.inject({ method: 'DELETE', url: `/v1/suspension-windows/${summer2024.id}`, headers: kari });
      expect(r.statusCode).toBe(403);
      r = await t.app.inject({
        method: 'POST',
        url: '/v1/suspension-windows',
        headers: ola,
        payload: { from: '2026-01-01', to: '2026-01-02', reason: 'x' },
      });
      expect(r.statusCode).toBe(403);
      const list = await t.app.inject({ method: 'GET', url: '/v1/suspension-windows', headers: admin });
      expect(list.json()).toEqual([summer2024]);
    });

    it.each([
      ['to before from', { from: '2026-07-10', to: '2026-07-01', reason: 'x' }],
      ['an impossible date', { from: '2026-02-30', to: '2026-03-01', reason: 'x' }],
      ['a month 13', { from: '2026-13-01', to: '2026-13-02', reason: 'x' }],
      ['a date with a time', { from: '2026-07-01T00:00:00Z', to: '2026-07-02', reason: 'x' }],
      ['no reason', { from: '2026-07-01', to: '2026-07-02' }],
      ['an empty reason', { from: '2026-07-01', to: '2026-07-02', reason: '' }],
      ['an unknown field', { from: '2026-07-01', to: '2026-07-02', reason: 'x', zone: 'UTC' }],
    ])('refuses a window with %s (400)', async (_what, payload) => {
      const r = await t.app.inject({ method: 'POST', url: '/v1/suspension-windows', headers: admin, payload });
      expect(r.statusCode).toBe(400);
      expect(r.json().type).toBe('/problems/validation-failed');
      const list = await t.app.inject({ method: 'GET', url: '/v1/suspension-windows', headers: admin });
      expect(list.json()).toEqual([summer2024]);
    });

    it('answers 404 for a window that does not exist and 400 for a malformed id (404, 400)', async () => {
      let r = await t.app.inject({ method: 'DELETE', url: '/v1/suspension-windows/00000000-0000-4000-8000-000000000000', headers: admin });
      expect(r.statusCode).toBe(404);
      r = await t.app.inject({ method: 'DELETE', url: '/v1/suspension-windows/summer', headers: admin });
      expect(r.statusCode).toBe(400);
    });
  });
});
