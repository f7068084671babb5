import { spawn } from 'node:child_process';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, caseIn, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/** A small PDF, enough for a type check and a byte-for-byte download. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

interface RawMail {
  from: string;
  subject: string;
  text?: string;
  html?: string;
  messageId?: string | null;
  headers?: Record<string, string>;
  attachments?: Array<{ filename: string; contentType: string; data: Buffer }>;
}

let seq = 0;

/** A hand-written RFC 5322 message (multipart/mixed when it carries files). */
function rawMail(m: RawMail): Buffer {
  const id = m.messageId === undefined ? `<test-${Date.now()}-${++seq}@example.org>` : m.messageId;
  const head = [
    `From: ${m.from}`,
    'To: Tjenestesenteret <saksflyt@localhost>',
    `Subject: ${m.subject}`,
    'Date: Mon, 03 Mar 2025 09:00:00 +0100',
    ...(id ? [`Message-ID: ${id}`] : []),
    'MIME-Version: 1.0',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const body = m.html ? { type: 'text/html; charset=utf-8', text: m.html } : { type: 'text/plain; charset=utf-8', text: m.text ?? 'Hello' };
  if (!m.attachments?.length) {
    return Buffer.from([...head, `Content-Type: ${body.type}`, 'Content-Transfer-Encoding: 8bit', '', body.text, ''].join('\r\n'));
  }
  const b = `b-${++seq}`;
  const parts = [
    `--${b}`,
    `Content-Type: ${body.type}`,
    'Content-Transfer-Encoding: 8bit',
    '',
    body.text,
    ...m.attachments.flatMap((a) => [
      `--${b}`,
      `Content-Type: ${a.contentType}; name="${a.filename}"`,
      `Content-Disposition: attachment; filename="${a.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      a.data.toString('base64').replace(/.{76}/g, '$&\r\n'),
    ]),
    `--${b}--`,
    '',
  ];
  return Buffer.from([...head, `Content-Type: multipart/mixed; boundary="${b}"`, '', ...parts].join('\r\n'));
}

interface Result {
  outcome: string;
  duplicate: boolean;
  messageId: string;
  caseId: string | null;
  caseNumber: string | null;
  reason: string | null;
  ignored?: string;
  attachments?: Array<{ id: string; filename: string }>;
  skippedAttachments?: Array<{ filename: string; reason: string }>;
}

interface CaseView {
  id: string;
  number: string;
  status: string;
  subject: string;
  description: string;
  channel: string;
  categoryKey: string;
  requester: { id: string | null; external: { name: string; email?: string } | null };
  attachments: Array<{ id: string; filename: string; contentType: string; size: number }>;
}

let t: TestApp;
let h: Record<Person, Headers>;
let gateway: Headers;
let db: pg.Client;

beforeAll(async () => {
  t = await createTestApp();
  h = await headersFor(t);
  gateway = await t.auth({ sub: 'mail-gateway', roles: ['integration'], scope: ['mail:inbound'] });
  db = new pg.Client({ connectionString: t.url });
  await db.connect();
});

afterAll(async () => {
  await db.end();
  await t.close();
});

async function post(raw: Buffer, headers: Headers = gateway) {
  return t.app.inject({ method: 'POST', url: '/v1/inbound-mail', headers: { ...headers, 'content-type': 'message/rfc822' }, payload: raw });
}

async function caseCount(): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM "case"');
  return Number(rows[0]!.n);
}

const get = (url: string, who: Headers) => api(t).get(url, who);

describe('POST /v1/inbound-mail', () => {
  it('files a raw mail with a PDF attachment as a new general case (201)', async () => {
    const res = await post(
      rawMail({
        from: 'Eva Ekstern <Eva@Example.org>',
        subject: 'Lønnsslipp mangler',
        text: 'Jeg har ikke fått lønnsslippen for mai.',
        attachments: [{ filename: 'slipp.pdf', contentType: 'application/pdf', data: PDF }],
      }),
    );
    expectStatus(res, 201);
    const r = res.json<Result>();
    expect(r).toMatchObject({ outcome: 'case-created', duplicate: false, reason: null, skippedAttachments: [] });
    expect(r.attachments).toHaveLength(1);
    expect(res.headers.location).toBe(`/v1/cases/${r.caseId}`);

    const c = (await get(`/v1/cases/${r.caseId}`, h.operator)).json<CaseView>();
    expect(c).toMatchObject({
      number: r.caseNumber,
      status: 'REGISTERED',
      categoryKey: 'general',
      channel: 'email',
      subject: 'Lønnsslipp mangler',
      description: 'Jeg har ikke fått lønnsslippen for mai.',
      requester: { id: null, external: { name: 'Eva Ekstern', email: 'eva@example.org' } },
    });
    expect(c.attachments).toEqual([expect.objectContaining({ filename: 'slipp.pdf', contentType: 'application/pdf', size: PDF.length })]);
    const file = await get(`/v1/cases/${r.caseId}/attachments/${c.attachments[0]!.id}`, h.operator);
    expectStatus(file, 200);
    expect(file.rawPayload.equals(PDF)).toBe(true);
  });

  it("files mail from an address the person directory knows as that employee's case, and threads their reply (201, 200)", async () => {
    const admin = await t.auth({ sub: 'root', roles: ['admin'] });
    expectStatus(
      await t.app.inject({
        method: 'PUT',
        url: '/v1/people/siri-emp',
        headers: admin,
        payload: { name: 'Siri Ansatt', email: 'Siri.Ansatt@uni.example' },
      }),
      201,
    );
    const res = await post(rawMail({ from: 'Siri <siri.ansatt@UNI.example>', subject: 'Feriepenger', text: 'Feil i feriepengene.' }));
    expectStatus(res, 201);
    const r = res.json<Result>();
    const c = (await get(`/v1/cases/${r.caseId}`, h.operator)).json<CaseView>();
    expect(c.requester).toMatchObject({ id: 'siri-emp', external: null });
    // The employee sees it when they sign in, and their answer by mail lands on it.
    const siri = await t.auth({ sub: 'siri-emp', name: 'Siri Ansatt' });
    expectStatus(await get(`/v1/cases/${r.caseId}`, siri), 200);
    const reply = await post(rawMail({ from: 'siri.ansatt@uni.example', subject: `Re: [Sak ${r.caseNumber}] Feriepenger`, text: 'Mer info.' }));
    expectStatus(reply, 200);
    expect(reply.json<Result>()).toMatchObject({ outcome: 'message-added', caseId: r.caseId });
  });

  it('does one thing for the same Message-ID delivered twice (200 duplicate)', async () => {
    const raw = rawMail({ from: 'twice@example.org', subject: 'Twice', messageId: '<same-id-1@example.org>' });
    const first = await post(raw);
    expectStatus(first, 201);
    const before = await caseCount();
    const again = await post(raw);
    expectStatus(again, 200);
    expect(again.json<Result>()).toMatchObject({
      outcome: 'case-created',
      duplicate: true,
      messageId: 'same-id-1@example.org',
      caseId: first.json<Result>().caseId,
      caseNumber: first.json<Result>().caseNumber,
    });
    expect(await caseCount()).toBe(before);
  });

  it('does one thing for the same Message-ID delivered twice at once', async () => {
    const raw = rawMail({ from: 'race@example.org', subject: 'Race', messageId: '<race-1@example.org>' });
    const before = await caseCount();
    const answers = await Promise.all([post(raw), post(raw), post(raw)]);
    const codes = answers.map((a) => a.statusCode).sort();
    // One files; the others see it done (200 duplicate) or in progress (503: the gateway retries).
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.every((c) => c === 201 || c === 200 || c === 503)).toBe(true);
    expect(await caseCount()).toBe(before + 1);
  });

  it("adds a reply to an outgoing mail to the external requester's case and moves it (200)", async () => {
    const filed = (await post(rawMail({ from: 'Per Post <per@example.org>', subject: 'Skattetrekk', text: 'Feil trekk' }))).json<Result>();
    const url = `/v1/cases/${filed.caseId}`;
    expectStatus(await api(t).post(`${url}/transitions`, h.operator, { to: 'IN_PROGRESS', assigneeId: 'kari' }), 200);
    expectStatus(await api(t).post(`${url}/messages`, h.operator, { body: 'Hvilken måned?', setStatus: 'WAITING_FOR_USER' }), 201);

    const res = await post(
      rawMail({
        from: 'PER@example.org',
        subject: `SV: [Sak ${filed.caseNumber}] Skattetrekk`,
        text: 'Det gjelder april.\n\n> Hvilken måned?',
        headers: { 'In-Reply-To': `<case-${filed.caseId}@saksflyt>` },
      }),
    );
    expectStatus(res, 200);
    expect(res.json<Result>()).toMatchObject({ outcome: 'message-added', duplicate: false, caseId: filed.caseId, caseNumber: filed.caseNumber });
    const c = (await get(url, h.operator)).json<CaseView>();
    expect(c.status).toBe('UPDATED_BY_USER');
    const messages = (await get(`${url}/messages`, h.operator)).json<Array<{ body: string; author: { id: string; onBehalfOf: string | null } }>>();
    expect(messages.at(-1)).toMatchObject({ body: 'Det gjelder april.\n\n> Hvilken måned?', author: { id: 'mail-gateway', onBehalfOf: 'Per Post' } });
    expect(await caseCount()).toBeGreaterThan(0);
  });

  it("adds a reply threaded by References alone to a Feide requester's case, as the requester (200)", async () => {
    const ref = await caseIn(t, h, 'WAITING_FOR_USER');
    await db.query('UPDATE "case" SET requester_email = $2 WHERE id = $1', [ref.id, 'ola.nordmann@uni.example']);
    const res = await post(
      rawMail({
        from: 'Ola Nordmann <Ola.Nordmann@uni.example>',
        subject: 'Re: your case',
        text: 'Here is the form.',
        headers: { References: `<other@example.org> <case-${ref.id}@saksflyt>` },
        attachments: [{ filename: 'skjema.pdf', contentType: 'application/pdf', data: PDF }],
      }),
    );
    expectStatus(res, 200);
    expect(res.json<Result>()).toMatchObject({ outcome: 'message-added', caseId: ref.id });
    // The requester sees it as their own message and their file.
    const c = (await get(`/v1/cases/${ref.id}`, h.requester)).json<CaseView>();
    expect(c.status).toBe('UPDATED_BY_USER');
    expect(c.attachments.map((a) => a.filename)).toEqual(['skjema.pdf']);
    const messages = (await get(`/v1/cases/${ref.id}/messages`, h.requester)).json<Array<{ body: string; author: { id: string; role: string } }>>();
    expect(messages.at(-1)).toMatchObject({ body: 'Here is the form.', author: { id: 'ola', role: 'requester' } });
  });

  it('files a new case when the token names a case of someone else (201 sender-not-requester)', async () => {
    const filed = (await post(rawMail({ from: 'owner@example.org', subject: 'Mine' }))).json<Result>();
    const res = await post(rawMail({ from: 'intruder@example.org', subject: `Re: [Sak ${filed.caseNumber}] Mine`, text: 'Let me in' }));
    expectStatus(res, 201);
    const r = res.json<Result>();
    expect(r).toMatchObject({ outcome: 'case-created', reason: 'sender-not-requester' });
    expect(r.caseId).not.toBe(filed.caseId);
    const messages = (await get(`/v1/cases/${filed.caseId}/messages`, h.operator)).json<unknown[]>();
    expect(messages).toHaveLength(0);
    expect((await get(`/v1/cases/${r.caseId}`, h.operator)).json<CaseView>().subject).toBe('Mine');
  });

  it('files a new case when the token names a closed case or no case (201 case-closed, unknown-case)', async () => {
    const ref = await caseIn(t, h, 'CLOSED');
    await db.query('UPDATE "case" SET requester_email = $2 WHERE id = $1', [ref.id, 'ola@uni.example']);
    const number = (await get(`/v1/cases/${ref.id}`, h.admin)).json<CaseView>().number;
    const closed = await post(rawMail({ from: 'ola@uni.example', subject: `Re: [Sak ${number}] case in CLOSED`, text: 'One more thing' }));
    expectStatus(closed, 201);
    expect(closed.json<Result>()).toMatchObject({ outcome: 'case-created', reason: 'case-closed' });
    expect((await get(`/v1/cases/${ref.id}`, h.admin)).json<CaseView>().status).toBe('CLOSED');

    const unknown = await post(rawMail({ from: 'ola@uni.example', subject: 'Re: [Sak 1999-999999] old', text: 'Hello?' }));
    expectStatus(unknown, 201);
    expect(unknown.json<Result>()).toMatchObject({ outcome: 'case-created', reason: 'unknown-case' });
  });

  it.each([
    ['auto-submitted', { 'Auto-Submitted': 'auto-replied' }],
    ['bulk-precedence', { Precedence: 'bulk' }],
    ['bulk-precedence', { Precedence: 'list' }],
    ['auto-reply-header', { 'X-Autoreply': 'yes' }],
    ['auto-reply-header', { 'X-Auto-Response-Suppress': 'All' }],
  ])('creates nothing for an auto-reply (202 %s)', async (reason, headers) => {
    const before = await caseCount();
    const res = await post(rawMail({ from: 'away@example.org', subject: 'Out of office', headers }));
    expectStatus(res, 202);
    expect(res.json<Result>()).toMatchObject({ outcome: 'ignored', ignored: reason, reason, caseId: null });
    expect(await caseCount()).toBe(before);
    const { rows } = await db.query('SELECT outcome, reason FROM inbound_mail WHERE message_id = $1', [res.json<Result>().messageId]);
    expect(rows).toEqual([{ outcome: 'ignored', reason }]);
  });

  it('creates nothing for our own mail or a bounce, even with a case token (202)', async () => {
    const filed = (await post(rawMail({ from: 'someone@example.org', subject: 'Loop?' }))).json<Result>();
    const before = await caseCount();
    const own = await post(rawMail({ from: 'Saksflyt <SAKSFLYT@localhost>', subject: `[Sak ${filed.caseNumber}] Loop?` }));
    expectStatus(own, 202);
    expect(own.json<Result>().ignored).toBe('own-address');
    const bounce = await post(rawMail({ from: 'MAILER-DAEMON@mx.example.org', subject: 'Undelivered Mail Returned to Sender' }));
    expectStatus(bounce, 202);
    expect(bounce.json<Result>().ignored).toBe('bounce');
    expect(await caseCount()).toBe(before);
    expect((await get(`/v1/cases/${filed.caseId}/messages`, h.operator)).json<unknown[]>()).toHaveLength(0);
  });

  it('keeps accepted files, names the refused ones in an internal note, and reads HTML as text (201)', async () => {
    const res = await post(
      rawMail({
        from: 'html@example.org',
        subject: 'Vedlegg',
        html: '<p>Se <b>vedlagt</b>.</p><p>Hilsen Hanne</p>',
        attachments: [
          { filename: 'ok.pdf', contentType: 'application/pdf', data: PDF },
          { filename: 'virus.exe', contentType: 'application/x-msdownload', data: Buffer.from('MZ') },
        ],
      }),
    );
    expectStatus(res, 201);
    const r = res.json<Result>();
    expect(r.attachments?.map((a) => a.filename)).toEqual(['ok.pdf']);
    expect(r.skippedAttachments).toEqual([{ filename: 'virus.exe', reason: 'type-not-accepted' }]);
    const c = (await get(`/v1/cases/${r.caseId}`, h.operator)).json<CaseView>();
    expect(c.description).toMatch(/Se vedlagt\./i);
    expect(c.description).not.toMatch(/<p>/);
    const notes = (await get(`/v1/cases/${r.caseId}/messages`, h.operator)).json<Array<{ visibility: string; body: string }>>();
    expect(notes).toEqual([expect.objectContaining({ visibility: 'internal', body: expect.stringContaining('virus.exe: type-not-accepted') })]);
  });

  it('uses the bytes as the id of a mail without Message-ID (200 duplicate on redelivery)', async () => {
    const raw = rawMail({ from: 'noid@example.org', subject: 'No id', messageId: null });
    expectStatus(await post(raw), 201);
    const again = await post(raw);
    expectStatus(again, 200);
    expect(again.json<Result>()).toMatchObject({ duplicate: true, messageId: expect.stringMatching(/^sha256-[0-9a-f]{64}@saksflyt\.invalid$/) });
  });

  it('refuses callers other than the mail gateway (401, 403) and other media types (415)', async () => {
    const raw = rawMail({ from: 'x@example.org', subject: 'x' });
    expectStatus(await t.app.inject({ method: 'POST', url: '/v1/inbound-mail', headers: { 'content-type': 'message/rfc822' }, payload: raw }), 401);
    expectStatus(await post(raw, h.requester), 403);
    expectStatus(await post(raw, h.admin), 403);
    const writer = await t.auth({ sub: 'hr-system', roles: ['integration'], scope: ['cases:write'] });
    expectStatus(await post(raw, writer), 403);
    const json = await t.app.inject({ method: 'POST', url: '/v1/inbound-mail', headers: gateway, payload: { raw: 'x' } });
    expectStatus(json, 415);
    expectStatus(await post(Buffer.alloc(0)), 400);
  });
});

describe('npm run mailgate', () => {
  const script = path.join(__dirname, '../../scripts/mailgate.ts');
  const tsx = path.join(__dirname, '../../node_modules/.bin/tsx');

  function mailgate(env: Record<string, string>, input: Buffer): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(tsx, [script], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
      child.stdin.end(input);
    });
  }

  let base: string;
  let token: string;

  beforeAll(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    token = gateway.authorization!.replace(/^Bearer /, '');
  });

  it('posts stdin to the service and exits 0; 77 for a refused token; 75 when the service is away', async () => {
    const raw = rawMail({ from: 'piped@example.org', subject: 'Piped in', text: 'via the mail server' });
    const ok = await mailgate({ MAILGATE_URL: `${base}/v1/inbound-mail`, MAILGATE_TOKEN: token }, raw);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('"outcome":"case-created"');
    const { rows } = await db.query('SELECT channel::text AS channel FROM "case" WHERE subject = $1', ['Piped in']);
    expect(rows).toEqual([{ channel: 'email' }]);

    const refused = await mailgate({ MAILGATE_URL: `${base}/v1/inbound-mail`, MAILGATE_TOKEN: 'not-a-token' }, raw);
    expect(refused.code).toBe(77);

    const away = await mailgate({ MAILGATE_URL: 'http://127.0.0.1:1/v1/inbound-mail', MAILGATE_TOKEN: token }, raw);
    expect(away.code).toBe(75);
  }, 60_000);
});

describe('POST /v1/inbound-mail with INBOUND_MAIL_MAX_BYTES=4096', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await createTestApp({ config: { INBOUND_MAIL_MAX_BYTES: '4096' } });
  });
  afterAll(async () => {
    await small.close();
  });

  it('refuses a larger message and files nothing (413)', async () => {
    const headers = await small.auth({ sub: 'mail-gateway', roles: ['integration'], scope: ['mail:inbound'] });
    const raw = rawMail({ from: 'big@example.org', subject: 'Big', text: 'x'.repeat(5000) });
    const res = await small.app.inject({
      method: 'POST',
      url: '/v1/inbound-mail',
      headers: { ...headers, 'content-type': 'message/rfc822' },
      payload: raw,
    });
    expectStatus(res, 413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const ok = await small.app.inject({
      method: 'POST',
      url: '/v1/inbound-mail',
      headers: { ...headers, 'content-type': 'message/rfc822' },
      payload: rawMail({ from: 'small@example.org', subject: 'Small' }),
    });
    expectStatus(ok, 201);
  });
});
