import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK } from 'jose';
import { buildApp } from '../../src/app';
import { testConfig, type Config } from '../../src/config';
import { createTestApp, TEST_AUDIENCE, TEST_ISSUER, type TestApp } from '../helpers/app';
import { createTestDatabase, onRealServer } from '../helpers/db';
import { tempDir } from '../helpers/temp-dir';

const run = promisify(execFile);

interface Key {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A signed token; `claims` override the defaults; `ttl` -60 makes it expired, null leaves out exp; `sub` '' leaves out sub. */
async function sign(
  key: Key,
  opts: { iss: string; aud: string; sub?: string; claims?: Record<string, unknown>; ttl?: number | null; alg?: string; kid?: string },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ roles: ['requester'], ...opts.claims })
    .setProtectedHeader({ alg: opts.alg ?? key.publicJwk.alg!, kid: opts.kid ?? key.kid })
    .setIssuer(opts.iss)
    .setAudience(opts.aud)
    .setIssuedAt(now - 120);
  if (opts.sub !== '') jwt.setSubject(opts.sub ?? 'ola');
  if (opts.ttl !== null) jwt.setExpirationTime(now + (opts.ttl ?? 300));
  return jwt.sign(key.privateKey);
}

function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

function expectUnauthorized(res: LightMyRequestResponse, reason: string | RegExp): void {
  expect(res.statusCode).toBe(401);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.headers['www-authenticate']).toBe('Bearer realm="saksflyt", error="invalid_token"');
  const body = res.json();
  expect(body).toMatchObject({ status: 401, code: 'unauthorized', type: '/problems/unauthorized' });
  expect(body.reason).toEqual(reason instanceof RegExp ? expect.stringMatching(reason) : reason);
}

describe('bearer tokens (the test issuer, a local key set)', () => {
  let t: TestApp;
  /** A key of our own that reuses the trusted key id (test-key-1). */
  let stranger: Key;
  const good = () => t.issuer.sign({ sub: 'ola' });
  beforeAll(async () => {
    t = await createTestApp();
    stranger = await newKey('test-key-1', 'ES256');
  });
  afterAll(async () => t.close());

  const get = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/v1/statuses', headers });

  it('accepts a token of the issuer (200)', async () => {
    expect((await get(bearer(await good()))).statusCode).toBe(200);
  });

  it('refuses a request without a bearer token (401)', async () => {
    const res = await get({});
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="saksflyt"');
    expect(res.json()).toMatchObject({ code: 'unauthorized', reason: 'missing-token' });
  });

  it('refuses another scheme than Bearer (401)', async () => {
    const res = await get({ authorization: `Basic ${Buffer.from('ola:secret').toString('base64')}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().reason).toBe('missing-token');
  });

  it('refuses an unsigned token, alg none (401)', async () => {
    const token = new UnsecuredJWT({ roles: ['admin'] })
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setSubject('mallory')
      .setExpirationTime('5m')
      .encode();
    expect(token.split('.')[2]).toBe('');
    expectUnauthorized(await get(bearer(token)), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('refuses a token MACed with HS256 (algorithm confusion) (401)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(t.issuer.publicJwk));
    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'test-key-1' })
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(secret);
    expectUnauthorized(await get(bearer(token)), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('refuses a token signed by a foreign key that names a trusted key id (401)', async () => {
    expectUnauthorized(
      await get(bearer(await sign(stranger, { iss: TEST_ISSUER, aud: TEST_AUDIENCE, claims: { roles: ['admin'] } }))),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
  });

  it('refuses a token with a bad signature (401)', async () => {
    const [h, p, s] = (await good()).split('.');
    const flipped = `${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
    expectUnauthorized(await get(bearer(`${h}.${p}.${flipped}`)), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    // A payload changed under a valid signature (roles raised to admin).
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), roles: ['admin'] })).toString('base64url');
    expectUnauthorized(await get(bearer(`${h}.${forged}.${s}`)), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('refuses a token whose key id is not in the key set (401)', async () => {
    const unknown = await newKey('not-in-jwks', 'ES256');
    expectUnauthorized(await get(bearer(await sign(unknown, { iss: TEST_ISSUER, aud: TEST_AUDIENCE }))), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  describe('signed by the trusted key', () => {
    // The helper issuer's private key is not exported; a second app trusts a key we hold.
    let app: FastifyInstance;
    let key: Key;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      key = await newKey('held', 'ES256');
      const db = await createTestDatabase();
      drop = db.drop;
      app = await buildApp({
        config: testConfig({ DATABASE_URL: db.url, DB_POOL_MAX: onRealServer() ? '4' : '1' }),
        migrate: false,
        logger: false,
        verifier: { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: { keys: [key.publicJwk] } },
      });
    });
    afterAll(async () => {
      await app.close();
      await drop();
    });
    const call = async (token: string) => app.inject({ method: 'GET', url: '/v1/statuses', headers: bearer(token) });

    it('accepts it with the right issuer and audience (200)', async () => {
      expect((await call(await sign(key, { iss: TEST_ISSUER, aud: TEST_AUDIENCE }))).statusCode).toBe(200);
    });
    it('refuses a wrong issuer (401)', async () => {
      expectUnauthorized(await call(await sign(key, { iss: 'https://evil.example', aud: TEST_AUDIENCE })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    });
    it('refuses a wrong audience (401)', async () => {
      expectUnauthorized(await call(await sign(key, { iss: TEST_ISSUER, aud: 'another-api' })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    });
    it('refuses an expired token (401)', async () => {
      expectUnauthorized(await call(await sign(key, { iss: TEST_ISSUER, aud: TEST_AUDIENCE, ttl: -60 })), 'ERR_JWT_EXPIRED');
    });
    it('refuses a token not yet valid (401)', async () => {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'held' })
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setSubject('ola')
        .setNotBefore('10m')
        .setExpirationTime('20m')
        .sign(key.privateKey);
      expectUnauthorized(await call(token), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    });
    it('refuses a token without exp, which would never expire (401)', async () => {
      expectUnauthorized(await call(await sign(key, { iss: TEST_ISSUER, aud: TEST_AUDIENCE, ttl: null })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    });
    it('refuses a token without a subject (401)', async () => {
      expectUnauthorized(await call(await sign(key, { iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: '' })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    });

    it('checks a token once and reuses the result for its repeats, never for another signature (200, 401)', async () => {
      const token = await sign(key, { iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'reused' });
      const before = { ...app.tokenStats };
      for (let i = 0; i < 3; i++) expect((await call(token)).statusCode).toBe(200);
      expect(app.tokenStats).toEqual({ verified: before.verified + 1, reused: before.reused + 2 });
      // The same header and claims under another (valid-looking) signature are checked, and fail.
      const [h, p, s] = token.split('.');
      const other = `${h}.${p}.${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
      expectUnauthorized(await call(other), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toContain(`saksflyt_bearer_tokens_total{outcome="reused"} ${app.tokenStats.reused}`);
      expect(metrics).toContain(`saksflyt_bearer_tokens_total{outcome="verified"} ${app.tokenStats.verified}`);
    });

    it('refuses a reused token once its exp has passed (200, 401)', async () => {
      // exp is whole seconds from iat (itself rounded down): ttl 1 left anywhere from 0 to 1 s, and
      // the first call failed whenever signing happened late in a second on a loaded machine.
      const token = await sign(key, { iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'short', ttl: 3 });
      const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
      expect((await call(token)).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 50));
      expectUnauthorized(await call(token), 'ERR_JWT_EXPIRED');
    });

    it('checks every time with TOKEN_CACHE_SECONDS=0 (200)', async () => {
      const db = await createTestDatabase();
      const uncached = await buildApp({
        config: testConfig({ DATABASE_URL: db.url, DB_POOL_MAX: '1', TOKEN_CACHE_SECONDS: '0' }),
        migrate: false,
        logger: false,
        verifier: { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: { keys: [key.publicJwk] } },
      });
      try {
        const token = await sign(key, { iss: TEST_ISSUER, aud: TEST_AUDIENCE });
        for (let i = 0; i < 2; i++) {
          expect((await uncached.inject({ method: 'GET', url: '/v1/statuses', headers: bearer(token) })).statusCode).toBe(200);
        }
        expect(uncached.tokenStats).toEqual({ verified: 2, reused: 0 });
      } finally {
        await uncached.close();
        await db.drop();
      }
    });
  });
});

/** A loopback OIDC issuer: discovery document and a key set that can be rotated or broken. */
interface LoopbackIssuer {
  url: string;
  keys: JWK[];
  jwksFetches: number;
  /** Answer the key set with this status instead (an outage). */
  failWith: number | null;
  discoveryIssuer?: string;
  close(): Promise<void>;
}

async function startIssuer(): Promise<LoopbackIssuer> {
  const state = { keys: [] as JWK[], jwksFetches: 0, failWith: null as number | null, discoveryIssuer: undefined as string | undefined };
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: state.discoveryIssuer ?? url, jwks_uri: `${url}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/jwks') {
      state.jwksFetches++;
      if (state.failWith) {
        res.writeHead(state.failWith).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      res.end(JSON.stringify({ keys: state.keys }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  });
}

describe('an OIDC issuer over HTTP (no verifier override)', () => {
  const AUDIENCE = 'saksflyt-api';
  let issuer: LoopbackIssuer;
  let keyA: Key;
  let keyB: Key;
  let db: { url: string; drop(): Promise<void> };
  const apps: FastifyInstance[] = [];

  async function appWith(config: Partial<Record<keyof Config, string>>): Promise<FastifyInstance> {
    const app = await buildApp({
      config: testConfig({ DATABASE_URL: db.url, DB_POOL_MAX: onRealServer() ? '4' : '1', OIDC_AUDIENCE: AUDIENCE, ...config }),
      migrate: false,
      logger: false,
    });
    apps.push(app);
    return app;
  }
  const statuses = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: '/v1/statuses', headers: bearer(token) });

  beforeAll(async () => {
    issuer = await startIssuer();
    keyA = await newKey('key-a');
    keyB = await newKey('key-b');
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await issuer.close();
    await db.drop();
  });
  beforeEach(() => {
    issuer.keys = [keyA.publicJwk];
    issuer.failWith = null;
    issuer.discoveryIssuer = undefined;
  });

  it('picks up a rotated key without a restart (200)', async () => {
    const app = await appWith({ OIDC_ISSUER: issuer.url, OIDC_JWKS_URL: `${issuer.url}/jwks`, OIDC_JWKS_COOLDOWN_MS: '0' });
    expect((await statuses(app, await sign(keyA, { iss: issuer.url, aud: AUDIENCE }))).statusCode).toBe(200);
    const fetchesBefore = issuer.jwksFetches;
    // Key set cached: the same key does not fetch again.
    expect((await statuses(app, await sign(keyA, { iss: issuer.url, aud: AUDIENCE }))).statusCode).toBe(200);
    expect(issuer.jwksFetches).toBe(fetchesBefore);

    issuer.keys = [keyB.publicJwk];
    expect((await statuses(app, await sign(keyB, { iss: issuer.url, aud: AUDIENCE }))).statusCode).toBe(200);
    expect(issuer.jwksFetches).toBe(fetchesBefore + 1);
    // Key A left the set: its tokens are refused now.
    expectUnauthorized(await statuses(app, await sign(keyA, { iss: issuer.url, aud: AUDIENCE })), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('refuses a token it accepted moments ago once its key has left the key set (200, 401)', async () => {
    const app = await appWith({ OIDC_ISSUER: issuer.url, OIDC_JWKS_URL: `${issuer.url}/jwks`, OIDC_JWKS_COOLDOWN_MS: '0' });
    const tokenA = await sign(keyA, { iss: issuer.url, aud: AUDIENCE, sub: 'held-over' });
    expect((await statuses(app, tokenA)).statusCode).toBe(200);
    expect((await statuses(app, tokenA)).statusCode).toBe(200);
    expect(app.tokenStats.reused).toBe(1);
    issuer.keys = [keyB.publicJwk];
    expect((await statuses(app, await sign(keyB, { iss: issuer.url, aud: AUDIENCE }))).statusCode).toBe(200);
    // The very token that was reused a moment ago: its key is gone, so it is checked again and refused.
    expectUnauthorized(await statuses(app, tokenA), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('refuses a token it accepted moments ago once its key id names another key (200, 401)', async () => {
    const app = await appWith({ OIDC_ISSUER: issuer.url, OIDC_JWKS_URL: `${issuer.url}/jwks`, OIDC_JWKS_COOLDOWN_MS: '0' });
    const tokenA = await sign(keyA, { iss: issuer.url, aud: AUDIENCE, sub: 'held-over' });
    expect((await statuses(app, tokenA)).statusCode).toBe(200);
    expect((await statuses(app, tokenA)).statusCode).toBe(200);
    // The issuer reuses the key id for a new key; a token naming a new kid makes the set reload.
    issuer.keys = [(await newKey('key-a')).publicJwk, keyB.publicJwk];
    expect((await statuses(app, await sign(keyB, { iss: issuer.url, aud: AUDIENCE }))).statusCode).toBe(200);
    expectUnauthorized(await statuses(app, tokenA), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('refetches no sooner than OIDC_JWKS_COOLDOWN_MS after a fetch (200, 401)', async () => {
    const app = await appWith({ OIDC_ISSUER: issuer.url, OIDC_JWKS_URL: `${issuer.url}/jwks`, OIDC_JWKS_COOLDOWN_MS: '3600000' });
    expect((await statuses(app, await sign(keyA, { iss: issuer.url, aud: AUDIENCE }))).statusCode).toBe(200);
    const fetches = issuer.jwksFetches;
    issuer.keys = [keyA.publicJwk, keyB.publicJwk];
    expectUnauthorized(await statuses(app, await sign(keyB, { iss: issuer.url, aud: AUDIENCE })), 'ERR_JWKS_NO_MATCHING_KEY');
    expect(issuer.jwksFetches).toBe(fetches);
  });

  it('discovers the key set from issuer/.well-known/openid-configuration (200)', async () => {
    const app = await appWith({ OIDC_ISSUER: issuer.url, OIDC_JWKS_COOLDOWN_MS: '0' });
    expect((await statuses(app, await sign(keyA, { iss: issuer.url, aud: AUDIENCE }))).statusCode).toBe(200);
    expectUnauthorized(await statuses(app, await sign(keyA, { iss: `${issuer.url}/other`, aud: AUDIENCE })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('refuses to start on a discovery document naming another issuer', async () => {
    issuer.discoveryIssuer = 'https://evil.example';
    await expect(appWith({ OIDC_ISSUER: issuer.url })).rejects.toThrow(/discovery document names issuer/);
  });

  it('refuses to start when discovery fails', async () => {
    await expect(appWith({ OIDC_ISSUER: `${issuer.url}/nowhere` })).rejects.toThrow(/discovery failed with HTTP 404/);
  });

  it('answers 503, not 401, while the key set cannot be fetched (503)', async () => {
    const app = await appWith({ OIDC_ISSUER: issuer.url, OIDC_JWKS_URL: `${issuer.url}/jwks`, OIDC_JWKS_COOLDOWN_MS: '0' });
    issuer.failWith = 500;
    const res = await statuses(app, await sign(keyA, { iss: issuer.url, aud: AUDIENCE }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['retry-after']).toBeDefined();
    issuer.failWith = null;
    expect((await statuses(app, await sign(keyA, { iss: issuer.url, aud: AUDIENCE }))).statusCode).toBe(200);
  });

  it('refuses dev-issuer tokens once an issuer is configured (401)', async () => {
    const app = await appWith({ OIDC_ISSUER: issuer.url, OIDC_JWKS_URL: `${issuer.url}/jwks` });
    const dev = await newKey('dev', 'ES256');
    expectUnauthorized(await statuses(app, await sign(dev, { iss: TEST_ISSUER, aud: TEST_AUDIENCE })), /ERR_/);
  });
});

describe('production', () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  const prod = (config: Partial<Record<keyof Config, string>>) =>
    buildApp({
      config: testConfig({ NODE_ENV: 'production', DATABASE_URL: db.url, DB_POOL_MAX: '1', ...config }),
      migrate: false,
      logger: false,
    });

  it('refuses to start without OIDC_ISSUER, and never creates a dev key', async () => {
    const dataDir = tempDir('saksflyt-prod-');
    await expect(prod({ DATA_DIR: dataDir })).rejects.toThrow(/OIDC_ISSUER: required in production/);
    expect(existsSync(path.join(dataDir, 'dev-issuer.jwk.json'))).toBe(false);
  });

  it('refuses to start with OIDC_ISSUER but no OIDC_AUDIENCE', async () => {
    await expect(prod({ OIDC_ISSUER: 'https://auth.dataporten.no', OIDC_JWKS_URL: 'https://auth.dataporten.no/openid/jwks' })).rejects.toThrow(
      /OIDC_AUDIENCE/,
    );
  });

  it('refuses to start with an issuer over plain http', async () => {
    await expect(prod({ OIDC_ISSUER: 'http://127.0.0.1:9', OIDC_AUDIENCE: 'x' })).rejects.toThrow(/OIDC_ISSUER: must be an https URL/);
  });

  it('refuses to start with keys over plain http', async () => {
    await expect(prod({ OIDC_ISSUER: 'https://auth.dataporten.no', OIDC_AUDIENCE: 'x', OIDC_JWKS_URL: 'http://127.0.0.1:9/jwks' })).rejects.toThrow(
      /https in production/,
    );
  });

  it('has no dev token script (exit 1)', async () => {
    const dataDir = tempDir('saksflyt-prod-');
    const res = await run(process.execPath, [require.resolve('tsx/cli'), 'scripts/token.ts', '--sub', 'ola'], {
      env: { ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, OIDC_ISSUER: '' },
    }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(res).toMatchObject({ code: 1, stdout: '' });
    expect(res.stderr).toMatch(/does not run in production/);
    expect(existsSync(path.join(dataDir, 'dev-issuer.jwk.json'))).toBe(false);
  });
});

describe('the dev issuer (no OIDC_ISSUER, outside production)', () => {
  it('trusts the token `npm run token` prints (200, 401)', async () => {
    const dataDir = tempDir('saksflyt-dev-');
    const { stdout } = await run(
      process.execPath,
      [require.resolve('tsx/cli'), 'scripts/token.ts', '--sub', 'kari', '--role', 'operator', '--team', 'absence', '--name', 'Kari'],
      { env: { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir, OIDC_ISSUER: '' } },
    );
    const token = stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const db = await createTestDatabase();
    const app = await buildApp({
      config: testConfig({ DATABASE_URL: db.url, DB_POOL_MAX: '1', DATA_DIR: dataDir }),
      migrate: false,
      logger: false,
    });
    try {
      expect((await app.inject({ method: 'GET', url: '/v1/suspension-windows', headers: bearer(token) })).statusCode).toBe(200);
      // The token's roles count, and an operator is no admin.
      const res = await app.inject({
        method: 'POST',
        url: '/v1/suspension-windows',
        headers: bearer(token),
        payload: { from: '2031-01-01', to: '2031-01-02', reason: 'x' },
      });
      expect(res.statusCode).toBe(403);
      // A token from another dev key (another DATA_DIR) is refused.
      const other = await newKey(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid, 'ES256');
      expectUnauthorized(
        await app.inject({ method: 'GET', url: '/v1/statuses', headers: bearer(await sign(other, { iss: TEST_ISSUER, aud: TEST_AUDIENCE })) }),
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      );
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
