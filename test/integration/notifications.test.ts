/**
 * E-mail notifications against PostgreSQL and a real SMTP server in the test process: each mail
 * of a case's life goes out once, in nb and en, with two instances sending and one restarted; an
 * SMTP server that refuses for a while loses and doubles nothing; sensitive cases' mails carry no
 * case text; internal notes send nothing. Time is the FixedClock; the loop's run is called directly.
 */
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, type Headers } from '../helpers/cases';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { tempDir } from '../helpers/temp-dir';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const DAY = 86_400_000;

let smtp: SmtpSink;
let t: TestApp;

async function bearer(t0: TestApp, claims: { sub: string } & Record<string, unknown>): Promise<Headers> {
  return { authorization: `Bearer ${await t0.issuer.sign({ roles: ['requester'], teams: [], ...claims })}` };
}

function appWith(databaseUrl?: string): Promise<TestApp> {
  return createTestApp({
    config: { SMTP_URL: smtp.url, MAIL_FROM: 'Saksflyt <saksflyt@example.org>', PUBLIC_CASE_URL: 'https://hjelp.example.org/saker/' },
    ...(databaseUrl ? { databaseUrl } : {}),
  });
}

const run = (x: TestApp = t) => x.app.notifications.run(x.clock.now());
const mailsTo = (addr: string) => smtp.mails.filter((m) => m.to === addr);

beforeAll(async () => {
  smtp = await startSmtpSink();
  t = await appWith();
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});
beforeEach(() => {
  smtp.mode = 'accept';
});

interface Actors {
  operator: Headers;
  requester: Headers;
}

async function actors(x: TestApp, sub: string, email: string, locale?: string): Promise<Actors> {
  return {
    operator: await bearer(x, { sub: 'kari', roles: ['operator'], teams: ['service', 'absence'], name: 'Kari' }),
    requester: await bearer(x, { sub, name: sub, email, ...(locale ? { locale } : {}) }),
  };
}

/** Drives a case through filed → reply → WAITING_FOR_USER → reminder → COMPLETED → CLOSED, running `send` after each step. */
async function lifecycle(x: () => TestApp, who: Actors, send: () => Promise<unknown>): Promise<string> {
  const a = () => api(x());
  const created = await a().post('/v1/cases', who.requester, {
    categoryKey: 'general',
    subject: 'Feil i lønnsslipp',
    description: 'Mangler overtid',
  });
  expectStatus(created, 201);
  const id = created.json<{ id: string }>().id;
  await send();
  expectStatus(await a().post(`/v1/cases/${id}/transitions`, who.operator, { to: 'IN_PROGRESS' }), 200);
  expectStatus(await a().post(`/v1/cases/${id}/messages`, who.operator, { body: 'Overtiden kommer på neste lønning.', visibility: 'public' }), 201);
  await send();
  expectStatus(await a().post(`/v1/cases/${id}/messages`, who.operator, { body: 'Intern: sjekk med leder', visibility: 'internal' }), 201);
  await send();
  expectStatus(await a().post(`/v1/cases/${id}/transitions`, who.operator, { to: 'WAITING_FOR_USER' }), 200);
  await send();
  const waiting = (await a().get(`/v1/cases/${id}`, who.operator)).json<{ autoTransition: { dueAt: string } | null }>();
  const due = new Date(waiting.autoTransition!.dueAt);
  x().clock.set(new Date(due.getTime() - 3 * DAY + 60_000));
  await send();
  await send();
  x().clock.set(new Date(due.getTime() + 1000));
  await x().app.services.timers.sweep(x().clock.now());
  await send();
  const completed = (await a().get(`/v1/cases/${id}`, who.operator)).json<{ status: string; autoTransition: { dueAt: string } | null }>();
  expect(completed.status).toBe('COMPLETED');
  x().clock.set(new Date(new Date(completed.autoTransition!.dueAt).getTime() + 1000));
  await x().app.services.timers.sweep(x().clock.now());
  await send();
  await send();
  return id;
}

describe('notification mails over SMTP', () => {
  it('mails each step of a case once, in Norwegian, threaded on the case (200)', async () => {
    const who = await actors(t, 'ola', 'ola@example.org');
    const id = await lifecycle(
      () => t,
      who,
      () => run(),
    );
    const mails = mailsTo('ola@example.org');
    expect(mails.map((m) => m.subject.replace(/^\[Sak [0-9-]+\] /, ''))).toEqual([
      'Vi har mottatt saken din',
      'Nytt svar i saken din',
      'Vi venter på svar fra deg',
      'Påminnelse: vi venter på svar fra deg',
      'Saken din er fullført',
      'Saken din er lukket',
    ]);
    const number = (await api(t).get(`/v1/cases/${id}`, who.operator)).json<{ number: string }>().number;
    for (const m of mails) {
      expect(m.subject.startsWith(`[Sak ${number}] `)).toBe(true);
      expect(m.references).toContain(`<case-${id}@saksflyt>`);
      expect(m.headers.get('auto-submitted')).toBe('auto-generated');
    }
    expect(mails[1]!.text).toContain('Overtiden kommer på neste lønning.');
    expect(mails.map((m) => m.text).join('\n')).not.toContain('Intern: sjekk med leder');
    expect(mails[2]!.text).toMatch(/Svar innen \d+\. \p{L}+ \d{4}/u);
    expect(mails[0]!.text).toContain(`https://hjelp.example.org/saker/${id}`);

    const log = await api(t).get(`/v1/cases/${id}/notifications`, who.operator);
    expectStatus(log, 200);
    const rows = log.json<Array<{ kind: string; state: string; recipient: string; sentAt: string | null }>>();
    expect(rows.map((r) => r.kind)).toEqual(['filed', 'reply', 'waiting', 'reminder', 'completed', 'closed']);
    expect(rows.every((r) => r.state === 'sent' && r.recipient === 'ola@example.org' && r.sentAt)).toBe(true);
    expectStatus(await api(t).get(`/v1/cases/${id}/notifications`, who.requester), 403);
  });

  it('writes in English for a token with an English locale, and to the CC addresses staff set (200)', async () => {
    t.clock.set(new Date('2025-03-03T09:00:00Z'));
    const who = await actors(t, 'emma', 'emma@example.org', 'en-GB');
    const created = await api(t).post('/v1/cases', who.requester, { categoryKey: 'general', subject: 'Tax card', description: 'd' });
    const id = created.json<{ id: string }>().id;
    await run();
    expectStatus(await api(t).patch(`/v1/cases/${id}`, who.operator, { cc: ['boss@example.org'] }), 200);
    expectStatus(await api(t).post(`/v1/cases/${id}/messages`, who.operator, { body: 'Done.', visibility: 'public', setStatus: 'COMPLETED' }), 201);
    await run();
    expect(mailsTo('emma@example.org').map((m) => m.subject.replace(/^\[Sak [0-9-]+\] /, ''))).toEqual([
      'We have received your case',
      'Your case is completed',
    ]);
    const completed = mailsTo('emma@example.org')[1]!;
    expect(completed.text).toContain('Done.');
    expect(completed.text).toMatch(/before \d+ \w+ \d{4}/);
    expect(mailsTo('boss@example.org').map((m) => m.subject)).toEqual([completed.subject]);
  });

  it("keeps a sensitive case's text out of its mails (200)", async () => {
    t.clock.set(new Date('2025-03-03T09:00:00Z'));
    const who = await actors(t, 'siri', 'siri@example.org');
    const created = await api(t).post('/v1/cases', who.requester, {
      categoryKey: 'sickness',
      subject: 'Sykemelding lungebetennelse',
      description: 'Diagnose: lungebetennelse',
      details: { from: '2025-03-01' },
    });
    expectStatus(created, 201);
    const id = created.json<{ id: string }>().id;
    expectStatus(
      await api(t).post(`/v1/cases/${id}/messages`, who.operator, {
        body: 'Vi har registrert lungebetennelse.',
        visibility: 'public',
        setStatus: 'WAITING_FOR_USER',
      }),
      201,
    );
    await run();
    const mails = mailsTo('siri@example.org');
    expect(mails).toHaveLength(2);
    for (const m of mails) {
      expect(m.raw.toLowerCase()).not.toContain('lunge');
      expect(m.subject).toMatch(/^\[Sak [0-9-]+\] Nytt i saken din$/);
      expect(m.text).toContain(`https://hjelp.example.org/saker/${id}`);
    }
  });

  it('sends nothing for internal notes, assignments or a requester closing their own case (200)', async () => {
    t.clock.set(new Date('2025-03-03T09:00:00Z'));
    const who = await actors(t, 'tor', 'tor@example.org');
    const id = (await api(t).post('/v1/cases', who.requester, { categoryKey: 'general', subject: 's', description: 'd' })).json<{ id: string }>().id;
    await run();
    const before = smtp.mails.length;
    expectStatus(await api(t).post(`/v1/cases/${id}/messages`, who.operator, { body: 'note', visibility: 'internal' }), 201);
    expectStatus(await api(t).patch(`/v1/cases/${id}`, who.operator, { assigneeId: 'kari' }), 200);
    expectStatus(await api(t).post(`/v1/cases/${id}/transitions`, who.requester, { to: 'CLOSED' }), 200);
    const r = await run();
    expect(r.queued).toBe(0);
    expect(smtp.mails.length).toBe(before);
  });
});

describe('delivery across instances and SMTP outages', () => {
  it('mails each step once with two instances sending and one restarted mid-way (200)', async () => {
    const first = await appWith();
    let second = await appWith(first.url);
    try {
      first.clock.set(new Date('2025-03-03T09:00:00Z'));
      const who = await actors(first, 'ida', 'ida@example.org', 'en');
      let step = 0;
      await lifecycle(
        () => first,
        who,
        async () => {
          second.clock.set(first.clock.now());
          await Promise.all([run(first), run(second)]);
          if (++step === 3) {
            await second.close();
            second = await appWith(first.url);
          }
        },
      );
      expect(mailsTo('ida@example.org').map((m) => m.subject.replace(/^\[Sak [0-9-]+\] /, ''))).toEqual([
        'We have received your case',
        'New reply on your case',
        'We are waiting for your answer',
        'Reminder: we are waiting for your answer',
        'Your case is completed',
        'Your case is closed',
      ]);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('keeps a mail the server refuses for an hour and sends it once when it accepts (200)', async () => {
    t.clock.set(new Date('2025-03-03T09:00:00Z'));
    const who = await actors(t, 'liv', 'liv@example.org');
    smtp.mode = 'tempfail';
    const id = (await api(t).post('/v1/cases', who.requester, { categoryKey: 'general', subject: 's', description: 'd' })).json<{ id: string }>().id;
    for (let minute = 0; minute <= 60; minute += 5) {
      t.clock.set(new Date(Date.parse('2025-03-03T09:00:00Z') + minute * 60_000));
      await run();
    }
    const pending = (await api(t).get(`/v1/cases/${id}/notifications`, who.operator)).json<
      Array<{ state: string; attempts: number; lastError: string }>
    >();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ state: 'pending' });
    expect(pending[0]!.attempts).toBeGreaterThan(1);
    expect(pending[0]!.lastError).toContain('451');
    expect(mailsTo('liv@example.org')).toHaveLength(0);

    smtp.mode = 'accept';
    t.clock.set(new Date(Date.parse('2025-03-03T09:00:00Z') + 3 * 3_600_000));
    await run();
    await run();
    t.clock.set(new Date(Date.parse('2025-03-03T09:00:00Z') + 6 * 3_600_000));
    await run();
    expect(mailsTo('liv@example.org')).toHaveLength(1);
    const sent = (await api(t).get(`/v1/cases/${id}/notifications`, who.operator)).json<Array<{ state: string }>>();
    expect(sent[0]!.state).toBe('sent');
  });

  it('records a permanent refusal (5xx) as failed and does not retry it (200)', async () => {
    t.clock.set(new Date('2025-03-03T09:00:00Z'));
    const who = await actors(t, 'ken', 'ken@example.org');
    smtp.mode = 'permfail';
    const id = (await api(t).post('/v1/cases', who.requester, { categoryKey: 'general', subject: 's', description: 'd' })).json<{ id: string }>().id;
    const r = await run();
    expect(r.failed).toBe(1);
    smtp.mode = 'accept';
    t.clock.set(new Date('2025-03-05T09:00:00Z'));
    await run();
    expect(mailsTo('ken@example.org')).toHaveLength(0);
    const rows = (await api(t).get(`/v1/cases/${id}/notifications`, who.operator)).json<Array<{ state: string; attempts: number }>>();
    expect(rows[0]).toMatchObject({ state: 'failed', attempts: 1 });
  });
});

describe('templates', () => {
  it('refuses a template with an unknown placeholder (400) and uses a saved one (200)', async () => {
    t.clock.set(new Date('2025-03-03T09:00:00Z'));
    const admin = await bearer(t, { sub: 'root', roles: ['admin'] });
    const bad = await api(t).put('/v1/notification-templates/filed/en', admin, { subject: 'Hi {{name}}', body: 'x' });
    expectStatus(bad, 400);
    expect(bad.body).toContain('{{name}}');
    const original = (await api(t).get('/v1/notification-templates/filed/en', admin)).json<{ subject: string; body: string }>();
    const ok = await api(t).put('/v1/notification-templates/filed/en', admin, {
      subject: 'Got it: {{subject}}',
      body: 'Number {{caseNumber}} at {{link}}',
    });
    expectStatus(ok, 200);
    expectStatus(await api(t).get('/v1/notification-templates/filed/en', admin), 200);
    const operator = await bearer(t, { sub: 'kari', roles: ['operator'], teams: ['service'] });
    expectStatus(await api(t).get('/v1/notification-templates/filed/en', operator), 403);
    const who = await actors(t, 'ann', 'ann@example.org', 'en');
    await api(t).post('/v1/cases', who.requester, { categoryKey: 'general', subject: 'Pension', description: 'd' });
    await run();
    const [mail] = mailsTo('ann@example.org');
    expect(mail!.subject).toMatch(/^\[Sak [0-9-]+\] Got it: Pension$/);
    expect(mail!.text).toMatch(/^Number [0-9-]+ at https:\/\/hjelp\.example\.org\/saker\/[0-9a-f-]+/);
    expectStatus(await api(t).put('/v1/notification-templates/filed/en', admin, { subject: original.subject, body: original.body }), 200);
  });
});

describe('addresses and privacy', () => {
  it("mails an external requester at the address the operator gave, and follows a requester's new address (200)", async () => {
    t.clock.set(new Date('2025-03-03T09:00:00Z'));
    const who = await actors(t, 'eva', 'eva@old.example.org');
    const external = await api(t).post('/v1/cases', who.operator, {
      categoryKey: 'general',
      subject: 'Attest',
      description: 'd',
      channel: 'phone',
      externalRequester: { name: 'Eks Ternsen', email: 'eks@example.org' },
      language: 'en',
    });
    expectStatus(external, 201);
    const id = (await api(t).post('/v1/cases', who.requester, { categoryKey: 'general', subject: 's', description: 'd' })).json<{ id: string }>().id;
    await run();
    expect(mailsTo('eks@example.org').map((m) => m.subject)).toEqual([expect.stringMatching(/We have received your case$/)]);
    expect(mailsTo('eva@old.example.org')).toHaveLength(1);
    const moved = await bearer(t, { sub: 'eva', email: 'eva@new.example.org' });
    expectStatus(await api(t).post(`/v1/cases/${id}/messages`, moved, { body: 'more' }), 201);
    expectStatus(await api(t).post(`/v1/cases/${id}/messages`, who.operator, { body: 'Thanks', visibility: 'public' }), 201);
    await run();
    expect(mailsTo('eva@new.example.org')).toHaveLength(1);
    expect(mailsTo('eva@old.example.org')).toHaveLength(1);
  });

  it('scrubs the addresses and texts of mails when the case is anonymised (200)', async () => {
    t.clock.set(new Date('2025-03-03T09:00:00Z'));
    const who = await actors(t, 'pia', 'pia@example.org');
    const id = (await api(t).post('/v1/cases', who.requester, { categoryKey: 'general', subject: 'Pia sin sak', description: 'd' })).json<{
      id: string;
    }>().id;
    expectStatus(await api(t).patch(`/v1/cases/${id}`, who.operator, { cc: ['pias.leder@example.org'] }), 200);
    expectStatus(await api(t).post(`/v1/cases/${id}/transitions`, who.requester, { to: 'CLOSED' }), 200);
    await run();
    const admin = await bearer(t, { sub: 'root', roles: ['admin'] });
    expectStatus(await api(t).post('/v1/admin/retention/run', admin, { asOf: '2030-01-01T00:00:00Z' }), 200);
    await run();
    const rows = await t.app.db.$queryRaw<Array<{ t: string }>>`
      SELECT row_to_json(d)::text AS t FROM notification_delivery d WHERE d.case_id = ${id}::uuid
      UNION ALL SELECT row_to_json(c)::text FROM "case" c WHERE c.id = ${id}::uuid`;
    const text = rows.map((r) => r.t).join('\n');
    expect(rows.length).toBeGreaterThan(1);
    expect(text).not.toContain('pia');
    expect(text).not.toContain('Pia sin sak');
  });
});

describe('without SMTP_URL', () => {
  it('writes each mail as an .eml file under DATA_DIR/mail (200)', async () => {
    const dataDir = tempDir('saksflyt-mail-');
    const local = await createTestApp({ config: { DATA_DIR: dataDir } });
    try {
      const who = await actors(local, 'ola', 'ola@example.org');
      expectStatus(await api(local).post('/v1/cases', who.requester, { categoryKey: 'general', subject: 'Lokal', description: 'd' }), 201);
      await run(local);
      await run(local);
      const files = await readdir(path.join(dataDir, 'mail'));
      expect(files).toHaveLength(1);
      const eml = await readFile(path.join(dataDir, 'mail', files[0]!), 'utf8');
      expect(eml).toMatch(/^To: ola@example\.org$/m);
      expect(eml).toMatch(/^Subject: .*Sak/m);
    } finally {
      await local.close();
    }
  });
});
