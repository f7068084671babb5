import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/** #16 point 7: notices and FAQ links (docs/reference-data.md "Notices"). */
describe('notices', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;
  const del = (url: string, headers: Headers) => t.app.inject({ method: 'DELETE', url, headers });

  const body = (extra: Record<string, unknown> = {}) => ({
    title: { nb: 'Lønnsoppgjør', en: 'Pay settlement' },
    text: { nb: 'Les om lønnsoppgjøret.', en: 'Read about the pay settlement.' },
    link: 'https://innsida.ntnu.no/lonnsoppgjor',
    categories: ['salary'],
    ...extra,
  });
  type Notice = { id: string; title: { nb: string; en: string }; active: boolean; categories: string[]; link: string | null };

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    a = api(t);
  });
  afterAll(async () => t.close());

  it('ships the two notices of the seed page: strike pay deductions (salary) and the holiday-pay FAQ (vacation, salary)', async () => {
    const all = (await a.get('/v1/notices', h.requester)).json<Notice[]>();
    expect(all.map((n) => n.title.nb)).toEqual(['Spørsmål om lønnstrekk etter streik?', 'Spørsmål om feriepenger?']);
    const vacation = (await a.get('/v1/notices?category=vacation', h.requester)).json<Notice[]>();
    expect(vacation.map((n) => n.title.en)).toEqual(['Questions about holiday pay?']);
    const category = (await a.get('/v1/categories/vacation', h.requester)).json<{ notices: Notice[] }>();
    expect(category.notices.map((n) => n.title.nb)).toEqual(['Spørsmål om feriepenger?']);
    expect((await a.get('/v1/categories/travel-expense', h.requester)).json<{ notices: Notice[] }>().notices).toEqual([]);
  });

  it.each(['requester', 'leader', 'operator', 'integration'] as Person[])(
    'refuses a %s creating, replacing or deleting a notice (403)',
    async (who) => {
      const before = (await a.get('/v1/notices?includeInactive=true', h.admin)).json<Notice[]>();
      expectStatus(await a.post('/v1/notices', h[who], body()), 403);
      expectStatus(await a.put(`/v1/notices/${before[0]!.id}`, h[who], body()), 403);
      expectStatus(await del(`/v1/notices/${before[0]!.id}`, h[who]), 403);
      expect((await a.get('/v1/notices?includeInactive=true', h.admin)).json()).toEqual(before);
    },
  );

  it('refuses anyone without a token (401)', async () => {
    expectStatus(await t.app.inject({ method: 'GET', url: '/v1/notices' }), 401);
    expectStatus(await t.app.inject({ method: 'POST', url: '/v1/notices', payload: body() }), 401);
  });

  it('lets an admin create, read, replace and delete a notice (201, 200, 204, 404)', async () => {
    const created = await a.post('/v1/notices', h.admin, body());
    expectStatus(created, 201);
    const n = created.json<Notice>();
    expect(created.headers.location).toBe(`/v1/notices/${n.id}`);
    expect(n).toMatchObject({ active: true, categories: ['salary'], link: 'https://innsida.ntnu.no/lonnsoppgjor' });
    expect((await a.get(`/v1/notices?category=salary`, h.requester)).json<Notice[]>().map((x) => x.id)).toContain(n.id);
    expect((await a.get(`/v1/notices?category=vacation`, h.requester)).json<Notice[]>().map((x) => x.id)).not.toContain(n.id);

    const replaced = await a.put(`/v1/notices/${n.id}`, h.admin, body({ categories: [], link: null }));
    expectStatus(replaced, 200);
    expect(replaced.json()).toMatchObject({ categories: [], link: null });
    // No categories: shown on every form.
    expect((await a.get(`/v1/notices?category=vacation`, h.requester)).json<Notice[]>().map((x) => x.id)).toContain(n.id);
    expectStatus(await a.get(`/v1/notices/${n.id}`, h.requester), 200);

    expectStatus(await del(`/v1/notices/${n.id}`, h.admin), 204);
    expectStatus(await a.get(`/v1/notices/${n.id}`, h.admin), 404);
    expectStatus(await del(`/v1/notices/${n.id}`, h.admin), 404);
    expectStatus(await a.put(`/v1/notices/${n.id}`, h.admin, body()), 404);
  });

  it('hides notices outside their active period from everyone but admins asking for them', async () => {
    const expired = (
      await a.post('/v1/notices', h.admin, body({ activeFrom: '2024-01-01T00:00:00Z', activeUntil: '2025-03-03T09:00:00Z' }))
    ).json<Notice>();
    const future = (await a.post('/v1/notices', h.admin, body({ activeFrom: '2025-03-03T09:00:01Z' }))).json<Notice>();
    const current = (
      await a.post('/v1/notices', h.admin, body({ activeFrom: '2025-03-03T09:00:00Z', activeUntil: '2025-04-01T00:00:00Z' }))
    ).json<Notice>();
    expect(expired.active).toBe(false);
    expect(future.active).toBe(false);
    expect(current.active).toBe(true);

    for (const who of ['requester', 'operator', 'admin'] as Person[]) {
      const ids = (await a.get('/v1/notices?category=salary', h[who])).json<Notice[]>().map((x) => x.id);
      expect(ids).toContain(current.id);
      expect(ids).not.toContain(expired.id);
      expect(ids).not.toContain(future.id);
      const onForm = (await a.get('/v1/categories/salary', h[who])).json<{ notices: Notice[] }>().notices.map((x) => x.id);
      expect(onForm).toContain(current.id);
      expect(onForm).not.toContain(expired.id);
    }
    expectStatus(await a.get(`/v1/notices/${expired.id}`, h.requester), 404);
    expectStatus(await a.get(`/v1/notices/${expired.id}`, h.operator), 404);
    expectStatus(await a.get(`/v1/notices/${expired.id}`, h.admin), 200);
    const all = (await a.get('/v1/notices?includeInactive=true', h.admin)).json<Notice[]>();
    expect(all.filter((x) => [expired.id, future.id].includes(x.id)).map((x) => x.active)).toEqual([false, false]);
    expectStatus(await a.get('/v1/notices?includeInactive=true', h.requester), 403);
    expectStatus(await a.get('/v1/notices?includeInactive=true', h.operator), 403);

    // Time passes: the future notice shows, the current one ends.
    t.clock.set('2025-04-01T00:00:00Z');
    try {
      const ids = (await a.get('/v1/notices', h.requester)).json<Notice[]>().map((x) => x.id);
      expect(ids).toContain(future.id);
      expect(ids).not.toContain(current.id);
    } finally {
      t.clock.set('2025-03-03T09:00:00Z');
    }
  });

  it.each([
    ['a javascript: link', { link: 'javascript:alert(1)' }],
    ['a data: link', { link: 'data:text/html,<script>alert(1)</script>' }],
    ['an http link', { link: 'http://example.org/' }],
    ['a link with user info', { link: 'https://user:pw@example.org/' }],
    ['a link with a space', { link: 'https://example.org/a b' }],
    ['a link with a newline', { link: 'https://example.org/\nX-Injected: 1' }],
    ['a protocol-relative link', { link: '//example.org/' }],
    ['an unknown category', { categories: ['no-such'] }],
    ['a malformed category key', { categories: ['../salary'] }],
    ['a period that ends before it starts', { activeFrom: '2025-05-01T00:00:00Z', activeUntil: '2025-04-01T00:00:00Z' }],
    ['an empty title', { title: { nb: '', en: 'x' } }],
    ['a title without nb', { title: { en: 'x' } }],
    ['an unknown member', { owner: 'mallory' }],
  ])('refuses %s (400) and stores nothing', async (_what, extra) => {
    const before = (await a.get('/v1/notices?includeInactive=true', h.admin)).json<Notice[]>();
    const res = await a.post('/v1/notices', h.admin, body(extra));
    expectStatus(res, 400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('validation-failed');
    const target = before[0]!.id;
    expectStatus(await a.put(`/v1/notices/${target}`, h.admin, body(extra)), 400);
    expect((await a.get('/v1/notices?includeInactive=true', h.admin)).json()).toEqual(before);
  });

  it('answers 404 for notices of an unknown category and 400 for a malformed id or key', async () => {
    expectStatus(await a.get('/v1/notices?category=no-such', h.requester), 404);
    expectStatus(await a.get('/v1/notices?category=%27%3B%20DROP', h.requester), 400);
    expectStatus(await a.get('/v1/notices/not-a-uuid', h.requester), 400);
    expectStatus(await a.get('/v1/notices/00000000-0000-4000-8000-000000000000', h.requester), 404);
  });
});
