import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/** Reply templates (#16 point 4): admins keep them, operators send them, the rendered text is what is stored. */
describe('reply templates', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  beforeAll(async () => {
    t = await createTestApp();
    h = await headersFor(t);
  });
  afterAll(async () => t.close());

  const NB = 'Hei {{requesterName}}! Sak {{caseNumber}} har status «{{statusLabel}}». Svar før {{ autoCompleteDate }}, ellers avsluttes saken.';
  const EN = 'Hello {{requesterName}}, case {{caseNumber}} is now "{{statusLabel}}". Please answer before {{autoCompleteDate}}.';

  const put = (key: string, body: unknown, who: Headers = h.admin) => api(t).put(`/v1/reply-templates/${key}`, who, body);
  const file = async (body: Record<string, unknown> = {}) => {
    const r = await api(t).post('/v1/cases', h.requester, {
      categoryKey: 'general',
      subject: 'Feriepenger',
      description: 'Hvor er feriepengene?',
      ...body,
    });
    expectStatus(r, 201);
    return r.json<{ id: string; number: string; version: number }>();
  };
  const say = (id: string, body: unknown, who: Headers = h.operator) => api(t).post(`/v1/cases/${id}/messages`, who, body);
  const messages = async (id: string) => (await api(t).get(`/v1/cases/${id}/messages`, h.operator)).json<Array<{ body: string }>>();
  const oslo = (iso: string, lang: 'nb' | 'en') =>
    new Intl.DateTimeFormat(lang === 'nb' ? 'nb-NO' : 'en-GB', { timeZone: 'Europe/Oslo', day: 'numeric', month: 'long', year: 'numeric' }).format(
      new Date(iso),
    );

  it('admins create (201) and replace (200) a template; staff read it; the list filters by category', async () => {
    let r = await put('holiday-pay', { name: 'Feriepenger: be om svar', categoryKey: null, body: { nb: NB, en: EN } });
    expectStatus(r, 201);
    expect(r.json()).toMatchObject({ key: 'holiday-pay', categoryKey: null, body: { nb: NB, en: EN }, updatedBy: 'root' });
    r = await put('holiday-pay', { name: 'Feriepenger', categoryKey: null, body: { nb: NB, en: EN } });
    expectStatus(r, 200);
    expect(r.json().name).toBe('Feriepenger');
    expectStatus(
      await put('salary-only', { name: 'Lønn', categoryKey: 'salary', body: { nb: 'Lønn {{caseNumber}}', en: 'Salary {{caseNumber}}' } }),
      201,
    );

    r = await api(t).get('/v1/reply-templates/holiday-pay', h.operator);
    expectStatus(r, 200);
    expect(r.json().body.nb).toBe(NB);
    const keys = async (q: string) => (await api(t).get(`/v1/reply-templates${q}`, h.operator)).json<Array<{ key: string }>>().map((x) => x.key);
    expect(await keys('')).toEqual(['holiday-pay', 'salary-only']);
    expect(await keys('?category=general')).toEqual(['holiday-pay']);
    expect(await keys('?category=salary')).toEqual(['holiday-pay', 'salary-only']);
  });

  it('refuses unknown placeholders and categories when saving (400), and changes nothing', async () => {
    const r = await put('holiday-pay', {
      name: 'x',
      categoryKey: 'nope',
      body: { nb: 'Hei {{navn}} {{caseNumber}}', en: '{{ statusLabel }} {{reply}}' },
    });
    expectStatus(r, 400);
    expect(r.json().code).toBe('validation-failed');
    expect(r.json().errors).toEqual([
      { in: 'body', path: '/body/nb', message: 'unknown placeholder {{navn}}' },
      { in: 'body', path: '/body/en', message: 'unknown placeholder {{reply}}' },
      { in: 'body', path: '/categoryKey', message: "unknown category 'nope'" },
    ]);
    expect((await api(t).get('/v1/reply-templates/holiday-pay', h.operator)).json().name).toBe('Feriepenger');
  });

  it('only admins write templates; requesters cannot read them; hostile keys are refused', async () => {
    const body = { name: 'x', categoryKey: null, body: { nb: 'a', en: 'b' } };
    expectStatus(await put('mine', body, h.operator), 403);
    expectStatus(await put('mine', body, h.requester), 403);
    expectStatus(await api(t).get('/v1/reply-templates', h.requester), 403);
    expectStatus(await api(t).get('/v1/reply-templates/holiday-pay', h.requester), 403);
    for (const key of ['Upper', '..%2Fx', '-lead', 'a'.repeat(65)]) expectStatus(await put(key, body), 400);
    expectStatus(await put('x', { ...body, body: { nb: 'a' } }), 400);
    expectStatus(await put('x', { ...body, body: { nb: 'a', en: '' } }), 400);
    expectStatus(await api(t).get('/v1/reply-templates/mine', h.admin), 404);
  });

  it('a message with templateKey stores the template filled for the case (nb), status and auto-complete date as the message leaves it', async () => {
    const c = await file();
    expectStatus(await api(t).patch(`/v1/cases/${c.id}`, h.operator, { assigneeId: 'kari' }), 200);
    const r = await say(c.id, { templateKey: 'holiday-pay', visibility: 'public', setStatus: 'WAITING_FOR_USER' });
    expectStatus(r, 201);
    const dueAt = r.json().case.autoTransition.dueAt as string;
    const expected = `Hei Ola Nordmann! Sak ${c.number} har status «Venter på bruker». Svar før ${oslo(dueAt, 'nb')}, ellers avsluttes saken.`;
    expect(r.json().message.body).toBe(expected);
    expect((await messages(c.id)).map((m) => m.body)).toEqual([expected]);
    // The requester reads the same text.
    const mine = (await api(t).get(`/v1/cases/${c.id}/messages`, h.requester)).json<Array<{ body: string }>>();
    expect(mine.map((m) => m.body)).toEqual([expected]);
  });

  it('writes in the language of the case (en)', async () => {
    const c = await file({ language: 'en' });
    const r = await say(c.id, { templateKey: 'holiday-pay', setStatus: 'WAITING_FOR_USER' });
    expectStatus(r, 201);
    const dueAt = r.json().case.autoTransition.dueAt as string;
    expect(r.json().message.body).toBe(`Hello Ola Nordmann, case ${c.number} is now "Waiting for user". Please answer before ${oslo(dueAt, 'en')}.`);
  });

  it('refuses a template of another category, or one that names a date the case will not have (422), and stores nothing', async () => {
    const c = await file();
    let r = await say(c.id, { templateKey: 'salary-only' });
    expectStatus(r, 422);
    expect(r.json()).toMatchObject({ code: 'template-not-applicable', templateKey: 'salary-only' });
    // Not waiting for the requester after this note: no auto-complete date to promise.
    r = await say(c.id, { templateKey: 'holiday-pay', visibility: 'internal' });
    expectStatus(r, 422);
    expect(r.json().code).toBe('template-not-applicable');
    expect(await messages(c.id)).toEqual([]);
    expect((await api(t).get(`/v1/cases/${c.id}`, h.operator)).json().version).toBe(c.version);
  });

  it('refuses a requester template, both or neither of body and templateKey, and an unknown key (400)', async () => {
    const c = await file();
    let r = await say(c.id, { templateKey: 'holiday-pay' }, h.requester);
    expectStatus(r, 400);
    expect(r.json().errors[0].path).toBe('/templateKey');
    expectStatus(await say(c.id, { body: 'x', templateKey: 'holiday-pay' }), 400);
    expectStatus(await say(c.id, { visibility: 'internal' }), 400);
    r = await say(c.id, { templateKey: 'no-such' });
    expectStatus(r, 400);
    expect(r.json().errors[0].path).toBe('/templateKey');
    expectStatus(await say(c.id, { templateKey: 'BAD KEY' }), 400);
    expect(await messages(c.id)).toEqual([]);
  });

  it('a deleted template is gone (204, then 404); messages sent with it keep their text', async () => {
    const c = await file();
    expectStatus(await say(c.id, { templateKey: 'salary-only' }), 422);
    expectStatus(await api(t).patch(`/v1/cases/${c.id}`, h.operator, { categoryKey: 'salary' }), 200);
    const sent = await say(c.id, { templateKey: 'salary-only', visibility: 'internal' });
    expectStatus(sent, 201);
    expect(sent.json().message.body).toBe(`Lønn ${c.number}`);
    expectStatus(await t.app.inject({ method: 'DELETE', url: '/v1/reply-templates/salary-only', headers: h.operator }), 403);
    expectStatus(await t.app.inject({ method: 'DELETE', url: '/v1/reply-templates/salary-only', headers: h.admin }), 204);
    expectStatus(await t.app.inject({ method: 'DELETE', url: '/v1/reply-templates/salary-only', headers: h.admin }), 404);
    expectStatus(await api(t).get('/v1/reply-templates/salary-only', h.operator), 404);
    const after = (await api(t).get(`/v1/cases/${c.id}/messages`, { ...h.operator })).json<Array<{ body: string }>>();
    expect(after.map((m) => m.body)).toEqual([`Lønn ${c.number}`]);
  });
});
