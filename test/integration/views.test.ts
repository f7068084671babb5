import { createTestApp, type TestApp } from '../helpers/app';

/** Saved views (#16 point 2, docs/queues.md): the owner's only, bounded, filter validated like the list query. */

type Headers = Record<string, string>;
let t: TestApp;
let kari: Headers;
let per: Headers;
let otto: Headers;

beforeAll(async () => {
  t = await createTestApp();
  kari = await t.auth({ sub: 'kari', name: 'Kari Nordmann' });
  per = await t.auth({ sub: 'per', name: 'Per Annen' });
  otto = await t.auth({ sub: 'otto', roles: ['operator'], teams: ['absence'] });
});
afterAll(async () => t.close());

const create = (who: Headers, payload: unknown) => t.app.inject({ method: 'POST', url: '/v1/views', headers: who, payload: payload as object });

describe('saved views', () => {
  it('create, list, get, update, delete: the owner only', async () => {
    const c = await create(otto, { name: 'Unassigned sickness', filter: { category: 'sickness', unassigned: true, sort: 'resolutionDueAt' } });
    expect(c.statusCode).toBe(201);
    const v = c.json();
    expect(c.headers.location).toBe(`/v1/views/${v.id}`);
    expect(v).toMatchObject({ name: 'Unassigned sickness', filter: { category: 'sickness', unassigned: true, sort: 'resolutionDueAt' } });
    expect((await t.app.inject({ method: 'GET', url: '/v1/views', headers: otto })).json().map((x: { id: string }) => x.id)).toEqual([v.id]);
    expect((await t.app.inject({ method: 'GET', url: `/v1/views/${v.id}`, headers: otto })).json()).toEqual(v);

    // Another user: their list is empty and the view is a 404 to read, change or delete.
    expect((await t.app.inject({ method: 'GET', url: '/v1/views', headers: kari })).json()).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `/v1/views/${v.id}`, headers: kari })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/views/${v.id}`, headers: kari, payload: { name: 'mine now' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/views/${v.id}`, headers: kari })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/v1/views/${v.id}`, headers: otto })).json().name).toBe('Unassigned sickness');

    const u = await t.app.inject({
      method: 'PATCH',
      url: `/v1/views/${v.id}`,
      headers: otto,
      payload: { filter: { assignee: 'me', status: ['IN_PROGRESS'] } },
    });
    expect(u.statusCode).toBe(200);
    expect(u.json()).toMatchObject({ name: 'Unassigned sickness', filter: { assignee: 'me', status: ['IN_PROGRESS'] } });
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/views/${v.id}`, headers: otto })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/v1/views/${v.id}`, headers: otto })).statusCode).toBe(404);
  });

  it('a view filter is a list query: its fields run as one', async () => {
    const v = (await create(kari, { name: 'My open cases', filter: { status: ['REGISTERED'], assignee: 'me' } })).json();
    const q = new URLSearchParams();
    for (const s of v.filter.status) q.append('status', s);
    expect((await t.app.inject({ method: 'GET', url: `/v1/cases?${q.toString()}`, headers: kari })).statusCode).toBe(200);
  });

  it('names are unique per user (409), and another user may use the same name', async () => {
    expect((await create(per, { name: 'Dup', filter: {} })).statusCode).toBe(201);
    const again = await create(per, { name: 'Dup', filter: {} });
    expect(again.statusCode).toBe(409);
    expect((await create(kari, { name: 'Dup', filter: {} })).statusCode).toBe(201);
    const other = (await create(per, { name: 'Other', filter: {} })).json();
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/views/${other.id}`, headers: per, payload: { name: 'Dup' } })).statusCode).toBe(409);
  });

  it('is bounded per user (409 past 50)', async () => {
    const who = await t.auth({ sub: 'hoarder' });
    for (let i = 0; i < 50; i++) expect((await create(who, { name: `v${i}`, filter: {} })).statusCode).toBe(201);
    const r = await create(who, { name: 'one too many', filter: {} });
    expect(r.statusCode).toBe(409);
    expect((await t.app.inject({ method: 'GET', url: '/v1/views', headers: who })).json()).toHaveLength(50);
  });

  it('refuses hostile filters and names (400) and stores nothing', async () => {
    const bad = [
      { name: 'x', filter: { priority: ['critical'] } },
      { name: 'x', filter: { sort: 'DROP TABLE' } },
      { name: 'x', filter: { limit: 10 } },
      { name: 'x', filter: { cursor: 'abc' } },
      { name: 'x', filter: { unknownField: 1 } },
      { name: 'x', filter: { dueBefore: 'soon' } },
      { name: 'x', filter: { status: ['NOPE'] } },
      { name: '', filter: {} },
      { name: 'x'.repeat(101), filter: {} },
      { name: 'x', filter: 'status=REGISTERED' },
      { name: 'x' },
    ];
    const who = await t.auth({ sub: 'hostile', roles: ['operator'], teams: ['absence'] });
    for (const b of bad) {
      const r = await create(who, b);
      expect([JSON.stringify(b), r.statusCode]).toEqual([JSON.stringify(b), 400]);
    }
    // Staff-only list filters are staff-only in a view too; a bad tag is caught at save time.
    expect((await create(kari, { name: 'tags', filter: { tag: ['feriepenger'] } })).statusCode).toBe(400);
    expect((await create(who, { name: 'bad tag', filter: { tag: ['a,b'] } })).statusCode).toBe(400);
    expect((await create(who, { name: 'good tag', filter: { tag: ['feriepenger'], priority: ['urgent'] } })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/v1/views', headers: who })).json().map((v: { name: string }) => v.name)).toEqual(['good tag']);
    const id = (await t.app.inject({ method: 'GET', url: '/v1/views', headers: who })).json()[0].id;
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/views/${id}`, headers: who, payload: {} })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/v1/views/not-a-uuid', headers: who })).statusCode).toBe(400);
  });
});
