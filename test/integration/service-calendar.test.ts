import { createTestApp, type TestApp } from '../helpers/app';

/** The business calendar as data, and the public service information computed from it. */

type Headers = { authorization: string };
const WEEKDAYS_8_16 = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '16:00' }));

describe('service calendar and service information', () => {
  let t: TestApp;
  let admin: Headers;
  let kari: Headers;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.auth({ sub: 'root', roles: ['admin'] });
    kari = await t.auth({ sub: 'kari', roles: ['operator'], teams: ['payroll'] });
  });
  afterAll(async () => t.close());

  const info = async (at: string) => {
    t.clock.set(at);
    const r = await t.app.inject({ method: 'GET', url: '/v1/service-info' });
    expect(r.statusCode).toBe(200);
    return r.json<{
      channels: Array<{ key: string; kind: string; address: string; openNow: boolean; nextOpenAt: string | null; hours: unknown }>;
      caseHandling: { openNow: boolean; nextOpenAt: string | null };
    }>();
  };
  const channel = (body: Awaited<ReturnType<typeof info>>, key: string) => body.channels.find((c) => c.key === key)!;

  it('serves the seeded calendar: Mon–Fri 08:00–16:00 Europe/Oslo with the public holidays (200)', async () => {
    t.clock.set('2025-03-03T09:00:00+01:00');
    const r = await t.app.inject({ method: 'GET', url: '/v1/service-calendar', headers: kari });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.zone).toBe('Europe/Oslo');
    expect(body.hours).toEqual(WEEKDAYS_8_16);
    expect(body.closedDays).toEqual([]);
    expect(body.publicHolidays.map((h: { date: string }) => h.date)).toEqual(
      expect.arrayContaining(['2025-04-17', '2025-04-18', '2025-04-21', '2025-05-29', '2025-06-09', '2026-04-06']),
    );
  });

  it('serves the contact channels publicly, without a token, with phone open Mon–Fri 10–14 (200)', async () => {
    const monday11 = await info('2025-03-03T11:00:00+01:00');
    expect(monday11.channels.map((c) => [c.key, c.kind, c.address])).toEqual([
      ['portal', 'portal', 'https://hjelp.ntnu.no'],
      ['phone', 'phone', '73 41 31 40'],
      ['email', 'email', 'lonnhr@hr-hms.ntnu.no'],
      ['post', 'post', 'NTNUs internpost, eller HR- og HMS-avdelingens adresse'],
    ]);
    expect(channel(monday11, 'phone')).toMatchObject({ openNow: true, nextOpenAt: null });
    expect(channel(monday11, 'email')).toMatchObject({ openNow: true, hours: null });
    expect(monday11.caseHandling.openNow).toBe(true);

    const monday15 = await info('2025-03-03T15:00:00+01:00');
    expect(channel(monday15, 'phone')).toMatchObject({ openNow: false, nextOpenAt: '2025-03-04T09:00:00.000Z' });
    expect(monday15.caseHandling.openNow).toBe(true);
  });

  it('closes the phone on Easter Monday and opens it on Tuesday (200)', async () => {
    const easterMonday = await info('2025-04-21T11:00:00+02:00');
    expect(channel(easterMonday, 'phone')).toMatchObject({ openNow: false, nextOpenAt: '2025-04-22T08:00:00.000Z' });
    expect(easterMonday.caseHandling.openNow).toBe(false);
    expect(channel(easterMonday, 'portal').openNow).toBe(true);
  });

  it('replaces hours and closed days (admins), which closes the phone too and moves due times (200)', async () => {
    t.clock.set('2025-03-14T15:00:00+01:00');
    const ola = await t.auth({ sub: 'ola' });
    const filed = (
      await t.app.inject({ method: 'POST', url: '/v1/cases', headers: ola, payload: { categoryKey: 'salary', subject: 's', description: 'd' } })
    ).json();
    // Default 16 h from Friday 15:00: Fri 1 + Mon 8 + Tue 7 → Tuesday 15:00.
    expect(filed.sla.firstResponseDueAt).toBe('2025-03-18T14:00:00.000Z');
    await t.app.serviceLevels.sla.sweep(t.clock.now());

    const r = await t.app.inject({
      method: 'PUT',
      url: '/v1/service-calendar',
      headers: admin,
      payload: { hours: WEEKDAYS_8_16, closedDays: [{ date: '2025-03-17', reason: 'Staff seminar' }] },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().closedDays).toEqual([{ date: '2025-03-17', reason: 'Staff seminar' }]);

    const view = (await t.app.inject({ method: 'GET', url: `/v1/cases/${filed.id}`, headers: ola })).json();
    expect(view.sla.firstResponseDueAt).toBe('2025-03-19T14:00:00.000Z');
    const stale = await t.app.pool.query('SELECT EXISTS (SELECT 1 FROM case_sla_stale WHERE case_id = $1) AS stale', [filed.id]);
    expect(stale.rows).toEqual([{ stale: true }]);
    await t.app.serviceLevels.sla.sweep(t.clock.now());
    const watch = await t.app.pool.query('SELECT first_response_watch_at AS w FROM case_sla WHERE case_id = $1', [filed.id]);
    expect(watch.rows).toEqual([{ w: new Date('2025-03-19T14:00:00Z') }]);

    const seminar = await info('2025-03-17T11:00:00+01:00');
    expect(channel(seminar, 'phone')).toMatchObject({ openNow: false, nextOpenAt: '2025-03-18T09:00:00.000Z' });

    const back = await t.app.inject({
      method: 'PUT',
      url: '/v1/service-calendar',
      headers: admin,
      payload: { hours: WEEKDAYS_8_16, closedDays: [] },
    });
    expect(back.statusCode).toBe(200);
  });

  it('refuses an unusable calendar (400) and edits by non-admins (403)', async () => {
    const put = (headers: Headers, payload: object) => t.app.inject({ method: 'PUT', url: '/v1/service-calendar', headers, payload });
    let r = await put(admin, { hours: [{ weekday: 1, start: '16:00', end: '08:00' }], closedDays: [] });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    r = await put(admin, { hours: [WEEKDAYS_8_16[0], WEEKDAYS_8_16[0]], closedDays: [] });
    expect(r.statusCode).toBe(400);
    r = await put(admin, { hours: WEEKDAYS_8_16, closedDays: [{ date: '2025-02-30', reason: 'x' }] });
    expect(r.statusCode).toBe(400);
    r = await put(kari, { hours: WEEKDAYS_8_16, closedDays: [] });
    expect(r.statusCode).toBe(403);
    const still = (await t.app.inject({ method: 'GET', url: '/v1/service-calendar', headers: kari })).json();
    expect(still.hours).toEqual(WEEKDAYS_8_16);
  });

  it('lets admins add, change and remove a channel (201, 200, 204) but not others (401, 403)', async () => {
    const body = {
      kind: 'phone',
      name: { nb: 'Vakttelefon', en: 'Duty phone' },
      address: '73 00 00 00',
      hours: [{ weekday: 6, start: '10:00', end: '12:00' }],
      sortOrder: 25,
    };
    const put = (headers: Record<string, string>, payload: object) =>
      t.app.inject({ method: 'PUT', url: '/v1/service-info/channels/duty', headers, payload });
    expect((await put({}, body)).statusCode).toBe(401);
    expect((await put(kari, body)).statusCode).toBe(403);
    let r = await put(admin, body);
    expect(r.statusCode).toBe(201);
    r = await put(admin, { ...body, hours: [{ weekday: 6, start: '10:00', end: '09:00' }] });
    expect(r.statusCode).toBe(400);
    r = await put(admin, { ...body, address: '73 00 00 01' });
    expect(r.statusCode).toBe(200);
    const saturday = await info('2025-03-08T11:00:00+01:00');
    expect(channel(saturday, 'duty')).toMatchObject({ address: '73 00 00 01', openNow: true });
    expect(channel(saturday, 'phone').openNow).toBe(false);
    expect(saturday.channels.map((c) => c.key)).toEqual(['portal', 'phone', 'duty', 'email', 'post']);
    r = await t.app.inject({ method: 'DELETE', url: '/v1/service-info/channels/duty', headers: admin });
    expect(r.statusCode).toBe(204);
    r = await t.app.inject({ method: 'DELETE', url: '/v1/service-info/channels/duty', headers: admin });
    expect(r.statusCode).toBe(404);
  });
});
