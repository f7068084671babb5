import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, caseIn, DbProbe, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import type { Query } from '../../src/db/query';
import { listCases } from '../../src/repositories/case-list';
import { CategoryFactsCopy } from '../../src/services/category-facts';
import { caseListFilter } from '../../src/services/case-views';
import { eventually } from '../helpers/eventually';

/*
 * Issue #12 item 8: one caller must not starve the others. Each test asserts the mechanism (a
 * statement cancelled by its timeout, an index the plan uses, a refusal over a limit, scrapes
 * that do not query), never how long something took.
 */

/** A second connection holding a lock until released: whatever waits on it waits without end. */
async function holdLock(url: string, sql: string, params: unknown[] = []): Promise<{ release(): Promise<void> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('BEGIN');
  await c.query(sql, params);
  return {
    release: async () => {
      await c.query('ROLLBACK');
      await c.end();
    },
  };
}

/** Sessions of this database waiting for a lock (the requests stuck behind holdLock). */
async function waitingOnLocks(db: DbProbe): Promise<number> {
  const [r] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return r?.n ?? 0;
}

describe('statement timeout', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let db: DbProbe;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0', DB_STATEMENT_TIMEOUT_MS: '300', DB_REPORT_STATEMENT_TIMEOUT_MS: '400' } });
    h = await headersFor(t);
    db = await new DbProbe(t.url).open();
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  it('bounds every statement on the pool (DB_STATEMENT_TIMEOUT_MS)', async () => {
    const { rows } = await t.app.pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(rows[0]!.statement_timeout).toBe('300ms');
  });

  it('cancels a request whose statement waits past the timeout and answers a retryable problem (503)', async () => {
    const { id } = await caseIn(t, h, 'ASSIGNED');
    const lock = await holdLock(t.url, 'SELECT 1 FROM "case" WHERE id = $1 FOR UPDATE', [id]);
    try {
      const res = await api(t).patch(`/v1/cases/${id}`, h.operator, { subject: 'New subject' });
      expectStatus(res, 503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json()).toMatchObject({ code: 'service-unavailable', reason: 'statement-timeout' });
    } finally {
      await lock.release();
    }
    expectStatus(await api(t).patch(`/v1/cases/${id}`, h.operator, { subject: 'New subject' }), 200);
  });

  it('gives reports their own timeout, and cancels one past it (503)', async () => {
    const lock = await holdLock(t.url, 'LOCK TABLE case_sla IN ACCESS EXCLUSIVE MODE');
    try {
      const res = await api(t).get('/v1/reports/sla?from=2025-01-01T00:00:00Z&to=2025-12-31T00:00:00Z', h.admin);
      expectStatus(res, 503);
      expect(res.json()).toMatchObject({ code: 'service-unavailable', reason: 'statement-timeout' });
    } finally {
      await lock.release();
    }
  });
});

describe('search indexes', () => {
  let t: TestApp;
  let db: DbProbe;

  beforeAll(async () => {
    t = await createTestApp();
    db = await new DbProbe(t.url).open();
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  it('has a GIN index on each search vector of case (migration 20261201190100_case_search)', async () => {
    const rows = await db.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'case' AND indexname LIKE 'case_search_%' ORDER BY indexname",
    );
    expect(rows.map((r) => r.indexname)).toEqual(['case_search_fields_idx', 'case_search_internal_idx', 'case_search_messages_idx']);
    for (const r of rows) expect(r.indexdef).toMatch(/USING gin \(search_(fields|messages|internal)\)/);
  });

  it("serves the list's search clause from them (EXPLAIN of the statement listCases runs)", async () => {
    // On a near-empty test table a sequential scan is cheapest; forbidding it shows whether the
    // indexes can serve the statement at all.
    const filter = caseListFilter(
      { kind: 'own-or-open', principalId: 'kari', teams: ['service'] },
      { q: 'feriepenger juni' },
      { id: 'kari', staff: true },
      {
        internal: true,
        notPersonId: 'kari',
        teams: ['service'],
      },
    );
    // The statement as listCases sends it, then explained.
    let statement: { text: string; params: unknown[] } | undefined;
    const capture: Query = async <T>(text: string, params: unknown[] = []) => {
      statement = { text, params };
      return [] as T[];
    };
    // (The capture answers no rows, so the copy of the categories' facts is never read.)
    await listCases(capture, filter, new CategoryFactsCopy(capture));
    await db.query('BEGIN');
    try {
      await db.query('SET LOCAL enable_seqscan = off');
      // Nor reading the list's index newest first (the plan of a common word, docs/search.md).
      await db.query('SET LOCAL enable_indexscan = off');
      const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement!.text}`, statement!.params);
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      for (const index of ['case_search_fields_idx', 'case_search_messages_idx', 'case_search_internal_idx']) expect(text).toContain(index);
    } finally {
      await db.query('ROLLBACK');
    }
  });
});

describe('report period bound', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
  });
  afterAll(async () => t.close());

  it.each(['/v1/reports/sla', '/v1/reports/time-in-status'])(
    '%s refuses a period over REPORT_MAX_DAYS (400) and accepts one at it (200)',
    async (path) => {
      const over = await api(t).get(`${path}?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:01Z`, h.admin);
      expectStatus(over, 400);
      expect(over.json()).toMatchObject({ code: 'validation-failed', errors: [expect.objectContaining({ path: '/to' })] });
      expectStatus(await api(t).get(`${path}?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`, h.admin), 200);
    },
  );
});

describe('expensive requests per identity', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let db: DbProbe;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0', EXPENSIVE_CONCURRENCY_PER_IDENTITY: '2', DB_STATEMENT_TIMEOUT_MS: '60000' } });
    h = await headersFor(t);
    db = await new DbProbe(t.url).open();
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  it('refuses a third search or report in flight from one identity (429), not another identity’s, nor cheap lists', async () => {
    await caseIn(t, h, 'REGISTERED');
    const a = api(t);
    const lock = await holdLock(t.url, 'LOCK TABLE "case" IN ACCESS EXCLUSIVE MODE');
    let inFlight: Array<Promise<{ statusCode: number }>> = [];
    try {
      inFlight = [a.get('/v1/cases?q=overtime', h.operator), a.get('/v1/cases?q=payslip', h.operator)];
      await eventually('two searches waiting on the lock', async () => (await waitingOnLocks(db)) >= 2, 10_000);

      const third = await a.get('/v1/cases?q=third', h.operator);
      expectStatus(third, 429);
      expect(third.headers['retry-after']).toBeDefined();
      expect(third.json()).toMatchObject({ code: 'rate-limited', limit: 2 });
      // Reports count against the same limit.
      expectStatus(await a.get('/v1/reports/sla?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z', h.operator), 429);

      // Another identity has its own allowance: its search is admitted (and waits on the lock too).
      inFlight.push(a.get('/v1/cases?q=overtime', h.operator2));
      await eventually("the other operator's search waiting on the lock", async () => (await waitingOnLocks(db)) >= 3, 10_000);
      // A list without q is not an expensive request.
      inFlight.push(a.get('/v1/cases?status=REGISTERED', h.operator));
      await eventually('the plain list waiting on the lock', async () => (await waitingOnLocks(db)) >= 4, 10_000);
    } finally {
      await lock.release();
    }
    expect((await Promise.all(inFlight)).map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(t.app.expensiveRequests.count('kari')).toBe(0);
    expectStatus(await a.get('/v1/cases?q=again', h.operator), 200);
  });
});

describe('/metrics gauges', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The loop off, so no refresh of its own runs while the test counts statements.
    t = await createTestApp({ config: { METRICS_REFRESH_MS: '0' } });
  });
  afterAll(async () => t.close());

  it('answers scrapes from the last refresh without querying the database; a refresh reads each gauge once, the archive only in its turn', async () => {
    const seen: string[] = [];
    const pool = t.app.pool;
    const original = pool.query.bind(pool);
    (pool as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
      seen.push(typeof text === 'string' ? text : String((text as { text?: string })?.text));
      return (original as (...a: unknown[]) => unknown)(text, ...rest);
    };
    try {
      for (let i = 0; i < 16; i++) expectStatus(await t.app.inject({ method: 'GET', url: '/metrics' }), 200);
      expect(seen).toEqual([]);

      // A full refresh: the open cases and the archive (COMPLETED, CLOSED) of saksflyt_cases, and
      // each other gauge once.
      await t.app.refreshMetrics!();
      expect(seen.filter((s) => /FROM "case"/.test(s))).toHaveLength(2);
      expect(seen).toHaveLength(6);
      // A loop refresh before the archive's turn (METRICS_ARCHIVE_REFRESH_MS): no count over the archive.
      seen.length = 0;
      await t.app.refreshMetrics!({ archive: false });
      expect(seen.filter((s) => /FROM "case"/.test(s))).toEqual([expect.stringMatching(/NOT IN \('COMPLETED', 'CLOSED'\)/)]);
      expect(seen).toHaveLength(5);
    } finally {
      (pool as { query: unknown }).query = original;
    }
  });
});

describe('attachment quotas and content checks', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let db: DbProbe;

  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
  const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\n');

  function multipart(filename: string, contentType: string, data: Buffer): { payload: Buffer; headers: Headers } {
    const boundary = `----limits${Math.random().toString(16).slice(2)}`;
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
        'utf8',
      ),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
  }
  const upload = (id: string, who: Headers, filename: string, type: string, data: Buffer) => {
    const m = multipart(filename, type, data);
    return t.app.inject({ method: 'POST', url: `/v1/cases/${id}/attachments`, headers: { ...who, ...m.headers }, payload: m.payload });
  };
  const stored = async (id: string) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM attachment WHERE case_id = $1', [id]))[0]!.n;

  beforeAll(async () => {
    t = await createTestApp({
      config: {
        RATE_LIMIT_MAX: '0',
        ATTACHMENTS_PER_CASE: '3',
        ATTACHMENT_BYTES_PER_CASE: '1000',
        ATTACHMENT_MAX_BYTES: '800',
        ATTACHMENT_UPLOADS_PER_HOUR: '8',
      },
    });
    h = await headersFor(t);
    db = await new DbProbe(t.url).open();
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  it('refuses a file over the per-case count and stores nothing (413 attachments-per-case)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    for (let i = 0; i < 3; i++) expectStatus(await upload(id, h.operator, `n${i}.txt`, 'text/plain', Buffer.from('x')), 201);
    const res = await upload(id, h.operator, 'n3.txt', 'text/plain', Buffer.from('x'));
    expectStatus(res, 413);
    expect(res.json()).toMatchObject({ code: 'payload-too-large', quota: 'attachments-per-case', limit: 3 });
    expect(await stored(id)).toBe(3);
  });

  it('refuses a file over the per-case bytes and stores nothing (413 attachment-bytes-per-case)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    expectStatus(await upload(id, h.operator2, 'a.txt', 'text/plain', Buffer.alloc(600, 'a')), 201);
    const res = await upload(id, h.operator2, 'b.txt', 'text/plain', Buffer.alloc(401, 'b'));
    expectStatus(res, 413);
    expect(res.json()).toMatchObject({ code: 'payload-too-large', quota: 'attachment-bytes-per-case', limit: 1000 });
    expectStatus(await upload(id, h.operator2, 'c.txt', 'text/plain', Buffer.alloc(400, 'c')), 201);
    expect(await stored(id)).toBe(2);
  });

  it('refuses a type whose bytes do not match it (415) and accepts matching files (201)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    const other = await caseIn(t, h, 'IN_PROGRESS');
    for (const [type, data] of [
      ['image/png', Buffer.from('not a picture')],
      ['application/pdf', PNG],
      ['text/plain', PNG],
      ['text/plain', Buffer.from([0x68, 0x69, 0x00, 0x01])],
      ['image/jpeg', Buffer.from('MZ\x90\x00')],
    ] as const) {
      const res = await upload(id, h.admin, 'f', type, data);
      expectStatus(res, 415);
      expect(res.json().code).toBe('unsupported-media-type');
    }
    expect(await stored(id)).toBe(0);
    expectStatus(await upload(id, h.admin, 'p.png', 'image/png', PNG), 201);
    expectStatus(await upload(id, h.admin, 'j.jpg', 'image/jpeg', JPEG), 201);
    expectStatus(await upload(other.id, h.admin, 'd.pdf', 'application/pdf', PDF), 201);
  });

  it('cleans bidi and control characters out of filenames (201)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    const res = await upload(id, h.operator2, 'invoice\u202egnp.pdf', 'application/pdf', PDF);
    expectStatus(res, 201);
    expect(res.json().filename).toBe('invoicegnp.pdf');
    const res2 = await upload(id, h.operator2, '\u2066a\u200fb\u0007c\u2069.txt', 'text/plain', Buffer.from('hello'));
    expectStatus(res2, 201);
    expect(res2.json().filename).toBe('abc.txt');
  });

  it('limits uploads per identity per hour on their own budget (429)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    const other = await caseIn(t, h, 'IN_PROGRESS');
    const sven = await t.auth({ sub: 'sven', roles: ['operator'], teams: ['service'] });
    let last = await upload(id, sven, 'x.txt', 'text/plain', Buffer.from('x'));
    let accepted = 0;
    // ATTACHMENT_UPLOADS_PER_HOUR=8; spread over two cases so the per-case quota is not what stops it.
    for (let i = 0; i < 12 && last.statusCode !== 429; i++) {
      if (last.statusCode === 201) accepted++;
      last = await upload(i % 2 ? id : other.id, sven, 'x.txt', 'text/plain', Buffer.from('x'));
    }
    expectStatus(last, 429);
    expect(last.headers['retry-after']).toBeDefined();
    expect(last.json().code).toBe('rate-limited');
    expect(accepted).toBeLessThanOrEqual(8);
    // Someone else still uploads.
    const third = await caseIn(t, h, 'IN_PROGRESS');
    expectStatus(await upload(third.id, h.requester, 'y.txt', 'text/plain', Buffer.from('y')), 201);
  });
});

describe('upload budget alongside the general rate limit', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;

  beforeAll(async () => {
    // RATE_LIMIT_MAX on (its default): the limiter is registered at the root and the upload route
    // overrides its budget, rather than registering a limiter of its own.
    t = await createTestApp({ config: { ATTACHMENT_UPLOADS_PER_HOUR: '2' } });
    h = await headersFor(t);
  });
  afterAll(async () => t.close());

  it('refuses the upload past ATTACHMENT_UPLOADS_PER_HOUR while other routes keep the general limit (429, 200)', async () => {
    const { id } = await caseIn(t, h, 'IN_PROGRESS');
    const boundary = 'b0undary';
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: `/v1/cases/${id}/attachments`,
        headers: { ...h.operator, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`,
      });
    expectStatus(await send(), 201);
    expectStatus(await send(), 201);
    const third = await send();
    expectStatus(third, 429);
    expect(third.headers['retry-after']).toBeDefined();
    expectStatus(await api(t).get(`/v1/cases/${id}`, h.operator), 200);
  });
});
