import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { buildApp } from '../../src/app';
import { testConfig, type Config } from '../../src/config';
import { TEST_AUDIENCE, TEST_ISSUER, createTestApp, type TestApp } from '../helpers/app';
import { logSink } from '../helpers/log-sink';
import { createTestDatabase } from '../helpers/db';

// Issue #12 item 11: request logs, caching, token claims, invalid-token floods, CORS.

interface Key {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: 'sec-key', alg: 'ES256', use: 'sig' } };
}

/** A token of the test issuer; `iat`/`exp` are offsets from now in seconds, null leaves iat out. */
async function sign(key: Key, opts: { typ?: string; iat?: number | null; exp?: number; sub?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ roles: ['requester'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'sec-key', ...(opts.typ ? { typ: opts.typ } : {}) })
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setSubject(opts.sub ?? 'ola')
    .setExpirationTime(now + (opts.exp ?? 300));
  if (opts.iat !== null) jwt.setIssuedAt(now + (opts.iat ?? -10));
  return jwt.sign(key.privateKey);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** An app trusting `key`, on its own database; `lines` collects its log when given. */
async function appWith(
  key: Key,
  config: Partial<Record<keyof Config, string>> = {},
  lines?: string[],
): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const db = await createTestDatabase();
  const stream = lines ? logSink(lines) : undefined;
  const app = await buildApp({
    config: testConfig({ DATABASE_URL: db.url, DB_POOL_MAX: '2', ...(lines ? { LOG_LEVEL: 'info' } : {}), ...config }),
    migrate: false,
    verifier: { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: { keys: [key.publicJwk] } },
    ...(stream ? { logStream: stream } : { logger: false }),
  });
  return {
    app,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

function expectInvalidToken(res: LightMyRequestResponse, reason: string): void {
  expect(res.statusCode).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer realm="saksflyt", error="invalid_token"');
  expect(res.json()).toMatchObject({ code: 'unauthorized', reason });
}

describe('request logs', () => {
  it('log the route pattern, never the query string or path values (200)', async () => {
    const key = await newKey();
    const lines: string[] = [];
    const { app, close } = await appWith(key, {}, lines);
    try {
      const admin = await sign(key, { sub: 'root' });
      const h = { ...bearer(admin), 'x-request-id': 'log-sec-1' };
      expect((await app.inject({ method: 'GET', url: '/v1/cases?q=SECRET-SEARCH-TERM&requester=ola-secret-id', headers: h })).statusCode).toBe(200);
      const h2 = { ...bearer(admin), 'x-request-id': 'log-sec-2' };
      await app.inject({ method: 'GET', url: '/v1/staff/kari-secret-subject', headers: h2 });
    } finally {
      await close();
    }
    const parsed = lines.map((l) => JSON.parse(l) as { reqId?: string; msg?: string; req?: { url?: string } });
    const done = (id: string) => parsed.find((l) => l.reqId === id && l.msg === 'request completed');
    expect(done('log-sec-1')?.req).toEqual({ method: 'GET', url: '/v1/cases' });
    expect(done('log-sec-2')?.req).toEqual({ method: 'GET', url: '/v1/staff/:subject' });
    const all = lines.join('\n');
    expect(all).not.toContain('SECRET-SEARCH-TERM');
    expect(all).not.toContain('ola-secret-id');
    expect(all).not.toContain('kari-secret-subject');
  });
});

describe('Cache-Control on /v1', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it.each([
    ['an answer', '/v1/statuses', true, 200],
    ['a 401 problem', '/v1/statuses', false, 401],
    ['a 404 problem', '/v1/no-such-thing', true, 404],
    ['a query', '/v1/cases?q=x', true, 200],
  ])('is no-store on %s (%s)', async (_what, url, authed, status) => {
    const res = await t.app.inject({ method: 'GET', url, headers: authed ? await t.auth({ sub: 'root', roles: ['admin'] }) : {} });
    expect(res.statusCode).toBe(status);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('is not forced on health checks (200)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBeUndefined();
  });
});

describe('bearer token claims', () => {
  let key: Key;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  beforeAll(async () => {
    key = await newKey();
    ({ app, close } = await appWith(key, { TOKEN_MAX_LIFETIME_SECONDS: '3600', TOKEN_CLOCK_SKEW_SECONDS: '60' }));
  });
  afterAll(async () => close());
  const get = async (token: string) => app.inject({ method: 'GET', url: '/v1/statuses', headers: bearer(token) });

  it.each([
    ['no typ', {}],
    ['typ JWT', { typ: 'JWT' }],
    ['typ at+jwt', { typ: 'at+jwt' }],
    ['typ application/at+JWT', { typ: 'application/at+JWT' }],
    ['an iat within the clock skew', { iat: 30 }],
    ['no iat and a short exp', { iat: null }],
    ['a lifetime of exactly the maximum', { iat: -100, exp: 3500 }],
  ])('accepts a token with %s (200)', async (_what, opts) => {
    expect((await get(await sign(key, opts))).statusCode).toBe(200);
  });

  it.each([
    ['another typ', { typ: 'id_token+jwt' }, 'typ-not-allowed'],
    ['typ dpop+jwt', { typ: 'dpop+jwt' }, 'typ-not-allowed'],
    ['an iat in the future', { iat: 600, exp: 900 }, 'iat-in-future'],
    ['a lifetime above the maximum', { iat: -10, exp: 3600 }, 'lifetime-too-long'],
    ['no iat and an exp beyond the maximum', { iat: null, exp: 7200 }, 'lifetime-too-long'],
  ])('refuses a token with %s (401 invalid_token)', async (_what, opts, reason) => {
    expectInvalidToken(await get(await sign(key, opts)), reason);
  });
});

describe('invalid tokens from one address', () => {
  let key: Key;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  beforeAll(async () => {
    key = await newKey();
    ({ app, close } = await appWith(key, { AUTH_FAILURE_LIMIT: '5' }));
  });
  afterAll(async () => close());

  it('are refused with 429 after AUTH_FAILURE_LIMIT a minute, other addresses go on (401, 429, 200)', async () => {
    const stranger = await newKey();
    const bad = await sign(stranger);
    const good = await sign(key);
    const from = (remoteAddress: string, token: string) => app.inject({ method: 'GET', url: '/v1/statuses', headers: bearer(token), remoteAddress });
    for (let i = 0; i < 5; i++) expect((await from('203.0.113.7', bad)).statusCode).toBe(401);
    const limited = await from('203.0.113.7', bad);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ code: 'rate-limited', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The address is refused before verification, whatever it sends, until the minute is over.
    expect((await from('203.0.113.7', good)).statusCode).toBe(429);
    expect((await from('198.51.100.9', good)).statusCode).toBe(200);
    expect((await from('198.51.100.9', bad)).statusCode).toBe(401);
  });

  it('does not count requests without a token (401)', async () => {
    for (let i = 0; i < 8; i++) {
      const res = await app.inject({ method: 'GET', url: '/v1/statuses', remoteAddress: '192.0.2.44' });
      expect(res.statusCode).toBe(401);
    }
  });
});

describe('CORS with CORS_ORIGINS set', () => {
  let t: TestApp;
  const origin = 'https://portal.example.org';
  beforeAll(async () => {
    t = await createTestApp({ config: { CORS_ORIGINS: origin } });
  });
  afterAll(async () => t.close());

  it.each(['PATCH', 'DELETE', 'PUT'])('lets a browser front end send %s with If-Match and Idempotency-Key (204)', async (method) => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/cases/00000000-0000-4000-8000-000000000000',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization,content-type,if-match,idempotency-key',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(String(res.headers['access-control-allow-methods']).split(/,\s*/)).toEqual(expect.arrayContaining([method]));
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'if-match', 'idempotency-key']));
  });
});
