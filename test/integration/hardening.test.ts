import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../helpers/app';

function expectProblem(res: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: res.statusCode, type: res.headers['content-type'] }).toEqual({
    status,
    type: expect.stringContaining('application/problem+json'),
  });
  expect(res.json()).toMatchObject({ status, code, type: `/problems/${code}` });
}

describe('default hardening', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let caseId: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.auth({ sub: 'root', roles: ['admin'] });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: admin,
      payload: { categoryKey: 'general', subject: 's', description: 'd' },
    });
    caseId = res.json().id;
  });
  afterAll(async () => t.close());

  it.each([
    ['a /v1 answer', '/v1/statuses', true, 200],
    ['a problem answer', '/v1/statuses', false, 401],
    ['a health check', '/health/live', false, 200],
  ])('sends helmet headers on %s (%s)', async (_what, url, authed, status) => {
    const res = await t.app.inject({ method: 'GET', url, headers: authed ? admin : {} });
    expect(res.statusCode).toBe(status);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'x-dns-prefetch-control': 'off',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('refuses a body that is not JSON (415)', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { ...admin, 'content-type': type },
        payload: 'categoryKey=general&subject=s&description=d',
      });
      expectProblem(res, 415, 'unsupported-media-type');
    }
  });

  it('refuses an attachment that is not multipart (415)', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/attachments`, headers: admin, payload: { file: 'x' } });
    expectProblem(res, 415, 'unsupported-media-type');
  });

  // Strict schemas: a property the API does not know is a mistake, not something to drop silently.
  it.each([
    ['POST', '/v1/cases', { categoryKey: 'general', subject: 's', description: 'd', status: 'CLOSED' }],
    ['PATCH', '/v1/cases/{id}', { subject: 'x', requesterId: 'mallory' }],
    ['POST', '/v1/cases/{id}/transitions', { to: 'ON_HOLD', actor: 'system' }],
    ['POST', '/v1/cases/{id}/messages', { body: 'hi', authorId: 'someone-else' }],
    ['POST', '/v1/cases', { categoryKey: 'general', subject: 's', description: 'd', externalRequester: { name: 'X', ssn: '01017012345' } }],
    ['POST', '/v1/suspension-windows', { from: '2031-01-01', to: '2031-01-02', reason: 'r', createdBy: 'x' }],
    ['PUT', '/v1/categories/general', { name: { nb: 'G', en: 'G' }, defaultTeamKey: 'service', sensitive: false, owner: 'x' }],
    ['PUT', '/v1/teams/service', { name: { nb: 'S', en: 'S', de: 'S' } }],
    ['PUT', '/v1/staff/kari', { roles: ['operator'], superuser: true }],
    ['POST', '/v1/admin/timers/run', { asOf: '2025-03-03T09:00:00Z', force: true }],
    ['POST', '/v1/admin/retention/run', { asOf: '2025-03-03T09:00:00Z', force: true }],
  ] as const)('refuses an unknown property: %s %s (400)', async (method, url, payload) => {
    const res = await t.app.inject({ method, url: url.replace('{id}', caseId), headers: admin, payload });
    expectProblem(res, 400, 'validation-failed');
  });

  it('refuses an unknown query parameter (400)', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/cases?owner=ola', headers: admin }), 400, 'validation-failed');
  });

  it('sends no CORS headers when CORS_ORIGINS is empty (200, 404)', async () => {
    const origin = 'https://portal.example.org';
    const simple = await t.app.inject({ method: 'GET', url: '/v1/statuses', headers: { ...admin, origin } });
    expect(simple.statusCode).toBe(200);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/cases',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });
});

describe('a small BODY_LIMIT', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { BODY_LIMIT: '1024' } });
  });
  afterAll(async () => t.close());

  it('refuses a larger body with a problem (413)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: await t.auth({ sub: 'ola' }),
      payload: { categoryKey: 'general', subject: 's', description: 'x'.repeat(2000) },
    });
    expectProblem(res, 413, 'payload-too-large');
  });

  it('accepts a body under it (201)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: await t.auth({ sub: 'ola' }),
      payload: { categoryKey: 'general', subject: 's', description: 'x'.repeat(500) },
    });
    expect(res.statusCode).toBe(201);
  });
});

describe('the rate limit per identity', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '3' } });
  });
  afterAll(async () => t.close());

  it('answers 429 after RATE_LIMIT_MAX requests, while another identity from the same address goes on (200, 429)', async () => {
    const ola = await t.auth({ sub: 'ola' });
    const per = await t.auth({ sub: 'per' });
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ method: 'GET', url: '/v1/statuses', headers: ola })).statusCode).toBe(200);
    const limited = await t.app.inject({ method: 'GET', url: '/v1/statuses', headers: ola });
    expectProblem(limited, 429, 'rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('3');
    // Another token of the same person is the same identity.
    const olaAgain = await t.auth({ sub: 'ola', name: 'Ola' });
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/cases', headers: olaAgain }), 429, 'rate-limited');
    // Everyone else keeps their own budget, though all share 127.0.0.1.
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ method: 'GET', url: '/v1/statuses', headers: per })).statusCode).toBe(200);
  });
});

describe('CORS with CORS_ORIGINS set', () => {
  let t: TestApp;
  const allowed = 'https://portal.example.org';
  beforeAll(async () => {
    t = await createTestApp({ config: { CORS_ORIGINS: `${allowed}, https://admin.example.org` } });
  });
  afterAll(async () => t.close());

  it('allows a configured origin, with the headers a client reads (200, 204)', async () => {
    const headers = await t.auth({ sub: 'ola' });
    const simple = await t.app.inject({ method: 'GET', url: '/v1/statuses', headers: { ...headers, origin: allowed } });
    expect(simple.statusCode).toBe(200);
    expect(simple.headers['access-control-allow-origin']).toBe(allowed);
    expect(simple.headers['access-control-expose-headers']).toEqual(expect.stringContaining('etag'));
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/cases',
      headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(allowed);
    expect(preflight.headers['access-control-allow-methods']).toEqual(expect.stringContaining('POST'));
  });

  it('does not allow another origin (200)', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/statuses',
      headers: { ...(await t.auth({ sub: 'ola' })), origin: 'https://evil.example' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
