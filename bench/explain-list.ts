/**
 * `npm run bench:explain -- <database-url> [--plan] [name filter]`: the list statements of the
 * benchmark (bench/lib/scenarios.ts listQueries, as the bench operator sees them) against a
 * database kept by `BENCH_KEEP_DB=1 npm run bench`: the median round trip of each over
 * BENCH_EXPLAIN_RUNS runs (default 20), and with --plan its EXPLAIN (ANALYZE, BUFFERS); BENCH_EXPLAIN_TRY:
 * SQL run first in a transaction rolled back at the end (an index tried without keeping it).
 * The statements are built by src/repositories/case-list.ts, so they are the service's. The last
 * entry, `case view`, is the statement of GET /v1/cases/{id} (findCaseWithAttachments) for a few
 * cases spread over the archive. BENCH_EXPLAIN_Q adds searches (comma-separated terms).
 */
import pg from 'pg';
import { POOL_OPTIONS } from '../src/db/pool-options';
import { listCases, type CaseListFilter } from '../src/repositories/case-list';
import { findCaseWithAttachments } from '../src/repositories/case-repository';
import type { ListCasesQuery } from '../src/schemas/case';
import { caseListFilter } from '../src/services/case-views';
import { CategoryFactsCopy } from '../src/services/category-facts';
import { BENCH_OPERATOR } from './lib/db';
import { listQueries, OPERATOR_TEAMS, type ListQuery } from './lib/scenarios';

/** The filter the service builds for `lq` when the bench operator of `teams` lists. */
function listFilterOf(lq: ListQuery, teams: readonly string[]): CaseListFilter {
  return caseListFilter({ kind: 'own-or-open', principalId: BENCH_OPERATOR, teams }, lq as ListCasesQuery);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const url = args.find((a) => /^postgres(ql)?:\/\//.test(a));
  if (!url) throw new Error('usage: npm run bench:explain -- <database-url> [--plan] [name filter]');
  const plan = args.includes('--plan');
  const filter = args.find((a) => a !== url && a !== '--plan');
  const runs = Number(process.env.BENCH_EXPLAIN_RUNS ?? 20);
  // JIT and parallel workers off as on the service's pool (src/db/pool-options.ts). One connection: BENCH_EXPLAIN_TRY
  // (e.g. a CREATE INDEX of a migration not applied yet) runs in a transaction that the
  // measurements see and that is rolled back at the end, so a shared database is left as it was.
  const pool = new pg.Client({ connectionString: url, options: POOL_OPTIONS });
  await pool.connect();
  const tryFirst = process.env.BENCH_EXPLAIN_TRY;
  if (tryFirst) {
    await pool.query('BEGIN');
    await pool.query(tryFirst);
  }
  /**
   * The last statement `read` sends (a search first reads its words' statistics, and the page
   * statement depends on them, so every statement runs for real), then timed and explained.
   */
  const capture = async (read: (q: <T>(text: string, params?: unknown[]) => Promise<T[]>) => Promise<unknown>) => {
    let statement: { text: string; params: unknown[] } | undefined;
    await read(async <T>(text: string, params: unknown[] = []) => {
      statement = { text, params };
      return (await pool.query(text, params)).rows as T[];
    });
    return statement!;
  };
  // The rows' category facts, read outside `capture` so that a page stays the last statement.
  const categories = new CategoryFactsCopy(async <T>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as T[]);
  const measure = async (name: string, s: { text: string; params: unknown[] }) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await pool.query(s.text, s.params);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    process.stdout.write(`${name}: median ${times[times.length >> 1]!.toFixed(2)} ms over ${runs} runs\n`);
    if (plan) {
      const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.params);
      process.stdout.write(`${rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}\n`);
    }
  };
  try {
    // BENCH_EXPLAIN_Q="etterbetaling,134919": searches (sort by relevance) as the search benchmark sends them.
    const searches = (process.env.BENCH_EXPLAIN_Q ?? '')
      .split(',')
      .filter(Boolean)
      .map((q) => ({ name: `search ${q}`, q }));
    for (const lq of [...listQueries(new Date()), ...searches]) {
      if (filter && !lq.name.includes(filter)) continue;
      await measure(lq.name, await capture((q) => listCases(q, listFilterOf(lq, OPERATOR_TEAMS), categories)));
      // A search again: its words' shares now come from the cache (docs/search.md, Repeats).
      if (lq.q !== undefined) await measure(`${lq.name} (repeat)`, await capture((q) => listCases(q, listFilterOf(lq, OPERATOR_TEAMS), categories)));
    }
    if (!filter || 'case view'.includes(filter)) {
      // Cases spread over the archive (the read scenario picks ids all over it).
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM "case" WHERE number = ANY(SELECT max(number) FROM "case" GROUP BY substr(number, 1, 4))`,
      );
      for (const { id } of rows) await measure(`case view ${id}`, await capture((q) => findCaseWithAttachments(q, id)));
    }
  } finally {
    if (tryFirst) await pool.query('ROLLBACK');
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
