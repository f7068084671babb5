import { createHash } from 'node:crypto';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, caseIn, DbProbe, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/* POST/GET /v1/cases/{id}/attachments: multipart upload, limits, listing and download rights. */

const MAX_BYTES = 2048;

function multipart(filename: string, contentType: string, data: Buffer): { payload: Buffer; headers: Headers } {
  const boundary = `----saksflyt${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('attachments', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;
  let db: DbProbe;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0', ATTACHMENT_MAX_BYTES: String(MAX_BYTES) } });
    h = await headersFor(t);
    a = api(t);
    db = await new DbProbe(t.url).open();
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  const upload = (id: string, who: Headers, filename: string, type: string, data: Buffer) => {
    const m = multipart(filename, type, data);
    return t.app.inject({ method: 'POST', url: `/v1/cases/${id}/attachments`, headers: { ...who, ...m.headers }, payload: m.payload });
  };

  it('stores a file, lists it on the case and serves it to those who may read the case (201, 200)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    const data = Buffer.from('Payslip for February\n');
    const res = await upload(id, h.requester, 'payslip.txt', 'text/plain', data);
    expectStatus(res, 201);
    const att = res.json();
    expect(att).toMatchObject({
      filename: 'payslip.txt',
      contentType: 'text/plain',
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      uploadedBy: { id: 'ola', role: 'requester' },
    });
    expect(res.headers.location).toBe(`/v1/cases/${id}/attachments/${att.id}`);

    const c = (await a.get(`/v1/cases/${id}`, h.operator)).json();
    expect(c.attachments).toEqual([expect.objectContaining({ id: att.id, filename: 'payslip.txt' })]);
    const hist = (await a.get(`/v1/cases/${id}/history`, h.requester)).json();
    // The requester's file is their answer: the case moved as a message would have moved it.
    expect(hist.slice(-2)).toEqual([
      expect.objectContaining({ field: 'attachment', to: att.id }),
      expect.objectContaining({ field: 'status', from: 'IN_PROGRESS', to: 'UPDATED_BY_USER' }),
    ]);

    for (const who of ['requester', 'operator', 'admin', 'integration'] as Person[]) {
      const dl = await a.get(`/v1/cases/${id}/attachments/${att.id}`, h[who]);
      expectStatus(dl, 200);
      expect(dl.rawPayload.equals(data)).toBe(true);
      expect(dl.headers['content-type']).toContain('text/plain');
      expect(dl.headers['content-disposition']).toContain('payslip.txt');
    }
  });

  it('hides the file from someone who may not read the case (404)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    const att = (await upload(id, h.requester, 'a.pdf', 'application/pdf', Buffer.from('%PDF-1.4'))).json();
    expectStatus(await a.get(`/v1/cases/${id}/attachments/${att.id}`, h.otherRequester), 404);
    expectStatus(await upload(id, h.otherRequester, 'b.pdf', 'application/pdf', Buffer.from('%PDF')), 404);
  });

  it("a requester's file answers a case waiting for them: WAITING_FOR_USER → UPDATED_BY_USER, timer dropped (201)", async () => {
    const { id } = await caseIn(t, h, 'WAITING_FOR_USER');
    expect((await a.get(`/v1/cases/${id}`, h.requester)).json().autoTransition).toMatchObject({ to: 'COMPLETED' });
    expectStatus(await upload(id, h.requester, 'signed.pdf', 'application/pdf', Buffer.from('%PDF-1.4\n%%EOF\n')), 201);
    const c = (await a.get(`/v1/cases/${id}`, h.operator)).json();
    expect(c).toMatchObject({ status: 'UPDATED_BY_USER', autoTransition: null });
    const hist = (await a.get(`/v1/cases/${id}/history`, h.operator)).json();
    expect(hist.at(-1)).toMatchObject({ field: 'status', from: 'WAITING_FOR_USER', to: 'UPDATED_BY_USER', actor: { id: 'ola', role: 'requester' } });
    const timers = await t.app.pool.query('SELECT 1 FROM case_timer WHERE case_id = $1', [id]);
    expect(timers.rowCount).toBe(0);
  });

  it('a staff attachment moves nothing: the case keeps waiting for the requester (201)', async () => {
    const { id } = await caseIn(t, h, 'WAITING_FOR_USER');
    expectStatus(await upload(id, h.operator, 'form.txt', 'text/plain', Buffer.from('Please sign\n')), 201);
    const c = (await a.get(`/v1/cases/${id}`, h.operator)).json();
    expect(c).toMatchObject({ status: 'WAITING_FOR_USER', autoTransition: { to: 'COMPLETED' } });
  });

  it('answers 404 for an attachment of another case (404)', async () => {
    const one = await caseIn(t, h, 'IN_PROGRESS');
    const two = await caseIn(t, h, 'IN_PROGRESS');
    const att = (await upload(one.id, h.requester, 'a.txt', 'text/plain', Buffer.from('x'))).json();
    expectStatus(await a.get(`/v1/cases/${two.id}/attachments/${att.id}`, h.requester), 404);
  });

  it('refuses a file over the size limit and stores nothing (413)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    const before = await db.snapshot(id);
    const res = await upload(id, h.requester, 'big.txt', 'text/plain', Buffer.alloc(MAX_BYTES + 1, 'a'));
    expectStatus(res, 413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(await db.snapshot(id)).toEqual(before);
  });

  it('accepts a file of exactly the size limit (201)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    expectStatus(await upload(id, h.requester, 'edge.txt', 'text/plain', Buffer.alloc(MAX_BYTES, 'a')), 201);
  });

  it('refuses a type not on the list and stores nothing (415)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    const before = await db.snapshot(id);
    const res = await upload(id, h.requester, 'run.exe', 'application/x-msdownload', Buffer.from('MZ'));
    expectStatus(res, 415);
    expect(res.json().accepted).toContain('application/pdf');
    expect(await db.snapshot(id)).toEqual(before);
  });

  it('refuses a body that is not multipart (415)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    expectStatus(await a.post(`/v1/cases/${id}/attachments`, h.requester, { file: 'x' }), 415);
  });

  it('refuses a file on a closed case (409)', async () => {
    const { id } = await caseIn(t, h, 'CLOSED');
    expectStatus(await upload(id, h.requester, 'late.txt', 'text/plain', Buffer.from('x')), 409);
  });

  it('refuses an upload by a read-only integration (403)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    expectStatus(await upload(id, h.integration, 'x.txt', 'text/plain', Buffer.from('x')), 403);
  });
});
