import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { MAX_PREPARED_TEXTS, pgQuery, prepared, type Query } from '../../src/db/query';
import { POOL_OPTIONS } from '../../src/db/pool-options';
import { listCases } from '../../src/repositories/case-list';
import { CategoryFactsCopy } from '../../src/services/category-facts';
import { findCase, findCaseWithAttachments, readCaseForChange } from '../../src/repositories/case-repository';
import { writePlans } from '../../src/repositories/plan-writer';
import { SYSTEM_ACTOR, type CasePlan } from '../../src/domain/plan';
import { createTestDatabase, onRealServer } from '../helpers/db';
import { seedWaitingCases } from '../helpers/seed-timers';

/**
 * Named prepared statements (docs/decisions/prepared-statements.md): the hot by-id statements are
 * parsed once per connection and, after PostgreSQL's five custom plans, run a kept generic plan;
 * a list page is planned for its values every time; the number of texts a connection can be
 * asked to keep is bounded.
 */
describe('prepared statements', () => {
  let db: { url: string; drop(): Promise<void> };
  let pool: pg.Pool;
  let q: Query;

  /** The statements this session (the pool's one connection) keeps, with how often each ran. */
  async function kept(): Promise<Array<{ name: string; statement: string; runs: number }>> {
    const r = await pool.query<{ name: string; statement: string; runs: number }>(
      `SELECT name, statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements ORDER BY name`,
    );
    return r.rows;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    // One connection: pg_prepared_statements shows one session's statements. The service's
    // connection settings, so the plan cache behaves as in the service.
    pool = new pg.Pool({ connectionString: db.url, max: 1, ...(onRealServer() ? { options: POOL_OPTIONS } : {}) });
    q = pgQuery(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('runs the case view as one named statement, parsed once and executed every time', async () => {
    for (let i = 0; i < 7; i++) expect(await findCase(q, randomUUID())).toBeNull();
    const views = (await kept()).filter(
      (s) => s.statement.replace(/\s+/g, ' ').startsWith('SELECT c.id, c.number') && !/window_epoch|attachment/.test(s.statement),
    );
    expect(views).toHaveLength(1);
    expect(views[0]!.name).toMatch(/^saksflyt_\d+$/);
    expect(views[0]!.runs).toBe(7);
  });

  it('plans a by-key statement once: after five custom plans its runs use the kept generic plan', async () => {
    const id = randomUUID();
    for (let i = 0; i < 8; i++) expect(await findCaseWithAttachments(q, id)).toBeNull();
    const [view] = (await kept()).filter((s) => s.statement.includes('FROM attachment a'));
    const plans = await pool.query<{ generic: number; custom: number }>(
      'SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = $1',
      [view!.name],
    );
    expect(plans.rows[0]!.custom).toBe(5);
    expect(plans.rows[0]!.generic).toBe(3);
  });

  it("plans a request's change of one case once: its write runs the kept generic plan too", async () => {
    // One case is a row of scalars in the change writer (plan-writer.ts): with arrays the generic
    // plan guessed 10 elements, cost ten times the custom plans and was never chosen. The planner
    // weighs that only on a table of some size: a few thousand cases, analysed.
    const at = new Date();
    await seedWaitingCases(db.url, 5000, { enteredAt: at, dueAt: at, numberPrefix: 'PS' });
    await pool.query('ANALYZE "case"');
    for (let i = 0; i < 8; i++) {
      const id = randomUUID();
      const plan: CasePlan = {
        caseId: id,
        actor: SYSTEM_ACTOR,
        at,
        update: { status: 'ON_HOLD', statusChangedAt: at, updatedAt: at },
        history: [{ field: 'status', from: 'IN_PROGRESS', to: 'ON_HOLD' }],
        events: [],
        timer: { kind: 'drop' },
      };
      // No such case: the guarded statement writes nothing, and is planned and run all the same.
      expect((await writePlans(q, [plan], { versions: new Map([[id, 1]]), windowEpoch: 0 })).size).toBe(0);
    }
    const [write] = (await kept()).filter((s) => s.statement.includes('window_epoch') && s.statement.includes('UPDATE "case"'));
    const plans = await pool.query<{ generic: number; custom: number }>(
      'SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = $1',
      [write!.name],
    );
    expect(plans.rows[0]).toEqual({ custom: 5, generic: 3 });
  });

  it('sends a list page unnamed, so each run is planned for its values (the open-cases index, the LIMIT)', async () => {
    const before = (await kept()).length;
    const visibility = { kind: 'own-or-open', principalId: 'op-1', teams: ['service'] } as const;
    for (let i = 0; i < 7; i++) {
      expect(
        await listCases(
          q,
          { visibility, status: ['ASSIGNED', 'IN_PROGRESS'], team: 'service', sort: 'created', limit: 25 },
          new CategoryFactsCopy(q),
        ),
      ).toEqual([]);
    }
    expect((await kept()).length).toBe(before);
  });

  it('keeps one statement per text: another hot statement gets a name of its own', async () => {
    expect(await readCaseForChange(q, randomUUID())).toBeNull();
    expect(await readCaseForChange(q, randomUUID())).toBeNull();
    const change = (await kept()).filter((s) => s.statement.includes('window_epoch') && !s.statement.includes('UPDATE "case"'));
    expect(change).toHaveLength(1);
    expect(change[0]!.runs).toBe(2);
    const names = (await kept()).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('sends texts it was not asked to prepare unnamed: nothing is kept for them', async () => {
    const before = (await kept()).length;
    expect(await q<{ n: number }>('SELECT $1::int + 1 AS n', [41])).toEqual([{ n: 42 }]);
    expect((await kept()).length).toBe(before);
  });

  it('names at most MAX_PREPARED_TEXTS texts; later ones run unnamed with the same answers', async () => {
    const texts = Array.from({ length: MAX_PREPARED_TEXTS + 10 }, (_, i) => prepared(`SELECT $1::int * ${i + 1} AS n /* cap */`));
    for (const [i, t] of texts.entries()) expect(await q<{ n: number }>(t, [2])).toEqual([{ n: 2 * (i + 1) }]);
    const all = await kept();
    // Every name this process gave out, the module's own texts included, is within the bound.
    expect(all.length).toBeLessThanOrEqual(MAX_PREPARED_TEXTS);
    const capped = all.filter((s) => s.statement.endsWith('/* cap */'));
    expect(capped.length).toBeGreaterThan(0);
    expect(capped.length).toBeLessThan(texts.length);
    // The last texts came after the bound: run, answered, not kept.
    expect(capped.some((s) => s.statement === texts.at(-1))).toBe(false);
  });

  it('a kept statement survives a schema change of its tables (PostgreSQL plans it again)', async () => {
    const id = randomUUID();
    expect(await findCase(q, id)).toBeNull();
    await pool.query('CREATE INDEX prepared_test_idx ON case_timer (to_status)');
    try {
      expect(await findCase(q, id)).toBeNull();
    } finally {
      await pool.query('DROP INDEX prepared_test_idx');
    }
    expect(await findCase(q, id)).toBeNull();
  });
});
