import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import Fastify from 'fastify';
import { buildApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { generateOpenApi } from '../../src/openapi';
import errorsPlugin from '../../src/plugins/errors';
import { DomainError } from '../../src/domain/errors';
import { MIGRATIONS_DIR } from '../../src/paths';
import { readdirSync } from 'node:fs';
import { inTransaction, pgQuery } from '../../src/db/query';
import { runReport } from '../../src/repositories/report-queries';
import { createTestApp, TEST_AUDIENCE, TEST_ISSUER, testIssuer, type TestApp } from '../helpers/app';
import { logSink } from '../helpers/log-sink';
import { createTestDatabase, onRealServer } from '../helpers/db';

const migrationCount = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).length;

describe('foundation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it("pooled connections keep PostgreSQL's default plan cache for named statements (decision record prepared-statements.md)", async () => {
    if (!onRealServer()) return; // PGlite takes no connection options
    const clients = await Promise.all(Array.from({ length: 3 }, () => t.app.pool.connect()));
    try {
      for (const c of clients) expect((await c.query(`SELECT current_setting('plan_cache_mode') AS mode`)).rows).toEqual([{ mode: 'auto' }]);
    } finally {
      for (const c of clients) c.release();
    }
  });

  it('pooled connections plan without JIT and parallel workers; a report gets its workers back, for its transaction only', async () => {
    if (!onRealServer()) return; // PGlite has neither and takes no connection options
    const settings = `SELECT current_setting('jit') AS jit, current_setting('max_parallel_workers_per_gather') AS workers`;
    expect(await pgQuery(t.app.pool)(settings)).toEqual([{ jit: 'off', workers: '0' }]);
    const inReport = await inTransaction(t.app.pool, (q) => runReport(q, settings, []));
    expect(inReport).toEqual([{ jit: 'off', workers: '2' }]);
    // Every pooled connection after the report is back to none.
    const clients = await Promise.all(Array.from({ length: 3 }, () => t.app.pool.connect()));
    try {
      for (const c of clients) expect((await c.query(settings)).rows).toEqual([{ jit: 'off', workers: '0' }]);
    } finally {
      for (const c of clients) c.release();
    }
  });

  it('GET /health/live answers 200 without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready answers 200 when migrated', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', migrations: migrationCount });
  });

  it('unknown routes get a problem 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no/such/thing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: '/problems/not-found', status: 404, code: 'not-found', instance: '/no/such/thing' });
  });

  it('a /v1 route without a token is 401 with WWW-Authenticate', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/statuses' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json().code).toBe('unauthorized');
  });

  it('a body over the limit is 413 problem', async () => {
    const h = await t.auth({ sub: 'big' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...h, 'content-type': 'application/json' },
      payload: JSON.stringify({ categoryKey: 'general', subject: 'x', description: 'y'.repeat(1_100_000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload-too-large');
  });

  it('a wrong content type is 415 problem', async () => {
    const h = await t.auth({ sub: 'xml' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...h, 'content-type': 'application/xml' },
      payload: '<case/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported-media-type');
  });

  it('invalid bodies are 400 problem with the failing paths, and change nothing', async () => {
    const h = await t.auth({ sub: 'val' });
    const before = await t.app.db.case.count();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: h,
      payload: { categoryKey: 'general', subject: '', description: 'd', extra: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation-failed', status: 400 });
    expect(Array.isArray(res.json().errors)).toBe(true);
    expect(await t.app.db.case.count()).toBe(before);
  });

  it('echoes an incoming x-request-id and makes one otherwise', async () => {
    const a = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'abc-123' } });
    expect(a.headers['x-request-id']).toBe('abc-123');
    const b = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the committed openapi/openapi.json is what the code produces (run npm run openapi)', async () => {
    const committed = readFileSync(path.join(__dirname, '../../openapi/openapi.json'), 'utf8');
    expect(committed).toBe(await generateOpenApi());
  });

  it('serves the OpenAPI 3.1 document at /openapi.json and Swagger UI at /docs', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toBe('3.1.0');
    expect(Object.keys(doc.json().paths)).toContain('/v1/cases/{id}/transitions');
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });
});

describe('logging', () => {
  it('writes JSON lines with the request id, and never the body or the token', async () => {
    const lines: string[] = [];
    const stream = logSink(lines);
    const db = await createTestDatabase();
    const issuer = await testIssuer();
    const app = await buildApp({
      config: testConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'info' }),
      migrate: false,
      verifier: { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: { keys: [issuer.publicJwk] } },
      logStream: stream,
    });
    try {
      const token = await issuer.sign({ sub: 'logger-test' });
      const res = await app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { authorization: `Bearer ${token}`, 'x-request-id': 'log-test-1' },
        payload: { categoryKey: 'sickness', subject: 'SECRET-SUBJECT', description: 'SECRET-HEALTH-DATA' },
      });
      expect(res.statusCode).toBe(201);
    } finally {
      await app.close();
      await db.drop();
    }
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = parsed.filter((l) => l.reqId === 'log-test-1');
    const done = mine.find((l) => l.msg === 'request completed') as
      { req?: { method?: string; url?: string }; res?: { statusCode?: number } } | undefined;
    expect(done?.req).toMatchObject({ method: 'POST', url: '/v1/cases' });
    expect(done?.res?.statusCode).toBe(201);
    const all = lines.join('\n');
    expect(all).not.toContain('SECRET-HEALTH-DATA');
    expect(all).not.toContain('SECRET-SUBJECT');
    expect(all).not.toMatch(/Bearer ey/);
  });
});

describe('error handler', () => {
  it('hides the details of unexpected errors behind a 500 problem', async () => {
    const app = Fastify({ logger: false });
    await app.register(errorsPlugin);
    app.get('/boom', async () => {
      throw new Error('password=hunter2 at db.internal:5432');
    });
    app.get('/domain', async () => {
      throw new DomainError('invalid-transition', 'no', { currentStatus: 'CLOSED', allowed: [] });
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toContain('hunter2');
    expect(res.json()).toMatchObject({ code: 'internal-error', status: 500 });
    const d = await app.inject({ method: 'GET', url: '/domain' });
    expect(d.statusCode).toBe(409);
    expect(d.json()).toMatchObject({ type: '/problems/invalid-transition', currentStatus: 'CLOSED', allowed: [] });
    await app.close();
  });
});

describe('readiness', () => {
  it('is 503 problem while migrations are pending', async () => {
    if (!onRealServer()) return;
    const admin = new pg.Client({ connectionString: process.env.SAKSFLYT_TEST_ADMIN_URL });
    await admin.connect();
    const name = `saksflyt_t_${process.env.SAKSFLYT_TEST_RUN}_empty_${Date.now()}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(process.env.SAKSFLYT_TEST_ADMIN_URL!);
    url.pathname = `/${name}`;
    const issuer = await testIssuer();
    const app = await buildApp({
      config: testConfig({ DATABASE_URL: url.toString() }),
      migrate: false,
      verifier: { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: { keys: [issuer.publicJwk] } },
      logger: false,
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('service-unavailable');
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await app.close();
    }
  });

  it('is 503 problem when the database is unreachable', async () => {
    const issuer = await testIssuer();
    const app = await buildApp({
      config: testConfig({ DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' }),
      migrate: false,
      verifier: { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: { keys: [issuer.publicJwk] } },
      logger: false,
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('service-unavailable');
      const h = { authorization: `Bearer ${await issuer.sign({ sub: 'x' })}` };
      const cases = await app.inject({ method: 'GET', url: '/v1/categories', headers: h });
      expect(cases.statusCode).toBe(503);
      expect(cases.headers['retry-after']).toBe('5');
    } finally {
      await app.close();
    }
  });

  it('two instances starting together on an empty database apply the migrations once', async () => {
    if (!onRealServer()) return;
    const admin = new pg.Client({ connectionString: process.env.SAKSFLYT_TEST_ADMIN_URL });
    await admin.connect();
    const name = `saksflyt_t_${process.env.SAKSFLYT_TEST_RUN}_twin_${Date.now()}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(process.env.SAKSFLYT_TEST_ADMIN_URL!);
    url.pathname = `/${name}`;
    const issuer = await testIssuer();
    const make = () =>
      buildApp({
        config: testConfig({ DATABASE_URL: url.toString() }),
        migrate: true,
        verifier: { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: { keys: [issuer.publicJwk] } },
        logger: false,
      });
    const [a, b] = await Promise.all([make(), make()]);
    try {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      const { rows } = await c.query('SELECT migration_name, count(*)::int AS n FROM _prisma_migrations GROUP BY 1');
      const teams = await c.query('SELECT count(*)::int AS n FROM team');
      await c.end();
      expect(rows).toHaveLength(migrationCount);
      expect(rows.every((r: { n: number }) => r.n === 1)).toBe(true);
      expect(teams.rows[0].n).toBe(6);
    } finally {
      await a.close();
      await b.close();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
