import type pg from 'pg';
import { DomainError } from '../domain/errors';
import type { Principal } from '../domain/roles';
import type { Status } from '../domain/statuses';
import { inTransaction } from '../db/query';
import { runReport, slaReportSql, timeInStatusSql, type GroupBy, type SlaReportRow, type TimeInStatusRow } from '../repositories/report-queries';
import type { ReportQuery, SlaReportDto, TimeInStatusReportDto } from '../schemas/service-level';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Bounds of a report: how long a period it may cover and how long its statement may run. */
export interface ReportLimits {
  /** Longest [from, to) in days (REPORT_MAX_DAYS). */
  maxDays: number;
  /** statement_timeout of the report's transaction in ms (DB_REPORT_STATEMENT_TIMEOUT_MS); 0: none. */
  statementTimeoutMs: number;
}

const DEFAULT_LIMITS: ReportLimits = { maxDays: 366, statementTimeoutMs: 60_000 };

/** Teams whose cases a principal's reports cover: null = all (admins). */
function reportTeams(p: Principal): string[] | null {
  if (p.roles.includes('admin') || (p.roles.includes('integration') && p.scopes.includes('admin'))) return null;
  if (p.roles.includes('operator')) return [...p.teams];
  throw new DomainError('forbidden', 'Reports are for administrators and operators.');
}

/** [median, p90] as hours rounded to 0.01; `toMs` converts the unit of the values to ms. */
function medianP90(pct: number[] | null, toMs: number): { medianHours: number | null; p90Hours: number | null } {
  const h = (v: number | undefined) => (v === undefined || v === null ? null : Math.round(((Number(v) * toMs) / HOUR_MS) * 100) / 100);
  return { medianHours: h(pct?.[0]), p90Hours: h(pct?.[1]) };
}

function working(p: { medianHours: number | null; p90Hours: number | null }) {
  return { medianWorkingHours: p.medianHours, p90WorkingHours: p.p90Hours };
}

/**
 * Service-level and time-in-status reports, aggregated in SQL. Admins see every team; an
 * operator sees the cases of their own teams only (grouped by category or team as asked).
 */
export class ReportService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly limits: ReportLimits = DEFAULT_LIMITS,
  ) {}

  async sla(p: Principal, q: ReportQuery): Promise<SlaReportDto> {
    const { from, to, groupBy, params, teamsOnly } = this.scope(p, q);
    const rows = await this.run<SlaReportRow>(slaReportSql(groupBy, teamsOnly), params);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy,
      groups: rows.map((r) => ({
        key: r.key,
        cases: r.cases,
        met: r.met,
        breached: r.breached,
        open: r.cases - r.met - r.breached,
        firstResponse: { met: r.fr_met, breached: r.fr_breached, ...medianP90(r.fr_pct, 1) },
        resolution: { met: r.res_met, breached: r.res_breached, ...medianP90(r.res_pct, 1) },
        resolvedAs: { solved: r.solved, answered: r.answered },
      })),
    };
  }

  async timeInStatus(p: Principal, q: ReportQuery): Promise<TimeInStatusReportDto> {
    const { from, to, groupBy, params, teamsOnly } = this.scope(p, q);
    const rows = await this.run<TimeInStatusRow>(timeInStatusSql(groupBy, teamsOnly), params);
    const groups = new Map<string, TimeInStatusReportDto['groups'][number]>();
    for (const r of rows) {
      let g = groups.get(r.key);
      if (!g) groups.set(r.key, (g = { key: r.key, statuses: [] }));
      g.statuses.push({
        status: r.status as Status,
        stints: r.stints,
        current: r.current,
        ...medianP90(r.elapsed_pct, 1000),
        ...working(medianP90(r.working_pct, 1)),
      });
    }
    return { from: from.toISOString(), to: to.toISOString(), groupBy, groups: [...groups.values()] };
  }

  private run<T>(sql: string, params: unknown[]): Promise<T[]> {
    // A report may run longer than the pool's DB_STATEMENT_TIMEOUT_MS, but not without bound.
    return inTransaction(this.pool, async (q) => {
      await q(`SET LOCAL statement_timeout = ${Math.trunc(this.limits.statementTimeoutMs)}`);
      return runReport<T>(q, sql, params);
    });
  }

  private scope(p: Principal, q: ReportQuery) {
    const teams = reportTeams(p);
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (!(from.getTime() < to.getTime())) {
      throw new DomainError('validation-failed', 'from must be before to.', {
        errors: [{ in: 'querystring', path: '/to', message: 'must be after from' }],
      });
    }
    // The work of a report grows with its period: a bound keeps one caller from scanning every year.
    if (to.getTime() - from.getTime() > this.limits.maxDays * DAY_MS) {
      throw new DomainError('validation-failed', `A report covers at most ${this.limits.maxDays} days.`, {
        errors: [{ in: 'querystring', path: '/to', message: `must be at most ${this.limits.maxDays} days after from` }],
      });
    }
    const groupBy: GroupBy = q.groupBy ?? 'category';
    const params: unknown[] = [from, to];
    if (teams !== null) params.push(teams);
    return { from, to, groupBy, params, teamsOnly: teams !== null };
  }
}
