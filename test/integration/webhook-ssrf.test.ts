import net from 'node:net';
import { WebhookEgress } from '../../src/http/webhook-egress';
import type { Principal } from '../../src/domain/roles';
import { WebhookService } from '../../src/services/webhook-service';
import { createTestApp, type TestApp } from '../helpers/app';
import { logSink } from '../helpers/log-sink';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

const ROOT: Principal = { id: 'root', name: null, roles: ['admin'], teams: [], employeeNumber: null, scopes: [] };

/**
 * Webhook SSRF (#12 item 5): only the URL scheme used to be checked, so a subscription could
 * point at loopback, private or metadata addresses, and the delivery log reported the connection
 * errors of internal hosts. Receivers here are real HTTP servers on loopback.
 */
describe('webhook destinations', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  const receivers: Receiver[] = [];
  const logLines: string[] = [];

  beforeAll(async () => {
    const stream = logSink(logLines);
    // The default policy: nothing internal is allowed.
    t = await createTestApp({ config: { WEBHOOK_MAX_FAILURES: '2', WEBHOOK_TIMEOUT_MS: '300' }, logger: { level: 'warn', stream } });
    h = await headersFor(t);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await t.close();
  });
  beforeEach(async () => {
    await t.app.db.webhookSubscription.updateMany({ data: { active: false } });
  });

  async function receiver(respond?: (n: number) => number): Promise<Receiver> {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  }

  async function fileCase(): Promise<string> {
    const c = await api(t).post('/v1/cases', h.requester, { categoryKey: 'general', subject: 'hooked', description: 'd' });
    expectStatus(c, 201);
    return c.json<{ id: string }>().id;
  }

  it.each([
    'https://127.0.0.1:8443/h',
    'http://0x7f000001/h',
    'http://2130706433/h',
    'http://127.1/h',
    'http://[::ffff:127.0.0.1]/h',
    'http://[::1]:3000/h',
    'http://localhost:5432/h',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://10.0.0.1/h',
    'http://172.16.5.4/h',
    'http://192.168.0.10/h',
    'http://100.64.0.1/h',
    'http://[fc00::1]/h',
    'http://[fe80::1]/h',
    'http://0.0.0.0:3000/h',
    'http://[::]/h',
    'http://224.0.0.251/h',
    'http://[ff02::1]/h',
  ])('refuses to subscribe %s (400)', async (url) => {
    const res = await api(t).post('/v1/webhooks', h.admin, { url, eventTypes: ['*'] });
    expectStatus(res, 400);
    expect(res.json()).toMatchObject({ code: 'validation-failed', errors: [{ path: '/url' }] });
  });

  it('refuses to move a subscription to an internal address (400), and keeps public ones (201, 200)', async () => {
    const created = await api(t).post('/v1/webhooks', h.admin, { url: 'https://hooks.example.org/h', eventTypes: ['*'], active: false });
    expectStatus(created, 201);
    const id = created.json<{ id: string }>().id;
    expectStatus(await api(t).patch(`/v1/webhooks/${id}`, h.admin, { url: 'http://169.254.169.254/' }), 400);
    expectStatus(await api(t).patch(`/v1/webhooks/${id}`, h.admin, { url: 'https://93.184.216.34/h' }), 200);
  });

  it('refuses at connect time a name that resolves to loopback, whatever was allowed when it was saved (200)', async () => {
    const r = await receiver();
    const port = new URL(r.url).port;
    // An instance that allowed localhost saved it; this one does not allow it.
    const lenient = await createTestApp({ databaseUrl: t.url, clock: t.clock, config: { WEBHOOK_ALLOW_HOSTS: 'localhost' } });
    let sub: string;
    try {
      const created = await api(lenient).post('/v1/webhooks', await lenient.auth({ sub: 'root', roles: ['admin'] }), {
        url: `http://localhost:${port}/hooks`,
        eventTypes: ['*'],
      });
      expectStatus(created, 201);
      sub = created.json<{ id: string }>().id;
    } finally {
      await lenient.app.close();
    }
    await fileCase();
    const result = await t.app.integration.webhooks.run();
    expect(result.attempted).toBeGreaterThan(0);
    expect(result.succeeded).toBe(0);
    expect(r.receipts).toHaveLength(0);
    const log = await api(t).get(`/v1/webhooks/${sub}/deliveries`, h.admin);
    expect(log.json<{ items: Array<{ lastError: string }> }>().items.map((d) => d.lastError)).toEqual(['refused by policy']);
    expect(log.body).not.toContain(port);
    expect(log.body).not.toContain('localhost');
  });

  it('catches a name that re-resolves to loopback after it was saved (DNS rebinding) (200)', async () => {
    const r = await receiver();
    const port = new URL(r.url).port;
    let answer = '93.184.216.34';
    const resolved: string[] = [];
    const egress = new WebhookEgress('', async (host) => {
      resolved.push(host);
      return [{ address: answer, family: 4 }];
    });
    const service = new WebhookService(t.app.pool, t.app.integration.events, t.clock, {
      maxFailures: 10,
      batchSize: 50,
      timeoutMs: 2000,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      allowHttp: true,
      userAgent: 'test',
      egress,
    });
    try {
      await service.create(ROOT, { url: `http://rebind.example.test:${port}/hooks`, eventTypes: ['*'] });
      expect(resolved).toEqual(['rebind.example.test']);
      answer = '127.0.0.1';
      await fileCase();
      const result = await service.run();
      expect(result).toMatchObject({ succeeded: 0, failed: 1 });
      expect(r.receipts).toHaveLength(0);
      expect(resolved.length).toBeGreaterThan(1);
    } finally {
      service.close();
    }

    // The same name allowed explicitly does reach the receiver: the lookup on the agent is the
    // one that decides where the connection goes (the name is unknown to the real DNS).
    await t.app.db.webhookSubscription.updateMany({ data: { active: false } });
    const allowing = new WebhookService(t.app.pool, t.app.integration.events, t.clock, {
      maxFailures: 10,
      batchSize: 50,
      timeoutMs: 2000,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      allowHttp: true,
      userAgent: 'test',
      egress: new WebhookEgress('127.0.0.1', async () => [{ address: '127.0.0.1', family: 4 }]),
    });
    try {
      await allowing.create(ROOT, { url: `http://rebind.example.test:${port}/hooks`, eventTypes: ['*'] });
      await fileCase();
      expect(await allowing.run()).toMatchObject({ succeeded: 1, failed: 0 });
      expect(r.receipts).toHaveLength(1);
    } finally {
      allowing.close();
    }
  });

  it('shows callers generic delivery errors; the cause goes to the log only (200)', async () => {
    const allowed = await createTestApp({
      databaseUrl: t.url,
      clock: t.clock,
      config: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_MAX_FAILURES: '1', WEBHOOK_TIMEOUT_MS: '300' },
      logger: { level: 'warn', stream: logSink(logLines) },
    });
    // A port nobody listens on, a server that never answers, and one answering 503.
    const closedPort = await freePort();
    const silent = net.createServer(() => undefined);
    const held = new Set<net.Socket>();
    silent.on('connection', (s) => held.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const busy = await receiver(() => 503);
    try {
      const admin = await allowed.auth({ sub: 'root', roles: ['admin'] });
      const subscribe = async (url: string) => {
        const res = await api(allowed).post('/v1/webhooks', admin, { url, eventTypes: ['case.created'] });
        expectStatus(res, 201);
        return res.json<{ id: string }>().id;
      };
      const subs = {
        refused: await subscribe(`http://127.0.0.1:${closedPort}/hooks`),
        silent: await subscribe(`http://127.0.0.1:${silentPort}/hooks`),
        busy: await subscribe(busy.url),
      };
      await fileCase();
      await allowed.app.integration.webhooks.run();

      const lastError = async (id: string) => {
        const res = await api(allowed).get(`/v1/webhooks/${id}/deliveries`, admin);
        expectStatus(res, 200);
        return res;
      };
      const expected = { refused: 'connection failed', silent: 'timeout', busy: 'HTTP 503' } as const;
      for (const [name, id] of Object.entries(subs) as Array<[keyof typeof subs, string]>) {
        const log = await lastError(id);
        const items = log.json<{ items: Array<{ lastError: string; attemptLog: Array<{ error: string }> }> }>().items;
        expect(items.map((d) => d.lastError)).toEqual([expected[name]]);
        expect(items[0]!.attemptLog.map((a) => a.error)).toEqual([expected[name]]);
        expect(log.body).not.toMatch(/ECONN|127\.0\.0\.1|socket|connect /i);
        const sub = await api(allowed).get(`/v1/webhooks/${id}`, admin);
        expect(sub.json()).toMatchObject({ active: false, disabledReason: `1 consecutive failed deliveries (last: ${expected[name]})` });
      }
      expect(logLines.some((l) => l.includes('ECONNREFUSED'))).toBe(true);
    } finally {
      await allowed.app.close();
      for (const s of held) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
