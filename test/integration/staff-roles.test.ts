import { createTestApp, type TestApp, type Who } from '../helpers/app';

/** ROLE_SOURCE=database: roles and teams come from /v1/staff rows that admins manage. */
describe('roles from the staff table (ROLE_SOURCE=database)', () => {
  let t: TestApp;
  const as = async (who: Who) => t.auth(who);
  let sicknessCase: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { ROLE_SOURCE: 'database', BOOTSTRAP_ADMINS: 'root, spare-root' } });
    const ola = await as({ sub: 'ola' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: ola,
      payload: { categoryKey: 'sickness', subject: 'Sick', description: 'Private' },
    });
    expect(res.statusCode).toBe(201);
    sicknessCase = res.json().id;
  });
  afterAll(async () => t.close());

  const put = async (who: Who, subject: string, payload: unknown) =>
    t.app.inject({ method: 'PUT', url: `/v1/staff/${subject}`, headers: await as(who), payload: payload as object });
  const readSickness = async (who: Who) =>
    (await t.app.inject({ method: 'GET', url: `/v1/cases/${sicknessCase}`, headers: await as(who) })).statusCode;

  it('ignores role claims in tokens: a self-declared admin is a requester (403)', async () => {
    const mallory: Who = { sub: 'mallory', roles: ['admin', 'operator'], teams: ['absence'] };
    expect((await put(mallory, 'mallory', { roles: ['admin'] })).statusCode).toBe(403);
    expect(await readSickness(mallory)).toBe(404);
  });

  it('lets a BOOTSTRAP_ADMINS subject grant roles and teams (201, 200)', async () => {
    const created = await put({ sub: 'root' }, 'kari', { name: 'Kari', roles: ['operator'], teams: ['absence'] });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/v1/staff/kari');
    expect(created.json()).toMatchObject({ subject: 'kari', name: 'Kari', roles: ['operator'], teams: ['absence'], updatedBy: 'root' });
    const replaced = await put({ sub: 'root' }, 'kari', { name: 'Kari', roles: ['operator'], teams: ['absence', 'payroll'] });
    expect(replaced.statusCode).toBe(200);
    const got = await t.app.inject({ method: 'GET', url: '/v1/staff/kari', headers: await as({ sub: 'spare-root' }) });
    expect(got.json().teams).toEqual(['absence', 'payroll']);
  });

  it('gives the granted roles to a token that claims none (200)', async () => {
    expect(await readSickness({ sub: 'kari' })).toBe(200);
  });

  it('applies a change on the next request, without new tokens (404)', async () => {
    expect((await put({ sub: 'root' }, 'kari', { roles: ['operator'], teams: ['payroll'] })).statusCode).toBe(200);
    expect(await readSickness({ sub: 'kari', roles: ['operator'], teams: ['absence'] })).toBe(404);
  });

  it('makes a granted admin an admin, who manages staff in turn (201, 200)', async () => {
    expect((await put({ sub: 'root' }, 'ada', { roles: ['admin'] })).statusCode).toBe(201);
    expect((await put({ sub: 'ada' }, 'leo', { roles: ['leader'] })).statusCode).toBe(201);
    const list = await t.app.inject({ method: 'GET', url: '/v1/staff', headers: await as({ sub: 'ada' }) });
    expect(list.json().map((m: { subject: string }) => m.subject)).toEqual(['ada', 'kari', 'leo']);
  });

  it('grants an integration its role, with scopes still from its token (200, 404)', async () => {
    const client: Who = { sub: 'hr-system', roles: ['integration'], scope: ['cases:read', 'cases:read:sensitive'] };
    expect(await readSickness(client)).toBe(404);
    expect((await put({ sub: 'root' }, 'hr-system', { roles: ['integration'] })).statusCode).toBe(201);
    expect(await readSickness(client)).toBe(200);
    expect(await readSickness({ ...client, scope: ['cases:read'] })).toBe(404);
  });

  it('removes a member, who is a requester from the next request (204, 404)', async () => {
    const del = await t.app.inject({ method: 'DELETE', url: '/v1/staff/hr-system', headers: await as({ sub: 'root' }) });
    expect(del.statusCode).toBe(204);
    expect(await readSickness({ sub: 'hr-system', roles: ['integration'], scope: ['cases:read', 'cases:read:sensitive'] })).toBe(404);
    const again = await t.app.inject({ method: 'DELETE', url: '/v1/staff/hr-system', headers: await as({ sub: 'root' }) });
    expect(again.statusCode).toBe(404);
    expect(again.headers['content-type']).toContain('application/problem+json');
  });

  it.each([
    ['an unknown team', { roles: ['operator'], teams: ['nope'] }],
    ['an unknown role', { roles: ['superuser'] }],
    ['requester, which everyone is', { roles: ['requester'] }],
    ['a repeated role', { roles: ['leader', 'leader'] }],
    ['an unknown property', { roles: ['leader'], email: 'x@example.org' }],
    ['no roles', { teams: [] }],
  ])('refuses %s (400)', async (_what, payload) => {
    const res = await put({ sub: 'root' }, 'someone', payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 404 for a subject without a row (404)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/staff/nobody', headers: await as({ sub: 'root' }) });
    expect(res.statusCode).toBe(404);
  });
});

describe('roles from tokens (ROLE_SOURCE=token, the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('ignores staff rows: the token decides (201, 403, 200)', async () => {
    const admin = await t.auth({ sub: 'root', roles: ['admin'] });
    const put = await t.app.inject({ method: 'PUT', url: '/v1/staff/ola', headers: admin, payload: { roles: ['admin'] } });
    expect(put.statusCode).toBe(201);
    const ola = await t.auth({ sub: 'ola' });
    expect((await t.app.inject({ method: 'GET', url: '/v1/staff', headers: ola })).statusCode).toBe(403);
    const asClaimed = await t.auth({ sub: 'per', roles: ['admin'] });
    expect((await t.app.inject({ method: 'GET', url: '/v1/staff', headers: asClaimed })).statusCode).toBe(200);
  });
});
