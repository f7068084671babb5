import { createTestApp, type TestApp } from '../helpers/app';

/**
 * The reports against a hand-computed fixture. All times Europe/Oslo in March 2025 (+01:00),
 * calendar Mon–Fri 08:00–16:00. Salary targets 8 h / 40 h, travel expense 16 h / 80 h.
 *
 * | case | category | filed     | events                                                  | first resp. | resolution |
 * | A    | salary   | Mon 09:00 | public reply Mon 11:00, COMPLETED Tue 09:00              | 2 h met     | 8 h met    |
 * | B    | salary   | Mon 09:00 | reply + WAITING Mon 10:00, requester Wed 10:00, COMPLETED Wed 12:00 | 1 h met | 3 h met (48 h paused) |
 * | C    | salary   | Mon 09:00 | COMPLETED next Wed 09:00 (no reply)                      | 56 h breach | 56 h breach|
 * | D    | travel   | Mon 09:00 | public reply Tue 09:00                                   | 8 h met     | open       |
 * | E    | salary   | Feb 24    | (outside the period)                                     |             |            |
 */

type Headers = { authorization: string };
const FROM = '2025-03-01T00:00:00+01:00';
const TO = '2025-04-01T00:00:00+02:00';

describe('service-level reports', () => {
  let t: TestApp;
  let admin: Headers;

  beforeAll(async () => {
    t = await createTestApp();
    const ola = await t.auth({ sub: 'ola', name: 'Ola' });
    const pay = await t.auth({ sub: 'kari', roles: ['operator'], teams: ['payroll'] });
    const travel = await t.auth({ sub: 'per', roles: ['operator'], teams: ['travel'] });
    admin = await t.auth({ sub: 'root', roles: ['admin'] });

    const c = (await t.app.inject({ method: 'GET', url: '/v1/categories/salary', headers: admin })).json();
    await t.app.inject({
      method: 'PUT',
      url: '/v1/categories/salary',
      headers: admin,
      payload: {
        name: c.name,
        defaultTeamKey: c.defaultTeamKey,
        sensitive: c.sensitive,
        form: c.form,
        serviceLevel: { firstResponseHours: 8, resolutionHours: 40 },
      },
    });

    const at = (iso: string) => t.clock.set(iso);
    const file = async (categoryKey: string): Promise<string> => {
      const r = await t.app.inject({ method: 'POST', url: '/v1/cases', headers: ola, payload: { categoryKey, subject: 's', description: 'd' } });
      expect(r.statusCode).toBe(201);
      return r.json().id;
    };
    const ok = async (p: Promise<{ statusCode: number; body: string }>) => {
      const r = await p;
      expect([200, 201]).toContain(r.statusCode);
    };
    const move = (id: string, who: Headers, payload: object) =>
      ok(t.app.inject({ method: 'POST', url: `/v1/cases/${id}/transitions`, headers: who, payload }));
    const say = (id: string, who: Headers, body: string) =>
      ok(t.app.inject({ method: 'POST', url: `/v1/cases/${id}/messages`, headers: who, payload: { body } }));

    at('2025-02-24T09:00:00+01:00');
    await file('salary'); // E
    at('2025-03-03T09:00:00+01:00');
    const a = await file('salary');
    const b = await file('salary');
    const cc = await file('salary');
    const d = await file('travel-expense');
    at('2025-03-03T10:00:00+01:00');
    await move(b, pay, { to: 'WAITING_FOR_USER', reply: 'Please confirm' });
    at('2025-03-03T11:00:00+01:00');
    await say(a, pay, 'Looking into it');
    at('2025-03-04T09:00:00+01:00');
    await move(a, pay, { to: 'COMPLETED' });
    await say(d, travel, 'Received');
    at('2025-03-05T10:00:00+01:00');
    await say(b, ola, 'Confirmed');
    at('2025-03-05T12:00:00+01:00');
    await move(b, pay, { to: 'COMPLETED' });
    at('2025-03-12T09:00:00+01:00');
    await move(cc, pay, { to: 'COMPLETED' });
    at('2025-03-14T12:00:00+01:00');
    await t.app.serviceLevels.sla.sweep(t.clock.now());
  });
  afterAll(async () => t.close());

  const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });

  it('reports met, breached, median and p90 working hours per category (200)', async () => {
    const r = await get(`/v1/reports/sla?from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}&groupBy=category`, admin);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      from: '2025-02-28T23:00:00.000Z',
      to: '2025-03-31T22:00:00.000Z',
      groupBy: 'category',
      groups: [
        {
          key: 'salary',
          cases: 3,
          met: 2,
          breached: 1,
          open: 0,
          // First response [1, 2, 56] h: median 2; p90 at rank 1.8 → 2 + 0.8 × 54 = 45.2.
          firstResponse: { met: 2, breached: 1, medianHours: 2, p90Hours: 45.2 },
          // Resolution [3, 8, 56] h: median 8; p90 → 8 + 0.8 × 48 = 46.4.
          resolution: { met: 2, breached: 1, medianHours: 8, p90Hours: 46.4 },
          // a, b and cc were completed by staff without saying how: solved.
          resolvedAs: { solved: 3, answered: 0 },
        },
        {
          key: 'travel-expense',
          cases: 1,
          met: 0,
          breached: 0,
          open: 1,
          firstResponse: { met: 1, breached: 0, medianHours: 8, p90Hours: 8 },
          resolution: { met: 0, breached: 0, medianHours: null, p90Hours: null },
          resolvedAs: { solved: 0, answered: 0 },
        },
      ],
    });
  });

  it('groups by team, and limits an operator to their own teams (200)', async () => {
    const q = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}&groupBy=team`;
    const all = (await get(`/v1/reports/sla?${q}`, admin)).json();
    expect(all.groups.map((g: { key: string; cases: number }) => [g.key, g.cases])).toEqual([
      ['payroll', 3],
      ['travel', 1],
    ]);
    const per = await t.auth({ sub: 'per', roles: ['operator'], teams: ['travel'] });
    const mine = (await get(`/v1/reports/sla?${q}`, per)).json();
    expect(mine.groups.map((g: { key: string }) => g.key)).toEqual(['travel']);
  });

  it('reports median and p90 elapsed and working hours per status (200)', async () => {
    const r = await get(`/v1/reports/time-in-status?from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`, admin);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.groupBy).toBe('category');
    const salary = body.groups.find((g: { key: string }) => g.key === 'salary');
    expect(salary.statuses).toEqual([
      // REGISTERED: A 24 h (8 working), B 1 h (1), C 216 h (56) → median 24 (8),
      // p90 24 + 0.8 × 192 = 177.6 (8 + 0.8 × 48 = 46.4).
      { status: 'REGISTERED', stints: 3, current: 0, medianHours: 24, p90Hours: 177.6, medianWorkingHours: 8, p90WorkingHours: 46.4 },
      // B waited Monday 10:00 → Wednesday 10:00: 48 h, of which 6 + 8 + 2 working.
      { status: 'WAITING_FOR_USER', stints: 1, current: 0, medianHours: 48, p90Hours: 48, medianWorkingHours: 16, p90WorkingHours: 16 },
      { status: 'UPDATED_BY_USER', stints: 1, current: 0, medianHours: 2, p90Hours: 2, medianWorkingHours: 2, p90WorkingHours: 2 },
      { status: 'COMPLETED', stints: 0, current: 3, medianHours: null, p90Hours: null, medianWorkingHours: null, p90WorkingHours: null },
    ]);
    const travel = body.groups.find((g: { key: string }) => g.key === 'travel-expense');
    expect(travel.statuses).toEqual([
      { status: 'REGISTERED', stints: 0, current: 1, medianHours: null, p90Hours: null, medianWorkingHours: null, p90WorkingHours: null },
    ]);
  });

  it('refuses reports to requesters (403) and a period that ends before it starts (400)', async () => {
    const ola = await t.auth({ sub: 'ola' });
    expect((await get(`/v1/reports/sla?from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`, ola)).statusCode).toBe(403);
    expect((await get(`/v1/reports/sla?from=${encodeURIComponent(TO)}&to=${encodeURIComponent(FROM)}`, admin)).statusCode).toBe(400);
    expect((await get('/v1/reports/sla?from=yesterday&to=today', admin)).statusCode).toBe(400);
  });

  it('moves a case to its new team in the reports after the next sweep (200)', async () => {
    const per = await t.auth({ sub: 'per', roles: ['operator'], teams: ['travel'] });
    const q = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}&groupBy=team`;
    const [d] = (await get('/v1/cases?category=travel-expense', admin)).json().items as Array<{ id: string; version: number }>;
    const r = await t.app.inject({
      method: 'PATCH',
      url: `/v1/cases/${d!.id}`,
      headers: { ...per, 'if-match': `"${d!.version}"` },
      payload: { teamKey: 'service' },
    });
    expect(r.statusCode).toBe(200);
    await t.app.serviceLevels.sla.sweep(t.clock.now());
    const all = (await get(`/v1/reports/sla?${q}`, admin)).json();
    expect(all.groups.map((g: { key: string; cases: number }) => [g.key, g.cases])).toEqual([
      ['payroll', 3],
      ['service', 1],
    ]);
    const tis = (await get(`/v1/reports/time-in-status?${q}`, admin)).json();
    expect(tis.groups.map((g: { key: string }) => g.key)).toEqual(['payroll', 'service']);
  });
});
