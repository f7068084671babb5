import type { AddressInfo } from 'node:net';
import { createClient, createConfig, type Client } from '../client/generated/client';
import {
  createCase,
  createCaseMessage,
  downloadCaseAttachment,
  getCase,
  listCaseHistory,
  listEvents,
  runTimers,
  transitionCase,
  updateCase,
  uploadCaseAttachment,
} from '../client/generated';
import { createTestApp, type TestApp } from '../helpers/app';

const DAY = 86_400_000;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/**
 * The client @hey-api/openapi-ts 0.95 generates from openapi/openapi.json (test/client/generated,
 * `npm run client:sdk`), over HTTP against the app, with no casts: if the document lies about a
 * body, a file, a problem or an event, this fails to compile (tsc) or here.
 */
describe('the @hey-api/openapi-ts client over HTTP', () => {
  let t: TestApp;
  const as: Record<'ola' | 'kari' | 'admin' | 'hr', Client> = {} as never;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const client = async (who: Parameters<TestApp['auth']>[0]) => createClient(createConfig({ baseUrl, headers: await t.auth(who) }));
    as.ola = await client({ sub: 'ola', name: 'Ola Nordmann' });
    as.kari = await client({ sub: 'kari', roles: ['operator'], teams: ['payroll'] });
    as.admin = await client({ sub: 'root', roles: ['admin'] });
    as.hr = await client({ sub: 'hr-system', roles: ['integration'], scope: ['cases:read'] });
  });
  afterAll(async () => t.close());

  it('files, moves, uploads, downloads, is refused with `allowed`, and reads the typed events', async () => {
    const created = await createCase({
      client: as.ola,
      body: { categoryKey: 'salary', subject: 'Overtime missing', description: 'May overtime is not paid' },
    });
    expect(created.response.status).toBe(201);
    const c = created.data!;
    expect(c.status).toBe('REGISTERED');

    // A refused transition: the requester may not start work on their own case.
    const refused = await transitionCase({ client: as.ola, path: { id: c.id }, body: { to: 'IN_PROGRESS' } });
    expect(refused.response.status).toBe(409);
    expect(refused.response.headers.get('content-type')).toContain('application/problem+json');
    const problem = refused.error!;
    expect(problem.code).toBe('invalid-transition');
    // The problems are a union discriminated by `code`: narrowing on it types `allowed` and
    // `currentStatus` (statuses), with no cast.
    if (problem.code !== 'invalid-transition') throw new Error(`unexpected problem ${problem.code}`);
    const allowed: Array<
      'REGISTERED' | 'ASSIGNED' | 'IN_PROGRESS' | 'WAITING_FOR_USER' | 'ON_HOLD' | 'UPDATED_BY_USER' | 'COMPLETED' | 'CLOSED' | 'REOPENED_BY_USER'
    > = problem.allowed;
    expect(allowed).toEqual(['CLOSED']);
    expect(problem.currentStatus).toBe('REGISTERED');

    const assigned = await updateCase({
      client: as.kari,
      path: { id: c.id },
      headers: { 'if-match': created.response.headers.get('etag')! },
      body: { assigneeId: 'kari' },
    });
    expect(assigned.data!.status).toBe('ASSIGNED');
    const started = await transitionCase({ client: as.kari, path: { id: c.id }, body: { to: 'IN_PROGRESS' } });
    expect(started.data!.status).toBe('IN_PROGRESS');

    // Upload: the multipart body with a file, as the document describes it.
    const uploaded = await uploadCaseAttachment({
      client: as.ola,
      path: { id: c.id },
      body: { file: new File([PDF], 'payslip.pdf', { type: 'application/pdf' }) },
    });
    expect(uploaded.response.status).toBe(201);
    const attachment = uploaded.data!;
    expect(attachment.filename).toBe('payslip.pdf');
    expect(attachment.contentType).toBe('application/pdf');
    expect(attachment.size).toBe(PDF.length);
    // The requester's file is their answer: the case moved.
    expect((await getCase({ client: as.kari, path: { id: c.id } })).data!.status).toBe('UPDATED_BY_USER');

    // Download: the file's own bytes and type, and the declared Content-Disposition.
    const downloaded = await downloadCaseAttachment({ client: as.kari, path: { id: c.id, attachmentId: attachment.id } });
    expect(downloaded.response.status).toBe(200);
    expect(downloaded.response.headers.get('content-type')).toBe('application/pdf');
    expect(downloaded.response.headers.get('content-disposition')).toBe('attachment; filename="payslip.pdf"');
    const file = downloaded.data!;
    expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).toBe(true);

    // A stranger's download is the same 404 as a missing file.
    const stranger = createClient(createConfig({ baseUrl: as.ola.getConfig().baseUrl, headers: await t.auth({ sub: 'eve' }) }));
    const hidden = await downloadCaseAttachment({ client: stranger, path: { id: c.id, attachmentId: attachment.id } });
    expect(hidden.response.status).toBe(404);
    expect(hidden.error!.code).toBe('not-found');

    const replied = await createCaseMessage({
      client: as.kari,
      path: { id: c.id },
      body: { body: 'It will be paid with the June salary.', setStatus: 'WAITING_FOR_USER' },
    });
    expect(replied.data!.case.status).toBe('WAITING_FOR_USER');
    const now = t.clock.now().getTime();
    const fired = await runTimers({ client: as.admin, body: { asOf: new Date(now + 11 * DAY).toISOString() } });
    expect(fired.data!.fired).toBe(1);
    expect((await getCase({ client: as.ola, path: { id: c.id } })).data!.status).toBe('COMPLETED');

    const history = await listCaseHistory({ client: as.ola, path: { id: c.id } });
    expect(history.data!.filter((h) => h.field === 'status').map((h) => h.to)).toEqual([
      'ASSIGNED',
      'IN_PROGRESS',
      'UPDATED_BY_USER',
      'WAITING_FOR_USER',
      'COMPLETED',
    ]);

    // The feed's events are typed per `type`: narrowing on it types the payload.
    const feed = await listEvents({ client: as.hr, query: { after: '0', limit: 100 } });
    const mine = feed.data!.items.filter((e) => e.caseId === c.id);
    const moves = mine.flatMap((e) => (e.type === 'case.status_changed' ? [e.payload.to] : []));
    expect(moves).toEqual(['ASSIGNED', 'IN_PROGRESS', 'UPDATED_BY_USER', 'WAITING_FOR_USER', 'COMPLETED']);
    const files = mine.flatMap((e) => (e.type === 'case.attachment_added' ? [e.payload.attachmentId] : []));
    expect(files).toEqual([attachment.id]);
  });
});
