import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { ALL_STATUSES, EXPECTED_GRAPH, sorted } from '../helpers/expected-graph';

// DOMAIN.md "Categories" and "Statuses", copied by hand.
const CATEGORIES: Array<[key: string, nb: string, en: string, sensitive: boolean]> = [
  ['travel-expense', 'Reiseregning', 'Travel expense claim', false],
  ['working-hours', 'Arbeidstid', 'Working hours', false],
  ['salary', 'Lønn', 'Salary', false],
  ['employment', 'Arbeidsforhold', 'Employment relationship', false],
  ['sickness', 'Sykdom', 'Sickness', true],
  ['vacation', 'Ferie', 'Vacation', false],
  ['parental-leave', 'Foreldrepermisjon', 'Parental leave', true],
  ['leave', 'Permisjon', 'Leave of absence', false],
  ['stipend', 'Stipend', 'Stipend', false],
  ['feedback', 'Tilbakemeldinger', 'Feedback to the service centre', false],
  ['general', 'Generelt kontaktskjema', 'General enquiry', false],
];
// Forms that go to the leader (docs/reference-data.md), listed so front ends can route people there.
const LEADER_FORMS = ['vacation-application', 'self-certified-sick-leave'];
const STATUS_NB: Record<string, string> = {
  REGISTERED: 'Registrert',
  ASSIGNED: 'Tildelt',
  IN_PROGRESS: 'I arbeid',
  WAITING_FOR_USER: 'Venter på bruker',
  ON_HOLD: 'På vent',
  UPDATED_BY_USER: 'Oppdatert av bruker',
  COMPLETED: 'Fullført',
  CLOSED: 'Lukket',
  REOPENED_BY_USER: 'Gjenåpnet av bruker',
};

describe('statuses, categories and teams', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    a = api(t);
  });
  afterAll(async () => t.close());

  describe('GET /v1/statuses', () => {
    it('lists the nine statuses with labels and, per actor, the graph of DOMAIN.md (200)', async () => {
      const res = await a.get('/v1/statuses', h.requester);
      expectStatus(res, 200);
      const body = res.json<
        Array<{
          code: string;
          label: { nb: string; en: string };
          description: string;
          transitions: Record<'operator' | 'requester' | 'system', string[]>;
          autoTransition: { to: string; afterDays: number; suspendable: boolean } | null;
        }>
      >();
      expect(body.map((s) => s.code)).toEqual([...ALL_STATUSES]);
      for (const s of body) {
        const code = s.code as (typeof ALL_STATUSES)[number];
        expect(s.label.nb).toBe(STATUS_NB[code]);
        expect(s.label.en.length).toBeGreaterThan(0);
        expect(s.description.length).toBeGreaterThan(0);
        for (const actor of ['operator', 'requester', 'system'] as const) {
          expect(sorted(s.transitions[actor])).toEqual(sorted(EXPECTED_GRAPH[actor][code]));
        }
      }
      const auto = Object.fromEntries(body.filter((s) => s.autoTransition).map((s) => [s.code, s.autoTransition]));
      expect(auto).toEqual({
        WAITING_FOR_USER: { to: 'COMPLETED', afterDays: 10, suspendable: true },
        COMPLETED: { to: 'CLOSED', afterDays: 10, suspendable: false },
      });
    });

    it('needs a bearer token (401)', async () => {
      expectStatus(await a.get('/v1/statuses', {}), 401);
    });
  });

  describe('categories', () => {
    it('lists the eleven seeded categories of DOMAIN.md (and the leader forms) with forms as JSON Schema (200)', async () => {
      const res = await a.get('/v1/categories', h.requester);
      expectStatus(res, 200);
      const body = res.json<
        Array<{
          key: string;
          name: { nb: string; en: string };
          sensitive: boolean;
          defaultTeamKey: string;
          active: boolean;
          form: Record<string, unknown> | null;
        }>
      >();
      expect(sorted(body.map((c) => c.key))).toEqual(sorted([...CATEGORIES.map((c) => c[0]), ...LEADER_FORMS]));
      const teams = new Set((await a.get('/v1/teams', h.requester)).json<Array<{ key: string }>>().map((x) => x.key));
      const ajv = new Ajv({ strict: false });
      addFormats(ajv);
      for (const [key, nb, en, sensitive] of CATEGORIES) {
        const c = body.find((x) => x.key === key)!;
        expect(c).toMatchObject({ name: { nb, en }, sensitive, active: true });
        expect(teams.has(c.defaultTeamKey)).toBe(true);
        if (c.form !== null) {
          expect(c.form.type).toBe('object');
          expect(() => ajv.compile(c.form!)).not.toThrow();
        }
      }
      expect(body.filter((c) => c.form !== null).length).toBeGreaterThan(0);
    });

    it('answers one category, and 404 for an unknown key (200, 404)', async () => {
      const one = await a.get('/v1/categories/salary', h.requester);
      expectStatus(one, 200);
      expect(one.json()).toMatchObject({ key: 'salary', defaultTeamKey: 'payroll' });
      expectStatus(await a.get('/v1/categories/no-such', h.requester), 404);
    });

    const newForm = {
      type: 'object',
      additionalProperties: false,
      required: ['amount'],
      properties: { amount: { type: 'integer', minimum: 1 } },
    };
    const putBody = {
      name: { nb: 'Stipend', en: 'Stipend' },
      defaultTeamKey: 'payroll',
      sensitive: false,
      form: newForm,
    };

    it.each(['requester', 'operator', 'leader', 'integration'] as Person[])('refuses PUT by a %s (403)', async (who) => {
      expectStatus(await a.put('/v1/categories/stipend', h[who], putBody), 403);
      expect((await a.get('/v1/categories/stipend', h.admin)).json().form).toBeNull();
    });

    it('refuses a form that is not a JSON Schema (400)', async () => {
      const res = await a.put('/v1/categories/stipend', h.admin, { ...putBody, form: { type: 'no-such-type' } });
      expectStatus(res, 400);
      expect(res.json().errors[0]).toMatchObject({ path: '/form' });
      expect((await a.get('/v1/categories/stipend', h.admin)).json().form).toBeNull();
    });

    it('refuses an unknown default team (400)', async () => {
      expectStatus(await a.put('/v1/categories/stipend', h.admin, { ...putBody, defaultTeamKey: 'nobody' }), 400);
    });

    it('lets an admin replace a form, and new cases are validated against it (200, 400, 201)', async () => {
      const res = await a.put('/v1/categories/stipend', h.admin, putBody);
      expectStatus(res, 200);
      expect(res.json().form).toEqual(newForm);
      const file = (details: unknown) => a.post('/v1/cases', h.requester, { categoryKey: 'stipend', subject: 's', description: 'd', details });
      const bad = await file({ amount: 0 });
      expectStatus(bad, 400);
      expect(bad.json().errors).toEqual([expect.objectContaining({ path: '/details/amount' })]);
      expectStatus(await file({ amount: 5 }), 201);
    });

    it('lets an admin create a category (201)', async () => {
      const res = await a.put('/v1/categories/pension', h.admin, { ...putBody, name: { nb: 'Pensjon', en: 'Pension' }, form: null });
      expectStatus(res, 201);
      expect((await a.get('/v1/categories', h.requester)).json()).toHaveLength(CATEGORIES.length + LEADER_FORMS.length + 1);
    });
  });

  describe('teams', () => {
    it('lists the specialist teams (200)', async () => {
      const res = await a.get('/v1/teams', h.operator);
      expectStatus(res, 200);
      const keys = res.json<Array<{ key: string }>>().map((x) => x.key);
      expect(keys).toEqual(expect.arrayContaining(['payroll', 'travel', 'time', 'employment', 'absence', 'service']));
    });

    it.each(['requester', 'operator'] as Person[])('refuses PUT by a %s (403)', async (who) => {
      expectStatus(await a.put('/v1/teams/pension', h[who], { name: { nb: 'Pensjon', en: 'Pension' } }), 403);
    });

    it('lets an admin create and then replace a team (201, 200)', async () => {
      const created = await a.put('/v1/teams/pension', h.admin, { name: { nb: 'Pensjon', en: 'Pension' } });
      expectStatus(created, 201);
      const replaced = await a.put('/v1/teams/pension', h.admin, { name: { nb: 'Pensjon', en: 'Pensions' }, email: 'p@example.org' });
      expectStatus(replaced, 200);
      expect(replaced.json()).toEqual({ key: 'pension', name: { nb: 'Pensjon', en: 'Pensions' }, email: 'p@example.org' });
    });

    it('refuses an invalid team body (400)', async () => {
      expectStatus(await a.put('/v1/teams/pension', h.admin, { name: { nb: '' } }), 400);
    });
  });
});
