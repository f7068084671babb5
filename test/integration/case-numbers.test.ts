import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createThrowawayDatabase } from '../../src/db/drift';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR } from '../../src/db/migrator';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { onRealServer } from '../helpers/db';

/**
 * Case numbers from a sequence (migration 20261202110000, docs/decisions/case-number-sequence.md):
 * YYYY-NNNNNN, unique per year, from 1 in each year, taken by concurrent filings without waiting
 * for each other; the counters of the per-year table they replace carry over.
 */
describe('case numbers', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let a: ReturnType<typeof api>;
  let pool: pg.Pool;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    a = api(t);
    pool = new pg.Pool({ connectionString: t.url, max: 20 });
  });
  afterAll(async () => {
    await pool.end();
    await t.close();
  });

  const salary = { categoryKey: 'salary', subject: 'Missing overtime', description: 'February overtime is missing' };
  const next = async (year: number) => Number((await pool.query<{ n: string }>('SELECT case_number_next($1) AS n', [year])).rows[0]!.n);

  it('starts every year at 1, whatever other years have taken (201)', async () => {
    t.clock.set('2031-05-05T09:00:00Z');
    try {
      const first = await a.post('/v1/cases', h.requester, salary);
      expectStatus(first, 201);
      expect(first.json().number).toBe('2031-000001');
      expect((await a.post('/v1/cases', h.requester, salary)).json().number).toBe('2031-000002');
    } finally {
      t.clock.set('2025-03-03T09:00:00Z');
    }
  });

  it('gives the racing first filings of a new year exactly 1…16 (one base per year, a number at or below it drawn again)', async () => {
    const numbers = await Promise.all(Array.from({ length: 16 }, () => next(2040)));
    expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('keeps a year unique and increasing when other years take numbers between its filings (with gaps: one sequence)', async () => {
    const got: number[] = [];
    for (let i = 0; i < 5; i++) {
      got.push(await next(2042));
      await next(2043);
    }
    expect(new Set(got).size).toBe(5);
    expect([...got].sort((x, y) => x - y)).toEqual(got);
    expect(got[0]).toBe(1);
  });

  it('moves a year past numbers given outside it, and never back', async () => {
    await pool.query('SELECT case_number_skip_past(2044, 100)');
    expect(await next(2044)).toBe(101);
    await pool.query('SELECT case_number_skip_past(2044, 50)');
    expect(await next(2044)).toBe(102);
    await pool.query('SELECT case_number_skip_past(2044, 500)');
    expect(await next(2044)).toBe(501);
  });

  it('draws no number for a filing refused before it (an unknown category: 4xx, the next number is the next one)', async () => {
    const before = Number(((await a.post('/v1/cases', h.requester, salary)).json().number as string).slice(5));
    const refused = await a.post('/v1/cases', h.requester, { ...salary, categoryKey: 'no-such-category' });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect(refused.statusCode).toBeLessThan(500);
    const after = Number(((await a.post('/v1/cases', h.requester, salary)).json().number as string).slice(5));
    expect(after).toBe(before + 1);
  });
});

describe('migration 20261202110000: the per-year counters carry over', () => {
  it('continues each year after the last number its counter gave, and drops the counter table', async () => {
    if (!onRealServer()) return; // a throw-away database needs a server
    const db = await createThrowawayDatabase(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'saksflyt_numbers');
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'saksflyt-numbers-'));
    try {
      // Every migration before this one, then counters as a running service left them.
      const names = (await fs.readdir(DEFAULT_MIGRATIONS_DIR)).filter((n) => /^\d{14}_/.test(n)).sort();
      const before = path.join(tmp, 'before');
      await fs.mkdir(before);
      await fs.copyFile(path.join(DEFAULT_MIGRATIONS_DIR, 'migration_lock.toml'), path.join(before, 'migration_lock.toml'));
      for (const n of names.filter((x) => x < '20261202110000'))
        await fs.cp(path.join(DEFAULT_MIGRATIONS_DIR, n), path.join(before, n), { recursive: true });
      await applyMigrations({ connectionString: db.url, migrationsDir: before });
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        await c.query('INSERT INTO case_number_counter (year, last) VALUES (2025, 999999), (2026, 41)');
        await applyMigrations({ connectionString: db.url });
        const n = async (y: number) => Number((await c.query<{ n: string }>('SELECT case_number_next($1) AS n', [y])).rows[0]!.n);
        // The year being filed continues right after its counter, one number after another.
        expect(await n(2026)).toBe(42);
        expect(await n(2026)).toBe(43);
        // Another year continues above its own counter (past the values 2026 took meanwhile).
        const y2025 = await n(2025);
        expect(y2025).toBeGreaterThan(999999);
        expect(y2025).toBeLessThanOrEqual(1000002);
        expect(await n(2027)).toBe(1);
        expect((await c.query(`SELECT to_regclass('case_number_counter') AS t`)).rows[0].t).toBeNull();
      } finally {
        await c.end();
      }
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
      await db.drop();
    }
  });
});
