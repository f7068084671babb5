/**
 * `npm run bench:explain -- <database-url> [--plan] [name filter]`: the list statements of the
 * benchmark (bench/lib/scenarios.ts listQueries, as the bench operator sees them) against a
 * database kept by `BENCH_KEEP_DB=1 npm run bench`: the median round trip of each over
 * BENCH_EXPLAIN_RUNS runs (default 20), and with --plan its EXPLAIN (ANALYZE, BUFFERS).
 * The statements are built by src/repositories/case-list.ts, so they are the service's.
 */
import pg from 'pg';
import { listCases, type CaseListFilter } from '../src/repositories/case-list';
import type { ListCasesQuery } from '../src/schemas/case';
import { caseListFilter } from '../src/services/case-views';
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
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    for (const lq of listQueries(new Date())) {
      if (filter && !lq.name.includes(filter)) continue;
      let statement: { text: string; params: unknown[] } | undefined;
      await listCases(
        async <T>(text: string, params: unknown[] = []) => {
          statement = { text, params };
          return [] as T[];
        },
        listFilterOf(lq, OPERATOR_TEAMS),
      );
      const s = statement!;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await pool.query(s.text, s.params);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      process.stdout.write(`${lq.name}: median ${times[times.length >> 1]!.toFixed(2)} ms over ${runs} runs\n`);
      if (plan) {
        const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.params);
        process.stdout.write(`${rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}\n`);
      }
    }
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
