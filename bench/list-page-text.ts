/**
 * Prints a list page's statement as the service sends it for one of the benchmark's list queries
 * (bench/lib/scenarios.ts listQueries, as the bench operator), with its values written into the
 * text, one line, for pgbench:
 *
 *   npx tsx bench/list-page-text.ts <database-url> "everything, newest first" > /tmp/page.sql
 *   pgbench -h 127.0.0.1 -U postgres -n -c 16 -j 2 -T 8 -M simple -f /tmp/page.sql <database>
 *
 * `-M simple` parses and plans the text every run, as the service's unnamed page statement is;
 * `-M prepared` once. The statement runs once here, against the database given (a search also
 * reads its words' statistics first). Used for docs/benchmarks.md, "What each part of a page's
 * statement costs PostgreSQL" and "The list without its category join and its history sub-select".
 */
import pg from 'pg';
import { POOL_OPTIONS } from '../src/db/pool-options';
import { listCases } from '../src/repositories/case-list';
import type { ListCasesQuery } from '../src/schemas/case';
import { caseListFilter } from '../src/services/case-views';
import { CategoryFactsCopy } from '../src/services/category-facts';
import { BENCH_OPERATOR } from './lib/db';
import { listQueries, OPERATOR_TEAMS } from './lib/scenarios';

/** A value as an SQL literal (the page's parameters are text, numbers, dates and arrays). */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return `'${v.toISOString()}'`;
  // An array as pg sends it: a text literal the statement's own cast reads ('{"a","b"}'::text[]).
  if (Array.isArray(v)) return literal(`{${v.map((x) => `"${String(x).replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw new Error(`No literal for the parameter ${JSON.stringify(v)}`);
  return `'${v.replace(/'/g, "''")}'`;
}

async function main(): Promise<void> {
  const [url, name] = process.argv.slice(2);
  const query = listQueries(new Date()).find((q) => q.name === name);
  if (!url || !query) {
    throw new Error(
      `usage: npx tsx bench/list-page-text.ts <database-url> "<${listQueries(new Date())
        .map((q) => q.name)
        .join(' | ')}>"`,
    );
  }
  const client = new pg.Client({ connectionString: url, options: POOL_OPTIONS });
  await client.connect();
  try {
    const run = async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[];
    let last = { text: '', params: [] as unknown[] };
    const filter = caseListFilter({ kind: 'own-or-open', principalId: BENCH_OPERATOR, teams: OPERATOR_TEAMS }, query as ListCasesQuery);
    // The categories' facts are read outside the capture, so that the page stays its last statement.
    await listCases(
      async <T>(text: string, params: unknown[] = []) => {
        last = { text, params };
        return run<T>(text, params);
      },
      filter,
      new CategoryFactsCopy(run),
    );
    const text = last.text.replace(/\$(\d+)/g, (_, n: string) => literal(last.params[Number(n) - 1]));
    process.stdout.write(`${text.replace(/\s+/g, ' ').trim()};\n`);
  } finally {
    await client.end();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
