import pg from 'pg';
import { createTestApp, type TestApp, type Who } from '../helpers/app';
import { api, expectStatus, type Headers } from '../helpers/cases';
import { pgQuery } from '../../src/db/query';
import { parseSearch } from '../../src/domain/search';
import { listCases } from '../../src/repositories/case-list';
import { CategoryFactsCopy } from '../../src/services/category-facts';
import { clearWordSharesCache, RANKED_NEWEST } from '../../src/repositories/case-search';
import { onRealServer } from '../helpers/db';
import { eventually } from '../helpers/eventually';

/* Search (GET /v1/cases?q=, docs/search.md): what it finds, for whom, in which order, and hostile input. */

interface Item {
  id: string;
  number: string;
  subject: string;
  match?: { snippet: string; fields: string[] };
}

const OLA: Who = { sub: 'ola@ntnu.no', name: 'Ola Nordmann', employeeNumber: '424242' };
const NILS: Who = { sub: 'nils@ntnu.no', name: 'Nils Annen', employeeNumber: '515151' };
const LENA: Who = { sub: 'lena@ntnu.no', roles: ['leader'], name: 'Lena Leder' };
const KARI: Who = { sub: 'kari', roles: ['operator'], teams: ['service'], name: 'Kari Saksbehandler' };
const ABSENCE_OP: Who = { sub: 'siri', roles: ['operator'], teams: ['absence'], name: 'Siri Fravær' };
const ADMIN: Who = { sub: 'root', roles: ['admin'], name: 'Admin' };

describe('GET /v1/cases?q= (search)', () => {
  let t: TestApp;
  let a: ReturnType<typeof api>;
  const h: Record<string, Headers> = {};
  const ids: Record<string, string> = {};
  const numbers: Record<string, string> = {};

  const file = async (name: string, who: Headers, body: Record<string, unknown>) => {
    t.clock.advance(3_600_000);
    const res = await a.post('/v1/cases', who, body);
    expectStatus(res, 201);
    ids[name] = res.json().id;
    numbers[name] = res.json().number;
  };

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    a = api(t);
    for (const [k, who] of Object.entries({ OLA, NILS, LENA, KARI, ABSENCE_OP, ADMIN })) h[k] = await t.auth(who);
    t.clock.set('2026-03-02T08:00:00Z');
    await file('holiday', h.OLA!, {
      categoryKey: 'vacation',
      subject: 'Spørsmål om ferie',
      description: 'Feriepengene mine ble ikke utbetalt i juni. Kan dere sjekke?',
    });
    await file('english', h.NILS!, {
      categoryKey: 'general',
      subject: 'Travel reimbursement',
      description: 'My travelling expenses were never reimbursed « quoted » text.',
    });
    await file('sick', h.OLA!, { categoryKey: 'sickness', subject: 'Sykmelding', description: 'Ryggsmerter og sykmelding fra legen' });
    await file('leader', h.LENA!, {
      categoryKey: 'employment',
      subject: 'Endring av stilling',
      description: 'Ny stillingsprosent fra mai',
      concernsEmployee: { id: 'trond@ntnu.no', name: 'Trond Ansatt', employeeNumber: '777001' },
    });
    // Ranking: "feriepenger" in the subject of one, only once in the description of another.
    await file('rankTop', h.NILS!, { categoryKey: 'vacation', subject: 'Feriepenger feriepenger', description: 'Feriepenger igjen' });
    await file('rankLow', h.NILS!, {
      categoryKey: 'general',
      subject: 'Annet',
      description: 'Noe om lønn, og kanskje feriepenger, og mye mer tekst her',
    });
    // Messages: a public reply and an internal note on Ola's holiday case.
    expectStatus(
      await a.post(`/v1/cases/${ids.holiday}/messages`, h.KARI!, { body: 'Vi har sendt saken til lønnsavdelingen', visibility: 'public' }),
      201,
    );
    expectStatus(
      await a.post(`/v1/cases/${ids.holiday}/messages`, h.KARI!, {
        body: 'Intern merknad: kontonummeret mangler i registeret',
        visibility: 'internal',
      }),
      201,
    );
  });
  afterAll(async () => t.close());

  const search = async (q: string, who: Headers, extra = ''): Promise<Item[]> => {
    const res = await a.get(`/v1/cases?q=${encodeURIComponent(q)}${extra}`, who);
    expectStatus(res, 200);
    return res.json<{ items: Item[] }>().items;
  };
  const found = async (q: string, who: Headers, extra = '') =>
    (await search(q, who, extra)).map((i) => Object.keys(ids).find((k) => ids[k] === i.id) ?? i.id);

  it('stems Norwegian: feriepenger finds feriepengene', async () => {
    expect(await found('feriepenger', h.ADMIN!)).toContain('holiday');
  });

  it('stems English: reimburse finds reimbursed, travel finds travelling', async () => {
    expect(await found('reimburse travel', h.ADMIN!)).toEqual(['english']);
  });

  it('matches the last word as a prefix', async () => {
    expect(await found('utbeta', h.ADMIN!)).toEqual(['holiday']);
    // A complete word (followed by a space) is not a prefix.
    expect(await found('utbeta ', h.ADMIN!)).toEqual([]);
    // The prefix after a whole word; one or two characters are a whole word, not a prefix.
    expect(await found('feriepengene utb', h.ADMIN!)).toEqual(['holiday']);
    expect(await found('feriepengene ut', h.ADMIN!)).toEqual([]);
    // A prefix that starts no word finds nothing (and no 5xx), a case number still.
    expect(await found('qqqzzz', h.ADMIN!)).toEqual([]);
    expect(await found(`${numbers.holiday!} qqqzzz`, h.ADMIN!)).toEqual(['holiday']);
  });

  it('finds a case by its number, also written short', async () => {
    expect(await found(numbers.leader!, h.ADMIN!)).toEqual(['leader']);
    const [year, seq] = numbers.leader!.split('-');
    const items = await search(`${year}-${Number(seq)}`, h.ADMIN!);
    expect(items.map((i) => i.id)).toEqual([ids.leader]);
    expect(items[0]!.match!.fields).toContain('number');
  });

  it("finds by the requester's and the concerned employee's employee number, name and Feide id", async () => {
    expect(await found('424242', h.ADMIN!)).toEqual(expect.arrayContaining(['holiday', 'sick']));
    expect(await found('ola@ntnu.no', h.ADMIN!)).toEqual(expect.arrayContaining(['holiday', 'sick']));
    expect(await found('Nordmann', h.ADMIN!)).toEqual(expect.arrayContaining(['holiday', 'sick']));
    const byConcerned = await search('777001', h.ADMIN!);
    expect(byConcerned.map((i) => i.id)).toEqual([ids.leader]);
    expect(byConcerned[0]!.match!.fields).toEqual(['concernedEmployee']);
    expect(await found('trond@ntnu.no', h.ADMIN!)).toEqual(['leader']);
    expect(await found('Trond Ansatt', h.KARI!)).toEqual(['leader']);
  });

  it('finds words of public messages, for the requester too', async () => {
    expect(await found('lønnsavdelingen', h.KARI!)).toEqual(['holiday']);
    const items = await search('lønnsavdelingen', h.OLA!);
    expect(items.map((i) => i.id)).toEqual([ids.holiday]);
    expect(items[0]!.match!.fields).toEqual(['messages']);
    expect(items[0]!.match!.snippet).toContain('«lønnsavdelingen»');
  });

  it('needs every word, each in any part: one in the description and one in a reply find the case', async () => {
    const items = await search('utbetalt lønnsavdelingen', h.OLA!);
    expect(items.map((i) => i.id)).toEqual([ids.holiday]);
    expect(items[0]!.match!.fields).toEqual(['description', 'messages']);
    expect(await found('utbetalt reimbursed', h.ADMIN!)).toEqual([]);
    // A word of an internal note counts for staff only.
    expect(await found('utbetalt kontonummeret', h.KARI!)).toEqual(['holiday']);
    expect(await found('utbetalt kontonummeret', h.OLA!)).toEqual([]);
  });

  it("names internal notes among a hit's matched parts for staff only, and quotes the public thread to the requester", async () => {
    // The same word in a public reply and an internal note of one case: the parts come from the
    // stored vectors (docs/search.md), and the internal one is gated like the search itself.
    expectStatus(await a.post(`/v1/cases/${ids.sick}/messages`, h.ADMIN!, { body: 'Vi mangler legeerklæringen din', visibility: 'public' }), 201);
    expectStatus(await a.post(`/v1/cases/${ids.sick}/messages`, h.ADMIN!, { body: 'Legeerklæringen ligger i arkivet', visibility: 'internal' }), 201);
    const own = await search('legeerklæringen', h.OLA!);
    expect(own.map((i) => i.id)).toEqual([ids.sick]);
    expect(own[0]!.match!.fields).toEqual(['messages']);
    expect(own[0]!.match!.snippet).toContain('«legeerklæringen»');
    expect(own[0]!.match!.snippet).not.toContain('arkivet');
    const staff = await search('legeerklæringen', h.ADMIN!);
    expect(staff[0]!.match!.fields).toEqual(['messages', 'internalNotes']);
    // An internal note alone: the staff's snippet is cut from it.
    const note = await search('arkivet', h.ADMIN!);
    expect(note[0]!.match).toEqual({ fields: ['internalNotes'], snippet: expect.stringContaining('«arkivet»') });
    expect(await found('arkivet', h.OLA!)).toEqual([]);
  });

  it('finds internal notes for staff, never for the requester', async () => {
    const staff = await search('kontonummeret', h.KARI!);
    expect(staff.map((i) => i.id)).toEqual([ids.holiday]);
    expect(staff[0]!.match!.fields).toEqual(['internalNotes']);
    expect(await found('kontonummeret', h.OLA!)).toEqual([]);
    // Not through a snippet either: the requester's hit on the same case shows no note text.
    const own = await search('ferie', h.OLA!);
    expect(own.map((i) => i.match!.snippet).join(' ')).not.toContain('kontonummeret');
  });

  it("a requester never finds another's case, first or repeated (the repeat's prefix words looked up in the page statement)", async () => {
    clearWordSharesCache();
    for (let round = 0; round < 2; round++) {
      expect(await found('reimburse', h.OLA!)).toEqual([]);
      expect(await found('reimbu', h.OLA!)).toEqual([]);
      expect(await found('515151', h.OLA!)).toEqual([]);
      expect(await found(numbers.english!, h.OLA!)).toEqual([]);
      expect(await found('feriepenger', h.OLA!)).toEqual(['holiday']);
    }
    // The same words as staff, after the requester filled the cache: their answer is their own.
    expect(await found('reimbu', h.ADMIN!)).toEqual(['english']);
  });

  it("an operator never finds another team's sensitive case; its team's operator does, and the hit is logged", async () => {
    expect(await found('sykmelding', h.KARI!)).toEqual([]);
    expect(await found(numbers.sick!, h.KARI!)).toEqual([]);
    expect(await found('424242', h.KARI!)).toEqual(['holiday']);
    const before = (await a.get(`/v1/cases/${ids.sick}/access-log`, h.ADMIN!)).json<unknown[]>().length;
    expect(await found('sykmelding', h.ABSENCE_OP!)).toEqual(['sick']);
    const log = (await a.get(`/v1/cases/${ids.sick}/access-log`, h.ADMIN!)).json<Array<{ actorId: string; endpoint: string }>>();
    expect(log.length).toBe(before + 1);
    expect(log[log.length - 1]).toMatchObject({ actorId: ABSENCE_OP.sub, endpoint: 'GET /v1/cases' });
  });

  it('ranks by relevance, or by another sort when asked', async () => {
    expect(await found('feriepenger', h.ADMIN!)).toEqual(['rankTop', 'holiday', 'rankLow']);
    expect(await found('feriepenger', h.ADMIN!, '&sort=created')).toEqual(['rankLow', 'rankTop', 'holiday']);
  });

  it('pages by relevance with the cursor', async () => {
    const first = await a.get(`/v1/cases?q=feriepenger&limit=2`, h.ADMIN!);
    expectStatus(first, 200);
    const body = first.json<{ items: Item[]; nextCursor: string }>();
    expect(body.items.map((i) => i.id)).toEqual([ids.rankTop, ids.holiday]);
    const second = await a.get(`/v1/cases?q=feriepenger&limit=2&cursor=${body.nextCursor}`, h.ADMIN!);
    expectStatus(second, 200);
    expect(second.json<{ items: Item[]; nextCursor: string | null }>()).toMatchObject({ items: [{ id: ids.rankLow }], nextCursor: null });
  });

  it('marks matches in the snippet with « », and takes the markers out of the text', async () => {
    const [hit] = await search('feriepenger', h.OLA!);
    expect(hit!.match!.snippet).toMatch(/«Feriepengene»/);
    expect(hit!.match!.fields).toEqual(['description']);
    const [en] = await search('quoted expenses', h.ADMIN!);
    expect(en!.match!.snippet).toContain('«expenses»');
    expect(en!.match!.snippet).toContain('" «quoted» "');
    expect(en!.match!.snippet.match(/«/g)).toHaveLength(2);
  });

  it('lists without match when there is no q; sort=relevance without q is a 400', async () => {
    const res = await a.get('/v1/cases', h.ADMIN!);
    expectStatus(res, 200);
    expect(res.json<{ items: Item[] }>().items.every((i) => i.match === undefined)).toBe(true);
    const bad = await a.get('/v1/cases?sort=relevance', h.ADMIN!);
    expectStatus(bad, 400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('finds a word filed after the same prefix was searched (a repeat looks the words up in its own statement)', async () => {
    clearWordSharesCache();
    const search = async () => ((await a.get('/v1/cases?q=okapifu', h.ADMIN!)).json().items as Item[]).map((i) => i.id);
    expect(await search()).toEqual([]);
    await file('okapi', h.OLA!, { categoryKey: 'general', subject: 'Okapifuglen', description: 'Om dyret' });
    expect(await search()).toEqual([ids.okapi]);
    expect(await search()).toEqual([ids.okapi]);
  });

  it('a case number beside a prefix that starts no word: the numbered case, first and repeated (rank a number)', async () => {
    clearWordSharesCache();
    for (let i = 0; i < 2; i++) {
      const res = await a.get(`/v1/cases?q=${numbers.leader} qxqzvy`, h.ADMIN!);
      expectStatus(res, 200);
      expect((res.json().items as Item[]).map((x) => x.id)).toEqual([ids.leader]);
    }
  });

  it('finds the same cases whichever way the prefix is matched: its words listed, looked up by the statement, or word:*', async () => {
    const q = pgQuery(t.app.pool);
    const found = async (prefixExpansion?: { words: string[] | 'in-statement'; share: number }) => {
      const rows = await listCases(
        q,
        {
          visibility: { kind: 'all' },
          search: {
            query: parseSearch('sjekke ferie'),
            scope: { internal: false },
            wordShares: [0],
            ...(prefixExpansion ? { prefixExpansion } : {}),
          },
          sort: 'created',
          limit: 25,
        },
        new CategoryFactsCopy(q),
      );
      return rows.map((r) => r.id).sort();
    };
    const listed = await found({ words: ['feri', 'ferie', 'feriepeng', 'feriepengene'], share: 0 });
    expect(listed).toContain(ids.holiday);
    expect(await found({ words: 'in-statement', share: 0 })).toEqual(listed);
    expect(await found({ words: 'in-statement', share: 0.5 })).toEqual(listed);
    expect(await found()).toEqual(listed);
  });

  it('treats tsquery syntax, quotes, backslashes and NUL as separators, never as syntax (no 5xx), first and repeated', async () => {
    clearWordSharesCache();
    for (const q of [
      "&|!():*'\\",
      "ferie'pen & | ! ( ) :* \\",
      '\'; DROP TABLE "case"; --',
      'feriepenger:*&!',
      '\u0000',
      'ferie\u0000penger',
      '<b>ferie</b>',
      "o'bri\\",
      "ferie'",
    ]) {
      for (let round = 0; round < 2; round++) {
        const res = await a.get(`/v1/cases?q=${encodeURIComponent(q)}`, h.ADMIN!);
        expect({ q, round, status: res.statusCode }).toEqual({ q, round, status: res.statusCode === 400 ? 400 : 200 });
      }
    }
    expect(await found("&|!():*'\\", h.ADMIN!)).toEqual([]);
    // The word, with the syntax around it ignored.
    expect((await found('feriepenger:*&!', h.ADMIN!)).sort()).toEqual(['holiday', 'rankLow', 'rankTop']);
  });

  it('refuses a q over 200 characters (400) and bounds the words used', async () => {
    const long = await a.get(`/v1/cases?q=${'a'.repeat(201)}`, h.ADMIN!);
    expectStatus(long, 400);
    expect(long.json()).toMatchObject({ code: 'validation-failed' });
    // 40 words: only the first 10 count, and the answer is still an answer.
    const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expectStatus(await a.get(`/v1/cases?q=${encodeURIComponent(many)}`, h.ADMIN!), 200);
  });

  it('keeps the index current: an edited subject and anonymised text are found as they are now', async () => {
    expectStatus(await a.patch(`/v1/cases/${ids.english}`, h.ADMIN!, { subject: 'Kilometergodtgjørelse' }), 200);
    expect(await found('kilometergodtgjørelse', h.ADMIN!)).toEqual(['english']);
    expect(await found('reimbursement', h.ADMIN!, '&sort=created')).toEqual(['english']); // still in the description
    const ola = await search('Kilometer', h.ADMIN!);
    expect(ola[0]!.match!.fields).toEqual(['subject']);
  });

  it('leaves no word of an anonymised case behind: not in the vectors, not in the prefix word list', async () => {
    const who = await t.auth({ sub: 'xk', name: 'Xylofon Kvasirsen', employeeNumber: '8765432' });
    await file('gone', who, { categoryKey: 'general', subject: 'Zebrafinke', description: 'Zebrafinken min spiser lønnsslippen' });
    const words = async () =>
      (
        await t.app.pool.query<{ lexeme: string }>(
          `SELECT lexeme FROM search_lexeme WHERE lexeme LIKE 'xylofon%' OR lexeme LIKE 'kvasirsen%' OR lexeme LIKE 'zebrafink%' OR lexeme = '8765432' ORDER BY 1`,
        )
      ).rows.map((r) => r.lexeme);
    expect((await words()).length).toBeGreaterThan(0);
    expect(await found('zebrafink', h.ADMIN!)).toEqual(['gone']);
    // Closed long ago, so the retention run anonymises it.
    await t.app.pool.query(`UPDATE "case" SET status = 'CLOSED', closed_at = '2020-01-01T00:00:00Z' WHERE id = $1`, [ids.gone]);
    const run = await a.post('/v1/admin/retention/run', h.ADMIN!, { asOf: '2027-06-01T00:00:00Z' });
    expectStatus(run, 200);
    expect(run.json().anonymised).toBeGreaterThanOrEqual(1);
    expect(await words()).toEqual([]);
    for (const q of ['zebrafinke', 'Xylofon', 'kvasirsen', '8765432']) expect(await found(q, h.ADMIN!)).toEqual([]);
  });

  it('checks a queued word again when an edit in flight removes it during a cleanup (it is not lost)', async () => {
    await file('racer', h.OLA!, { categoryKey: 'general', subject: 'Ravnekattløp', description: 'd' });
    await file('other', h.OLA!, { categoryKey: 'general', subject: 'Ravnekattløp', description: 'd' });
    // Queued and committed: another case still holds it.
    expectStatus(await a.patch(`/v1/cases/${ids.other}`, h.ADMIN!, { subject: 'Noe annet' }), 200);
    const listed = async () =>
      (await t.app.pool.query<{ lexeme: string }>(`SELECT lexeme FROM search_lexeme WHERE lexeme LIKE 'ravnekatt%'`)).rows.length;
    const writer = new pg.Client({ connectionString: t.url });
    await writer.connect();
    try {
      // An edit removing the word from its last holder, not yet committed, while the cleanup runs.
      await writer.query('BEGIN');
      await writer.query(`UPDATE "case" SET subject = 'Helt annet' WHERE id = $1`, [ids.racer]);
      await t.app.services.retention.cleanUpWords();
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    expect(await listed()).toBeGreaterThan(0);
    await t.app.services.retention.cleanUpWords();
    expect(await listed()).toBe(0);
  });

  it('takes the queued words of a retention batch in one order, so a writer queueing them in another order does not deadlock with it', async () => {
    // Two expired cases whose replies hold one word each; the earlier-closed one is scrubbed first
    // and holds the later word in the alphabet.
    await file('firstClosed', h.OLA!, { categoryKey: 'general', subject: 'Ordkø en', description: 'd' });
    await file('secondClosed', h.OLA!, { categoryKey: 'general', subject: 'Ordkø to', description: 'd' });
    expectStatus(await a.post(`/v1/cases/${ids.firstClosed}/messages`, h.ADMIN!, { body: 'bqzx' }), 201);
    expectStatus(await a.post(`/v1/cases/${ids.secondClosed}/messages`, h.ADMIN!, { body: 'aqzx' }), 201);
    await t.app.pool.query(`UPDATE "case" SET status = 'CLOSED', closed_at = '2020-01-01T00:00:00Z' WHERE id = $1`, [ids.firstClosed]);
    await t.app.pool.query(`UPDATE "case" SET status = 'CLOSED', closed_at = '2020-01-02T00:00:00Z' WHERE id = $1`, [ids.secondClosed]);
    const queue = `INSERT INTO search_lexeme_removed (lexeme) VALUES ($1) ON CONFLICT (lexeme) DO UPDATE SET lexeme = EXCLUDED.lexeme`;
    const writer = new pg.Client({ connectionString: t.url });
    await writer.connect();
    try {
      // Another writer holds the earlier word (as a retention batch of another instance would) ...
      await writer.query('BEGIN');
      await writer.query(queue, ['aqzx']);
      const run = t.app.services.retention.run(new Date('2027-06-01T00:00:00Z')).then(
        (n) => ({ n }),
        (err: unknown) => ({ err }),
      );
      // ... until the retention batch waits for it ...
      const db = (await writer.query<{ db: string; pid: number }>('SELECT current_database() AS db, pg_backend_pid() AS pid')).rows[0]!;
      await eventually(
        'the retention batch to wait for the held word',
        async () =>
          Boolean(
            (await t.app.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND pid <> $2 AND wait_event_type = 'Lock'`, [db.db, db.pid]))
              .rowCount,
          ),
        5_000,
      );
      // ... and then queues the later one. Taken case by case, the batch would hold it by now
      // (the first case's reply) and PostgreSQL would break the cycle by failing one of the two.
      await writer.query(queue, ['bqzx']);
      await writer.query('COMMIT');
      const outcome = await run;
      expect(outcome).toEqual({ n: 2 });
    } finally {
      await writer.end();
    }
    expect(await found('aqzx', h.ADMIN!)).toEqual([]);
    expect(await found('bqzx', h.ADMIN!)).toEqual([]);
    await t.app.services.retention.cleanUpWords();
    const left = await t.app.pool.query(`SELECT lexeme FROM search_lexeme WHERE lexeme IN ('aqzx', 'bqzx')`);
    expect(left.rowCount).toBe(0);
  });

  it('drops the words an edit removed from the prefix word list at the next cleanup, and keeps those another case still holds', async () => {
    await file('renamed', h.OLA!, { categoryKey: 'general', subject: 'Quokkatelling wombatdag', description: 'Stikkord til prefikssøk' });
    await file('keeper', h.OLA!, { categoryKey: 'general', subject: 'Stikkord', description: 'Ingenting annet' });
    // Held by another case only in a reply: the cleanup looks there too.
    expectStatus(await a.post(`/v1/cases/${ids.keeper}/messages`, h.ADMIN!, { body: 'Gjelder wombatdag' }), 201);
    const listed = async () =>
      (
        await t.app.pool.query<{ lexeme: string }>(
          `SELECT lexeme FROM search_lexeme WHERE lexeme LIKE 'quokka%' OR lexeme LIKE 'stikkord%' OR lexeme LIKE 'wombat%' ORDER BY 1`,
        )
      ).rows.map((r) => r.lexeme);
    const before = await listed();
    expect(before.some((l) => l.startsWith('quokka'))).toBe(true);
    expect(before.some((l) => l.startsWith('stikkord'))).toBe(true);
    expectStatus(await a.patch(`/v1/cases/${ids.renamed}`, h.ADMIN!, { subject: 'Omdøpt' }), 200);
    // The edit queued its removed words; the word list keeps them until the cleanup checks them.
    const queued = (await t.app.pool.query<{ lexeme: string }>(`SELECT lexeme FROM search_lexeme_removed WHERE lexeme LIKE 'quokka%'`)).rows;
    expect(queued.length).toBeGreaterThan(0);
    expect(await t.app.services.retention.cleanUpWords()).toBeGreaterThanOrEqual(queued.length);
    const after = await listed();
    expect(after.filter((l) => l.startsWith('quokka'))).toEqual([]);
    // 'Stikkord' stays: it is in the edited case's description and in the other case's subject.
    expect(after.filter((l) => l.startsWith('stikkord'))).toEqual(before.filter((l) => l.startsWith('stikkord')));
    expect(after.filter((l) => l.startsWith('wombat'))).toEqual(before.filter((l) => l.startsWith('wombat')));
    expect(after.some((l) => l.startsWith('wombat'))).toBe(true);
    expect((await t.app.pool.query(`SELECT 1 FROM search_lexeme_removed`)).rowCount).toBe(0);
    expect(await found('quokka', h.ADMIN!)).toEqual([]);
    expect(await found('stikkord', h.ADMIN!, '&sort=created')).toEqual(['keeper', 'renamed']);
  });
});

describe('GET /v1/cases?q= (search): relevance ranks the newest RANKED_NEWEST hits', () => {
  let t: TestApp;
  let a: ReturnType<typeof api>;
  let admin: Headers;

  afterAll(async () => t.close());

  it('ranks the newest RANKED_NEWEST matches; an older, better match is reached by sort=created or createdTo', async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    a = api(t);
    admin = await t.auth(ADMIN);
    const requester = await t.auth(OLA);
    t.clock.set('2026-03-02T08:00:00Z');
    // The best match, filed first: the word three times in the subject and the description.
    const best = await a.post('/v1/cases', requester, {
      categoryKey: 'vacation',
      subject: 'Feriepenger feriepenger',
      description: 'Feriepenger igjen',
    });
    expectStatus(best, 201);
    t.clock.advance(3_600_000);
    const weak = await a.post('/v1/cases', requester, { categoryKey: 'general', subject: 'Annet', description: 'Noe om feriepenger' });
    expectStatus(weak, 201);
    // RANKED_NEWEST newer copies of the weak match (the search triggers index them as any insert).
    const client = await t.app.pool.connect();
    await client.query('BEGIN');
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query(
      `INSERT INTO "case"
       SELECT (jsonb_populate_record(NULL::"case", to_jsonb(c) || jsonb_build_object(
                 'id', gen_random_uuid(), 'number', '2026-9' || lpad(g::text, 5, '0'),
                 'created_at', c.created_at + g * interval '1 s', 'updated_at', c.created_at + g * interval '1 s'))).*
         FROM "case" c, generate_series(1, $2::int) g WHERE c.id = $1::uuid`,
      [weak.json().id, RANKED_NEWEST],
    );
    await client.query('COMMIT');
    client.release();
    const top = async (extra: string) => {
      const res = await a.get(`/v1/cases?q=feriepenger&limit=1${extra}`, admin);
      expectStatus(res, 200);
      return res.json<{ items: Item[] }>().items[0]!.id;
    };
    // The best match is the (RANKED_NEWEST + 2)th newest hit: outside the ranked window.
    expect(await top('')).not.toBe(best.json().id);
    // A createdTo before the copies moves the window back over it, and it ranks above the weak match there.
    const before = `&createdTo=${encodeURIComponent('2026-03-02T09:00:00.500Z')}`;
    expect(await top(before)).toBe(best.json().id);
    // sort=created lists the hits newest first, whatever their rank.
    const res = await a.get(`/v1/cases?q=feriepenger&sort=created${before}`, admin);
    expectStatus(res, 200);
    expect(res.json<{ items: Item[] }>().items.map((i) => i.id)).toEqual([weak.json().id, best.json().id]);
  });
});

describe('the search indexes keep their pending lists short (migration 20261202170000)', () => {
  let t: TestApp;

  afterAll(async () => t?.close());

  // pgstattuple reads the GIN metapage; the embedded PGlite has no such extension.
  (onRealServer() ? it : it.skip)('a burst of filings leaves at most gin_pending_list_limit (256 kB) for every search to read', async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    const a = api(t);
    const requester = await t.auth(OLA);
    // One case with 120 words of its own, then 1,000 copies: ~120,000 new entries in the fields
    // index, ≈1.5 MB of pending list under the default 4 MB limit.
    const words = Array.from(
      { length: 120 },
      (_, i) => `ordliste${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`,
    );
    const filed = await a.post('/v1/cases', requester, { categoryKey: 'general', subject: 'Mange ord', description: words.join(' ') });
    expectStatus(filed, 201);
    const client = await t.app.pool.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pgstattuple');
      await client.query('BEGIN');
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query(
        `INSERT INTO "case"
         SELECT (jsonb_populate_record(NULL::"case", to_jsonb(c) || jsonb_build_object(
                   'id', gen_random_uuid(), 'number', '2026-8' || lpad(g::text, 5, '0')))).*
           FROM "case" c, generate_series(1, 1000) g WHERE c.id = $1::uuid`,
        [filed.json<{ id: string }>().id],
      );
      await client.query('COMMIT');
      const { rows } = await client.query<{ name: string; pending: number }>(
        `SELECT i.relname AS name, (pgstatginindex(i.oid)).pending_pages AS pending
           FROM pg_class i JOIN pg_am am ON am.oid = i.relam
          WHERE am.amname = 'gin' AND i.relname IN ('case_search_fields_idx', 'case_search_messages_idx', 'case_search_internal_idx', 'case_tags_idx')`,
      );
      expect(rows).toHaveLength(4);
      // 256 kB is 32 pages of 8 kB; the insert that passes the limit merges the list.
      for (const r of rows) expect({ name: r.name, short: r.pending <= 33 }).toEqual({ name: r.name, short: true });
      // The copies are found through the index as any case is.
      const res = await a.get('/v1/cases?q=ordlisteaa&limit=1', await t.auth(ADMIN));
      expectStatus(res, 200);
      expect(res.json<{ items: Item[] }>().items).toHaveLength(1);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });
});
