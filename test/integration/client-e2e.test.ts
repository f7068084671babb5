import type { AddressInfo } from 'node:net';
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../client/schema';
import { createTestApp, type TestApp } from '../helpers/app';

const DAY = 86_400_000;

/**
 * The generated client (test/client/schema.d.ts from openapi/openapi.json, driven by
 * openapi-fetch) against the app on a real loopback port: if the document and the server
 * disagree, this fails at compile time (tsc) or here.
 */
describe('the generated client over HTTP', () => {
  let t: TestApp;
  let baseUrl: string;
  const clients: Record<'ola' | 'kari' | 'admin' | 'hr', Client<paths>> = {} as never;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const as = async (who: Parameters<TestApp['auth']>[0]) => createClient<paths>({ baseUrl, headers: await t.auth(who) });
    clients.ola = await as({ sub: 'ola', name: 'Ola Nordmann' });
    clients.kari = await as({ sub: 'kari', roles: ['operator'], teams: ['payroll'] });
    clients.admin = await as({ sub: 'root', roles: ['admin'] });
    clients.hr = await as({ sub: 'hr-system', roles: ['integration'], scope: ['cases:read'] });
  });
  afterAll(async () => t.close());

  it('drives a case from REGISTERED to CLOSED (201, 200)', async () => {
    const { ola, kari, admin, hr } = clients;
    const created = await ola.POST('/v1/cases', {
      params: { header: { 'idempotency-key': 'e2e-create' } },
      body: { categoryKey: 'salary', subject: 'Overtime missing', description: 'May overtime is not paid', details: { period: '2025-04' } },
    });
    expect(created.response.status).toBe(201);
    const c = created.data!;
    expect(c.status).toBe('REGISTERED');
    expect(created.response.headers.get('location')).toBe(`/v1/cases/${c.id}`);
    const etag = created.response.headers.get('etag')!;

    const retried = await ola.POST('/v1/cases', {
      params: { header: { 'idempotency-key': 'e2e-create' } },
      body: { categoryKey: 'salary', subject: 'Overtime missing', description: 'May overtime is not paid', details: { period: '2025-04' } },
    });
    expect(retried.data!.id).toBe(c.id);
    expect(retried.response.headers.get('idempotent-replayed')).toBe('true');

    const assigned = await kari.PATCH('/v1/cases/{id}', {
      params: { path: { id: c.id }, header: { 'if-match': etag } },
      body: { assigneeId: 'kari' },
    });
    expect(assigned.data!.status).toBe('ASSIGNED');
    const stale = await kari.PATCH('/v1/cases/{id}', {
      params: { path: { id: c.id }, header: { 'if-match': etag } },
      body: { subject: 'Overtime for May missing' },
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error!.code).toBe('precondition-failed');

    const started = await kari.POST('/v1/cases/{id}/transitions', { params: { path: { id: c.id } }, body: { to: 'IN_PROGRESS' } });
    expect(started.data!.status).toBe('IN_PROGRESS');
    const replied = await kari.POST('/v1/cases/{id}/messages', {
      params: { path: { id: c.id } },
      body: { body: 'It will be paid with the June salary.', setStatus: 'WAITING_FOR_USER' },
    });
    expect(replied.response.status).toBe(201);
    expect(replied.data!.case.status).toBe('WAITING_FOR_USER');
    expect(replied.data!.case.autoTransition?.to).toBe('COMPLETED');

    const now = t.clock.now().getTime();
    const completed = await admin.POST('/v1/admin/timers/run', { body: { asOf: new Date(now + 11 * DAY).toISOString() } });
    expect(completed.data!.fired).toBe(1);
    expect((await ola.GET('/v1/cases/{id}', { params: { path: { id: c.id } } })).data!.status).toBe('COMPLETED');
    const closed = await admin.POST('/v1/admin/timers/run', { body: { asOf: new Date(now + 22 * DAY).toISOString() } });
    expect(closed.data!.fired).toBe(1);
    const final = await ola.GET('/v1/cases/{id}', { params: { path: { id: c.id } } });
    expect(final.data!.status).toBe('CLOSED');
    expect(final.data!.allowedTransitions).toEqual(['REOPENED_BY_USER']);

    const history = await ola.GET('/v1/cases/{id}/history', { params: { path: { id: c.id } } });
    expect(history.data!.filter((row) => row.field === 'status').map((row) => row.to)).toEqual([
      'ASSIGNED',
      'IN_PROGRESS',
      'WAITING_FOR_USER',
      'COMPLETED',
      'CLOSED',
    ]);

    const feed = await hr.GET('/v1/events', { params: { query: { after: '0', limit: 100 } } });
    // The feed's items are typed per event type: narrowing on `type` gives the payload's fields.
    const statuses = feed.data!.items.flatMap((e) => (e.caseId === c.id && e.type === 'case.status_changed' ? [e.payload.to] : []));
    expect(statuses).toEqual(['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'COMPLETED', 'CLOSED']);
  });

  it('answers problems as typed errors (404)', async () => {
    const missing = await clients.ola.GET('/v1/cases/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error!.code).toBe('not-found');
    expect(missing.response.headers.get('content-type')).toContain('application/problem+json');
  });
});
