/**
 * How fast the service-level reports are over a large case base: seeds N cases (default one
 * million) with generate_series into a throwaway database — cases spread over two years and the
 * eleven categories, their measured SLA rows and their status stays (about three each), as the
 * SLA sweep leaves them; the status history itself is not seeded since no report reads it —
 * then times every report statement for a month, a year and the whole range, as an admin (all
 * teams) and as an operator (two teams): the median wall-clock time of three runs, and EXPLAIN
 * (ANALYZE, BUFFERS, TIMING OFF) for the plan and the server's execution time. Drops the
 * database after.
 *
 *   npx tsx bench/reports.ts [N=1000000] [--keep] [--plans] [--reuse=<database>]
 *
 * --keep leaves the database for poking at (--reuse times it again without seeding); --plans
 * prints every plan. The server is
 * BENCH_DATABASE_URL (default the local one). Nothing here asserts a timing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from '../src/db/migrator';
import { REPORT_SETTINGS, slaReportSql, timeInStatusSql, type GroupBy } from '../src/repositories/report-queries';
import { withDatabase } from '../test/helpers/env';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const KEEP = process.argv.includes('--keep');
/** --reuse=<database name>: time the reports on a database a --keep run left, without seeding. */
const REUSE = process.argv.find((a) => a.startsWith('--reuse='))?.slice('--reuse='.length);
const PLANS = process.argv.includes('--plans');

// Cases are filed evenly over 2024-01-01 .. 2026-01-01 (Oslo-ish midnight in UTC is fine here).
const START = '2024-01-01T00:00:00Z';
const SPAN_DAYS = 731;

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  process.stdout.write(`  ${what}: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s\n`);
  return out;
}

async function seed(c: pg.Client): Promise<void> {
  // The triggers would mark every case stale one row at a time; the bench writes the rows the
  // sweep would have left itself.
  await c.query('ALTER TABLE "case" DISABLE TRIGGER USER');
  await timed(`${N.toLocaleString('en')} cases`, () =>
    c.query(
      `INSERT INTO "case" (id, number, status, status_changed_at, category_key, team_key, subject, description,
                           channel, filed_by_id, filed_by_role, requester_id, first_response_at, completed_at,
                           closed_at, created_at, updated_at)
       SELECT gen_random_uuid(), 'B-' || i,
              s.status::"CaseStatus", f.filed + interval '3 days', cat.key, cat.default_team_key, 'Bench case', 'Bench',
              'portal', 'user-' || (i % 50000), 'requester', 'user-' || (i % 50000),
              f.filed + interval '5 hours', CASE WHEN s.status IN ('COMPLETED', 'CLOSED') THEN f.filed + interval '2 days' END,
              CASE WHEN s.status = 'CLOSED' THEN f.filed + interval '12 days' END,
              f.filed, f.filed + interval '3 days'
         FROM generate_series(1, $1::int) AS i
         CROSS JOIN LATERAL (SELECT $2::timestamptz + (i::float8 / $1 * $3::int) * interval '1 day' AS filed) f
         CROSS JOIN LATERAL (SELECT (ARRAY['CLOSED','CLOSED','CLOSED','CLOSED','CLOSED','CLOSED','CLOSED','CLOSED',
                                         'COMPLETED','IN_PROGRESS','WAITING_FOR_USER','ON_HOLD','ASSIGNED','REGISTERED'])[1 + i % 14] AS status) s
         JOIN (SELECT key, default_team_key, row_number() OVER (ORDER BY key) - 1 AS n FROM category) cat ON cat.n = i % 11`,
      [N, START, SPAN_DAYS],
    ),
  );
  await timed('SLA rows', () =>
    c.query(
      `INSERT INTO case_sla (case_id, first_response_at, resolved_at, first_response_ms, resolution_ms,
                             first_response_breached, resolution_breached, refreshed_at, filed_at, category_key, team_key)
       SELECT c.id, c.first_response_at, c.completed_at, m.fr, m.res,
              m.fr > cat.first_response_hours * 3600000::bigint, coalesce(m.res > cat.resolution_hours * 3600000::bigint, false),
              now(), c.created_at, c.category_key, c.team_key
         FROM "case" c JOIN category cat ON cat.key = c.category_key
         CROSS JOIN LATERAL (SELECT (random() * random() * 30 * 3600000)::bigint AS fr,
                                    CASE WHEN c.completed_at IS NOT NULL THEN (random() * random() * 120 * 3600000)::bigint END AS res) m`,
    ),
  );
  // The stays the sweep derives from the status history: REGISTERED, then the path each status
  // implies (about four per case); the last one is open.
  await timed('status stints', () =>
    c.query(
      `INSERT INTO case_status_stint (case_id, filed_at, category_key, team_key, status, entered_at, left_at, working_ms)
       SELECT c.id, c.created_at, c.category_key, c.team_key, h.status::"CaseStatus", c.created_at + h.entered,
              c.created_at + h.entered + h.stay, (extract(epoch FROM h.stay) * 1000 * (0.2 + random() * 0.3))::bigint
         FROM "case" c
         CROSS JOIN LATERAL (VALUES
           ('REGISTERED',  interval '0',       interval '1 hour' * (0.2 + random() * 3), c.status <> 'REGISTERED'),
           ('ASSIGNED',    interval '1 hour',  interval '1 hour' * (0.5 + random() * 6), c.status NOT IN ('REGISTERED', 'ASSIGNED')),
           ('IN_PROGRESS', interval '4 hours', interval '1 hour' * (1 + random() * 40),  c.status IN ('COMPLETED', 'CLOSED')),
           ('COMPLETED',   interval '2 days',  interval '10 days',                       c.status = 'CLOSED')
         ) AS h(status, entered, stay, left_it)
        WHERE h.left_it
       UNION ALL
       SELECT c.id, c.created_at, c.category_key, c.team_key, c.status, c.status_changed_at, NULL, NULL FROM "case" c`,
    ),
  );
  await c.query('ALTER TABLE "case" ENABLE TRIGGER USER');
  await timed('VACUUM ANALYZE', () => c.query('VACUUM ANALYZE'));
}

interface Measured {
  /** Median wall-clock time of three runs, as a caller of the report sees it (minus HTTP). */
  wallMs: number;
  /** EXPLAIN ANALYZE's execution time, per-node timing off (its overhead is large on 4M rows). */
  executionMs: number;
  planningMs: number;
  rows: number;
  plan: string;
}

interface Run extends Measured {
  report: string;
  groupBy: GroupBy;
  period: string;
  scope: string;
}

async function measure(c: pg.Client, sql: string, params: unknown[]): Promise<Measured> {
  const walls: number[] = [];
  let rows = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    rows = (await c.query(sql, params)).rowCount ?? 0;
    walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  walls.sort((a, b) => a - b);
  const plan = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']);
  const num = (re: RegExp) => Number(plan.map((l) => re.exec(l)?.[1]).find((v) => v !== undefined) ?? NaN);
  return {
    wallMs: walls[1]!,
    executionMs: num(/Execution Time: ([\d.]+) ms/),
    planningMs: num(/Planning Time: ([\d.]+) ms/),
    rows,
    plan: plan.join('\n'),
  };
}

async function main(): Promise<void> {
  const name = REUSE ?? `saksflyt_bench_reports_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  if (!REUSE) await admin.query(`CREATE DATABASE "${name}"`);
  const url = withDatabase(SERVER, name);
  process.stdout.write(`database ${name}\n`);
  try {
    if (!REUSE) await applyMigrations({ connectionString: url });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      if (!REUSE) {
        process.stdout.write('seeding\n');
        await seed(c);
      }
      const [sizes] = (
        await c.query<{ cases: string; stints: string; sla: string; db: string }>(
          `SELECT (SELECT count(*) FROM "case") AS cases, (SELECT count(*) FROM case_status_stint) AS stints,
                  (SELECT count(*) FROM case_sla) AS sla, pg_size_pretty(pg_database_size(current_database())) AS db`,
        )
      ).rows;
      process.stdout.write(`seeded: ${JSON.stringify(sizes)}\n\n`);

      const periods: Array<[string, string, string]> = [
        ['month', '2025-03-01T00:00:00Z', '2025-04-01T00:00:00Z'],
        ['year', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
        ['all (2 y)', '2024-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
      ];
      const scopes: Array<[string, string[] | null]> = [
        ['admin', null],
        ['operator (2 teams)', ['payroll', 'absence']],
      ];
      // As the report service runs them (it sets this per transaction).
      for (const [setting, value] of REPORT_SETTINGS) await c.query(`SET ${setting} = '${value}'`);
      const runs: Run[] = [];
      for (const [report, build] of [
        ['sla', slaReportSql],
        ['time-in-status', timeInStatusSql],
      ] as const) {
        for (const groupBy of ['category', 'team'] as const) {
          for (const [period, from, to] of periods) {
            for (const [scope, teams] of scopes) {
              const params: unknown[] = teams ? [from, to, teams] : [from, to];
              const r = await measure(c, build(groupBy, teams !== null), params);
              runs.push({ report, groupBy, period, scope, ...r });
              process.stdout.write(
                `${report.padEnd(15)} ${groupBy.padEnd(9)} ${period.padEnd(10)} ${scope.padEnd(19)} ` +
                  `wall ${r.wallMs.toFixed(1).padStart(8)} ms  explain ${r.executionMs.toFixed(1).padStart(8)} ms  ` +
                  `plan ${r.planningMs.toFixed(1).padStart(4)} ms  groups ${r.rows}\n`,
              );
              if (PLANS) process.stdout.write(`${r.plan}\n\n`);
            }
          }
        }
      }
      if (!PLANS) {
        const worst = runs.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
        process.stdout.write(`\nslowest plan (${worst.report}, ${worst.groupBy}, ${worst.period}, ${worst.scope}):\n${worst.plan}\n`);
        const month = runs.find((r) => r.report === 'time-in-status' && r.period === 'month' && r.scope === 'admin')!;
        process.stdout.write(`\na month of time in status (admin):\n${month.plan}\n`);
      }
    } finally {
      await c.end();
    }
  } finally {
    if (KEEP || REUSE) process.stdout.write(`kept ${url}\n`);
    else await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/reports: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
