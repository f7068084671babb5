import pg from 'pg';
import { verifySignature } from '../../src/http/webhook-signature';
import { OUTBOX_LOCK_KEY } from '../../src/repositories/event-repository';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { startReceiver, type Receipt, type Receiver } from '../helpers/webhook-receiver';

const SECRET = 'whsec_test_0123456789abcdef';
const DAY = 86_400_000;

interface Delivered {
  id: string;
  type: string;
  position: string;
  caseId: string;
}

describe('webhooks', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      // The receivers listen on loopback, which webhooks reach only when allowed.
      config: { WEBHOOK_MAX_FAILURES: '4', WEBHOOK_BACKOFF_BASE_MS: '1000', WEBHOOK_BACKOFF_MAX_MS: '60000', WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
    });
    h = await headersFor(t);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await t.close();
  });

  async function receiver(respond?: (n: number) => number): Promise<Receiver> {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  }

  async function subscribe(url: string, eventTypes: string[] = ['*']): Promise<string> {
    const res = await api(t).post('/v1/webhooks', h.admin, { url, eventTypes, secret: SECRET });
    expectStatus(res, 201);
    return res.json<{ id: string }>().id;
  }

  async function run(): Promise<{ attempted: number; succeeded: number; failed: number; disabled: number }> {
    const res = await api(t).post('/v1/admin/webhooks/run', h.admin, {});
    expectStatus(res, 200);
    return res.json();
  }

  /**
   * Takes `count` cases from REGISTERED to CLOSED, their steps interleaved, through the API and
   * the timers (asOf), and answers their ids.
   */
  async function lifecycles(count: number): Promise<string[]> {
    const a = api(t);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await a.post('/v1/cases', h.requester, { categoryKey: 'general', subject: `hook ${i}`, description: 'd' });
      expectStatus(res, 201);
      ids.push(res.json<{ id: string }>().id);
    }
    for (const id of ids) expectStatus(await a.patch(`/v1/cases/${id}`, h.operator, { assigneeId: 'kari' }), 200);
    for (const id of ids) expectStatus(await a.post(`/v1/cases/${id}/transitions`, h.operator, { to: 'IN_PROGRESS' }), 200);
    for (const id of ids) {
      const res = await a.post(`/v1/cases/${id}/messages`, h.operator, { body: 'Answer', setStatus: 'WAITING_FOR_USER' });
      expectStatus(res, 201);
    }
    const now = t.clock.now().getTime();
    for (const asOf of [now + 11 * DAY, now + 22 * DAY]) {
      expectStatus(await a.post('/v1/admin/timers/run', h.admin, { asOf: new Date(asOf).toISOString() }), 200);
    }
    for (const id of ids) {
      expect((await a.get(`/v1/cases/${id}`, h.operator)).json<{ status: string }>().status).toBe('CLOSED');
    }
    return ids;
  }

  async function expectedEvents(caseIds: string[], types?: string[]) {
    const rows = await t.app.db.outboxEvent.findMany({
      where: { caseId: { in: caseIds }, ...(types ? { type: { in: types } } : {}) },
      orderBy: { position: 'asc' },
    });
    return rows.map((r) => ({ id: r.id, type: r.type, position: r.position.toString(), caseId: r.caseId! }));
  }

  function parsed(receipts: Receipt[]): Array<Delivered & { status: number }> {
    return receipts.map((r) => ({ ...(JSON.parse(r.body) as Delivered), status: r.status }));
  }

  /** Every receipt of a case comes at or after the previous one's position; successes strictly after. */
  function expectInOrderPerCase(receipts: Array<Delivered & { status: number }>): void {
    const lastSeen = new Map<string, bigint>();
    const lastDone = new Map<string, bigint>();
    for (const r of receipts) {
      const p = BigInt(r.position);
      expect(p >= (lastSeen.get(r.caseId) ?? 0n)).toBe(true);
      lastSeen.set(r.caseId, p);
      if (r.status < 300) {
        expect(p > (lastDone.get(r.caseId) ?? 0n)).toBe(true);
        lastDone.set(r.caseId, p);
      }
    }
  }

  it('delivers every event of a lifecycle at least once, in order per case, signed (204)', async () => {
    const all = await receiver();
    const statusOnly = await receiver();
    const sub = await subscribe(all.url);
    await subscribe(statusOnly.url, ['case.status_changed']);
    const ids = await lifecycles(2);
    const result = await run();
    expect(result.failed).toBe(0);

    const expected = await expectedEvents(ids);
    expect(expected.map((e) => e.type)).toEqual(expect.arrayContaining(['case.created', 'case.assigned', 'case.message_added']));
    const got = parsed(all.receipts);
    expect(new Set(got.map((g) => g.id))).toEqual(new Set(expected.map((e) => e.id)));
    expectInOrderPerCase(got);

    const nowSeconds = Math.floor(t.clock.now().getTime() / 1000);
    for (const r of all.receipts) {
      const id = (JSON.parse(r.body) as Delivered).id;
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['saksflyt-event-id']).toBe(id);
      const check = verifySignature(r.headers['saksflyt-signature'] as string, SECRET, r.body, nowSeconds);
      expect(check).toEqual({ ok: true, timestamp: nowSeconds });
      expect(verifySignature(r.headers['saksflyt-signature'] as string, 'another-secret-123', r.body, nowSeconds).ok).toBe(false);
      expect(verifySignature(r.headers['saksflyt-signature'] as string, SECRET, `${r.body} `, nowSeconds).ok).toBe(false);
    }

    const filtered = parsed(statusOnly.receipts);
    const statusChanges = await expectedEvents(ids, ['case.status_changed']);
    expect(filtered.map((f) => f.id).sort()).toEqual(statusChanges.map((e) => e.id).sort());
    expectInOrderPerCase(filtered);

    const log = await api(t).get(`/v1/webhooks/${sub}/deliveries?limit=200`, h.admin);
    expectStatus(log, 200);
    const items = log.json<{ items: Array<{ state: string; attempts: number; attemptLog: unknown[] }> }>().items;
    expect(items).toHaveLength(expected.length);
    expect(items.every((d) => d.state === 'succeeded' && d.attempts === 1 && d.attemptLog.length === 1)).toBe(true);

    // Nothing is sent twice once delivered.
    expect((await run()).attempted).toBe(0);
    expectStatus(await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub}`, headers: h.admin }), 204);
    expect((await api(t).get(`/v1/webhooks/${sub}/deliveries`, h.admin)).statusCode).toBe(404);
  });

  it('still delivers everything to a receiver that fails 3 times then recovers (204)', async () => {
    await t.app.db.webhookSubscription.updateMany({ data: { active: false } });
    const flaky = await receiver((n) => (n < 3 ? 500 : 204));
    const sub = await subscribe(flaky.url);
    const ids = await lifecycles(2);
    for (let i = 0; i < 10; i++) {
      await run();
      const pending = await api(t).get(`/v1/webhooks/${sub}/deliveries?state=pending`, h.admin);
      if (pending.json<{ items: unknown[] }>().items.length === 0) break;
      t.clock.advance(61_000);
    }
    const got = parsed(flaky.receipts);
    expect(got.filter((g) => g.status === 500)).toHaveLength(3);
    const delivered = got.filter((g) => g.status === 204);
    const expected = await expectedEvents(ids);
    expect(new Set(delivered.map((g) => g.id))).toEqual(new Set(expected.map((e) => e.id)));
    expectInOrderPerCase(got);

    const s = (await api(t).get(`/v1/webhooks/${sub}`, h.admin)).json<{ active: boolean; consecutiveFailures: number }>();
    expect(s).toMatchObject({ active: true, consecutiveFailures: 0 });
    const log = (await api(t).get(`/v1/webhooks/${sub}/deliveries?limit=200`, h.admin)).json<{
      items: Array<{ attempts: number; attemptLog: Array<{ statusCode: number | null }> }>;
    }>();
    const retried = log.items.filter((d) => d.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.flatMap((d) => d.attemptLog.map((a) => a.statusCode))).toContain(500);
  });

  it('disables a subscription after WEBHOOK_MAX_FAILURES consecutive failures, and catches up once re-enabled (200)', async () => {
    await t.app.db.webhookSubscription.updateMany({ data: { active: false } });
    const down = await receiver(() => 503);
    const sub = await subscribe(down.url);
    const first = await api(t).post('/v1/cases', h.requester, { categoryKey: 'general', subject: 'down', description: 'd' });
    const caseId = first.json<{ id: string }>().id;
    for (let i = 0; i < 8; i++) {
      await run();
      t.clock.advance(61_000);
    }
    expect(down.receipts).toHaveLength(4);
    const disabled = (await api(t).get(`/v1/webhooks/${sub}`, h.admin)).json<{
      active: boolean;
      consecutiveFailures: number;
      disabledReason: string;
      disabledAt: string | null;
    }>();
    expect(disabled).toMatchObject({ active: false, consecutiveFailures: 4 });
    expect(disabled.disabledReason).toContain('4 consecutive failed deliveries');
    expect(disabled.disabledAt).not.toBeNull();
    // The delivery log filters the failed ones (tried, not delivered) from the rest.
    const failed = (await api(t).get(`/v1/webhooks/${sub}/deliveries?failed=true`, h.admin)).json<{
      items: Array<{ caseId: string; attempts: number }>;
    }>();
    expect(failed.items.map((d) => d.caseId)).toContain(caseId);
    expect(failed.items.every((d) => d.attempts > 0)).toBe(true);
    const rest = (await api(t).get(`/v1/webhooks/${sub}/deliveries?failed=false`, h.admin)).json<{ items: Array<{ caseId: string }> }>();
    expect(rest.items.map((d) => d.caseId)).not.toContain(caseId);

    // Events written while it was disabled are delivered after it is re-enabled, in order.
    expectStatus(await api(t).patch(`/v1/cases/${caseId}`, h.operator, { assigneeId: 'kari' }), 200);
    down.respond = () => 204;
    const enabled = await api(t).patch(`/v1/webhooks/${sub}`, h.admin, { active: true });
    expectStatus(enabled, 200);
    expect(enabled.json()).toMatchObject({ active: true, consecutiveFailures: 0, disabledReason: null });
    t.clock.advance(61_000);
    await run();
    const delivered = parsed(down.receipts).filter((r) => r.status === 204);
    expect(delivered.map((d) => d.id)).toEqual((await expectedEvents([caseId])).map((e) => e.id));
  });

  it('lets two instances run the loop at once: each event once, in order per case (204)', async () => {
    await t.app.db.webhookSubscription.updateMany({ data: { active: false } });
    const r = await receiver();
    await subscribe(r.url);
    const ids = await lifecycles(3);
    const other = await createTestApp({ databaseUrl: t.url, clock: t.clock, config: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
    try {
      await Promise.all([t.app.integration.webhooks.run(), other.app.integration.webhooks.run()]);
      await t.app.integration.webhooks.run();
    } finally {
      await other.app.close();
    }
    const got = parsed(r.receipts);
    const expected = await expectedEvents(ids);
    expect(got.map((g) => g.id).sort()).toEqual(expected.map((e) => e.id).sort());
    expectInOrderPerCase(got);
  });

  it('starts a subscription made while a writer holds the outbox lock at the newest event, not at the start of the feed (201)', async () => {
    await t.app.db.webhookSubscription.updateMany({ data: { active: false } });
    const before = await lifecycles(1);
    // An instance that never read the feed knows no safe bound yet (it knew 0 before the fix).
    const fresh = await createTestApp({ databaseUrl: t.url, clock: t.clock, config: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
    const writer = new pg.Client({ connectionString: t.url });
    await writer.connect();
    try {
      const r = await receiver();
      // A transaction writing events holds the lock shared until it commits; this one outlasts
      // the 2 s the safe bound waits for it.
      await writer.query('BEGIN');
      await writer.query('SELECT pg_advisory_xact_lock_shared($1::bigint)', [OUTBOX_LOCK_KEY]);
      const created = await api(fresh).post('/v1/webhooks', h.admin, { url: r.url, eventTypes: ['*'], secret: SECRET });
      expectStatus(created, 201);
      await writer.query('COMMIT');
      const after = await lifecycles(1);
      await t.app.integration.webhooks.run();
      const got = parsed(r.receipts);
      expect(got.filter((g) => before.includes(g.caseId))).toEqual([]);
      expect(new Set(got.map((g) => g.id))).toEqual(new Set((await expectedEvents(after)).map((e) => e.id)));
    } finally {
      await writer.end();
      await fresh.app.close();
    }
  }, 30_000);

  it('keeps subscriptions to admins and never shows the secret again (403, 200)', async () => {
    expect((await api(t).post('/v1/webhooks', h.operator, { url: 'https://example.org/h', eventTypes: ['*'] })).statusCode).toBe(403);
    expect((await api(t).get('/v1/webhooks', h.integration)).statusCode).toBe(403);
    const created = await api(t).post('/v1/webhooks', h.admin, { url: 'https://example.org/h', eventTypes: ['case.created'] });
    expectStatus(created, 201);
    expect(created.json<{ secret: string }>().secret).toMatch(/^whsec_/);
    expect(created.headers.location).toBe(`/v1/webhooks/${created.json<{ id: string }>().id}`);
    const listed = await api(t).get('/v1/webhooks', h.admin);
    expect(listed.body).not.toContain('whsec_');
    expect((await api(t).post('/v1/webhooks', h.admin, { url: 'ftp://example.org/h', eventTypes: ['*'] })).statusCode).toBe(400);
    expect((await api(t).post('/v1/webhooks', h.admin, { url: 'https://example.org/h', eventTypes: ['case.nope'] })).statusCode).toBe(400);
    expect((await api(t).get('/v1/webhooks/00000000-0000-4000-8000-000000000000', h.admin)).statusCode).toBe(404);
  });
});
