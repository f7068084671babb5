import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

// Issue #12 item 10: a category form (JSON Schema written by admins) must not break filing.
describe('admin form schemas (issue #12, item 10)', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;
  const category = (form: unknown) => ({ name: { nb: 'Stipend', en: 'Stipend' }, defaultTeamKey: 'payroll', sensitive: false, form });
  const file = (details: unknown) => a.post('/v1/cases', h.requester, { categoryKey: 'stipend', subject: 's', description: 'd', details });

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    a = api(t);
  });
  afterAll(async () => t.close());

  it('files cases in a category whose form has an $id, saved twice (200, 201)', async () => {
    const form = {
      $id: 'https://forms.example.org/stipend',
      type: 'object',
      required: ['amount'],
      properties: { amount: { type: 'integer', minimum: 1 } },
    };
    expectStatus(await a.put('/v1/categories/stipend', h.admin, category(form)), 200);
    expectStatus(await file({ amount: 5 }), 201);
    expectStatus(await file({ amount: 0 }), 400);
    // The next version of the form keeps its $id.
    expectStatus(await a.put('/v1/categories/stipend', h.admin, category({ ...form, required: [] })), 200);
    expectStatus(await file({}), 201);
  });

  it.each([
    ['a nested quantifier', { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } }, '/properties/code/pattern'],
    ['an alternation under a repeat', { type: 'object', properties: { code: { type: 'string', pattern: '^(a|aa)*$' } } }, '/properties/code/pattern'],
    ['a backreference', { type: 'object', properties: { code: { type: 'string', pattern: '^(a)\\1$' } } }, '/properties/code/pattern'],
    ['an unsafe patternProperties key', { type: 'object', patternProperties: { '^(\\w+\\s?)*$': { type: 'string' } } }, '/patternProperties/'],
  ])('refuses a form with %s, naming the pattern (400)', async (_what, form, where) => {
    const before = (await a.get('/v1/categories/stipend', h.admin)).json().form;
    const res = await a.put('/v1/categories/stipend', h.admin, category(form));
    expectStatus(res, 400);
    expect(res.json()).toMatchObject({ code: 'validation-failed', errors: [expect.objectContaining({ path: '/form' })] });
    expect(res.json().detail).toContain('unsafe pattern');
    expect(res.json().detail).toContain(where);
    expect((await a.get('/v1/categories/stipend', h.admin)).json().form).toEqual(before);
  });

  it('accepts ordinary patterns (200, 201)', async () => {
    const form = {
      type: 'object',
      properties: {
        account: { type: 'string', pattern: '^\\d{4}\\.\\d{2}\\.\\d{5}$' },
        phone: { type: 'string', pattern: '^(\\+47)?[0-9]{8}$' },
        email: { type: 'string', pattern: '^\\S+@\\S+\\.\\S+$' },
      },
    };
    expectStatus(await a.put('/v1/categories/stipend', h.admin, category(form)), 200);
    expectStatus(await file({ account: '1234.56.78901', phone: '+4712345678', email: 'ola@uio.no' }), 201);
    expectStatus(await file({ account: '1234' }), 400);
    // A pattern is matched against at most 1000 characters; a longer string does not match.
    expectStatus(await file({ email: `ola@${'u'.repeat(1000)}.no` }), 400);
  });

  it('does not run an unsafe form stored before the check existed (400)', async () => {
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    try {
      const form = { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } };
      await c.query(`UPDATE category SET form = $1, updated_at = now() WHERE key = 'stipend'`, [JSON.stringify(form)]);
    } finally {
      await c.end();
    }
    const res = await file({ code: `${'a'.repeat(20)}!` });
    expectStatus(res, 400);
    expect(res.json().errors).toEqual([expect.objectContaining({ message: expect.stringContaining('cannot be used') })]);
  });

  it('answers at most 20 form errors, each at most 200 characters (400)', async () => {
    const longPattern = `^[a-z]{1,3}${'x'.repeat(300)}$`;
    const form = {
      type: 'object',
      additionalProperties: false,
      properties: { code: { type: 'string', pattern: longPattern } },
    };
    expectStatus(await a.put('/v1/categories/stipend', h.admin, category(form)), 200);
    const details: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++) details[`extra${i}`] = i;
    const many = await file(details);
    expectStatus(many, 400);
    expect(many.json().errors).toHaveLength(20);
    // Ajv's message quotes the whole pattern.
    const long = await file({ code: 'nope' });
    expectStatus(long, 400);
    expect(long.json().errors).toEqual([{ in: 'body', path: '/details/code', message: expect.stringMatching(/^must match pattern/) }]);
    expect(long.json().errors[0].message.length).toBeLessThanOrEqual(200);
  });
});
