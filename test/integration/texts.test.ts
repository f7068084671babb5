import { negotiateLanguage } from '../../src/http/problem-language';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, DbProbe, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/** #16 points 8 and 10: forms handled by the leader, Norwegian first (docs/reference-data.md). */
describe('forms handled by the leader, nb/en texts and Norwegian problems', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;
  type Category = {
    key: string;
    active: boolean;
    handledBy: 'centre' | 'leader';
    guidance: { nb: string; en: string } | null;
    description: string | null;
    localizedDescription: { nb: string; en: string } | null;
    form: { properties: Record<string, { title: string; 'x-title': { nb: string; en: string } }> } | null;
  };
  let db: DbProbe;
  const countCases = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM "case"'))[0]!.n);

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    a = api(t);
    db = await new DbProbe(t.url).open();
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  describe('forms handled by the leader', () => {
    it('lists the leader forms with handledBy and guidance in both languages; the centre forms say centre', async () => {
      const all = (await a.get('/v1/categories', h.requester)).json<Category[]>();
      const leader = all.filter((c) => c.handledBy === 'leader').map((c) => c.key);
      expect(leader.sort()).toEqual(['self-certified-sick-leave', 'vacation-application']);
      for (const c of all) {
        if (c.handledBy === 'leader') {
          expect(c.guidance?.nb).toMatch(/leder/);
          expect(c.guidance?.en).toMatch(/leader/);
        } else expect(c.guidance).toBeNull();
      }
    });

    it.each(['requester', 'leader', 'operator', 'admin'] as Person[])(
      'refuses a %s filing a leader form at the centre (422) with the guidance, and files nothing',
      async (who) => {
        const before = await countCases();
        const res = await a.post('/v1/cases', h[who], { categoryKey: 'vacation-application', subject: 'Ferie i juli', description: 'Tre uker' });
        expectStatus(res, 422);
        expect(res.headers['content-type']).toContain('application/problem+json');
        const p = res.json();
        expect(p).toMatchObject({ status: 422, code: 'handled-by-leader', categoryKey: 'vacation-application', type: '/problems/handled-by-leader' });
        expect(p.guidance.nb).toMatch(/Selvbetjeningsportalen/);
        expect(p.guidance.en).toMatch(/self-service portal/);
        expect(p.detail).toBe(p.guidance.en);
        expect(await countCases()).toBe(before);
      },
    );

    it('answers the refusal in Norwegian with Accept-Language: nb', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { ...h.requester, 'accept-language': 'nb-NO' },
        payload: { categoryKey: 'self-certified-sick-leave', subject: 'Syk', description: 'To dager' },
      });
      expectStatus(res, 422);
      expect(res.headers['content-language']).toBe('nb');
      const p = res.json();
      expect(p).toMatchObject({ code: 'handled-by-leader', title: 'Skjemaet behandles av din leder' });
      expect(p.detail).toBe(p.guidance.nb);
    });

    it("lets an admin mark a form as the leader's, which needs guidance, and back", async () => {
      const cat = (await a.get('/v1/categories/stipend', h.admin)).json<Category & { key?: string; notices?: unknown }>();
      const { key: _k, notices: _n, ...rest } = cat;
      const noGuidance = await a.put('/v1/categories/stipend', h.admin, { ...rest, handledBy: 'leader', guidance: null });
      expectStatus(noGuidance, 400);
      expect(noGuidance.json().errors[0]).toMatchObject({ path: '/guidance' });
      expectStatus(await a.put('/v1/categories/stipend', h.admin, { ...rest, handledBy: 'boss' }), 400);
      const guidance = { nb: 'Spør lederen din.', en: 'Ask your leader.' };
      expectStatus(await a.put('/v1/categories/stipend', h.admin, { ...rest, handledBy: 'leader', guidance }), 200);
      const refused = await a.post('/v1/cases', h.requester, { categoryKey: 'stipend', subject: 's', description: 'd' });
      expectStatus(refused, 422);
      expect(refused.json().guidance).toEqual(guidance);
      expectStatus(await a.put('/v1/categories/stipend', h.admin, { ...rest, handledBy: 'centre', guidance: null }), 200);
      expectStatus(await a.post('/v1/cases', h.requester, { categoryKey: 'stipend', subject: 's', description: 'd' }), 201);
    });
  });

  describe('inactive categories', () => {
    beforeAll(async () => {
      const cat = (await a.get('/v1/categories/feedback', h.admin)).json<Category & { notices?: unknown }>();
      const { key: _k, notices: _n, ...rest } = cat;
      expectStatus(await a.put('/v1/categories/feedback', h.admin, { ...rest, active: false }), 200);
    });

    it.each(['requester', 'leader'] as Person[])(
      'are not offered to a %s: not listed, 404 alone, 404 for their notices, refused at filing',
      async (who) => {
        expect((await a.get('/v1/categories', h[who])).json<Category[]>().map((c) => c.key)).not.toContain('feedback');
        expectStatus(await a.get('/v1/categories/feedback', h[who]), 404);
        expectStatus(await a.get('/v1/notices?category=feedback', h[who]), 404);
        expectStatus(await a.post('/v1/cases', h[who], { categoryKey: 'feedback', subject: 's', description: 'd' }), 400);
      },
    );

    it.each(['admin', 'operator', 'integration'] as Person[])('are shown to staff (%s) with active: false', async (who) => {
      const listed = (await a.get('/v1/categories', h[who])).json<Category[]>().find((c) => c.key === 'feedback');
      expect(listed).toMatchObject({ active: false });
      expect((await a.get('/v1/categories/feedback', h[who])).json()).toMatchObject({ key: 'feedback', active: false });
    });
  });

  describe('texts in nb and en', () => {
    it('gives categories a description in both languages, keeping the English `description`', async () => {
      const vacation = (await a.get('/v1/categories/vacation', h.requester)).json<Category>();
      expect(vacation.description).toBe('Including holiday-pay questions.');
      expect(vacation.localizedDescription).toEqual({ nb: 'Også spørsmål om feriepenger.', en: 'Including holiday-pay questions.' });
      expect((await a.get('/v1/categories/salary', h.requester)).json<Category>().localizedDescription).toBeNull();
    });

    it('gives every field of the seeded forms a title in nb and en (x-title), keeping `title`', async () => {
      const all = (await a.get('/v1/categories', h.requester)).json<Category[]>();
      const withForms = all.filter((c) => c.form !== null);
      expect(withForms.length).toBeGreaterThanOrEqual(8);
      for (const c of withForms) {
        for (const field of Object.values(c.form!.properties)) {
          expect(field['x-title'].en).toBe(field.title);
          expect(field['x-title'].nb.length).toBeGreaterThan(0);
        }
      }
      const travel = all.find((c) => c.key === 'travel-expense')!;
      expect(travel.form!.properties.travelDate!['x-title']).toEqual({ nb: 'Reisedato', en: 'Travel date' });
    });

    it('stores a localized description; an older client sending `description` only gets it in both languages', async () => {
      const base = { name: { nb: 'Pensjon', en: 'Pension' }, defaultTeamKey: 'payroll', sensitive: false };
      const both = await a.put('/v1/categories/pension', h.admin, { ...base, localizedDescription: { nb: 'Om pensjon.', en: 'About pension.' } });
      expectStatus(both, 201);
      expect(both.json()).toMatchObject({ description: 'About pension.', localizedDescription: { nb: 'Om pensjon.', en: 'About pension.' } });
      const mismatch = await a.put('/v1/categories/pension', h.admin, {
        ...base,
        description: 'Something else',
        localizedDescription: { nb: 'Om pensjon.', en: 'About pension.' },
      });
      expectStatus(mismatch, 400);
      const old = await a.put('/v1/categories/pension', h.admin, { ...base, description: 'English only.' });
      expectStatus(old, 200);
      expect(old.json()).toMatchObject({ description: 'English only.', localizedDescription: { nb: 'English only.', en: 'English only.' } });
    });

    it('describes every status in nb and en', async () => {
      const statuses = (await a.get('/v1/statuses', h.requester)).json<
        Array<{ code: string; description: string; localizedDescription: { nb: string; en: string } }>
      >();
      expect(statuses).toHaveLength(9);
      for (const s of statuses) {
        expect(s.localizedDescription.en).toBe(s.description);
        expect(s.localizedDescription.nb).not.toBe(s.description);
      }
      expect(statuses.find((s) => s.code === 'ON_HOLD')!.localizedDescription.nb).toMatch(/andre enn innmelder/);
    });
  });

  describe('problems in Norwegian (Accept-Language)', () => {
    it.each([
      ['nb', 'nb'],
      ['nb-NO', 'nb'],
      ['no', 'nb'],
      ['nn', 'nb'],
      ['nn-NO,en;q=0.5', 'nb'],
      ['en', 'en'],
      ['en-GB', 'en'],
      ['en;q=0.4, nb;q=0.8', 'nb'],
      ['nb;q=0.3, en;q=0.9', 'en'],
      ['de, nb;q=0.5', 'nb'],
      ['de, fr', 'en'],
      ['*', 'en'],
      ['*, en;q=0', 'nb'],
      ['nb;q=0, en', 'en'],
      ['nb;q=0', 'en'],
      ['en;q=0, nb;q=0, *', 'en'],
      ['', 'en'],
      ['garbage;;;q=x,,', 'en'],
      ['nb;q=x', 'en'],
      [undefined, 'en'],
    ])('Accept-Language %p answers %s', (header, lang) => {
      expect(negotiateLanguage(header)).toBe(lang);
    });

    const notFound = (lang?: string) =>
      t.app.inject({
        method: 'GET',
        url: '/v1/categories/no-such',
        headers: { ...h.requester, ...(lang !== undefined ? { 'accept-language': lang } : {}) },
      });

    it('answers title and detail in Norwegian with a stable code, and says so in Content-Language', async () => {
      const nb = await notFound('nb-NO,nb;q=0.9,en;q=0.5');
      expectStatus(nb, 404);
      expect(nb.headers['content-language']).toBe('nb');
      expect(nb.json()).toMatchObject({ code: 'not-found', type: '/problems/not-found', status: 404, title: 'Finnes ikke' });
      expect(nb.json().detail).toMatch(/finnes ikke/);

      const en = await notFound();
      expect(en.headers['content-language']).toBe('en');
      expect(en.json()).toMatchObject({ code: 'not-found', title: 'Not found', detail: "No category 'no-such'." });
      expect((await notFound('en-US')).json().title).toBe('Not found');
    });

    it('translates validation problems, keeping the errors list', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { ...h.requester, 'accept-language': 'no' },
        payload: { categoryKey: 'general' },
      });
      expectStatus(res, 400);
      expect(res.headers['content-language']).toBe('nb');
      expect(res.json()).toMatchObject({ code: 'validation-failed', title: 'Ugyldig forespørsel' });
      expect(res.json().detail).toMatch(/^Forespørselen er ugyldig/);
      expect(res.json().errors.length).toBeGreaterThan(0);
    });

    it('translates an invalid transition, naming the statuses in Norwegian', async () => {
      const c = await a.post('/v1/cases', h.requester, { categoryKey: 'general', subject: 's', description: 'd' });
      expectStatus(c, 201);
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/cases/${c.json().id}/transitions`,
        headers: { ...h.requester, 'accept-language': 'nb' },
        payload: { to: 'IN_PROGRESS' },
      });
      expectStatus(res, 409);
      expect(res.json()).toMatchObject({ code: 'invalid-transition', title: 'Statusendringen er ikke tillatt', currentStatus: 'REGISTERED' });
      expect(res.json().detail).toMatch(/«Registrert» \(REGISTERED\).*«I arbeid» \(IN_PROGRESS\)/);
    });

    it('translates 401, unknown routes and router refusals too', async () => {
      const unauth = await t.app.inject({ method: 'GET', url: '/v1/cases', headers: { 'accept-language': 'nb' } });
      expectStatus(unauth, 401);
      expect(unauth.json()).toMatchObject({ code: 'unauthorized', title: 'Ikke innlogget' });
      expect(unauth.headers['content-language']).toBe('nb');
      const noRoute = await t.app.inject({ method: 'GET', url: '/v1/no-such-route', headers: { 'accept-language': 'nb' } });
      expectStatus(noRoute, 404);
      expect(noRoute.json().title).toBe('Finnes ikke');
      expect(noRoute.headers['content-language']).toBe('nb');
    });

    it('translates the problems inside a bulk answer, keeping their code; English without the header (200)', async () => {
      const bulk = async (lang?: string) => {
        const c = await a.post('/v1/cases', h.requester, { categoryKey: 'general', subject: 's', description: 'd' });
        expectStatus(c, 201);
        const id = c.json<{ id: string }>().id;
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/cases/bulk',
          headers: { ...h.operator, ...(lang !== undefined ? { 'accept-language': lang } : {}) },
          payload: {
            operations: [
              { op: 'assign', caseId: id, assigneeId: 'kari' },
              { op: 'transition', caseId: id, to: 'UPDATED_BY_USER' },
              { op: 'setTeam', caseId: '00000000-0000-4000-8000-000000000000', teamKey: 'payroll' },
            ],
          },
        });
        expectStatus(res, 200);
        type Item = { status: number; problem?: { code: string; title: string; detail: string; currentStatus?: string } };
        return { res, results: res.json<{ results: Item[]; succeeded: number }>().results };
      };
      const nb = await bulk('nb');
      expect(nb.res.headers['content-language']).toBe('nb');
      expect(nb.results.map((r) => r.status)).toEqual([200, 409, 404]);
      const [, refusedNb, missingNb] = nb.results;
      expect(refusedNb!.problem).toMatchObject({ code: 'invalid-transition', title: 'Statusendringen er ikke tillatt' });
      expect(refusedNb!.problem!.detail).toMatch(/^Saken kan ikke flyttes fra «.+» \(\w+\) til «Oppdatert av bruker» \(UPDATED_BY_USER\)/);
      expect(missingNb!.problem).toMatchObject({ code: 'not-found', title: 'Finnes ikke' });
      expect(missingNb!.problem!.detail).toMatch(/finnes ikke/);

      const en = await bulk();
      expect(en.res.headers['content-language']).toBe('en');
      const [, refusedEn, missingEn] = en.results;
      expect(refusedEn!.problem).toMatchObject({ code: 'invalid-transition', title: 'Transition not allowed' });
      expect(refusedEn!.problem!.detail).not.toMatch(/Saken|«/);
      expect(missingEn!.problem).toMatchObject({ code: 'not-found', title: 'Not found' });
      expect(missingEn!.problem!.currentStatus).toBeUndefined();
      expect(refusedEn!.problem!.currentStatus).toBe(refusedNb!.problem!.currentStatus);

      // A replay (same Idempotency-Key) repeats the stored answer in the language it was made in, and says so.
      const payload = { operations: [{ op: 'setTeam', caseId: '00000000-0000-4000-8000-000000000000', teamKey: 'payroll' }] };
      const send = (lang: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/cases/bulk',
          headers: { ...h.operator, 'accept-language': lang, 'idempotency-key': 'bulk-in-nb-1' },
          payload,
        });
      const first = await send('nb');
      const replay = await send('en');
      expectStatus(replay, 200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers['content-language']).toBe('nb');
      expect(replay.json()).toEqual(first.json());
      expect(replay.json().results[0].problem.title).toBe('Finnes ikke');
    });

    it('is not confused by a hostile header', async () => {
      const res = await notFound(`${'a'.repeat(5000)}, <script>;q=1, nb;q=abc, nn;q=2`);
      expectStatus(res, 404);
      expect(res.headers['content-language']).toBe('en');
    });
  });
});
