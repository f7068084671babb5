import { createTestApp, type TestApp } from '../helpers/app';

/**
 * Priority and staff-only tags (#16 point 3, docs/queues.md): set by staff at filing and by
 * PATCH, in history and events; requesters neither set nor see them; tags normalised; a
 * category's service level shortens targets by priority.
 */

type Headers = Record<string, string>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a case body as the tests read it
type CaseBody = Record<string, any>;
let t: TestApp;
let kari: Headers;
let otto: Headers;
let admin: Headers;

async function file(who: Headers, extra: Record<string, unknown> = {}, categoryKey = 'salary'): Promise<CaseBody> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: who,
    payload: { categoryKey, subject: 'Pay', description: 'd', ...extra },
  });
  expect(r.statusCode).toBe(201);
  return r.json();
}

async function patch(who: Headers, id: string, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'PATCH', url: `/v1/cases/${id}`, headers: who, payload });
}

beforeAll(async () => {
  t = await createTestApp();
  kari = await t.auth({ sub: 'kari', name: 'Kari Nordmann' });
  otto = await t.auth({ sub: 'otto', roles: ['operator'], teams: ['payroll'] });
  admin = await t.auth({ sub: 'ada', roles: ['admin'] });
});
afterAll(async () => t.close());

describe('priority', () => {
  it('is normal by default and shown to staff, never to the requester', async () => {
    const c = await file(kari);
    expect(c.priority).toBeUndefined();
    expect(c.tags).toBeUndefined();
    const staffView = (await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: otto })).json();
    expect(staffView.priority).toBe('normal');
    expect(staffView.tags).toEqual([]);
    const own = (await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: kari })).json();
    expect(own).not.toHaveProperty('priority');
    expect(own).not.toHaveProperty('tags');
  });

  it('a requester cannot file with a priority (403) and nothing is filed', async () => {
    const before = (await t.app.pool.query('SELECT count(*)::int AS n FROM "case"')).rows[0].n;
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: kari,
      payload: { categoryKey: 'salary', subject: 'Pay', description: 'd', priority: 'urgent' },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('forbidden');
    expect((await t.app.pool.query('SELECT count(*)::int AS n FROM "case"')).rows[0].n).toBe(before);
  });

  it('staff file with a priority; an unknown priority is 400', async () => {
    const c = await file(otto, { priority: 'high', externalRequester: { name: 'Ex Ternal' } });
    expect(c.priority).toBe('high');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: otto,
      payload: { categoryKey: 'salary', subject: 'Pay', description: 'd', priority: 'critical', externalRequester: { name: 'X' } },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('staff set it by PATCH: an internal history row and case.updated + case.priority_changed events', async () => {
    const c = await file(kari);
    const r = await patch(otto, c.id, { priority: 'urgent', reason: 'payday' });
    expect(r.statusCode).toBe(200);
    expect(r.json().priority).toBe('urgent');
    const staffHistory = (await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}/history`, headers: otto })).json();
    expect(staffHistory).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'priority', from: 'normal', to: 'urgent', internal: true })]),
    );
    const ownHistory = (await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}/history`, headers: kari })).json();
    expect(ownHistory.map((h: { field: string }) => h.field)).not.toContain('priority');
    const events = (await t.app.pool.query(`SELECT type, payload FROM outbox_event WHERE case_id = $1 ORDER BY created_at, id`, [c.id])).rows;
    expect(events.find((e) => e.type === 'case.priority_changed')?.payload).toMatchObject({ from: 'normal', to: 'urgent', version: 2 });
    expect(events.find((e) => e.type === 'case.updated')?.payload.fields).toEqual(['priority']);
    // The same priority again changes nothing (no new version).
    const again = await patch(otto, c.id, { priority: 'urgent' });
    expect(again.json().version).toBe(2);
  });

  it('a requester cannot PATCH priority or tags (403), nothing changes', async () => {
    const c = await file(kari);
    for (const payload of [{ priority: 'urgent' }, { tags: ['x'] }]) {
      const r = await patch(kari, c.id, payload);
      expect(r.statusCode).toBe(403);
    }
    const now = (await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: otto })).json();
    expect(now).toMatchObject({ version: 1, priority: 'normal', tags: [] });
  });

  it("shortens the category's targets by priority, never lengthens them", async () => {
    const cat = (await t.app.inject({ method: 'GET', url: '/v1/categories/salary', headers: admin })).json();
    const put = await t.app.inject({
      method: 'PUT',
      url: '/v1/categories/salary',
      headers: admin,
      payload: {
        name: cat.name,
        defaultTeamKey: cat.defaultTeamKey,
        sensitive: cat.sensitive,
        form: cat.form,
        serviceLevel: {
          firstResponseHours: 16,
          resolutionHours: 80,
          byPriority: { urgent: { firstResponseHours: 2, resolutionHours: 8 }, low: { resolutionHours: 200 } },
        },
      },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().serviceLevel.byPriority).toEqual({ urgent: { firstResponseHours: 2, resolutionHours: 8 }, low: { resolutionHours: 200 } });
    // Monday 2025-03-03 09:00 Oslo (the test clock): 2 working hours on is 11:00 (08:00–16:00 default hours assumed by the calendar).
    const normal = await file(kari);
    const urgent = await file(kari);
    const low = await file(kari);
    expect((await patch(otto, urgent.id, { priority: 'urgent' })).statusCode).toBe(200);
    expect((await patch(otto, low.id, { priority: 'low' })).statusCode).toBe(200);
    const view = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/cases/${id}`, headers: otto })).json().sla;
    const [n, u, l] = [await view(normal.id), await view(urgent.id), await view(low.id)];
    expect(Date.parse(u.firstResponseDueAt)).toBeLessThan(Date.parse(n.firstResponseDueAt));
    expect(Date.parse(u.resolutionDueAt)).toBeLessThan(Date.parse(n.resolutionDueAt));
    expect(l.resolutionDueAt).toBe(n.resolutionDueAt);
    // The sweep stores the same due times (the list's due-time sorts read them).
    expect((await t.app.inject({ method: 'POST', url: '/v1/admin/sla/run', headers: admin, payload: {} })).statusCode).toBe(200);
    const stored = (await t.app.pool.query(`SELECT resolution_due_at FROM case_sla WHERE case_id = $1`, [urgent.id])).rows[0];
    expect(stored.resolution_due_at.toISOString()).toBe(u.resolutionDueAt);
  });

  it('refuses a priority override in the category that is not a target (400)', async () => {
    const cat = (await t.app.inject({ method: 'GET', url: '/v1/categories/general', headers: admin })).json();
    const r = await t.app.inject({
      method: 'PUT',
      url: '/v1/categories/general',
      headers: admin,
      payload: {
        name: cat.name,
        defaultTeamKey: cat.defaultTeamKey,
        sensitive: false,
        serviceLevel: { firstResponseHours: 16, resolutionHours: 80, byPriority: { critical: { firstResponseHours: 1 } } },
      },
    });
    expect(r.statusCode).toBe(400);
  });
});

describe('tags', () => {
  it('are normalised: trimmed, lower-case, NFC, whitespace collapsed, deduplicated, sorted', async () => {
    const c = await file(kari);
    const r = await patch(otto, c.id, { tags: ['  Feriepenger ', 'STREIK', 'feriepenger', 'A\u030Arsoppgj\u00F8r', 'lønn  2025'] });
    expect(r.statusCode).toBe(200);
    expect(r.json().tags).toEqual(['feriepenger', 'lønn 2025', 'streik', '\u00E5rsoppgj\u00F8r']);
    const history = (await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}/history`, headers: otto })).json();
    expect(history).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'tags', from: '', internal: true })]));
    const events = (await t.app.pool.query(`SELECT type, payload FROM outbox_event WHERE case_id = $1`, [c.id])).rows;
    // Tag values are free text: never in an event.
    expect(JSON.stringify(events)).not.toContain('streik');
    // Replacing with the same set in another spelling changes nothing.
    const same = await patch(otto, c.id, { tags: ['STREIK', 'lønn 2025', 'Feriepenger', '\u00C5rsoppgj\u00F8r'] });
    expect(same.json().version).toBe(r.json().version);
    // An empty list clears them.
    expect((await patch(otto, c.id, { tags: [] })).json().tags).toEqual([]);
  });

  it('refuses hostile tags (400) and changes nothing', async () => {
    const c = await file(kari);
    for (const tags of [[' '], ['a,b'], ['x'.repeat(41)], ['<script>'], ['\u0000nul'], Array.from({ length: 21 }, (_, i) => `t${i}`), { a: 1 }]) {
      const r = await patch(otto, c.id, { tags });
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect((await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: otto })).json()).toMatchObject({ version: 1, tags: [] });
  });

  it('never reach the requester: not in their case, list, or history', async () => {
    const c = await file(kari);
    expect((await patch(otto, c.id, { tags: ['secret-tag'] })).statusCode).toBe(200);
    const list = await t.app.inject({ method: 'GET', url: '/v1/cases', headers: kari });
    expect(list.body).not.toContain('secret-tag');
    const history = await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}/history`, headers: kari });
    expect(history.body).not.toContain('secret-tag');
    const one = await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: kari });
    expect(one.body).not.toContain('secret-tag');
  });
});
