import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/* Accept: text/csv on GET /v1/cases and the reports (docs/csv.md). */

const MAX_ROWS = 1050;
const CSV = { accept: 'text/csv' };

/** An RFC 4180 reader, strict about CRLF record ends, for checking what the service wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (ch === '\r' || ch === '\n') throw new Error(`bare line break outside quotes at ${i}`);
    else field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) throw new Error('last record not ended by CRLF');
  return rows;
}

describe('CSV exports', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;
  let db: pg.Client;
  let opPayroll: Headers;
  let evil: Headers;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0', CSV_MAX_ROWS: String(MAX_ROWS) } });
    h = await headersFor(t);
    a = api(t);
    opPayroll = await t.auth({ sub: 'oda', roles: ['operator'], teams: ['payroll'] });
    evil = await t.auth({ sub: 'eve', name: '=cmd|" /C calc"!A0' });
    db = new pg.Client({ connectionString: t.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const file = async (who: Headers, body: Record<string, unknown>) => {
    const res = await a.post('/v1/cases', who, { categoryKey: 'general', description: 'd', ...body });
    expectStatus(res, 201);
    return res.json<{ id: string; number: string }>();
  };
  const csv = async (url: string, who: Headers) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { ...who, ...CSV } });
    expectStatus(res, 200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, ...rows] = parseCsv(res.rawPayload.subarray(3).toString('utf8'));
    return { header: header!, rows, records: rows.map((r) => Object.fromEntries(header!.map((k, i) => [k, r[i]!]))) };
  };

  it('quotes commas, quotes and line breaks and defuses formula cells, after a BOM and a header row', async () => {
    const subjects = [
      '=HYPERLINK("http://evil.example","click")',
      'Pay, "holiday" and more\r\nsecond line',
      '+47 1234',
      '-2 days',
      '@SUM(A1:A2)',
      'plain',
    ];
    for (const subject of subjects) await file(evil, { subject });
    const { header, records } = await csv('/v1/cases', evil);
    expect(header.slice(0, 3)).toEqual(['number', 'id', 'status']);
    expect(records).toHaveLength(subjects.length);
    const got = records.map((r) => r.subject).sort();
    const want = subjects.map((s) => (/^[=+\-@]/.test(s) ? `'${s}` : s)).sort();
    expect(got).toEqual(want);
    expect(new Set(records.map((r) => r.requesterName))).toEqual(new Set([`'=cmd|" /C calc"!A0`]));
    // Raw bytes: the quote-doubling and the CRLF inside a quoted field are as RFC 4180 writes them.
    const raw = (await t.app.inject({ method: 'GET', url: '/v1/cases', headers: { ...evil, ...CSV } })).body;
    expect(raw).toContain('"Pay, ""holiday"" and more\r\nsecond line"');
    expect(raw).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });

  it('respects visibility and filters, and logs each sensitive case as read', async () => {
    const own = await file(h.requester, { subject: 'csv mine' });
    const sick = await file(h.requester, { subject: 'csv sick', categoryKey: 'sickness', details: { from: '2025-03-01' } });
    const others = await file(h.otherRequester, { subject: 'csv theirs' });

    const mine = (await csv('/v1/cases', h.requester)).records.map((r) => r.id);
    expect(mine.sort()).toEqual([own.id, sick.id].sort());
    const payroll = (await csv('/v1/cases?q=csv', opPayroll)).records.map((r) => r.id);
    expect(payroll.sort()).toEqual([own.id, others.id].sort());
    const filtered = (await csv('/v1/cases?category=sickness', h.admin)).records.map((r) => r.id);
    expect(filtered).toEqual([sick.id]);
    const log = await db.query<{ actor_id: string; endpoint: string }>('SELECT actor_id, endpoint FROM access_log WHERE case_id = $1', [sick.id]);
    expect(log.rows).toEqual(
      expect.arrayContaining([
        { actor_id: 'ola', endpoint: 'GET /v1/cases' },
        { actor_id: 'root', endpoint: 'GET /v1/cases' },
      ]),
    );
    // JSON stays the default, and a bad cursor is still a problem, not half a CSV.
    expect((await a.get('/v1/cases', h.requester)).headers['content-type']).toContain('application/json');
    const bad = await t.app.inject({ method: 'GET', url: '/v1/cases?cursor=nonsense', headers: { ...h.requester, ...CSV } });
    expectStatus(bad, 400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });

  it('streams every page, in list order, up to CSV_MAX_ROWS', async () => {
    const template = await file(h.requester, { subject: 'bulk template', categoryKey: 'leave' });
    await db.query(
      `INSERT INTO "case" (id, number, status, status_changed_at, category_key, team_key, subject, description, details, channel,
                           requester_id, filed_by_id, filed_by_role, version, created_at, updated_at)
       SELECT gen_random_uuid(), 'BULK-' || g, 'REGISTERED', c.created_at, c.category_key, c.team_key, 'bulk ' || g, 'd', '{}', c.channel,
              c.requester_id, c.filed_by_id, c.filed_by_role, 1, c.created_at - g * interval '1 second', c.updated_at
         FROM "case" c, generate_series(1, 1199) g WHERE c.id = $1`,
      [template.id],
    );
    const { records } = await csv('/v1/cases?category=leave', h.admin);
    expect(records).toHaveLength(MAX_ROWS);
    expect(records[0]!.id).toBe(template.id);
    expect(records.slice(1, 4).map((r) => r.subject)).toEqual(['bulk 1', 'bulk 2', 'bulk 3']);
    expect(records.at(-1)!.subject).toBe(`bulk ${MAX_ROWS - 1}`);
    expect(new Set(records.map((r) => r.id)).size).toBe(MAX_ROWS);
    // JSON pages are untouched by the export: 25 by default.
    expect((await a.get('/v1/cases?category=leave', h.admin)).json().items).toHaveLength(25);
  });

  it('answers the reports as CSV too', async () => {
    const range = `from=${encodeURIComponent('2025-01-01T00:00:00Z')}&to=${encodeURIComponent('2026-01-01T00:00:00Z')}`;
    const sla = await csv(`/v1/reports/sla?${range}&groupBy=team`, h.admin);
    expect(sla.header).toEqual(expect.arrayContaining(['from', 'to', 'groupBy', 'key', 'cases', 'met', 'breached', 'resolutionP90Hours']));
    const json = (await a.get(`/v1/reports/sla?${range}&groupBy=team`, h.admin)).json<{ groups: Array<{ key: string; cases: number }> }>();
    expect(sla.records.map((r) => [r.key, Number(r.cases)])).toEqual(json.groups.map((g) => [g.key, g.cases]));
    const tis = await csv(`/v1/reports/time-in-status?${range}&groupBy=team`, h.admin);
    expect(tis.header).toEqual([
      'from',
      'to',
      'groupBy',
      'key',
      'status',
      'stints',
      'current',
      'medianHours',
      'p90Hours',
      'medianWorkingHours',
      'p90WorkingHours',
    ]);
    // Operators get their own teams' rows only, as in JSON; requesters none at all (403).
    expectStatus(await t.app.inject({ method: 'GET', url: `/v1/reports/sla?${range}`, headers: { ...h.requester, ...CSV } }), 403);
  });
});
