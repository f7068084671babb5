/**
 * The report statements, shared by the report service and bench/reports.ts (which times them
 * with EXPLAIN ANALYZE over a million cases). Parameters: $1 from, $2 to (cases filed in
 * [from, to)), and $3 the team keys the caller is limited to when `teamsOnly`.
 *
 * Working hours are not computed here: the SLA sweep stores each case's measured working time
 * (case_sla.first_response_ms / resolution_ms) and its stays per status (case_status_stint), both
 * computed by the pure calendar code, together with copies of the case's filing time, category
 * and team. A report therefore reads one narrow table through its filed_at index and only
 * aggregates plain columns.
 */
import type { Query } from '../db/query';

export type GroupBy = 'category' | 'team';

/**
 * Settings of a report's transaction (SET LOCAL): the grouped values of a year of cases do not fit
 * the default 4 MB of work_mem, and JIT compilation costs more than it saves on these plans. A
 * report is one large aggregate, which PostgreSQL's parallel workers may split (PostgreSQL's
 * default of 2 per gather, which the service's pool otherwise turns off: src/db/pool-options.ts).
 */
export const REPORT_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ['work_mem', '64MB'],
  ['jit', 'off'],
  ['max_parallel_workers_per_gather', '2'],
];

const GROUP_COLUMN: Record<GroupBy, string> = { category: 's.category_key', team: 's.team_key' };

function scope(teamsOnly: boolean): string {
  return `s.filed_at >= $1 AND s.filed_at < $2${teamsOnly ? ' AND s.team_key = ANY($3::text[])' : ''}`;
}

/**
 * The median and p90 of an array column of the grouped rows. The groups are formed by hashing
 * and collect their values into arrays, and each group sorts only its own values once for both
 * percentiles: grouping with percentile_cont directly sorts every row by group first, which
 * spills to disk on a year of cases (measured in bench/reports.ts: about a third slower).
 */
function percentiles(values: string): string {
  return `(SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v) FROM unnest(${values}) AS v)`;
}

export interface SlaReportRow {
  key: string;
  cases: number;
  met: number;
  breached: number;
  fr_met: number;
  fr_breached: number;
  /** [median, p90] in working milliseconds, or null when nothing was measured. */
  fr_pct: number[] | null;
  res_met: number;
  res_breached: number;
  res_pct: number[] | null;
  solved: number;
  answered: number;
}

/** Per group: cases, met, breached, and the working-time percentiles, from case_sla alone. */
export function slaReportSql(groupBy: GroupBy, teamsOnly: boolean): string {
  return `
SELECT g.key, g.cases, g.met, g.breached, g.fr_met, g.fr_breached, g.res_met, g.res_breached, g.solved, g.answered,
       ${percentiles('g.fr')} AS fr_pct,
       ${percentiles('g.res')} AS res_pct
  FROM (SELECT ${GROUP_COLUMN[groupBy]} AS key,
               count(*)::int AS cases,
               count(*) FILTER (WHERE s.resolution_ms IS NOT NULL AND NOT s.first_response_breached AND NOT s.resolution_breached)::int AS met,
               count(*) FILTER (WHERE s.first_response_breached OR s.resolution_breached)::int AS breached,
               count(*) FILTER (WHERE s.first_response_ms IS NOT NULL AND NOT s.first_response_breached)::int AS fr_met,
               count(*) FILTER (WHERE s.first_response_breached)::int AS fr_breached,
               count(*) FILTER (WHERE s.resolution_ms IS NOT NULL AND NOT s.resolution_breached)::int AS res_met,
               count(*) FILTER (WHERE s.resolution_breached)::int AS res_breached,
               count(*) FILTER (WHERE s.resolution = 'solved')::int AS solved,
               count(*) FILTER (WHERE s.resolution = 'answered')::int AS answered,
               array_agg(s.first_response_ms) FILTER (WHERE s.first_response_ms IS NOT NULL) AS fr,
               array_agg(s.resolution_ms) FILTER (WHERE s.resolution_ms IS NOT NULL) AS res
          FROM case_sla s
         WHERE ${scope(teamsOnly)}
         GROUP BY 1) g
 ORDER BY g.key COLLATE "C"`;
}

export interface TimeInStatusRow {
  key: string;
  status: string;
  stints: number;
  current: number;
  /** [median, p90] in elapsed seconds. */
  elapsed_pct: number[] | null;
  /** [median, p90] in working milliseconds. */
  working_pct: number[] | null;
}

/**
 * Per group and status: finished stays (with elapsed and working-time percentiles) and the
 * cases in the status now, which are counted but not measured. Statuses in enum order.
 */
export function timeInStatusSql(groupBy: GroupBy, teamsOnly: boolean): string {
  return `
SELECT g.key, g.status::text AS status, g.stints, g.current,
       ${percentiles('g.elapsed')} AS elapsed_pct,
       ${percentiles('g.working')} AS working_pct
  FROM (SELECT ${GROUP_COLUMN[groupBy]} AS key, s.status,
               count(s.left_at)::int AS stints,
               (count(*) - count(s.left_at))::int AS current,
               array_agg(extract(epoch FROM s.left_at - s.entered_at)) FILTER (WHERE s.left_at IS NOT NULL) AS elapsed,
               array_agg(s.working_ms) FILTER (WHERE s.working_ms IS NOT NULL) AS working
          FROM case_status_stint s
         WHERE ${scope(teamsOnly)}
         GROUP BY 1, 2) g
 ORDER BY g.key COLLATE "C", g.status`;
}

/**
 * Runs a report statement with REPORT_SETTINGS, in the caller's transaction (SET LOCAL ends
 * with it). `params` as described at the top of this file.
 */
export async function runReport<T>(q: Query, sql: string, params: unknown[]): Promise<T[]> {
  for (const [name, value] of REPORT_SETTINGS) await q(`SET LOCAL ${name} = '${value}'`);
  return q<T>(sql, params);
}
