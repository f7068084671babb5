import { verifySignature } from '../../src/http/webhook-signature';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

const SECRET = 'whsec_signature_time_0123456789';

/**
 * The signature timestamp used to be the sweep's start, shared by every delivery of the run: a
 * delivery sent late in a long run reached its receiver already outside the replay window
 * (#12 item 11). The receiver here checks each request against the time it arrived, while the
 * clock moves on by more than the window between requests.
 */
describe('webhook signature timestamps', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let r: Receiver;

  beforeAll(async () => {
    t = await createTestApp({ config: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
    h = await headersFor(t);
  });
  afterAll(async () => {
    await r?.close();
    await t.close();
  });

  it('signs each delivery with the time it is sent, not the time the run started (204)', async () => {
    const arrivedAt: number[] = [];
    r = await startReceiver(() => {
      arrivedAt.push(Math.floor(t.clock.now().getTime() / 1000));
      // Ten minutes pass before the next request: twice the receiver's replay window.
      t.clock.advance(600_000);
      return 204;
    });
    expectStatus(await api(t).post('/v1/webhooks', h.admin, { url: r.url, eventTypes: ['*'], secret: SECRET }), 201);
    // One case: its events go out one per round, strictly after each other.
    const c = await api(t).post('/v1/cases', h.requester, { categoryKey: 'general', subject: 'timed', description: 'd' });
    expectStatus(c, 201);
    const id = c.json<{ id: string }>().id;
    expectStatus(await api(t).patch(`/v1/cases/${id}`, h.operator, { assigneeId: 'kari' }), 200);
    expectStatus(await api(t).post(`/v1/cases/${id}/transitions`, h.operator, { to: 'IN_PROGRESS' }), 200);

    const result = await t.app.integration.webhooks.run();
    expect(result).toMatchObject({ attempted: 4, succeeded: 4, failed: 0 });
    expect(r.receipts).toHaveLength(4);
    r.receipts.forEach((receipt, i) => {
      const check = verifySignature(receipt.headers['saksflyt-signature'] as string, SECRET, receipt.body, arrivedAt[i]!);
      expect(check).toEqual({ ok: true, timestamp: arrivedAt[i] });
    });

    // The delivery log records each attempt at its own instant too.
    const subs = await api(t).get('/v1/webhooks', h.admin);
    const sub = subs.json<Array<{ id: string }>>()[0]!.id;
    const log = await api(t).get(`/v1/webhooks/${sub}/deliveries`, h.admin);
    const ats = log.json<{ items: Array<{ lastAttemptAt: string }> }>().items.map((d) => Math.floor(Date.parse(d.lastAttemptAt) / 1000));
    expect(ats.sort()).toEqual([...arrivedAt].sort());
  });
});
