import pg from 'pg';
import { FixedClock } from '../../src/domain/clock';
import { createTestApp, type TestApp } from '../helpers/app';
import { createTestDatabase, onRealServer } from '../helpers/db';
import { seedWaitingCases } from '../helpers/seed-timers';
import { eventually } from '../helpers/eventually';

/**
 * Timers across app instances on one database: a restart loses none, many sweepers fire each
 * once, and the background loop runs by itself and stops on close.
 */

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

const WAITING_SINCE = new Date('2025-03-03T09:00:00Z');
const DUE = new Date('2025-03-13T09:00:00Z');

/** Every case ended where the timer puts it, moved once, with one status row (and its resolution row) and one event. */
async function expectEachMovedOnce(url: string, n: number): Promise<void> {
  const [counts] = await query<{
    cases: number;
    completed: number;
    v2: number;
    history: number;
    hcases: number;
    events: number;
    ecases: number;
    closing: number;
  }>(
    url,
    `SELECT
       (SELECT count(*)::int FROM "case") AS cases,
       (SELECT count(*)::int FROM "case" WHERE status = 'COMPLETED') AS completed,
       (SELECT count(*)::int FROM "case" WHERE version = 2) AS v2,
       (SELECT count(*)::int FROM case_history WHERE actor_id = 'system' AND field = 'status') AS history,
       (SELECT count(DISTINCT case_id)::int FROM case_history
          WHERE actor_id = 'system' AND field = 'status' AND from_value = 'WAITING_FOR_USER' AND to_value = 'COMPLETED') AS hcases,
       (SELECT count(*)::int FROM outbox_event WHERE payload->'actor'->>'id' = 'system') AS events,
       (SELECT count(DISTINCT case_id)::int FROM outbox_event
          WHERE type = 'case.status_changed' AND payload->>'to' = 'COMPLETED') AS ecases,
       (SELECT count(*)::int FROM case_timer WHERE from_status = 'COMPLETED' AND to_status = 'CLOSED') AS closing`,
  );
  expect(counts).toEqual({ cases: n, completed: n, v2: n, history: n, hcases: n, events: n, ecases: n, closing: n });
}

describe('timers across restarts and instances', () => {
  it('fires a timer that fell due while the service was down once, when a new instance starts (200)', async () => {
    const db = await createTestDatabase();
    let before: TestApp | null = null;
    let after: TestApp | null = null;
    try {
      before = await createTestApp({ databaseUrl: db.url, clock: new FixedClock(WAITING_SINCE) });
      const ola = await before.auth({ sub: 'ola' });
      const kari = await before.auth({ sub: 'kari', roles: ['operator'], teams: ['payroll'] });
      const c = (
        await before.app.inject({
          method: 'POST',
          url: '/v1/cases',
          headers: ola,
          payload: { categoryKey: 'salary', subject: 's', description: 'd' },
        })
      ).json();
      const w = await before.app.inject({
        method: 'POST',
        url: `/v1/cases/${c.id}/transitions`,
        headers: kari,
        payload: { to: 'WAITING_FOR_USER', reply: 'r' },
      });
      expect(w.json().autoTransition.dueAt).toBe(DUE.toISOString());
      await before.app.close();
      before = null;

      // Back three days after the due time, with the background loop on: its first sweep runs at start.
      after = await createTestApp({
        databaseUrl: db.url,
        clock: new FixedClock('2025-03-16T09:00:00Z'),
        config: { TIMER_INTERVAL_MS: '20' },
      });
      const app = after.app;
      await eventually(
        'the overdue timer to fire',
        async () => (await app.db.case.findUniqueOrThrow({ where: { id: c.id } })).status === 'COMPLETED',
      );
      expect(await app.services.timers.runDue()).toBe(0);
      const system = await app.db.caseHistory.findMany({ where: { caseId: c.id, actorId: 'system' } });
      expect(system.map((h) => [h.field, h.fromValue, h.toValue, h.at.toISOString()])).toEqual([
        ['status', 'WAITING_FOR_USER', 'COMPLETED', '2025-03-16T09:00:00.000Z'],
        ['resolution', null, 'answered', '2025-03-16T09:00:00.000Z'],
      ]);
      const read = await app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: await after.auth({ sub: 'ola' }) });
      expect(read.json().autoTransition).toEqual({ to: 'CLOSED', dueAt: '2025-03-26T09:00:00.000Z' });
    } finally {
      await before?.app.close();
      await after?.app.close();
      await db.drop();
    }
  });

  const realServer = onRealServer() ? it : it.skip;

  realServer('fires 500 due timers exactly once when two instances sweep them concurrently (200)', async () => {
    const db = await createTestDatabase();
    const apps: TestApp[] = [];
    try {
      await seedWaitingCases(db.url, 500, { enteredAt: WAITING_SINCE, dueAt: DUE });
      // Small batches, two sweeps per instance: the sweepers overlap on the same rows throughout.
      for (let i = 0; i < 2; i++) {
        apps.push(await createTestApp({ databaseUrl: db.url, clock: new FixedClock(DUE), config: { TIMER_BATCH_SIZE: '20' } }));
      }
      const fired = await Promise.all(apps.flatMap((a) => [a.app.services.timers.runDue(), a.app.services.timers.runDue()]));
      expect(fired.reduce((x, y) => x + y, 0)).toBe(500);
      await expectEachMovedOnce(db.url, 500);
      expect(await Promise.all(apps.map((a) => a.app.services.timers.runDue()))).toEqual([0, 0]);
    } finally {
      for (const a of apps) await a.app.close();
      await db.drop();
    }
  });

  realServer('fires 500 due timers exactly once with the background loops of two instances (200)', async () => {
    const db = await createTestDatabase();
    const apps: TestApp[] = [];
    try {
      await seedWaitingCases(db.url, 500, { enteredAt: WAITING_SINCE, dueAt: DUE });
      const warnings: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        const a = await createTestApp({
          databaseUrl: db.url,
          clock: new FixedClock(DUE),
          config: { TIMER_INTERVAL_MS: '10', TIMER_BATCH_SIZE: '25' },
        });
        // The loop logs a failed sweep as a warning; there must be none.
        const log = a.app.log as unknown as { warn: (...args: unknown[]) => void };
        log.warn = (...args: unknown[]) => void warnings.push(args);
        apps.push(a);
      }
      await eventually('all 500 cases to complete', async () => {
        const [r] = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM "case" WHERE status = 'COMPLETED'`);
        return r!.n === 500;
      });
      for (const a of apps) await a.app.close();
      apps.length = 0;
      await expectEachMovedOnce(db.url, 500);
      expect(warnings).toEqual([]);
    } finally {
      for (const a of apps) await a.app.close();
      await db.drop();
    }
  });
});

describe('timers racing requests', () => {
  const realServer = onRealServer() ? it : it.skip;

  realServer('moves each due case once when operators move the same cases while a sweep runs (200, 409)', async () => {
    const db = await createTestDatabase();
    const t = await createTestApp({ databaseUrl: db.url, clock: new FixedClock(DUE), config: { TIMER_BATCH_SIZE: '10' } });
    try {
      const ids = await seedWaitingCases(db.url, 60, { enteredAt: WAITING_SINCE, dueAt: DUE });
      const kari = await t.auth({ sub: 'kari', roles: ['operator'], teams: ['payroll'] });
      const [fired, ...answers] = await Promise.all([
        t.app.services.timers.runDue(),
        ...ids.map((id) => t.app.inject({ method: 'POST', url: `/v1/cases/${id}/transitions`, headers: kari, payload: { to: 'ON_HOLD' } })),
      ]);
      const statuses = answers.map((r) => (r as { statusCode: number }).statusCode);
      // Whoever came second saw the other's result: the operator a COMPLETED case (409), the sweep no timer.
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
      const rows = await query<{ status: string; system: number; events: number }>(
        db.url,
        `SELECT c.status::text AS status,
                (SELECT count(*)::int FROM case_history h WHERE h.case_id = c.id AND h.actor_id = 'system' AND h.field = 'status') AS system,
                (SELECT count(*)::int FROM outbox_event e WHERE e.case_id = c.id AND e.payload->'actor'->>'id' = 'system') AS events
         FROM "case" c`,
      );
      const completed = rows.filter((r) => r.status === 'COMPLETED');
      const onHold = rows.filter((r) => r.status === 'ON_HOLD');
      expect(completed.length + onHold.length).toBe(60);
      expect(completed.length).toBe(fired);
      expect(statuses.filter((s) => s === 409)).toHaveLength(fired);
      expect(completed.every((r) => r.system === 1 && r.events === 1)).toBe(true);
      expect(onHold.every((r) => r.system === 0 && r.events === 0)).toBe(true);
      const [timers] = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM case_timer WHERE from_status = 'WAITING_FOR_USER'`);
      expect(timers!.n).toBe(0);
    } finally {
      await t.app.close();
      await db.drop();
    }
  });
});

describe('the background timer loop', () => {
  it('fires due timers by itself and does no work after close (200)', async () => {
    const db = await createTestDatabase();
    const clock = new FixedClock(WAITING_SINCE);
    const t = await createTestApp({ databaseUrl: db.url, clock, config: { TIMER_INTERVAL_MS: '10', TIMER_BATCH_SIZE: '5' } });
    let closed = false;
    try {
      const [first] = await seedWaitingCases(db.url, 12, { enteredAt: WAITING_SINCE, dueAt: DUE, numberPrefix: 'A' });
      const timers = t.app.services.timers;
      const sweep = timers.sweep.bind(timers);
      let sweepsAfterClose = 0;
      timers.sweep = (...args) => {
        if (closed) sweepsAfterClose++;
        return sweep(...args);
      };
      // Not due yet: the loop sweeps but moves nothing.
      const [row] = await query<{ status: string }>(db.url, `SELECT status FROM "case" WHERE id = $1`, [first]);
      expect(row!.status).toBe('WAITING_FOR_USER');
      clock.set(DUE);
      await eventually('the loop to fire all 12 timers', async () => {
        const [r] = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM "case" WHERE status = 'COMPLETED'`);
        return r!.n === 12;
      });

      await t.app.close();
      closed = true;
      // A case falls due after close: nothing may fire it, however long we look.
      const [late] = await seedWaitingCases(db.url, 1, { enteredAt: WAITING_SINCE, dueAt: DUE, numberPrefix: 'B' });
      await new Promise((r) => setTimeout(r, 300));
      const [still] = await query<{ status: string }>(db.url, `SELECT status FROM "case" WHERE id = $1`, [late]);
      expect(still!.status).toBe('WAITING_FOR_USER');
      expect(sweepsAfterClose).toBe(0);
      await expectEachMovedOnceAmong(db.url, 12);
    } finally {
      if (!closed) await t.app.close();
      await db.drop();
    }
  });

  it('stops a sweep under way after its batch and lets close wait for it (200)', async () => {
    const db = await createTestDatabase();
    const t = await createTestApp({ databaseUrl: db.url, config: { TIMER_INTERVAL_MS: '10' } });
    try {
      const timers = t.app.services.timers;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let signal: AbortSignal | undefined;
      timers.sweep = async (_asOf, s) => {
        signal = s;
        await held;
        return { fired: 0, voided: [], batches: 1 };
      };
      await eventually('a sweep to start', async () => signal !== undefined);
      let closeDone = false;
      const closing = t.app.close().then(() => (closeDone = true));
      await eventually('close to abort the sweep', async () => signal!.aborted);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(closeDone).toBe(false);
      release();
      await closing;
      expect(closeDone).toBe(true);
    } finally {
      await db.drop();
    }
  });
});

/** The first `n` seeded cases completed once each (the late one is checked apart). */
async function expectEachMovedOnceAmong(url: string, n: number): Promise<void> {
  const [r] = await query<{ history: number; events: number; completed: number }>(
    url,
    `SELECT (SELECT count(*)::int FROM case_history WHERE actor_id = 'system' AND field = 'status') AS history,
            (SELECT count(*)::int FROM outbox_event WHERE payload->'actor'->>'id' = 'system') AS events,
            (SELECT count(*)::int FROM "case" WHERE status = 'COMPLETED' AND version = 2) AS completed`,
  );
  expect(r).toEqual({ history: n, events: n, completed: n });
}
