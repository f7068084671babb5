import pg from 'pg';
import { inTransaction, pgQuery, type Query } from '../../src/db/query';
import { listClosedDays, listServiceHours, replaceCalendar } from '../../src/repositories/calendar-repository';
import { eventsAfter, readSafeBound } from '../../src/repositories/event-repository';
import { appliedMigrations } from '../../src/repositories/health-repository';
import { claimKey, findKey, purgeExpiredKeys } from '../../src/repositories/idempotency-repository';
import { existingTeamKeys, upsertTeam } from '../../src/repositories/reference-repository';
import { deleteStaff, findStaff, upsertStaff } from '../../src/repositories/staff-repository';
import { insertSubscription, listDeliveries, updateSubscription } from '../../src/repositories/webhook-repository';
import { deleteWindow, insertWindow, loadWindows } from '../../src/repositories/window-repository';
import { createTestDatabase } from '../helpers/db';

describe('repositories (statements only, on one Query)', () => {
  let db: { url: string; drop(): Promise<void> };
  let pool: pg.Pool;
  let q: Query;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    q = pgQuery(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('upserts a team and says whether it was created', async () => {
    const first = await upsertTeam(q, { key: 'repo-team', nameNb: 'Lag', nameEn: 'Team', email: null });
    const again = await upsertTeam(q, { key: 'repo-team', nameNb: 'Laget', nameEn: 'The team', email: 'a@b.no' });
    expect(first).toEqual({ created: true, row: { key: 'repo-team', nameNb: 'Lag', nameEn: 'Team', email: null } });
    expect(again).toEqual({ created: false, row: { key: 'repo-team', nameNb: 'Laget', nameEn: 'The team', email: 'a@b.no' } });
    expect(await existingTeamKeys(q, ['repo-team', 'no-such-team'])).toEqual(['repo-team']);
  });

  it('keeps staff roles and teams as arrays', async () => {
    const at = new Date('2025-05-05T10:00:00Z');
    const { created } = await upsertStaff(q, {
      subject: 'repo-ola',
      name: null,
      roles: ['operator'],
      teams: ['repo-team'],
      updatedBy: 'x',
      updatedAt: at,
    });
    expect(created).toBe(true);
    expect(await findStaff(q, 'repo-ola')).toEqual({
      subject: 'repo-ola',
      name: null,
      roles: ['operator'],
      teams: ['repo-team'],
      updatedBy: 'x',
      updatedAt: at,
    });
    expect(await deleteStaff(q, 'repo-ola')).toBe(true);
    expect(await deleteStaff(q, 'repo-ola')).toBe(false);
  });

  it('stores windows by date and reads them back in the same transaction', async () => {
    const id = await inTransaction(pool, async (tx) => {
      const created = await insertWindow(tx, { from: '2030-07-01', to: '2030-07-31', reason: 'repo test', createdBy: 'x' });
      expect(await loadWindows(tx)).toContainEqual({ id: created, from: '2030-07-01', to: '2030-07-31', reason: 'repo test' });
      return created;
    });
    expect(await deleteWindow(q, id)).toEqual({ from: '2030-07-01', to: '2030-07-31' });
    expect(await deleteWindow(q, id)).toBeNull();
  });

  it('replaces the calendar and reads closed days back as the dates written', async () => {
    await inTransaction(pool, (tx) =>
      replaceCalendar(tx, [{ weekday: 2, start: '09:00', end: '15:00' }], [{ date: '2031-01-02', reason: 'closed' }], 'x', new Date()),
    );
    expect(await listServiceHours(q)).toEqual([{ weekday: 2, start: '09:00', end: '15:00' }]);
    expect(await listClosedDays(q)).toEqual([{ date: '2031-01-02', reason: 'closed' }]);
  });

  it('claims an idempotency key once and purges it when expired', async () => {
    const now = new Date('2025-01-01T00:00:00Z');
    const k = {
      principal: 'p',
      key: 'repo-k',
      hash: 'h',
      leaseUntil: new Date(now.getTime() + 60_000),
      now,
      expiresAt: new Date(now.getTime() + 3_600_000),
    };
    const owner = '00000000-0000-4000-8000-000000000001';
    expect(await claimKey(q, { ...k, owner })).toBe(owner);
    expect(await claimKey(q, { ...k, owner: '00000000-0000-4000-8000-000000000002' })).toBeNull();
    expect(await findKey(q, 'p', 'repo-k')).toMatchObject({ requestHash: 'h', state: 'in_progress' });
    expect(await purgeExpiredKeys(q, new Date(now.getTime() + 3_600_000))).toBeGreaterThanOrEqual(1);
    expect(await findKey(q, 'p', 'repo-k')).toBeNull();
  });

  it('answers outbox positions and delivery ids as bigint, and the latest 20 attempts oldest first', async () => {
    const [e] = await q<{ id: string }>(
      `INSERT INTO outbox_event (id, type, case_id, payload, created_at) VALUES (gen_random_uuid(), 'repo.test', NULL, '{"a":1}', now()) RETURNING id::text AS id`,
    );
    const bound = (await inTransaction(pool, readSafeBound))!;
    expect(typeof bound).toBe('bigint');
    const feed = await eventsAfter(q, bound - 1n, bound, 10);
    expect(feed).toEqual([expect.objectContaining({ position: bound, id: e!.id, type: 'repo.test', payload: { a: 1 }, caseExists: false })]);

    const now = new Date('2025-02-02T10:00:00Z');
    const sub = await insertSubscription(q, {
      url: 'https://example.test/hook',
      eventTypes: ['*'],
      secret: 's',
      description: null,
      active: true,
      cursor: 0n,
      disabledAt: null,
      disabledReason: null,
      createdBy: 'x',
      createdAt: now,
      updatedAt: now,
    });
    expect(await updateSubscription(q, sub.id, { description: 'changed', eventTypes: ['a', 'b'] })).toMatchObject({
      description: 'changed',
      eventTypes: ['a', 'b'],
    });
    const [d] = await q<{ id: string }>(
      `INSERT INTO webhook_delivery (subscription_id, event_id, event_position, event_type, next_attempt_at, created_at)
       VALUES ($1::uuid, $2::uuid, $3::bigint, 'repo.test', $4, $4) RETURNING id::text AS id`,
      [sub.id, e!.id, bound, now],
    );
    for (let i = 0; i < 25; i++) {
      await q('INSERT INTO webhook_attempt (delivery_id, at, status_code, error, duration_ms) VALUES ($1::bigint, $2, 500, NULL, $3)', [
        d!.id,
        new Date(now.getTime() + i * 1000),
        i,
      ]);
    }
    const [delivery] = await listDeliveries(q, sub.id, { limit: 10 });
    expect(delivery!.id).toBe(BigInt(d!.id));
    expect(delivery!.eventPosition).toBe(bound);
    expect(delivery!.attemptLog.map((a) => a.durationMs)).toEqual(Array.from({ length: 20 }, (_, i) => i + 5));
    expect(delivery!.attemptLog[0]!.at).toEqual(new Date(now.getTime() + 5000));
    expect(await listDeliveries(q, sub.id, { limit: 10, beforeId: BigInt(d!.id) })).toEqual([]);
    expect(await listDeliveries(q, sub.id, { limit: 10, state: 'succeeded' })).toEqual([]);
  });

  it('lists the applied migrations', async () => {
    expect((await appliedMigrations(q)).length).toBeGreaterThan(0);
  });
});
