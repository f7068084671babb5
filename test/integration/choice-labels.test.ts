import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

type Label = { nb: string; en: string };
type Field = { type?: string; enum?: unknown[]; title?: string; 'x-title'?: Label; 'x-enum-labels'?: Record<string, Label> };
type Category = { key: string; form: { properties: Record<string, Field> } | null; notices?: unknown };

/** #16.10: labels in nb and en for the values of a form's choice lists (docs/reference-data.md). */
describe('choice values of forms have nb/en labels', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    a = api(t);
  });
  afterAll(async () => t.close());

  /** A category as a PUT body (the GET answer without its key and notices). */
  const putBody = async (key: string): Promise<Omit<Category, 'key' | 'notices'> & Record<string, unknown>> => {
    const { key: _k, notices: _n, ...rest } = (await a.get(`/v1/categories/${key}`, h.admin)).json<Category>();
    return rest;
  };

  it('serves a label in nb and en for every value of every seeded choice list, in the list and alone', async () => {
    const all = (await a.get('/v1/categories', h.requester)).json<Category[]>();
    const choiceFields = all.flatMap((c) => Object.entries(c.form?.properties ?? {}).filter(([, f]) => Array.isArray(f.enum)));
    expect(choiceFields.map(([name]) => name).sort()).toEqual(['changeType', 'topic']);
    for (const [, field] of choiceFields) {
      expect(Object.keys(field['x-enum-labels']!).sort()).toEqual([...(field.enum as string[])].sort());
      for (const label of Object.values(field['x-enum-labels']!)) {
        expect(label.nb.length).toBeGreaterThan(0);
        expect(label.en.length).toBeGreaterThan(0);
      }
    }
    const salary = (await a.get('/v1/categories/salary', h.requester)).json<Category>();
    expect(salary.form!.properties.topic!['x-enum-labels']).toMatchObject({
      deduction: { nb: 'Lønnstrekk', en: 'Pay deduction' },
      other: { nb: 'Annet', en: 'Other' },
    });
    const employment = (await a.get('/v1/categories/employment', h.admin)).json<Category>();
    expect(employment.form!.properties.changeType!['x-enum-labels']!['percentage-change']).toEqual({
      nb: 'Endring av stillingsprosent',
      en: 'Change of employment percentage',
    });
  });

  it('files by value: the value is stored, a label is not a value (201, 400)', async () => {
    const filed = await a.post('/v1/cases', h.requester, {
      categoryKey: 'salary',
      subject: 'Trekk i lønn',
      description: 'Hvorfor er det trukket?',
      details: { topic: 'deduction', period: '2026-05' },
    });
    expectStatus(filed, 201);
    expect(filed.json().details).toEqual({ topic: 'deduction', period: '2026-05' });
    const read = await a.get(`/v1/cases/${filed.json<{ id: string }>().id}`, h.requester);
    expect(read.json().details.topic).toBe('deduction');
    for (const topic of ['Lønnstrekk', 'Pay deduction', 'bonus']) {
      const refused = await a.post('/v1/cases', h.requester, { categoryKey: 'salary', subject: 's', description: 'd', details: { topic } });
      expectStatus(refused, 400);
      expect(refused.json().errors[0]).toMatchObject({ path: '/details/topic' });
    }
  });

  it('keeps the labels an admin saves and serves them (200)', async () => {
    const body = await putBody('salary');
    const topic = body.form!.properties.topic!;
    topic.enum = [...topic.enum!, 'pension'];
    topic['x-enum-labels'] = { ...topic['x-enum-labels'], pension: { nb: 'Pensjon', en: 'Pension' } };
    expectStatus(await a.put('/v1/categories/salary', h.admin, body), 200);
    const served = (await a.get('/v1/categories/salary', h.requester)).json<Category>();
    expect(served.form!.properties.topic!['x-enum-labels']!.pension).toEqual({ nb: 'Pensjon', en: 'Pension' });
    const filed = await a.post('/v1/cases', h.requester, { categoryKey: 'salary', subject: 's', description: 'd', details: { topic: 'pension' } });
    expectStatus(filed, 201);
  });

  describe('refuses an admin edit whose choice values lack labels (400), changing nothing', () => {
    const cases: Array<[string, (f: Field) => void, RegExp, string]> = [
      ['no labels at all', (f) => delete f['x-enum-labels'], /needs a label/, '/form/properties/topic/x-enum-labels'],
      ['a new value without a label', (f) => f.enum!.push('bonus'), /no label for the value "bonus"/, '/form/properties/topic/x-enum-labels'],
      ['a label without nb', (f) => (f['x-enum-labels']!.tax = { en: 'Tax' } as Label), /non-empty nb/, '/form/properties/topic/x-enum-labels/tax'],
      ['an empty en', (f) => (f['x-enum-labels']!.tax = { nb: 'Skatt', en: ' ' }), /non-empty en/, '/form/properties/topic/x-enum-labels/tax'],
      [
        'a label for an unknown value',
        (f) => (f['x-enum-labels']!.bonus = { nb: 'Bonus', en: 'Bonus' }),
        /not a value of the enum/,
        '/form/properties/topic/x-enum-labels/bonus',
      ],
      [
        'a label with another language',
        (f) => (f['x-enum-labels']!.tax = { nb: 'Skatt', en: 'Tax', de: 'Steuer' } as Label),
        /other than nb and en/,
        '/form/properties/topic/x-enum-labels/tax',
      ],
    ];
    it.each(cases)('%s', async (_what, spoil, message, path) => {
      const before = await putBody('salary');
      const body = await putBody('salary');
      spoil(body.form!.properties.topic!);
      const res = await a.put('/v1/categories/salary', h.admin, body);
      expectStatus(res, 400);
      expect(res.json()).toMatchObject({ code: 'validation-failed' });
      expect(res.json().errors).toContainEqual({ in: 'body', path, message: expect.stringMatching(message) });
      expect(await putBody('salary')).toEqual(before);
    });

    it('in nested schemas too (array items), and a new category with a choice list', async () => {
      const body = {
        name: { nb: 'Stipend II', en: 'Grant II' },
        defaultTeamKey: 'payroll',
        sensitive: false,
        form: {
          type: 'object',
          properties: { kinds: { type: 'array', items: { type: 'string', enum: ['travel', 'study'] } } },
        },
      };
      const refused = await a.put('/v1/categories/grant-two', h.admin, body);
      expectStatus(refused, 400);
      expect(refused.json().errors[0]).toMatchObject({ path: '/form/properties/kinds/items/x-enum-labels' });
      expectStatus(await a.get('/v1/categories/grant-two', h.admin), 404);
      const labels = { travel: { nb: 'Reise', en: 'Travel' }, study: { nb: 'Studier', en: 'Studies' } };
      const items = { ...body.form.properties.kinds.items, 'x-enum-labels': labels };
      const saved = await a.put('/v1/categories/grant-two', h.admin, {
        ...body,
        form: { ...body.form, properties: { kinds: { type: 'array', items } } },
      });
      expectStatus(saved, 201);
      expect(saved.json().form.properties.kinds.items['x-enum-labels']).toEqual(labels);
    });
  });
});
