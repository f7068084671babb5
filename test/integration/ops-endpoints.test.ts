import { createTestApp, type TestApp } from '../helpers/app';

const SWEEPS = ['/v1/admin/timers/run', '/v1/admin/sla/run', '/v1/admin/webhooks/run', '/v1/admin/retention/run'];

describe('ops sweep endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it.each(SWEEPS)('POST %s without a body runs now (200)', async (url) => {
    const res = await t.app.inject({ method: 'POST', url, headers: await t.auth({ sub: 'ops', roles: ['admin'] }) });
    expect(res.statusCode).toBe(200);
    expect(res.json().asOf).toBe(t.clock.now().toISOString());
  });

  it.each(SWEEPS)('POST %s is documented with an optional body, as it is served (200)', async (url) => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, { post: Record<string, unknown> & { requestBody?: { required?: boolean } } }>;
    }>();
    const op = doc.paths[url]!.post;
    expect(op.requestBody?.required).toBe(false);
    expect(Object.keys(op).filter((k) => k.startsWith('x-'))).toEqual([]);
  });

  it.each(SWEEPS)('POST %s with asOf runs as of that instant (200)', async (url) => {
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: await t.auth({ sub: 'ops', roles: ['admin'] }),
      payload: { asOf: '2030-01-01T00:00:00.000Z' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().asOf).toBe('2030-01-01T00:00:00.000Z');
  });

  it.each(SWEEPS)('POST %s refuses an operator (403) and unknown fields (400)', async (url) => {
    const op = await t.app.inject({ method: 'POST', url, headers: await t.auth({ sub: 'op', roles: ['operator'] }) });
    expect(op.statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'POST',
      url,
      headers: await t.auth({ sub: 'ops', roles: ['admin'] }),
      payload: { asOf: '2030-01-01T00:00:00Z', extra: true },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation-failed');
  });
});
