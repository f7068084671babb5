import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/* Filing cases (POST /v1/cases). */

describe('POST /v1/cases', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    a = api(t);
  });
  afterAll(async () => t.close());

  const salary = { categoryKey: 'salary', subject: 'Missing overtime', description: 'February overtime is missing' };

  it('files a requester case: REGISTERED, routed, numbered, with Location and ETag (201)', async () => {
    const res = await a.post('/v1/cases', h.requester, { ...salary, details: { period: '2025-02', topic: 'overtime' } });
    expectStatus(res, 201);
    const c = res.json();
    expect(c).toMatchObject({
      status: 'REGISTERED',
      categoryKey: 'salary',
      teamKey: 'payroll',
      channel: 'portal',
      assigneeId: null,
      version: 1,
      details: { period: '2025-02', topic: 'overtime' },
      requester: { id: 'ola', name: 'Ola Nordmann', employeeNumber: '1001', external: null },
      filedBy: { id: 'ola', role: 'requester' },
    });
    expect(c.number).toMatch(/^2025-\d{6}$/);
    expect(res.headers.location).toBe(`/v1/cases/${c.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(c.allowedTransitions).toEqual(['CLOSED']);
    expectStatus(await a.get(res.headers.location as string, h.requester), 200);
  });

  it('numbers cases one after another within the year (201)', async () => {
    const n1 = (await a.post('/v1/cases', h.requester, salary)).json().number as string;
    const n2 = (await a.post('/v1/cases', h.requester, salary)).json().number as string;
    expect(Number(n2.slice(5))).toBe(Number(n1.slice(5)) + 1);
  });

  it('gives concurrent filings distinct, consecutive numbers (201)', async () => {
    const res = await Promise.all(Array.from({ length: 8 }, () => a.post('/v1/cases', h.requester, salary)));
    for (const r of res) expectStatus(r, 201);
    const seq = res.map((r) => Number((r.json().number as string).slice(5))).sort((x, y) => x - y);
    expect(seq).toEqual(seq.map((_, i) => seq[0]! + i));
  });

  it('takes the year of the case number from Oslo time (201)', async () => {
    t.clock.set('2025-12-31T23:30:00Z'); // already 2026 in Oslo
    try {
      const first = await a.post('/v1/cases', h.requester, salary);
      expectStatus(first, 201);
      // 2026 (Oslo), not 2025 (UTC). Its sequence number depends on what else shares the
      // database (on the embedded fallback every test file does).
      expect(first.json().number).toMatch(/^2026-\d{6}$/);
    } finally {
      t.clock.set('2025-03-03T09:00:00Z');
    }
  });

  it('numbers past 999,999 in a year with a seventh digit, findable and unique (201)', async () => {
    const db = new pg.Client({ connectionString: t.url });
    await db.connect();
    try {
      await db.query(`SELECT case_number_skip_past(2025, 999998)`);
    } finally {
      await db.end();
    }
    const numbers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await a.post('/v1/cases', h.requester, salary);
      expectStatus(res, 201);
      numbers.push(res.json().number as string);
    }
    // A six-digit pad must not cut 1000000 to 100000 (a duplicate number and a failed filing).
    expect(numbers).toEqual(['2025-999999', '2025-1000000', '2025-1000001']);
    const found = await a.get('/v1/cases?q=2025-1000000', h.operator);
    expectStatus(found, 200);
    expect((found.json().items as Array<{ number: string }>).map((c) => c.number)).toEqual(['2025-1000000']);
  });

  it('validates details against the category form, naming the paths (400)', async () => {
    const res = await a.post('/v1/cases', h.requester, { ...salary, details: { period: 'feb', topic: 'bonus', extra: 1 } });
    expectStatus(res, 400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const paths = (res.json().errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['/details', '/details/period', '/details/topic']));
  });

  it('refuses details on a category without a form (400)', async () => {
    expectStatus(await a.post('/v1/cases', h.requester, { categoryKey: 'general', subject: 's', description: 'd', details: { x: 1 } }), 400);
  });

  it('refuses an unknown category (400)', async () => {
    const res = await a.post('/v1/cases', h.requester, { ...salary, categoryKey: 'nope' });
    expectStatus(res, 400);
    expect(res.json().errors[0].path).toBe('/categoryKey');
  });

  it('refuses a body that misses required fields (400)', async () => {
    expectStatus(await a.post('/v1/cases', h.requester, { categoryKey: 'salary' }), 400);
  });

  it.each(['phone', 'email', 'post'])('lets an operator file for an external requester by %s (201)', async (channel) => {
    const external = { name: 'Eva Ekstern', email: 'eva@example.org' };
    const res = await a.post('/v1/cases', h.operator, { ...salary, channel, externalRequester: external });
    expectStatus(res, 201);
    expect(res.json()).toMatchObject({
      channel,
      requester: { id: null, name: 'Eva Ekstern', external },
      filedBy: { id: 'kari', role: 'operator' },
    });
    const hist = (await a.get(`/v1/cases/${res.json().id}/history`, h.operator)).json();
    expect(hist[0]).toMatchObject({ field: 'created', actor: { id: 'kari', onBehalfOf: 'Eva Ekstern' } });
  });

  it('refuses an external requester through the portal channel (400)', async () => {
    const res = await a.post('/v1/cases', h.operator, { ...salary, channel: 'portal', externalRequester: { name: 'Eva' } });
    expectStatus(res, 400);
  });

  it('refuses a requester filing for someone external (403)', async () => {
    expectStatus(await a.post('/v1/cases', h.requester, { ...salary, channel: 'phone', externalRequester: { name: 'Eva' } }), 403);
  });

  it('refuses a requester choosing a staff channel (400)', async () => {
    expectStatus(await a.post('/v1/cases', h.requester, { ...salary, channel: 'phone' }), 400);
  });

  it('lets a leader file about an employee, and see the case (201, 200)', async () => {
    const concerns = { name: 'Anne Ansatt', employeeNumber: '4711' };
    const res = await a.post('/v1/cases', h.leader, {
      categoryKey: 'employment',
      subject: 'Extension of contract',
      description: 'Extend to 2026',
      details: { changeType: 'extension', effectiveDate: '2025-04-01' },
      concernsEmployee: concerns,
    });
    expectStatus(res, 201);
    expect(res.json()).toMatchObject({ teamKey: 'employment', concernsEmployee: concerns, filedBy: { id: 'lena', role: 'leader' } });
    expectStatus(await a.get(`/v1/cases/${res.json().id}`, h.leader), 200);
  });

  it('refuses concernsEmployee from a plain requester (403)', async () => {
    expectStatus(await a.post('/v1/cases', h.requester, { ...salary, concernsEmployee: { name: 'Someone' } }), 403);
  });

  it('refuses a read-only integration filing a case (403)', async () => {
    expectStatus(await a.post('/v1/cases', h.integration, salary), 403);
  });
});
