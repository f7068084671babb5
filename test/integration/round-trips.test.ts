import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';

/**
 * One round trip per command (#17, docs/decisions/one-statement-writes.md): the statements the
 * service sends to PostgreSQL per request, counted on the wire (pg.Client#query), and the races
 * the optimistic write path must get right.
 */

/** Every statement any pg client of this process sends while `recording` is on. */
let recording = false;
let recorded: string[] = [];
const originalQuery = pg.Client.prototype.query;
beforeAll(() => {
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (recording) {
      const c = args[0] as string | { text?: string };
      recorded.push(
        String(typeof c === 'string' ? c : c?.text)
          .replace(/\s+/g, ' ')
          .slice(0, 4000),
      );
    }
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
});
afterAll(() => {
  pg.Client.prototype.query = originalQuery;
});

/** The statements `fn` makes the service send. */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  recorded = [];
  recording = true;
  try {
    await fn();
  } finally {
    recording = false;
  }
  return recorded;
}

let t: TestApp;
let h: Record<Person, Headers>;
beforeAll(async () => {
  t = await createTestApp();
  h = await headersFor(t);
});
afterAll(async () => t.close());

async function fileCase(): Promise<{ id: string; version: number }> {
  const r = await api(t).post('/v1/cases', h.requester, { categoryKey: 'general', subject: 'round trips', description: 'd' });
  expectStatus(r, 201);
  return r.json();
}

async function move(id: string, to: string, extra: Record<string, unknown> = {}, headers: Headers = h.operator) {
  return api(t).post(`/v1/cases/${id}/transitions`, headers, { to, ...extra });
}

describe('statements per request', () => {
  let id: string;
  beforeAll(async () => {
    // Warm the short-lived caches (windows, calendar, category) the way a running service has them.
    id = (await fileCase()).id;
    expectStatus(await move(id, 'IN_PROGRESS', { assigneeId: 'kari' }), 200);
    expectStatus(await api(t).get(`/v1/cases/${id}`, h.operator), 200);
    // And the copy of the categories' facts that list pages use (docs/decisions/category-facts.md).
    expectStatus(await api(t).get('/v1/cases?limit=1', h.operator), 200);
  });

  it('files a case with one statement', async () => {
    const s = await statementsOf(async () => fileCase());
    expect(s).toHaveLength(1);
    expect(s[0]).toMatch(/case_number_next/);
  });

  it('moves a case with a read and one write (≤ 3), the reply included', async () => {
    const s = await statementsOf(async () => expectStatus(await move(id, 'WAITING_FOR_USER', { reply: 'Send the form, please.' }), 200));
    expect(s.length).toBeLessThanOrEqual(3);
    expect(s).toHaveLength(2);
    expect(s[1]).toMatch(/INSERT INTO case_message/);
    expect(s[1]).toMatch(/INSERT INTO case_timer/);
  });

  it('stores a message with a read and one write, the requester address included', async () => {
    const s = await statementsOf(async () => expectStatus(await api(t).post(`/v1/cases/${id}/messages`, h.requester, { body: 'Here it is.' }), 201));
    expect(s).toHaveLength(2);
  });

  it('edits a case (subject and cc) with a read and one write', async () => {
    const s = await statementsOf(async () =>
      expectStatus(await api(t).patch(`/v1/cases/${id}`, h.operator, { subject: 'renamed', cc: ['boss@example.org'] }), 200),
    );
    expect(s).toHaveLength(2);
    const c = (await api(t).get(`/v1/cases/${id}`, h.operator)).json<{ subject: string; version: number }>();
    expect(c.subject).toBe('renamed');
  });

  it('a cc-only edit makes no new version', async () => {
    const before = (await api(t).get(`/v1/cases/${id}`, h.operator)).json<{ version: number }>();
    expectStatus(await api(t).patch(`/v1/cases/${id}`, h.operator, { cc: ['other@example.org'] }), 200);
    const after = (await api(t).get(`/v1/cases/${id}`, h.operator)).json<{ version: number }>();
    expect(after.version).toBe(before.version);
  });

  it('reads a case and a list page with one statement each, SLA included', async () => {
    const one = await statementsOf(async () => {
      const r = await api(t).get(`/v1/cases/${id}`, h.operator);
      expectStatus(r, 200);
      expect(r.json<{ sla: { firstResponseDueAt: string } }>().sla.firstResponseDueAt).toEqual(expect.any(String));
    });
    expect(one).toHaveLength(1);
    const page = await statementsOf(async () => {
      const r = await api(t).get('/v1/cases?limit=10', h.operator);
      expectStatus(r, 200);
      expect(r.json<{ items: unknown[] }>().items.length).toBeGreaterThan(1);
    });
    expect(page).toHaveLength(1);
  });

  it("reads the categories' facts again only after a category changed, once however many pages want them", async () => {
    const page = () =>
      statementsOf(async () => {
        const r = await api(t).get('/v1/cases?limit=10', h.operator);
        expectStatus(r, 200);
        expect(r.json<{ items: unknown[] }>().items.length).toBeGreaterThan(1);
      });
    expect(await page()).toHaveLength(1);
    await t.app.pool.query(`UPDATE category SET sort_order = sort_order + 1 WHERE key = 'general'`);
    const pages = await statementsOf(async () => {
      const rs = await Promise.all(Array.from({ length: 8 }, () => api(t).get('/v1/cases?limit=10', h.operator)));
      for (const r of rs) expectStatus(r, 200);
    });
    expect(pages.filter((s) => s.includes('FROM category_epoch e'))).toHaveLength(1);
    expect(pages).toHaveLength(9);
    expect(await page()).toHaveLength(1);
  });

  it("a search: the words' statistics and the page the first time, the page alone when repeated (docs/search.md, Repeats)", async () => {
    const search = (q: string) =>
      statementsOf(async () => {
        const r = await api(t).get(`/v1/cases?q=${encodeURIComponent(q)}`, h.operator);
        expectStatus(r, 200);
      });
    for (const q of ['roundtripword', 'roundtripword prefi']) {
      const first = await search(q);
      expect(first).toHaveLength(2);
      expect(first[0]).toMatch(/WITH stems AS/);
      expect(await search(q)).toHaveLength(1);
    }
  });

  it('a refused change writes nothing: one statement, the read', async () => {
    const s = await statementsOf(async () => expect((await move(id, 'REGISTERED')).statusCode).toBe(409));
    expect(s).toHaveLength(1);
  });
});

describe('races of the optimistic write', () => {
  let db: pg.Client;
  let second: TestApp;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: t.url });
    await db.connect();
    // A second instance on the same database: its per-case queue does not order this one's changes.
    second = await createTestApp({ databaseUrl: t.url, clock: t.clock });
  });
  afterAll(async () => {
    await second.close();
    await db.end();
  });

  /** Waits until some backend waits for a lock (a request's write statement blocked by `db`). */
  async function someoneWaits(count = 1): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`);
      if (r.rows[0]!.n >= count) return;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('no request came to wait for the lock');
  }

  it('a window added between the read and the write makes the write decide again, and see it (409 status-suspended)', async () => {
    const { id } = await fileCase();
    expectStatus(await move(id, 'IN_PROGRESS', { assigneeId: 'kari' }), 200);
    const before = (await api(t).get(`/v1/cases/${id}`, h.operator)).json<{ version: number }>();
    // A window edit in flight, as WindowService makes it: the epoch first, then the window.
    await db.query('BEGIN');
    await db.query('UPDATE window_epoch SET epoch = epoch + 1 WHERE id = 1');
    await db.query(`INSERT INTO suspension_window (id, from_date, to_date, reason) VALUES (gen_random_uuid(), '2025-03-01', '2025-03-31', 'race')`);
    const pending = move(id, 'WAITING_FOR_USER', { reply: 'Please send the form.' });
    try {
      await someoneWaits();
    } finally {
      await db.query('COMMIT');
    }
    const r = await pending;
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'status-suspended' });
    const after = (await api(t).get(`/v1/cases/${id}`, h.operator)).json<{ version: number; status: string }>();
    expect(after).toMatchObject({ version: before.version, status: 'IN_PROGRESS' });
    const messages = (await api(t).get(`/v1/cases/${id}/messages`, h.operator)).json<unknown[]>();
    expect(messages).toHaveLength(0);
    await db.query(`BEGIN; UPDATE window_epoch SET epoch = epoch + 1; DELETE FROM suspension_window WHERE reason = 'race'; COMMIT`);
  });

  /** Holds the case's row lock while both requests read it, so both decide on the same version. */
  async function race(id: string, a: () => Promise<{ statusCode: number }>, b: () => Promise<{ statusCode: number }>) {
    await db.query('BEGIN');
    await db.query(`SELECT 1 FROM "case" WHERE id = $1 FOR UPDATE`, [id]);
    const both = Promise.all([a(), b()]);
    try {
      await someoneWaits(2);
    } finally {
      await db.query('COMMIT');
    }
    return both;
  }

  it('two concurrent transitions without If-Match both apply, one after the other', async () => {
    const { id } = await fileCase();
    expectStatus(await move(id, 'IN_PROGRESS', { assigneeId: 'kari' }), 200);
    const v = (await api(t).get(`/v1/cases/${id}`, h.operator)).json<{ version: number }>().version;
    const [x, y] = await race(
      id,
      () => move(id, 'ON_HOLD'),
      () => api(second).post(`/v1/cases/${id}/transitions`, h.operator, { to: 'WAITING_FOR_USER', reply: 'Please answer.' }),
    );
    expect([x.statusCode, y.statusCode]).toEqual([200, 200]);
    const versions = [x, y].map((r) => (r as unknown as { json: () => { version: number } }).json().version).sort();
    expect(versions).toEqual([v + 1, v + 2]);
    const history = (await api(t).get(`/v1/cases/${id}/history`, h.operator)).json<Array<{ field: string; from: string; to: string }>>();
    const moves = history.filter((r) => r.field === 'status').slice(-2);
    // In order: the second move starts where the first left the case.
    expect(moves[0]!.from).toBe('IN_PROGRESS');
    expect(moves[1]!.from).toBe(moves[0]!.to);
    const final = (await api(t).get(`/v1/cases/${id}`, h.operator)).json<{ status: string; version: number }>();
    expect(final).toMatchObject({ status: moves[1]!.to, version: v + 2 });
  });

  it('two concurrent transitions with the same If-Match: one applies, the other gets 412', async () => {
    const { id } = await fileCase();
    expectStatus(await move(id, 'IN_PROGRESS', { assigneeId: 'kari' }), 200);
    const v = (await api(t).get(`/v1/cases/${id}`, h.operator)).json<{ version: number }>().version;
    const ifMatch = { ...h.operator, 'if-match': `"${v}"` };
    const [x, y] = await race(
      id,
      () => move(id, 'ON_HOLD', {}, ifMatch),
      () => api(second).post(`/v1/cases/${id}/transitions`, ifMatch, { to: 'WAITING_FOR_USER', reply: 'Please answer.' }),
    );
    expect([x.statusCode, y.statusCode].sort()).toEqual([200, 412]);
    const final = (await api(t).get(`/v1/cases/${id}`, h.operator)).json<{ version: number }>();
    expect(final.version).toBe(v + 1);
  });
});
