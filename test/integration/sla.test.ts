import pg from 'pg';
import { FixedClock } from '../../src/domain/clock';
import { SlaService } from '../../src/services/sla-service';
import { readStaleSla } from '../../src/repositories/sla-repository';
import { pgQuery } from '../../src/db/query';
import { createTestApp, type TestApp } from '../helpers/app';
import { onRealServer } from '../helpers/db';
import { eventually } from '../helpers/eventually';

/**
 * Service levels of cases through the API: due times in working hours (weekends, Easter),
 * paused time given back, breaches recorded once by the sweep, also with two instances.
 */

type Headers = { authorization: string };

async function setTargets(t: TestApp, admin: Headers, key: string, firstResponseHours: number, resolutionHours: number): Promise<void> {
  const c = (await t.app.inject({ method: 'GET', url: `/v1/categories/${key}`, headers: admin })).json();
  const r = await t.app.inject({
    method: 'PUT',
    url: `/v1/categories/${key}`,
    headers: admin,
    payload: {
      name: c.name,
      defaultTeamKey: c.defaultTeamKey,
      sensitive: c.sensitive,
      form: c.form,
      serviceLevel: { firstResponseHours, resolutionHours },
    },
  });
  expect(r.statusCode).toBe(200);
}

async function file(t: TestApp, who: Headers, subject = 's'): Promise<{ id: string; sla: Record<string, unknown> }> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/cases', headers: who, payload: { categoryKey: 'salary', subject, description: 'd' } });
  expect(r.statusCode).toBe(201);
  return r.json();
}

async function rows<T extends pg.QueryResultRow>(t: TestApp, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.app.pool.query<T>(sql, params)).rows;
}

describe('case service levels', () => {
  let t: TestApp;
  let ola: Headers;
  let kari: Headers;
  let admin: Headers;

  beforeAll(async () => {
    t = await createTestApp({ config: { SLA_BATCH_SIZE: '4' } });
    ola = await t.auth({ sub: 'ola', name: 'Ola' });
    kari = await t.auth({ sub: 'kari', roles: ['operator'], teams: ['payroll'] });
    admin = await t.auth({ sub: 'root', roles: ['admin'] });
    await setTargets(t, admin, 'salary', 8, 40);
  });
  afterAll(async () => t.close());

  it('shows a case filed Friday 15:00 with an 8-working-hour target as due Monday 15:00 (201)', async () => {
    t.clock.set('2025-03-14T15:00:00+01:00');
    const c = await file(t, ola);
    expect(c.sla).toEqual({
      firstResponseDueAt: '2025-03-17T14:00:00.000Z',
      firstRespondedAt: null,
      // 40 h: Fri 1 + Mon–Thu 32 + Fri 7 → the next Friday 15:00.
      resolutionDueAt: '2025-03-21T14:00:00.000Z',
      resolvedAt: null,
      paused: false,
      breached: [],
    });
  });

  it('shows a case filed the Wednesday before Easter as due after Easter Monday (201)', async () => {
    t.clock.set('2025-04-16T15:00:00+02:00');
    const c = await file(t, ola);
    expect(c.sla.firstResponseDueAt).toBe('2025-04-22T13:00:00.000Z');
  });

  it('does not count time in WAITING_FOR_USER and shows the pause while it lasts (200)', async () => {
    t.clock.set('2025-03-03T09:00:00+01:00');
    const c = await file(t, ola);
    t.clock.set('2025-03-03T10:00:00+01:00');
    let r = await t.app.inject({
      method: 'POST',
      url: `/v1/cases/${c.id}/transitions`,
      headers: kari,
      payload: { to: 'WAITING_FOR_USER', reply: 'Answer' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().sla).toMatchObject({ paused: true, firstRespondedAt: '2025-03-03T09:00:00.000Z' });
    t.clock.set('2025-03-05T10:00:00+01:00');
    r = await t.app.inject({ method: 'POST', url: `/v1/cases/${c.id}/messages`, headers: ola, payload: { body: 'Thanks, but…' } });
    expect(r.statusCode).toBe(201);
    expect(r.json().case.status).toBe('UPDATED_BY_USER');
    r = await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: ola });
    // 1 h used before the wait; 39 h from Wednesday 10:00 → the next Wednesday 09:00 (without
    // the pause it would have been Monday 10 March 09:00).
    expect(r.json().sla).toMatchObject({ paused: false, resolutionDueAt: '2025-03-12T08:00:00.000Z', breached: [] });
  });

  it("answers a list page with the service level of every case from the rows' own status changes (200)", async () => {
    const calls: string[] = [];
    const pool = t.app.pool as unknown as { query: (...args: unknown[]) => unknown };
    const original = pool.query.bind(pool);
    const spy = jest.spyOn(pool, 'query').mockImplementation((...args: unknown[]) => {
      const sql = args[0];
      calls.push(typeof sql === 'string' ? sql : String((sql as { text?: string }).text));
      return original(...args);
    });
    try {
      const r = await t.app.inject({ method: 'GET', url: '/v1/cases?limit=10', headers: kari });
      expect(r.statusCode).toBe(200);
      const items = r.json().items as Array<{ sla: { firstResponseDueAt: string } }>;
      expect(items.length).toBeGreaterThanOrEqual(3);
      for (const i of items) expect(typeof i.sla.firstResponseDueAt).toBe('string');
      // The page's statement reads each row's status changes from the row (status_changes), not
      // from the history; plus the calendar and the suspension windows unless they are cached
      // (both are kept for a few seconds).
      expect(calls.filter((sql) => sql.includes('case_history'))).toEqual([]);
      expect(calls.filter((sql) => sql.includes('c.status_changes AS sla_changes'))).toHaveLength(1);
      expect(calls.length).toBeLessThanOrEqual(3);
    } finally {
      spy.mockRestore();
    }
  });

  it('records a breach and its event once when the due time passes unmet (200)', async () => {
    t.clock.set('2025-06-13T15:00:00+02:00');
    const c = await file(t, ola, 'will breach');
    const run = (asOf: string) => t.app.inject({ method: 'POST', url: '/v1/admin/sla/run', headers: admin, payload: { asOf } });
    let r = await run('2025-06-16T14:59:59+02:00');
    expect(r.statusCode).toBe(200);
    const before = await rows<{ n: number }>(t, 'SELECT count(*)::int AS n FROM sla_breach WHERE case_id = $1', [c.id]);
    expect(before[0]!.n).toBe(0);
    r = await run('2025-06-16T15:00:00+02:00');
    expect(r.json().breaches).toBeGreaterThanOrEqual(1);
    r = await run('2025-06-16T15:30:00+02:00');
    const breaches = await rows<{ kind: string; due_at: Date; detected_at: Date }>(
      t,
      'SELECT kind::text AS kind, due_at, detected_at FROM sla_breach WHERE case_id = $1',
      [c.id],
    );
    expect(breaches).toEqual([{ kind: 'first_response', due_at: new Date('2025-06-16T13:00:00Z'), detected_at: new Date('2025-06-16T13:00:00Z') }]);
    const events = await rows<{ payload: Record<string, unknown> }>(
      t,
      "SELECT payload FROM outbox_event WHERE type = 'case.sla_breached' AND case_id = $1",
      [c.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ caseId: c.id, kind: 'first_response', dueAt: '2025-06-16T13:00:00.000Z', actor: { id: 'system' } });
    t.clock.set('2025-06-16T16:00:00+02:00');
    const view = (await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: ola })).json();
    expect(view.sla.breached).toEqual(['first_response']);
  });

  it('records no breach for a case a change in flight holds, and records it once the change is gone (200)', async () => {
    t.clock.set('2025-06-20T15:00:00+02:00');
    const c = await file(t, ola, 'held at its due time');
    const run = (asOf: string) => t.app.inject({ method: 'POST', url: '/v1/admin/sla/run', headers: admin, payload: { asOf } });
    expect((await run('2025-06-20T15:00:00+02:00')).statusCode).toBe(200);
    const breaches = async () => (await rows<{ n: number }>(t, 'SELECT count(*)::int AS n FROM sla_breach WHERE case_id = $1', [c.id]))[0]!.n;
    // A change of the case in flight after its due time (Monday 15:00): a new priority, whose
    // targets may move the due time. Its mark is not committed, so only the held case row shows it.
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`UPDATE "case" SET priority = 'low' WHERE id = $1`, [c.id]);
      expect((await run('2025-06-23T15:30:00+02:00')).statusCode).toBe(200);
      expect(await breaches()).toBe(0);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect((await run('2025-06-23T15:30:00+02:00')).json().breaches).toBeGreaterThanOrEqual(1);
    expect(await breaches()).toBe(1);
  });

  it('records a reply that came after the due time as a breach too (200)', async () => {
    t.clock.set('2025-09-05T15:00:00+02:00');
    const c = await file(t, ola, 'answered late');
    t.clock.set('2025-09-08T15:00:01+02:00');
    const r = await t.app.inject({ method: 'POST', url: `/v1/cases/${c.id}/messages`, headers: kari, payload: { body: 'Late answer' } });
    expect(r.statusCode).toBe(201);
    await t.app.serviceLevels.sla.sweep(new Date('2025-09-08T15:10:00+02:00'));
    const b = await rows<{ kind: string }>(t, 'SELECT kind::text AS kind FROM sla_breach WHERE case_id = $1', [c.id]);
    expect(b).toEqual([{ kind: 'first_response' }]);
  });

  it('records no breach for time on hold: the due time moves by the pause (200)', async () => {
    t.clock.set('2025-10-06T09:00:00+02:00');
    const c = await file(t, ola, 'on hold');
    t.clock.set('2025-10-06T10:00:00+02:00');
    const r = await t.app.inject({ method: 'POST', url: `/v1/cases/${c.id}/transitions`, headers: kari, payload: { to: 'ON_HOLD' } });
    expect(r.statusCode).toBe(200);
    // Without the pause the first response would be due Tuesday 09:00.
    await t.app.serviceLevels.sla.sweep(new Date('2025-10-08T09:00:00+02:00'));
    const b = await rows<{ n: number }>(t, 'SELECT count(*)::int AS n FROM sla_breach WHERE case_id = $1', [c.id]);
    expect(b[0]!.n).toBe(0);
    const s = await rows<{ w: Date | null; stale: boolean }>(
      t,
      'SELECT first_response_watch_at AS w, EXISTS (SELECT 1 FROM case_sla_stale d WHERE d.case_id = s.case_id) AS stale FROM case_sla s WHERE case_id = $1',
      [c.id],
    );
    expect(s).toEqual([{ w: null, stale: false }]);
  });

  it('refuses asOf in the sweep to non-admins (403)', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/admin/sla/run', headers: kari, payload: {} });
    expect(r.statusCode).toBe(403);
  });
});

(onRealServer() ? describe : describe.skip)('the SLA sweep on two instances', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const clock = new FixedClock('2025-03-03T09:00:00+01:00');
    a = await createTestApp({ clock, config: { SLA_BATCH_SIZE: '3' } });
    b = await createTestApp({ clock, databaseUrl: a.url, config: { SLA_BATCH_SIZE: '3' } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('writes each breach and its event once when both sweep concurrently (200)', async () => {
    const ola = await a.auth({ sub: 'ola' });
    const n = 20;
    for (let i = 0; i < n; i++) {
      const r = await a.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: ola,
        payload: { categoryKey: 'salary', subject: `c${i}`, description: 'd' },
      });
      expect(r.statusCode).toBe(201);
    }
    // Long after both targets (16 h, 80 h) of every case.
    const asOf = new Date('2025-05-01T12:00:00+02:00');
    const results = await Promise.all([
      a.app.serviceLevels.sla.sweep(asOf),
      b.app.serviceLevels.sla.sweep(asOf),
      a.app.serviceLevels.sla.sweep(asOf),
      b.app.serviceLevels.sla.sweep(asOf),
    ]);
    expect(results.reduce((s, r) => s + r.breaches, 0)).toBe(2 * n);
    const [counts] = (
      await a.app.pool.query<{ breaches: number; pairs: number; events: number; ecases: number; stale: number }>(
        `SELECT (SELECT count(*)::int FROM sla_breach) AS breaches,
                (SELECT count(DISTINCT (case_id, kind))::int FROM sla_breach) AS pairs,
                (SELECT count(*)::int FROM outbox_event WHERE type = 'case.sla_breached') AS events,
                (SELECT count(DISTINCT (case_id, payload->>'kind'))::int FROM outbox_event WHERE type = 'case.sla_breached') AS ecases,
                (SELECT count(*)::int FROM case_sla_stale) AS stale`,
      )
    ).rows;
    expect(counts).toEqual({ breaches: 2 * n, pairs: 2 * n, events: 2 * n, ecases: 2 * n, stale: 0 });
    const again = await Promise.all([a.app.serviceLevels.sla.sweep(asOf), b.app.serviceLevels.sla.sweep(asOf)]);
    expect(again.map((r) => r.breaches)).toEqual([0, 0]);
  });
});

describe('the SLA sweep loop', () => {
  it('records breaches by itself every SLA_INTERVAL_MS and stops on close (200)', async () => {
    const t = await createTestApp({ config: { SLA_INTERVAL_MS: '20' } });
    try {
      t.clock.set('2025-03-03T09:00:00+01:00');
      const ola = await t.auth({ sub: 'ola' });
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: ola,
        payload: { categoryKey: 'salary', subject: 's', description: 'd' },
      });
      expect(r.statusCode).toBe(201);
      t.clock.set('2025-04-01T09:00:00+02:00');
      const until = Date.now() + 15_000;
      let n = 0;
      while (n < 2 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        n = (await t.app.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sla_breach')).rows[0]!.n;
      }
      expect(n).toBe(2);
    } finally {
      await t.close();
    }
  });
});

describe('the SLA refresh batch', () => {
  let t: TestApp;
  let ola: Headers;
  beforeAll(async () => {
    t = await createTestApp();
    ola = await t.auth({ sub: 'ola', name: 'Ola' });
  });
  afterAll(async () => t.close());

  const stale = async () => (await rows<{ n: number }>(t, 'SELECT count(*)::int AS n FROM case_sla_stale'))[0]!.n;
  const staleRow = async (id: string) =>
    (await rows<{ stale: boolean }>(t, 'SELECT EXISTS (SELECT 1 FROM case_sla_stale WHERE case_id = $1) AS stale', [id]))[0]!.stale;

  it('halves the batch after one that held its rows too long, and still refreshes every stale row', async () => {
    for (let i = 0; i < 12; i++) await file(t, ola, `batch ${i}`);
    const before = await stale();
    expect(before).toBeGreaterThanOrEqual(12);
    // A target of 0 ms: every batch held its rows too long.
    const slow = new SlaService(t.app.pool, new FixedClock(new Date()), 'Europe/Oslo', 8, 0);
    const { refreshed } = await slow.sweep();
    expect(refreshed).toBe(before);
    expect(await stale()).toBe(0);
    // 8 held too long, then 4: halved twice (at least).
    expect(slow.refreshBatchSize).toBeLessThanOrEqual(2);

    for (let i = 0; i < 12; i++) await file(t, ola, `again ${i}`);
    // A target no batch reaches: the size stays at SLA_BATCH_SIZE.
    const quick = new SlaService(t.app.pool, new FixedClock(new Date()), 'Europe/Oslo', 8, 3_600_000);
    expect((await quick.sweep()).refreshed).toBe(12);
    expect(quick.refreshBatchSize).toBe(8);
  });

  // A change of the case row shows in its version; new targets on its category and a calendar edit
  // in the SLA row's mark count. The sweep is held in one of its two reads (the other goes through)
  // and the change lands then, after the read it would make stale.
  const FACTS = '%c.status_changes AS changes%';
  const CALENDAR = '%FROM service_hours%';
  const changes: Array<{ change: string; block: string; done: string; run: (t: TestApp, id: string, mover: pg.Client) => Promise<unknown> }> = [
    {
      change: 'a move of the case',
      block: 'service_hours',
      done: FACTS,
      run: (_, id, mover) => mover.query(`UPDATE "case" SET status = 'IN_PROGRESS' WHERE id = $1`, [id]),
    },
    {
      change: 'new targets on its category',
      block: 'service_hours',
      done: FACTS,
      run: (_, id, mover) =>
        mover.query(`UPDATE category SET resolution_hours = resolution_hours + 1 WHERE key = (SELECT category_key FROM "case" WHERE id = $1)`, [id]),
    },
    {
      change: 'a calendar edit',
      block: 'category',
      done: CALENDAR,
      run: (t) =>
        t.app.serviceLevels.calendar.put(
          { hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday: weekday as 1, start: '08:00', end: '15:00' })), closedDays: [] },
          'admin',
        ),
    },
  ];
  it.each(changes)(
    'reads and computes without holding its rows: $change meanwhile does not wait, and the row stays stale for the next sweep',
    async ({ block, done, run }) => {
      const { id } = await file(t, ola, 'marked while computed');
      const sweeper = new SlaService(t.app.pool, new FixedClock(new Date()), 'Europe/Oslo', 8);
      await sweeper.sweep();
      expect(await stale()).toBe(0);
      // Stale again, committed: the next sweep reads it.
      await t.app.pool.query(`UPDATE "case" SET status = 'ASSIGNED' WHERE id = $1`, [id]);
      expect(await stale()).toBe(1);
      const blocker = new pg.Client({ connectionString: t.url });
      const mover = new pg.Client({ connectionString: t.url });
      await blocker.connect();
      await mover.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query(`LOCK TABLE ${block} IN ACCESS EXCLUSIVE MODE`);
        const { db, pid, t0 } = (
          await blocker.query<{ db: string; pid: number; t0: Date }>(
            'SELECT current_database() AS db, pg_backend_pid() AS pid, clock_timestamp() AS t0',
          )
        ).rows[0]!;
        const sweep = sweeper.sweep();
        // Asked on the mover's own connection: the pool would hand out the connection whose last query is looked for.
        await eventually(
          'the sweep to make its other read while it waits',
          async () => {
            const { rows: r } = await mover.query<{ waiting: boolean; read: boolean }>(
              `SELECT bool_or(wait_event_type = 'Lock' AND pid <> $2) AS waiting,
                      bool_or(state = 'idle' AND state_change > $3 AND query LIKE $4) AS read
                 FROM pg_stat_activity WHERE datname = $1`,
              [db, pid, t0, done],
            );
            return Boolean(r[0]!.waiting && r[0]!.read);
          },
          5_000,
        );
        // The change, after that read: its marking does not wait for the sweep (a sweep holding the
        // row from its claim made it wait).
        await mover.query(`SET lock_timeout = '1s'`);
        await run(t, id, mover);
        await blocker.query('COMMIT');
        // What the sweep computed is from before the change: it is not written, and the row stays stale.
        expect((await sweep).refreshed).toBe(0);
        expect(await staleRow(id)).toBe(true);
      } finally {
        await blocker.end();
        await mover.end();
      }
      // (New targets and a new calendar mark the other running cases too.)
      expect((await sweeper.sweep()).refreshed).toBeGreaterThanOrEqual(1);
      expect(await staleRow(id)).toBe(false);
      expect(await stale()).toBe(0);
    },
  );

  // What a transaction in flight holds: a category or calendar edit holds the SLA row whose count it
  // bumps; a move holds the case row and, from its trigger on, the case's mark.
  const holds = [
    { what: 'SLA row', sql: 'SELECT 1 FROM case_sla WHERE case_id = $1 FOR UPDATE' },
    { what: 'mark (a move past its trigger)', sql: `UPDATE "case" SET status = 'ASSIGNED' WHERE id = $1` },
  ];
  it.each(holds)('passes over a row whose $what a transaction holds and refreshes the others in the same sweep, one row a batch', async ({ sql }) => {
    for (let i = 0; i < 3; i++) await file(t, ola, `held ${i}`);
    expect(await stale()).toBe(3);
    // The row a sweep reads first, held by a transaction in flight (as a long bulk change would).
    const [first] = await readStaleSla(pgQuery(t.app.pool), 1);
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    const one = new SlaService(t.app.pool, new FixedClock(new Date()), 'Europe/Oslo', 1, 3_600_000);
    try {
      await holder.query('BEGIN');
      await holder.query(sql, [first!.caseId]);
      expect((await one.sweep()).refreshed).toBe(2);
      expect(await staleRow(first!.caseId)).toBe(true);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect((await one.sweep()).refreshed).toBe(1);
    expect(await stale()).toBe(0);
  });

  it('marks a move of a case with a fresh SLA row by a row of its own, without rewriting the SLA row, which the next refresh writes', async () => {
    const { id } = await file(t, ola, 'moved once');
    const sweeper = new SlaService(t.app.pool, new FixedClock(new Date()), 'Europe/Oslo', 8);
    await sweeper.sweep();
    const place = async () => (await rows<{ ctid: string }>(t, 'SELECT ctid::text AS ctid FROM case_sla WHERE case_id = $1', [id]))[0]!.ctid;
    const refreshed = await place();
    expect(await staleRow(id)).toBe(false);
    await t.app.pool.query(`UPDATE "case" SET status = 'ASSIGNED' WHERE id = $1`, [id]);
    expect(await staleRow(id)).toBe(true);
    // The same row version: the mark wrote nothing to case_sla (a new version would have a new ctid).
    expect(await place()).toBe(refreshed);
    // A second move finds the mark there and leaves it.
    await t.app.pool.query(`UPDATE "case" SET status = 'IN_PROGRESS' WHERE id = $1`, [id]);
    expect(await stale()).toBe(1);
    expect((await sweeper.sweep()).refreshed).toBe(1);
    expect(await staleRow(id)).toBe(false);
    expect(await place()).not.toBe(refreshed);
  });
});
