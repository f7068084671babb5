import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Principal } from '../../src/domain/roles';
import { FailureLimiter } from '../../src/auth/failure-limiter';
import { DomainError } from '../../src/domain/errors';
import { generateOpenApi } from '../../src/openapi';
import errorsPlugin from '../../src/plugins/errors';
import swaggerPlugin from '../../src/plugins/swagger';
import { enforceDeclaredAccess } from '../../src/routes/v1';
import { problems } from '../../src/schemas/common';

const PRINCIPALS: Record<string, Principal> = {
  ola: { id: 'ola', name: null, roles: ['requester'], teams: [], employeeNumber: null, scopes: [] },
  ada: { id: 'ada', name: null, roles: ['admin'], teams: [], employeeNumber: null, scopes: [] },
};
const bearer = (sub: string) => ({ authorization: `Bearer ${sub}` });

type Routes = (v1: FastifyInstance) => void;

/**
 * A small app with the real /v1 access hook, the error handler and the OpenAPI plugin, and a
 * token verifier that takes the subject as the token: the hook is tested without a database.
 */
async function appWith(routes: Routes, outside?: Routes): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(errorsPlugin);
  await app.register(swaggerPlugin);
  app.decorate('verifyToken', async (token: string) => {
    const p = PRINCIPALS[token];
    if (!p) throw new DomainError('unauthorized', 'unknown token', { reason: 'ERR_JWT_INVALID' });
    return p;
  });
  app.decorateRequest('principal', null);
  // As the auth plugin does: refused tokens are counted per address (off here: limit 0).
  app.decorate('authFailures', new FailureLimiter(0, 60_000));
  await app.register(
    async (v1) => {
      enforceDeclaredAccess(v1);
      routes(v1);
    },
    { prefix: '/v1' },
  );
  if (outside) await app.register(async (root) => outside(root));
  await app.ready();
  return app;
}

const ok = { 200: Type.Object({ ok: Type.Boolean() }) };
const handler = async () => ({ ok: true });

describe('declared access (config.access)', () => {
  const apps: FastifyInstance[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  /** Builds an app as buildApp does (register, then ready) with one /v1 route. */
  async function start(route: Routes): Promise<void> {
    const app = Fastify({ logger: false });
    apps.push(app);
    await app.register(
      async (v1) => {
        enforceDeclaredAccess(v1);
        route(v1);
      },
      { prefix: '/v1' },
    );
    await app.ready();
  }

  it('refuses to start when a /v1 route declares no access', async () => {
    await expect(start((v1) => v1.get('/forgotten', { schema: { tags: ['x'], response: ok } }, handler))).rejects.toThrow(
      /GET \/v1\/forgotten: declare who may call it with config\.access/,
    );
  });

  it('refuses to start when a /v1 route declares an access level that does not exist', async () => {
    // What an untyped caller could pass; the compiler refuses it in typed code.
    await expect(start((v1) => v1.get('/typo', { config: { access: 'admn' as never } }, handler))).rejects.toThrow(/GET \/v1\/typo: .*got "admn"/);
  });

  describe('requests', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = await appWith(
        (v1) => {
          v1.get('/open', { config: { access: 'public' }, schema: { tags: ['x'], operationId: 'getOpen', response: ok } }, handler);
          v1.get('/mine', { config: { access: 'authenticated' }, schema: { tags: ['x'], operationId: 'getMine', response: ok } }, handler);
          v1.get('/feed', { config: { access: 'staff' }, schema: { tags: ['x'], operationId: 'getFeed', response: ok } }, handler);
          v1.post(
            '/settings',
            {
              config: { access: 'admin' },
              schema: { tags: ['x'], operationId: 'putSettings', body: Type.Object({ n: Type.Integer() }), response: { ...ok, ...problems(400) } },
            },
            handler,
          );
        },
        (root) => root.get('/outside', { schema: { tags: ['x'], operationId: 'getOutside', response: ok } }, handler),
      );
      apps.push(app);
    });

    it.each([
      ['GET', '/v1/open', undefined, 200],
      ['GET', '/v1/open', 'ola', 200],
      ['GET', '/v1/mine', undefined, 401],
      ['GET', '/v1/mine', 'nobody', 401],
      ['GET', '/v1/mine', 'ola', 200],
      ['GET', '/v1/feed', 'ola', 403],
      ['GET', '/v1/feed', 'ada', 200],
      ['POST', '/v1/settings', undefined, 401],
      ['POST', '/v1/settings', 'ola', 403],
      ['POST', '/v1/settings', 'ada', 200],
      // Validation comes first, as when the handlers checked roles themselves.
      ['POST', '/v1/settings?bad', 'ola', 400],
      // No route, no declaration: the 404 handler lies outside the /v1 scope's hooks.
      ['GET', '/v1/no-such-route', undefined, 404],
      ['GET', '/outside', undefined, 200],
    ] as const)('%s %s as %s (%i)', async (method, url, who, status) => {
      const payload = method === 'POST' ? (url.endsWith('?bad') ? { n: 'x' } : { n: 1 }) : undefined;
      const res = await app.inject({ method, url, headers: who ? bearer(who) : {}, ...(payload ? { payload } : {}) });
      expect(res.statusCode).toBe(status);
      if (status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      if (status === 403) expect(res.json()).toMatchObject({ code: 'forbidden', status: 403 });
    });

    it('derives each operation’s security and 401/403 problems from its declaration', () => {
      const doc = app.swagger() as unknown as { paths: Record<string, Record<string, { security: unknown; responses: object }>> };
      const op = (path: string, method = 'get') => {
        const o = doc.paths[path]![method]!;
        // Only the access-derived ones: 400, 429 and default are derived for every /v1 operation
        // by src/http/openapi-problems.ts (test/integration/contract.test.ts).
        return { security: o.security, responses: Object.keys(o.responses).filter((c) => c === '200' || c === '401' || c === '403') };
      };
      expect(op('/v1/open')).toEqual({ security: [], responses: ['200'] });
      expect(op('/v1/mine')).toEqual({ security: [{ bearerAuth: [] }], responses: ['200', '401'] });
      expect(op('/v1/feed')).toEqual({ security: [{ bearerAuth: [] }], responses: ['200', '401', '403'] });
      expect(op('/v1/settings', 'post')).toEqual({ security: [{ bearerAuth: [] }], responses: ['200', '401', '403'] });
      expect(op('/outside')).toEqual({ security: [], responses: ['200'] });
    });
  });

  it('the real app starts, and its document asks a bearer token exactly where 401 is answered (200)', async () => {
    // generateOpenApi builds the whole app without a database: it rejects if a /v1 route declares no access.
    const doc = JSON.parse(await generateOpenApi()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, o] of Object.entries(ops)) {
        expect({ op: `${method} ${path}`, bearer: (o.security ?? []).length > 0 }).toEqual({
          op: `${method} ${path}`,
          bearer: '401' in o.responses,
        });
      }
    }
    const { security, responses } = doc.paths['/v1/service-info']!.get!;
    expect({ security, authProblems: Object.keys(responses).filter((c) => c === '401' || c === '403') }).toEqual({ security: [], authProblems: [] });
    const admin = doc.paths['/v1/webhooks']!.post!;
    expect({ security: admin.security, has401: '401' in admin.responses, has403: '403' in admin.responses }).toEqual({
      security: [{ bearerAuth: [] }],
      has401: true,
      has403: true,
    });
  });
});
