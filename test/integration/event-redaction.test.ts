import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

interface Item {
  id: string;
  type: string;
  caseId: string | null;
  payload: Record<string, unknown>;
  redacted: boolean;
}

/** Every payload field a redacted event may carry (docs/webhooks.md). */
const REDACTED_KEYS = new Set([
  'caseId',
  'number',
  'status',
  'version',
  'at',
  'categoryKey',
  'teamKey',
  'channel',
  'from',
  'to',
  'fields',
  'messageId',
  'visibility',
  'attachmentId',
  'closedAt',
  'retentionMonths',
  'kind',
  'dueAt',
]);

/**
 * Events of sensitive cases used to carry actor ids, onBehalfOf names and free-text reasons to
 * every webhook and to every feed reader who could see the case (#12 item 6). They now carry
 * ids, status and codes only, unless the receiver holds the sensitive grant.
 */
describe('events of sensitive cases', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let anne: Headers;
  let sensitiveClient: Headers;
  let sick: string;
  let general: string;
  const receivers: Receiver[] = [];
  const REASON = 'Sykmeldt: depresjon etter samlivsbrudd';

  beforeAll(async () => {
    t = await createTestApp({ config: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
    h = await headersFor(t);
    anne = await t.auth({ sub: 'op-anne-7', roles: ['operator'], teams: ['absence'] });
    sensitiveClient = await t.auth({ sub: 'hr', roles: ['integration'], scope: ['cases:read', 'cases:read:sensitive'] });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await t.close();
  });

  /** A sickness case filed by an operator for an external requester, assigned and moved with a reason; and a general one. */
  async function writeEvents(): Promise<void> {
    const a = api(t);
    const created = await a.post('/v1/cases', anne, {
      categoryKey: 'sickness',
      subject: 'Sick leave',
      description: 'd',
      channel: 'phone',
      externalRequester: { name: 'Eva Ekstern', phone: '+47 12345678' },
    });
    expectStatus(created, 201);
    sick = created.json<{ id: string }>().id;
    expectStatus(await a.patch(`/v1/cases/${sick}`, anne, { assigneeId: 'op-anne-7' }), 200);
    expectStatus(await a.post(`/v1/cases/${sick}/transitions`, anne, { to: 'IN_PROGRESS', reason: REASON }), 200);
    const g = await a.post('/v1/cases', h.requester, { categoryKey: 'general', subject: 'plain', description: 'd' });
    expectStatus(g, 201);
    general = g.json<{ id: string }>().id;
    expectStatus(await a.patch(`/v1/cases/${general}`, h.operator, { assigneeId: 'kari' }), 200);
  }

  function expectRedacted(items: Item[]): void {
    expect(items.length).toBeGreaterThanOrEqual(4);
    for (const i of items) {
      expect(i.redacted).toBe(true);
      expect(Object.keys(i.payload).filter((k) => !REDACTED_KEYS.has(k))).toEqual([]);
      if (i.type === 'case.assigned') expect(i.payload).not.toHaveProperty('to');
    }
    const text = JSON.stringify(items);
    for (const leak of ['op-anne-7', 'Eva Ekstern', REASON, '"actor"', 'onBehalfOf']) expect(text).not.toContain(leak);
    expect(items.find((i) => i.type === 'case.status_changed' && i.payload.to === 'IN_PROGRESS')?.payload).toMatchObject({
      from: 'ASSIGNED',
      status: 'IN_PROGRESS',
    });
  }

  function expectFull(items: Item[]): void {
    expect(items.every((i) => !i.redacted)).toBe(true);
    const text = JSON.stringify(items);
    for (const detail of ['op-anne-7', 'Eva Ekstern', REASON]) expect(text).toContain(detail);
  }

  it('webhooks without the grant get ids and status only; with includeSensitive, everything (204)', async () => {
    const plain = await startReceiver();
    const granted = await startReceiver();
    receivers.push(plain, granted);
    expectStatus(await api(t).post('/v1/webhooks', h.admin, { url: plain.url, eventTypes: ['*'] }), 201);
    const g = await api(t).post('/v1/webhooks', h.admin, { url: granted.url, eventTypes: ['*'], includeSensitive: true });
    expectStatus(g, 201);
    expect(g.json()).toMatchObject({ includeSensitive: true });
    await writeEvents();
    await t.app.integration.webhooks.run();

    const got = (r: Receiver, caseId: string) => r.receipts.map((x) => JSON.parse(x.body) as Item).filter((i) => i.caseId === caseId);
    expectRedacted(got(plain, sick));
    expectFull(got(granted, sick));
    // Other categories are not cut.
    const plainGeneral = got(plain, general);
    expect(plainGeneral.length).toBeGreaterThan(0);
    expect(plainGeneral.every((i) => !i.redacted && 'actor' in i.payload)).toBe(true);
    // The outbox keeps the full event.
    const stored = await t.app.db.outboxEvent.findMany({ where: { caseId: sick } });
    expect(JSON.stringify(stored.map((e) => e.payload))).toContain(REASON);
  });

  it('the feed gives ids and status only unless the caller holds cases:read:sensitive (200)', async () => {
    const feed = async (who: Headers) => {
      const res = await api(t).get('/v1/events?limit=1000', who);
      expectStatus(res, 200);
      return res.json<{ items: Item[] }>().items;
    };
    expectRedacted((await feed(h.admin)).filter((i) => i.caseId === sick));
    expectRedacted((await feed(anne)).filter((i) => i.caseId === sick));
    expectFull((await feed(sensitiveClient)).filter((i) => i.caseId === sick));
    const adminGeneral = (await feed(h.admin)).filter((i) => i.caseId === general);
    expect(adminGeneral.length).toBeGreaterThan(0);
    expect(adminGeneral.every((i) => !i.redacted && 'actor' in i.payload)).toBe(true);
  });

  it('only callers holding the grant may set includeSensitive or change a subscription that has it (403)', async () => {
    const adminClient = await t.auth({ sub: 'ops-bot', roles: ['integration'], scope: ['admin'] });
    const grantedClient = await t.auth({ sub: 'hr-admin', roles: ['integration'], scope: ['admin', 'cases:read:sensitive'] });
    const url = 'https://hooks.example.org/sensitive';
    const refused = await api(t).post('/v1/webhooks', adminClient, { url, eventTypes: ['*'], includeSensitive: true });
    expectStatus(refused, 403);
    expect(refused.json()).toMatchObject({ code: 'forbidden' });
    // Today's access is kept: the admin scope still subscribes, without the grant.
    const plain = await api(t).post('/v1/webhooks', adminClient, { url, eventTypes: ['*'], active: false });
    expectStatus(plain, 201);
    expect(plain.json()).toMatchObject({ includeSensitive: false });
    expectStatus(await api(t).patch(`/v1/webhooks/${plain.json<{ id: string }>().id}`, adminClient, { includeSensitive: true }), 403);

    const granted = await api(t).post('/v1/webhooks', grantedClient, { url, eventTypes: ['*'], includeSensitive: true, active: false });
    expectStatus(granted, 201);
    const id = granted.json<{ id: string }>().id;
    // Moving it elsewhere would redirect the data: refused to a client without the grant.
    expectStatus(await api(t).patch(`/v1/webhooks/${id}`, adminClient, { url: 'https://attacker.example.org/h' }), 403);
    expect((await api(t).get(`/v1/webhooks/${id}`, h.admin)).json()).toMatchObject({ url, includeSensitive: true });
    expectStatus(await api(t).patch(`/v1/webhooks/${id}`, h.admin, { includeSensitive: false }), 200);
  });
});
