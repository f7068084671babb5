import type { Status } from '../../src/domain/statuses';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, caseIn, DbProbe, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { onRealServer } from '../helpers/db';

/*
 * The rules around the graph, through the API: guards, the requester-message rule, privacy of
 * internal content, history in the same transaction, concurrency and If-Match, and operators
 * acting for external requesters.
 */

interface HistoryRow {
  field: string;
  from: string | null;
  to: string | null;
  internal: boolean;
  at: string;
  actor: { id: string; role: string; onBehalfOf: string | null };
}

describe('case rules through the API', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let db: DbProbe;
  let a: ReturnType<typeof api>;
  const start = '2025-03-03T09:00:00Z';
  const minute = 60_000;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    db = await new DbProbe(t.url).open();
    a = api(t);
  });
  afterEach(() => t.clock.set(start));
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const move = (id: string, who: Headers, body: Record<string, unknown>) => a.post(`/v1/cases/${id}/transitions`, who, body);
  const history = async (id: string, who: Headers = h.admin) => (await a.get(`/v1/cases/${id}/history`, who)).json<HistoryRow[]>();

  describe('assignee guard', () => {
    it('refuses ASSIGNED without an assignee and changes nothing (409)', async () => {
      const { id } = await caseIn(t, h, 'REGISTERED');
      const before = await db.snapshot(id);
      const res = await move(id, h.operator, { to: 'ASSIGNED' });
      expectStatus(res, 409);
      expect(res.json()).toMatchObject({ code: 'assignee-required', currentStatus: 'REGISTERED' });
      expect(await db.snapshot(id)).toEqual(before);
    });

    it('moves to ASSIGNED with assigneeId and records both changes (200)', async () => {
      const { id } = await caseIn(t, h, 'REGISTERED');
      const res = await move(id, h.operator, { to: 'ASSIGNED', assigneeId: 'per' });
      expectStatus(res, 200);
      expect(res.json()).toMatchObject({ status: 'ASSIGNED', assigneeId: 'per' });
      expect((await history(id)).slice(1).map((r) => `${r.field}:${r.to}`)).toEqual(['assignee:per', 'status:ASSIGNED']);
    });

    it('IN_PROGRESS by an operator on an unassigned case assigns that operator (200)', async () => {
      const { id } = await caseIn(t, h, 'REGISTERED');
      const res = await move(id, h.operator2, { to: 'IN_PROGRESS' });
      expectStatus(res, 200);
      expect(res.json()).toMatchObject({ status: 'IN_PROGRESS', assigneeId: 'per' });
    });

    it.each(['REGISTERED', 'REOPENED_BY_USER'] as Status[])('PATCH assigneeId on %s moves the case to ASSIGNED (200)', async (from) => {
      const { id } = await caseIn(t, h, from);
      const res = await a.patch(`/v1/cases/${id}`, h.operator, { assigneeId: 'per' });
      expectStatus(res, 200);
      expect(res.json()).toMatchObject({ status: 'ASSIGNED', assigneeId: 'per' });
      expect((await history(id)).at(-1)).toMatchObject({ field: 'status', from, to: 'ASSIGNED' });
    });

    it.each(['IN_PROGRESS', 'ON_HOLD', 'UPDATED_BY_USER', 'COMPLETED'] as Status[])(
      'PATCH assigneeId on %s reassigns and keeps the status (200)',
      async (from) => {
        const { id } = await caseIn(t, h, from);
        const res = await a.patch(`/v1/cases/${id}`, h.operator, { assigneeId: 'per' });
        expectStatus(res, 200);
        expect(res.json()).toMatchObject({ status: from, assigneeId: 'per' });
      },
    );

    it('refuses clearing the assignee of an IN_PROGRESS case (409)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const before = await db.snapshot(id);
      const res = await a.patch(`/v1/cases/${id}`, h.operator, { assigneeId: null });
      expectStatus(res, 409);
      expect(res.json().code).toBe('assignee-required');
      expect(await db.snapshot(id)).toEqual(before);
    });

    it('refuses a requester naming an assignee when closing (403)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const before = await db.snapshot(id);
      const res = await move(id, h.requester, { to: 'CLOSED', assigneeId: 'ola' });
      expectStatus(res, 403);
      expect(await db.snapshot(id)).toEqual(before);
    });

    it('refuses a requester assigning through PATCH (403)', async () => {
      const { id } = await caseIn(t, h, 'REGISTERED');
      expectStatus(await a.patch(`/v1/cases/${id}`, h.requester, { assigneeId: 'ola' }), 403);
    });
  });

  describe('public-reply guard on WAITING_FOR_USER', () => {
    it('refuses without a reply and changes nothing (409)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const before = await db.snapshot(id);
      const res = await move(id, h.operator, { to: 'WAITING_FOR_USER' });
      expectStatus(res, 409);
      expect(res.json()).toMatchObject({ code: 'reply-required', currentStatus: 'IN_PROGRESS' });
      expect(await db.snapshot(id)).toEqual(before);
    });

    it('accepts a reply in the same request and stores it as a public message (200)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const res = await move(id, h.operator, { to: 'WAITING_FOR_USER', reply: 'Your payslip is corrected.' });
      expectStatus(res, 200);
      expect(res.json().status).toBe('WAITING_FOR_USER');
      const msgs = (await a.get(`/v1/cases/${id}/messages`, h.requester)).json();
      expect(msgs).toEqual([expect.objectContaining({ visibility: 'public', body: 'Your payslip is corrected.' })]);
    });

    it('accepts a public reply written since the case entered its status (200)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      t.clock.advance(minute);
      expectStatus(await a.post(`/v1/cases/${id}/messages`, h.operator, { body: 'Answer', visibility: 'public' }), 201);
      t.clock.advance(minute);
      expectStatus(await move(id, h.operator, { to: 'WAITING_FOR_USER' }), 200);
    });

    it('does not count a reply written before the case entered its status (409)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      t.clock.advance(minute);
      expectStatus(await a.post(`/v1/cases/${id}/messages`, h.operator, { body: 'Answer', visibility: 'public' }), 201);
      t.clock.advance(minute);
      expectStatus(await move(id, h.operator, { to: 'ON_HOLD' }), 200);
      t.clock.advance(minute);
      const res = await move(id, h.operator, { to: 'WAITING_FOR_USER' });
      expectStatus(res, 409);
      expect(res.json()).toMatchObject({ code: 'reply-required', currentStatus: 'ON_HOLD' });
    });

    it('does not count an internal note as a reply (409)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      t.clock.advance(minute);
      const res = await a.post(`/v1/cases/${id}/messages`, h.operator, {
        body: 'note',
        visibility: 'internal',
        setStatus: 'WAITING_FOR_USER',
      });
      expectStatus(res, 409);
      expect(res.json().code).toBe('reply-required');
    });

    it('refuses a reply from a requester with the move (400)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      expectStatus(await move(id, h.requester, { to: 'CLOSED', reply: 'bye' }), 400);
    });
  });

  describe('suspension windows (the seeded summer 2024)', () => {
    it('refuses WAITING_FOR_USER inside the window, suggesting ON_HOLD, and changes nothing (409)', async () => {
      t.clock.set('2024-07-01T10:00:00Z');
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const before = await db.snapshot(id);
      const got = (await a.get(`/v1/cases/${id}`, h.operator)).json();
      expect(got.allowedTransitions).not.toContain('WAITING_FOR_USER');
      const res = await move(id, h.operator, { to: 'WAITING_FOR_USER', reply: 'Answer' });
      expectStatus(res, 409);
      const p = res.json();
      expect(p.type).toMatch(/\/status-suspended$/);
      expect(p).toMatchObject({ currentStatus: 'IN_PROGRESS', suggestion: 'ON_HOLD', window: { from: '2024-06-01', to: '2024-08-31' } });
      expect(p.allowed).toEqual(expect.arrayContaining(['ON_HOLD', 'COMPLETED']));
      expect(p.allowed).not.toContain('WAITING_FOR_USER');
      expect(await db.snapshot(id)).toEqual(before);
      expectStatus(await move(id, h.operator, { to: 'ON_HOLD' }), 200);
    });

    it('refuses a public reply with setStatus WAITING_FOR_USER inside the window and keeps no message (409)', async () => {
      t.clock.set('2024-08-31T21:30:00Z'); // 23:30 in Oslo, still the window's last day
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const before = await db.snapshot(id);
      const res = await a.post(`/v1/cases/${id}/messages`, h.operator, { body: 'x', visibility: 'public', setStatus: 'WAITING_FOR_USER' });
      expectStatus(res, 409);
      expect(res.json().code).toBe('status-suspended');
      expect(await db.snapshot(id)).toEqual(before);
    });

    it('allows WAITING_FOR_USER the day after the window (200)', async () => {
      t.clock.set('2024-08-31T22:30:00Z'); // 00:30 on 1 September in Oslo
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      expectStatus(await move(id, h.operator, { to: 'WAITING_FOR_USER', reply: 'Answer' }), 200);
    });
  });

  describe('requester messages', () => {
    const moves: Status[] = ['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'];
    const stays: Status[] = ['REGISTERED', 'UPDATED_BY_USER', 'REOPENED_BY_USER'];

    it.each(moves)('a requester message on %s moves the case to UPDATED_BY_USER (201)', async (from) => {
      const { id } = await caseIn(t, h, from);
      const res = await a.post(`/v1/cases/${id}/messages`, h.requester, { body: 'More info' });
      expectStatus(res, 201);
      expect(res.json().case.status).toBe('UPDATED_BY_USER');
      expect(res.json().case.autoTransition).toBeNull();
      expect((await history(id)).at(-1)).toMatchObject({ field: 'status', from, to: 'UPDATED_BY_USER', actor: { role: 'requester' } });
    });

    it.each(stays)('a requester message on %s keeps the status (201)', async (from) => {
      const { id } = await caseIn(t, h, from);
      const before = await db.snapshot(id);
      const res = await a.post(`/v1/cases/${id}/messages`, h.requester, { body: 'More info' });
      expectStatus(res, 201);
      expect(res.json().case.status).toBe(from);
      expect((await db.snapshot(id)).history).toBe(before.history + 1);
    });

    it('a leader who filed the case writes like a requester (201)', async () => {
      const { id } = await caseIn(t, h, 'ON_HOLD', 'leader');
      const res = await a.post(`/v1/cases/${id}/messages`, h.leader, { body: 'Update' });
      expectStatus(res, 201);
      expect(res.json().case.status).toBe('UPDATED_BY_USER');
    });

    it('refuses a message on a CLOSED case with a hint to reopen, and changes nothing (409)', async () => {
      const { id } = await caseIn(t, h, 'CLOSED');
      const before = await db.snapshot(id);
      const res = await a.post(`/v1/cases/${id}/messages`, h.requester, { body: 'Hello?' });
      expectStatus(res, 409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const p = res.json();
      expect(p.type).toMatch(/\/case-closed$/);
      expect(p).toMatchObject({ currentStatus: 'CLOSED', hint: 'reopen', allowed: ['REOPENED_BY_USER'] });
      expect(p.detail).toMatch(/REOPENED_BY_USER/);
      expect(await db.snapshot(id)).toEqual(before);
    });

    it('refuses an internal note from a requester (400)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      expectStatus(await a.post(`/v1/cases/${id}/messages`, h.requester, { body: 'x', visibility: 'internal' }), 400);
    });
  });

  describe('privacy of internal content', () => {
    it('requesters never see internal notes or internal history rows; staff see both (200)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      // Same instant on purpose: messages must still come back in the order they were written.
      expectStatus(await a.post(`/v1/cases/${id}/messages`, h.operator, { body: 'SECRET note', visibility: 'internal' }), 201);
      expectStatus(await a.post(`/v1/cases/${id}/messages`, h.operator, { body: 'Public answer', visibility: 'public' }), 201);

      const forRequester = (await a.get(`/v1/cases/${id}/messages`, h.requester)).json<Array<{ body: string; visibility: string }>>();
      expect(forRequester.map((m) => m.body)).toEqual(['Public answer']);
      const forStaff = (await a.get(`/v1/cases/${id}/messages`, h.operator)).json<Array<{ body: string }>>();
      expect(forStaff.map((m) => m.body)).toEqual(['SECRET note', 'Public answer']);

      const staffHistory = await history(id, h.operator);
      const requesterHistory = await history(id, h.requester);
      expect(staffHistory.some((r) => r.internal)).toBe(true);
      expect(requesterHistory.some((r) => r.internal)).toBe(false);
      expect(requesterHistory.length).toBe(staffHistory.filter((r) => !r.internal).length);
      expect(JSON.stringify(requesterHistory)).not.toContain('SECRET');
    });

    it('returns messages written in the same instant in the order they were written (200)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const bodies = Array.from({ length: 8 }, (_, i) => `message ${i}`);
      for (const body of bodies) {
        expectStatus(await a.post(`/v1/cases/${id}/messages`, h.operator, { body, visibility: 'internal' }), 201);
      }
      const got = (await a.get(`/v1/cases/${id}/messages`, h.operator)).json<Array<{ body: string }>>();
      expect(got.map((m) => m.body)).toEqual(bodies);
    });

    it('another requester gets 404 for the case, its messages and its history (404)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      for (const url of [`/v1/cases/${id}`, `/v1/cases/${id}/messages`, `/v1/cases/${id}/history`]) {
        expectStatus(await a.get(url, h.otherRequester), 404);
      }
      expectStatus(await a.post(`/v1/cases/${id}/messages`, h.otherRequester, { body: 'x' }), 404);
    });

    it('answers 400 for a malformed case id and 404 for an unknown one (400, 404)', async () => {
      expectStatus(await a.get('/v1/cases/not-a-uuid', h.operator), 400);
      expectStatus(await move('not-a-uuid', h.operator, { to: 'ON_HOLD' }), 400);
      expectStatus(await move('00000000-0000-4000-8000-000000000000', h.operator, { to: 'ON_HOLD' }), 404);
    });

    it('a read-only integration reads but may not write (200, 403)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      expectStatus(await a.get(`/v1/cases/${id}`, h.integration), 200);
      expect((await a.get(`/v1/cases/${id}`, h.integration)).json().allowedTransitions).toEqual([]);
      expectStatus(await a.post(`/v1/cases/${id}/messages`, h.integration, { body: 'x', visibility: 'internal' }), 403);
      expectStatus(await a.patch(`/v1/cases/${id}`, h.integration, { subject: 'x' }), 403);
    });
  });

  describe('history is written with the change, in its transaction', () => {
    it('writes one history row per change, at the time of the change (200, 201)', async () => {
      const { id } = await caseIn(t, h, 'REGISTERED');
      t.clock.advance(minute);
      const patched = await a.patch(`/v1/cases/${id}`, h.operator, { subject: 'New subject', categoryKey: 'salary', reason: 'wrong form' });
      expectStatus(patched, 200);
      expect(patched.json()).toMatchObject({ categoryKey: 'salary', teamKey: 'payroll', subject: 'New subject' });
      const rows = await history(id);
      expect(rows.slice(1).map((r) => `${r.field}:${r.from}→${r.to}`)).toEqual([
        'category:general→salary',
        'team:service→payroll',
        'subject:case in REGISTERED→New subject',
      ]);
      for (const r of rows.slice(1)) expect(r.at).toBe(patched.json().updatedAt);
    });

    it('a PATCH that repeats the current values changes nothing, not even the version (200)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const before = await db.snapshot(id);
      const current = (await a.get(`/v1/cases/${id}`, h.operator)).json();
      t.clock.advance(minute);
      const res = await a.patch(`/v1/cases/${id}`, h.operator, {
        subject: current.subject,
        teamKey: current.teamKey,
        categoryKey: current.categoryKey,
        assigneeId: current.assigneeId,
      });
      expectStatus(res, 200);
      expect(res.json()).toMatchObject({ version: before.version, updatedAt: current.updatedAt });
      expect(res.headers.etag).toBe(`"${before.version}"`);
      expect(await db.snapshot(id)).toEqual(before);
    });

    it('a refused request leaves no history row, message or event (409)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const before = await db.snapshot(id);
      // The reply would be written before the status move; the refusal must take it back too.
      const res = await move(id, h.operator, { to: 'REGISTERED', reply: 'A reply that must not stay' });
      expectStatus(res, 409);
      expect(await db.snapshot(id)).toEqual(before);
    });

    describe('when the database fails part-way', () => {
      beforeAll(async () => {
        // Fault injection with real triggers: a case listed in test_fault fails the named write.
        await db.query(`CREATE TABLE test_fault (case_id uuid NOT NULL, what text NOT NULL)`);
        await db.query(`
          CREATE FUNCTION test_fault_raise() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF EXISTS (SELECT 1 FROM test_fault f WHERE f.case_id = NEW.case_id AND f.what = TG_ARGV[0]) THEN
              RAISE EXCEPTION 'injected fault on %', TG_ARGV[0];
            END IF;
            RETURN NEW;
          END $$`);
        await db.query(`
          CREATE FUNCTION test_fault_raise_case() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF EXISTS (SELECT 1 FROM test_fault f WHERE f.case_id = NEW.id AND f.what = 'case') THEN
              RAISE EXCEPTION 'injected fault on case';
            END IF;
            RETURN NEW;
          END $$`);
        await db.query(`CREATE TRIGGER test_fault_case BEFORE UPDATE ON "case" FOR EACH ROW EXECUTE FUNCTION test_fault_raise_case()`);
        await db.query(`CREATE TRIGGER test_fault_history BEFORE INSERT ON case_history FOR EACH ROW EXECUTE FUNCTION test_fault_raise('history')`);
        await db.query(`CREATE TRIGGER test_fault_event BEFORE INSERT ON outbox_event FOR EACH ROW EXECUTE FUNCTION test_fault_raise('event')`);
      });
      afterAll(async () => {
        await db.query(`DROP TRIGGER test_fault_case ON "case"`);
        await db.query(`DROP TRIGGER test_fault_history ON case_history`);
        await db.query(`DROP TRIGGER test_fault_event ON outbox_event`);
        await db.query(`DROP TABLE test_fault`);
      });

      it.each(['case', 'history', 'event'])('a failing %s write leaves no trace of the change (500)', async (what) => {
        const { id } = await caseIn(t, h, 'IN_PROGRESS');
        const before = await db.snapshot(id);
        await db.query(`INSERT INTO test_fault VALUES ($1, $2)`, [id, what]);
        const res = await move(id, h.operator, { to: 'WAITING_FOR_USER', reply: 'Answer' });
        expectStatus(res, 500);
        expect(res.json().detail).not.toMatch(/injected/);
        expect(await db.snapshot(id)).toEqual(before);
        await db.query(`DELETE FROM test_fault WHERE case_id = $1`, [id]);
        expectStatus(await move(id, h.operator, { to: 'WAITING_FOR_USER', reply: 'Answer' }), 200);
      });
    });
  });

  describe('optimistic concurrency', () => {
    it('refuses a stale If-Match and changes nothing (412)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const before = await db.snapshot(id);
      const res = await a.post(`/v1/cases/${id}/transitions`, { ...h.operator, 'if-match': `"${before.version - 1}"` }, { to: 'ON_HOLD' });
      expectStatus(res, 412);
      expect(res.json()).toMatchObject({ code: 'precondition-failed', currentVersion: before.version });
      expect(await db.snapshot(id)).toEqual(before);
    });

    it('refuses an If-Match that names no version (412)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      expectStatus(await a.patch(`/v1/cases/${id}`, { ...h.operator, 'if-match': 'garbage' }, { subject: 'x' }), 412);
    });

    it('accepts the current ETag and answers the next one; the same tag marked weak never matches (200, 412)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const got = await a.get(`/v1/cases/${id}`, h.operator);
      const etag = got.headers.etag as string;
      const res = await a.patch(`/v1/cases/${id}`, { ...h.operator, 'if-match': etag }, { subject: 'x' });
      expectStatus(res, 200);
      expect(res.headers.etag).toBe(`"${got.json().version + 1}"`);
      // RFC 9110: If-Match uses the strong comparison.
      const weak = await a.post(
        `/v1/cases/${id}/messages`,
        { ...h.operator, 'if-match': `W/${res.headers.etag}` },
        { body: 'n', visibility: 'internal' },
      );
      expectStatus(weak, 412);
      expect(weak.json()).toMatchObject({ code: 'precondition-failed' });
    });

    const concurrent = onRealServer() ? it : it.skip;

    concurrent('two operators making the same move at once: one 200, one 409, one change (200, 409)', async () => {
      for (let i = 0; i < 5; i++) {
        const { id } = await caseIn(t, h, 'IN_PROGRESS');
        const before = await db.snapshot(id);
        const res = await Promise.all([move(id, h.operator, { to: 'ON_HOLD' }), move(id, h.operator2, { to: 'ON_HOLD' })]);
        expect(res.map((r) => r.statusCode).sort()).toEqual([200, 409]);
        const after = await db.snapshot(id);
        expect(after).toMatchObject({ status: 'ON_HOLD', version: before.version + 1 });
        expect((await history(id)).filter((r) => r.field === 'status' && r.to === 'ON_HOLD')).toHaveLength(1);
      }
    });

    concurrent('two operators moving from the same version: one 200, the other 412, no lost update (200, 412)', async () => {
      for (let i = 0; i < 5; i++) {
        const { id } = await caseIn(t, h, 'IN_PROGRESS');
        const before = await db.snapshot(id);
        const etag = `"${before.version}"`;
        const res = await Promise.all([
          move(id, { ...h.operator, 'if-match': etag }, { to: 'ON_HOLD' }),
          move(id, { ...h.operator2, 'if-match': etag }, { to: 'COMPLETED' }),
        ]);
        const codes = res.map((r) => r.statusCode);
        expect([...codes].sort()).toEqual([200, 412]);
        const winner = res.find((r) => r.statusCode === 200)!.json();
        const after = await db.snapshot(id);
        expect(after).toMatchObject({ status: winner.status, version: before.version + 1, history: before.history + 1 });
      }
    });

    concurrent('concurrent subject edits from the same version keep exactly the winner (200, 412)', async () => {
      const { id } = await caseIn(t, h, 'IN_PROGRESS');
      const etag = `"${(await db.snapshot(id)).version}"`;
      const res = await Promise.all(
        ['first', 'second', 'third'].map((s, i) =>
          a.patch(`/v1/cases/${id}`, { ...(i % 2 ? h.operator2 : h.operator), 'if-match': etag }, { subject: s }),
        ),
      );
      expect(res.map((r) => r.statusCode).sort()).toEqual([200, 412, 412]);
      const winner = res.find((r) => r.statusCode === 200)!.json();
      expect((await a.get(`/v1/cases/${id}`, h.operator)).json().subject).toBe(winner.subject);
    });
  });

  describe('an operator acting for an external requester', () => {
    let id: string;
    beforeAll(async () => {
      const res = await a.post('/v1/cases', h.operator, {
        categoryKey: 'general',
        subject: 'Former employee asks for a payslip',
        description: 'Called the desk',
        channel: 'phone',
        externalRequester: { name: 'Eva Ekstern', phone: '+47 900 00 000' },
      });
      expectStatus(res, 201);
      id = res.json().id;
      expectStatus(await move(id, h.operator, { to: 'IN_PROGRESS' }), 200);
    });

    it('records the requester message on their behalf and applies the requester rule (201)', async () => {
      const res = await a.post(`/v1/cases/${id}/messages`, h.operator, { body: 'She called back', onBehalfOfRequester: true });
      expectStatus(res, 201);
      expect(res.json().message.author).toEqual({ id: 'kari', role: 'operator', onBehalfOf: 'Eva Ekstern' });
      expect(res.json().case.status).toBe('UPDATED_BY_USER');
      expect((await history(id)).at(-1)).toMatchObject({
        field: 'status',
        to: 'UPDATED_BY_USER',
        actor: { id: 'kari', role: 'operator', onBehalfOf: 'Eva Ekstern' },
      });
    });

    it('closes on their behalf, refuses messages while closed, reopens on their behalf (200, 409, 200)', async () => {
      const closed = await move(id, h.operator, { to: 'CLOSED', onBehalfOfRequester: true });
      expectStatus(closed, 200);
      expect(closed.json().status).toBe('CLOSED');
      const refused = await a.post(`/v1/cases/${id}/messages`, h.operator, { body: 'x', onBehalfOfRequester: true });
      expectStatus(refused, 409);
      expect(refused.json()).toMatchObject({ code: 'case-closed', hint: 'reopen' });
      const reopened = await move(id, h.operator, { to: 'REOPENED_BY_USER', onBehalfOfRequester: true });
      expectStatus(reopened, 200);
      expect(reopened.json().status).toBe('REOPENED_BY_USER');
      const rows = (await history(id)).filter((r) => r.field === 'status').slice(-2);
      expect(rows).toEqual([
        expect.objectContaining({ to: 'CLOSED', actor: { id: 'kari', role: 'operator', onBehalfOf: 'Eva Ekstern' } }),
        expect.objectContaining({ to: 'REOPENED_BY_USER', actor: { id: 'kari', role: 'operator', onBehalfOf: 'Eva Ekstern' } }),
      ]);
    });

    it('refuses acting on behalf of a requester who has a login (400)', async () => {
      const own = await caseIn(t, h, 'IN_PROGRESS');
      expectStatus(await move(own.id, h.operator, { to: 'CLOSED', onBehalfOfRequester: true }), 400);
    });

    it('refuses a requester claiming to act on behalf of someone (403)', async () => {
      const own = await caseIn(t, h, 'IN_PROGRESS');
      expectStatus(await move(own.id, h.requester, { to: 'CLOSED', onBehalfOfRequester: true }), 403);
    });
  });
});
