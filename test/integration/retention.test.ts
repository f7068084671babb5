import { onRealServer } from '../helpers/db';
import { createTestApp, type TestApp, type Who } from '../helpers/app';

/**
 * Retention: closed cases past their category's retention lose their personal data; their
 * status history and counts stay.
 */
const OLA: Who = { sub: 'ola-9f3', name: 'Ola Nordmann', employeeNumber: '40417' };
const LEADER: Who = { sub: 'lena-7c1', roles: ['leader'], name: 'Lena Leder' };
const KARI: Who = { sub: 'kari', roles: ['operator'], teams: ['payroll', 'employment', 'service'] };
const ADMIN: Who = { sub: 'root', roles: ['admin'] };
const EXTERNAL = { name: 'Eks Ternsen', email: 'eks.ternsen@example.org', phone: '+47 400 00 000' };

/** Strings that identify people or are their words; none may survive anonymisation. */
const PERSONAL = [
  OLA.sub,
  OLA.name!,
  OLA.employeeNumber!,
  LEADER.sub,
  LEADER.name!,
  EXTERNAL.name,
  EXTERNAL.email,
  EXTERNAL.phone,
  'Emil Ansatt',
  '31337',
  'My salary is wrong',
  'Overtime in January missing',
  'Please see the attached payslip',
  'PAYSLIP-CONTENTS',
  'payslip-jan.txt',
  'Our answer to you',
  'Internal: checked with bank',
  'Reason with a name: Ola',
];

const BOUNDARY = 'retention-boundary';
function upload(body: string, filename: string): { payload: Buffer; headers: Record<string, string> } {
  return {
    payload: Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n${body}\r\n--${BOUNDARY}--\r\n`,
    ),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  };
}

// The sweep anonymises every expired case in its database; on the embedded fallback all test
// files share one database, so it would reach their cases. It needs a database of its own.
const describeOwnDb = onRealServer() ? describe : describe.skip;

describeOwnDb('retention and anonymisation', () => {
  let t: TestApp;
  const h = {} as Record<'ola' | 'leader' | 'kari' | 'admin', Record<string, string>>;

  async function send(who: keyof typeof h, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object, status?: number) {
    const res = await t.app.inject({ method, url, headers: h[who], ...(payload ? { payload } : {}) });
    if (status !== undefined && res.statusCode !== status)
      throw new Error(`${method} ${url}: expected ${status}, got ${res.statusCode}: ${res.body}`);
    return res;
  }

  /** A case with everything personal a case can hold, closed by its requester now. */
  async function closedCase(kind: 'requester' | 'external' | 'leader', categoryKey = 'salary'): Promise<string> {
    const body =
      kind === 'external'
        ? { categoryKey, subject: 'My salary is wrong', description: 'Overtime in January missing', channel: 'phone', externalRequester: EXTERNAL }
        : kind === 'leader'
          ? {
              categoryKey: 'employment',
              subject: 'My salary is wrong',
              description: 'Overtime in January missing',
              concernsEmployee: { name: 'Emil Ansatt', employeeNumber: '31337' },
              details: { changeType: 'extension' },
            }
          : {
              categoryKey,
              subject: 'My salary is wrong',
              description: 'Overtime in January missing',
              employeeNumber: OLA.employeeNumber,
              ...(categoryKey === 'salary' ? { details: { period: '2025-01', topic: 'overtime' } } : {}),
            };
    const filer = kind === 'external' ? 'kari' : kind === 'leader' ? 'leader' : 'ola';
    const id = (await send(filer, 'POST', '/v1/cases', body, 201)).json().id as string;
    const onBehalf = kind === 'external' ? { onBehalfOfRequester: true } : {};
    await send(
      kind === 'external' ? 'kari' : filer,
      'POST',
      `/v1/cases/${id}/messages`,
      { body: 'Please see the attached payslip', ...onBehalf },
      201,
    );
    const file = upload('PAYSLIP-CONTENTS', 'payslip-jan.txt');
    const up = await t.app.inject({
      method: 'POST',
      url: `/v1/cases/${id}/attachments`,
      headers: { ...h[kind === 'external' ? 'kari' : filer], ...file.headers },
      payload: file.payload,
    });
    if (up.statusCode !== 201) throw new Error(up.body);
    await send('kari', 'POST', `/v1/cases/${id}/messages`, { body: 'Internal: checked with bank', visibility: 'internal' }, 201);
    await send('kari', 'POST', `/v1/cases/${id}/transitions`, { to: 'IN_PROGRESS', assigneeId: 'kari', reason: 'Reason with a name: Ola' }, 200);
    await send('kari', 'POST', `/v1/cases/${id}/messages`, { body: 'Our answer to you', visibility: 'public' }, 201);
    await send(
      kind === 'external' ? 'kari' : filer,
      'POST',
      `/v1/cases/${id}/transitions`,
      { to: 'CLOSED', reason: 'Reason with a name: Ola', ...onBehalf },
      200,
    );
    return id;
  }

  /** Everything stored about a case, as text. */
  async function stored(id: string): Promise<string> {
    const rows = await t.app.db.$queryRaw<Array<{ t: string }>>`
      SELECT row_to_json(c)::text AS t FROM "case" c WHERE c.id = ${id}::uuid
      UNION ALL SELECT row_to_json(m)::text FROM case_message m WHERE m.case_id = ${id}::uuid
      UNION ALL SELECT row_to_json(x)::text FROM case_history x WHERE x.case_id = ${id}::uuid
      UNION ALL SELECT (row_to_json(a)::jsonb || jsonb_build_object('data', convert_from(coalesce(a.data, ''::bytea), 'UTF8')))::text
        FROM attachment a WHERE a.case_id = ${id}::uuid
      UNION ALL SELECT row_to_json(e)::text FROM outbox_event e WHERE e.case_id = ${id}::uuid`;
    return rows.map((r) => r.t).join('\n');
  }

  const retention = (asOf: string) => send('admin', 'POST', '/v1/admin/retention/run', { asOf }, 200).then((r) => r.json().anonymised as number);
  const history = async (id: string) =>
    (await send('admin', 'GET', `/v1/cases/${id}/history`, undefined, 200)).json<
      Array<{ field: string; from: string | null; to: string | null; actor: { id: string; role: string }; reason: string | null }>
    >();

  const REPORTS = [
    '/v1/reports/sla?from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&groupBy=category',
    '/v1/reports/time-in-status?from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&groupBy=team',
  ];
  // Reports read service-level rows a sweep refreshes; refresh them as of the last change first.
  const reports = async () => {
    await send('admin', 'POST', '/v1/admin/sla/run', { asOf: '2026-03-03T09:00:00Z' }, 200);
    return Promise.all(REPORTS.map(async (url) => (await send('admin', 'GET', url, undefined, 200)).json()));
  };
  let reportsBefore: unknown[];

  const ids = {} as Record<'requester' | 'external' | 'leader' | 'feedback' | 'recent' | 'open', string>;
  const before = {} as Record<string, { history: Awaited<ReturnType<typeof history>>; messages: number; stored: string }>;

  beforeAll(async () => {
    // The reports below span two years, more than REPORT_MAX_DAYS allows by default.
    t = await createTestApp({ config: { REPORT_MAX_DAYS: '800' } });
    for (const [k, who] of Object.entries({ ola: OLA, leader: LEADER, kari: KARI, admin: ADMIN })) h[k as keyof typeof h] = await t.auth(who);
    // feedback keeps closed cases 6 months; everything else the default 24.
    const feedback = (await send('admin', 'GET', '/v1/categories/feedback', undefined, 200)).json();
    const { key: _k, notices: _n, ...rest } = feedback;
    await send('admin', 'PUT', '/v1/categories/feedback', { ...rest, retentionMonths: 6 }, 200);

    t.clock.set('2025-03-03T09:00:00Z');
    ids.requester = await closedCase('requester');
    ids.external = await closedCase('external');
    ids.leader = await closedCase('leader');
    ids.feedback = await closedCase('requester', 'feedback');
    ids.open = (
      await send('ola', 'POST', '/v1/cases', { categoryKey: 'general', subject: 'Still open', description: 'Open for years' }, 201)
    ).json().id;
    t.clock.set('2026-03-03T09:00:00Z');
    ids.recent = await closedCase('requester');
    reportsBefore = await reports();
    for (const [k, id] of Object.entries(ids)) {
      before[k] = {
        history: await history(id),
        messages: (await send('admin', 'GET', `/v1/cases/${id}/messages`, undefined, 200)).json().length,
        stored: await stored(id),
      };
    }
  });
  afterAll(async () => t.close());

  it('keeps every case inside its retention untouched (200)', async () => {
    // The feedback case closed 2025-03-03 10:00 Oslo (CET); six calendar months on is 2025-09-03
    // 10:00 Oslo (CEST), 08:00Z. A second before, it is still inside its retention.
    expect(await retention('2025-09-03T07:59:59Z')).toBe(0);
    for (const k of Object.keys(ids)) expect(await stored(ids[k as keyof typeof ids])).toBe(before[k]!.stored);
  });

  it("anonymises a case past its category's retention, and only that one (200)", async () => {
    expect(await retention('2025-09-03T08:00:00Z')).toBe(1);
    expect(await stored(ids.feedback)).not.toBe(before.feedback!.stored);
    for (const k of ['requester', 'external', 'leader', 'recent', 'open']) expect(await stored(ids[k as keyof typeof ids])).toBe(before[k]!.stored);
  });

  it('anonymises every case closed longer ago than 24 months, once (200)', async () => {
    expect(await retention('2027-03-04T00:00:00Z')).toBe(3);
    expect(await retention('2027-03-04T00:00:00Z')).toBe(0);
  });

  it.each(['requester', 'external', 'leader', 'feedback'] as const)('leaves no personal data in the %s case (200)', async (k) => {
    const text = await stored(ids[k]);
    for (const s of PERSONAL) expect({ k, leaked: text.includes(s) ? s : null }).toEqual({ k, leaked: null });
  });

  it('keeps the case, its status and its history for statistics (200)', async () => {
    const c = (await send('admin', 'GET', `/v1/cases/${ids.requester}`, undefined, 200)).json();
    expect(c).toMatchObject({
      status: 'CLOSED',
      categoryKey: 'salary',
      teamKey: 'payroll',
      subject: '[anonymised]',
      description: '[anonymised]',
      details: {},
      requester: { id: null, name: null, employeeNumber: null, external: null },
      concernsEmployee: null,
      filedBy: { id: '', role: 'requester' },
      anonymisedAt: '2027-03-04T00:00:00.000Z',
    });
    expect(c.attachments).toEqual([expect.objectContaining({ filename: '[anonymised]', size: 'PAYSLIP-CONTENTS'.length })]);

    const after = await history(ids.requester);
    expect(after).toHaveLength(before.requester!.history.length + 1);
    const statusTrail = (rows: typeof after) => rows.filter((r) => r.field === 'status').map((r) => `${r.from}→${r.to} by ${r.actor.role}`);
    expect(statusTrail(after)).toEqual(statusTrail(before.requester!.history));
    expect(statusTrail(after)).toEqual(['REGISTERED→IN_PROGRESS by operator', 'IN_PROGRESS→CLOSED by requester']);
    expect(after.map((r) => r.field)).toEqual([...before.requester!.history.map((r) => r.field), 'anonymised']);
    expect(after[after.length - 1]).toMatchObject({ field: 'anonymised', actor: { id: 'system', role: 'system' }, reason: 'retention' });
    // Staff stay who they were (assignee, operator actions); the requester does not.
    expect(after.filter((r) => r.actor.role === 'operator').every((r) => r.actor.id === 'kari')).toBe(true);
    expect(after.find((r) => r.field === 'assignee')?.to).toBe('kari');

    const messages = (await send('admin', 'GET', `/v1/cases/${ids.requester}/messages`, undefined, 200)).json();
    expect(messages).toHaveLength(before.requester!.messages);
    expect(new Set(messages.map((m: { body: string }) => m.body))).toEqual(new Set(['[anonymised]']));
  });

  it('still counts it: the reports are the same as before (200)', async () => {
    const [sla] = reportsBefore as [{ groups: Array<{ key: string; cases: number }> }];
    expect(sla.groups.find((g) => g.key === 'salary')?.cases).toBe(3);
    expect(await reports()).toEqual(reportsBefore);
  });

  it('still counts it: listed as CLOSED for admins (200)', async () => {
    const list = (await send('admin', 'GET', '/v1/cases?status=CLOSED&limit=100', undefined, 200)).json();
    const listed = list.items.map((c: { id: string }) => c.id);
    for (const k of ['requester', 'external', 'leader', 'feedback', 'recent'] as const) expect(listed).toContain(ids[k]);
  });

  it('records itself with an event per case (200)', async () => {
    const events = await t.app.db.outboxEvent.findMany({ where: { type: 'case.anonymised' }, orderBy: { position: 'asc' } });
    expect(events.map((e) => e.caseId).sort()).toEqual([ids.requester, ids.external, ids.leader, ids.feedback].sort());
    expect(events.find((e) => e.caseId === ids.feedback)!.payload).toMatchObject({
      status: 'CLOSED',
      actor: { id: 'system', role: 'system' },
      retentionMonths: 6,
      closedAt: '2025-03-03T09:00:00.000Z',
    });
  });

  it('takes the case from its requester: it is gone for them, the file too (404)', async () => {
    await send('ola', 'GET', `/v1/cases/${ids.requester}`, undefined, 404);
    const c = (await send('admin', 'GET', `/v1/cases/${ids.requester}`, undefined, 200)).json();
    await send('admin', 'GET', `/v1/cases/${ids.requester}/attachments/${c.attachments[0].id}`, undefined, 404);
  });

  it('cannot be reopened by anyone (404, 400)', async () => {
    await send('ola', 'POST', `/v1/cases/${ids.requester}/transitions`, { to: 'REOPENED_BY_USER' }, 404);
    await send('kari', 'POST', `/v1/cases/${ids.external}/transitions`, { to: 'REOPENED_BY_USER', onBehalfOfRequester: true }, 400);
  });

  it('leaves the case closed later and the open case as they were (200)', async () => {
    expect(await stored(ids.recent)).toBe(before.recent!.stored);
    expect(await stored(ids.open)).toBe(before.open!.stored);
  });

  it('anonymises each case once when instances sweep at the same time (200)', async () => {
    t.clock.set('2026-06-01T09:00:00Z');
    const batch: string[] = [];
    for (let i = 0; i < 6; i++) batch.push(await closedCase('requester', 'feedback'));
    const asOf = new Date('2027-01-01T00:00:00Z');
    const counts = await Promise.all([1, 2, 3].map(() => t.app.services.retention.run(asOf)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(batch.length);
    const marks = await t.app.db.caseHistory.groupBy({ by: ['caseId'], where: { caseId: { in: batch }, field: 'anonymised' }, _count: true });
    expect(marks.map((m) => m._count)).toEqual(batch.map(() => 1));
  });
});
