import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/**
 * Bodies are validated without type coercion (src/http/validation.ts): `null` is stored as null
 * where the schema allows it and refused where it does not; `"5"` is no number. Query strings
 * and path parameters are text and keep their coercion.
 */
describe('request bodies keep their JSON types', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    t = await createTestApp();
    h = await headersFor(t);
    a = api(t);
  });
  afterAll(async () => t.close());

  const countCases = async () => (await a.get('/v1/cases?limit=100', h.admin)).json().items.length as number;

  it('stores null as null where the schema allows it (was "")', async () => {
    const withMail = await a.put('/v1/teams/pension', h.admin, { name: { nb: 'Pensjon', en: 'Pension' }, email: 'p@example.org' });
    expect([200, 201]).toContain(withMail.statusCode);
    const cleared = await a.put('/v1/teams/pension', h.admin, { name: { nb: 'Pensjon', en: 'Pension' }, email: null });
    expectStatus(cleared, 200);
    expect(cleared.json().email).toBeNull();
    const stored = (await a.get('/v1/teams', h.admin)).json().find((x: { key: string }) => x.key === 'pension');
    expect(stored.email).toBeNull();

    const person = await a.put('/v1/people/emp-77', h.admin, { name: 'Emma Ansatt', employeeNumber: null, email: null });
    expect([200, 201]).toContain(person.statusCode);
    expect(person.json()).toMatchObject({ name: 'Emma Ansatt', employeeNumber: null, email: null });
  });

  it('refuses null where the schema does not allow it, and changes nothing', async () => {
    const before = await countCases();
    const res = await a.post('/v1/cases', h.requester, { categoryKey: 'general', subject: null, description: 'x' });
    expectStatus(res, 400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('validation-failed');
    expect(await countCases()).toBe(before);
  });

  it('refuses a string where a number is declared, and a number where a string is', async () => {
    const sortOrder = await a.put('/v1/categories/pension', h.admin, {
      name: { nb: 'Pensjon', en: 'Pension' },
      defaultTeamKey: 'service',
      sensitive: false,
      sortOrder: '5',
    });
    expectStatus(sortOrder, 400);
    expectStatus(await a.get('/v1/categories/pension', h.admin), 404);

    const before = await countCases();
    const subject = await a.post('/v1/cases', h.requester, { categoryKey: 'general', subject: 42, description: 'x' });
    expectStatus(subject, 400);
    const flag = await a.post('/v1/cases', h.requester, { categoryKey: 'general', subject: 'S', description: 'x', details: [] });
    expectStatus(flag, 400);
    expect(await countCases()).toBe(before);
  });

  it('still coerces query strings', async () => {
    const res = await a.get('/v1/cases?limit=5&status=REGISTERED', h.operator);
    expectStatus(res, 200);
    expect(Array.isArray(res.json().items)).toBe(true);
    expectStatus(await a.get('/v1/cases?limit=five', h.operator), 400);
  });
});
