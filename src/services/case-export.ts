import type pg from 'pg';
import type { Clock } from '../domain/clock';
import { primaryRole, type Principal } from '../domain/roles';
import { listVisibility } from '../domain/standing';
import { internalSearchScope } from '../domain/search';
import { mayCall } from '../domain/access';
import { pgQuery, type Query } from '../db/query';
import { csvRecord, CSV_BOM, type CsvValue } from '../http/csv';
import { insertAccessLog, type CaseRow, type CategoryFactsSource } from '../repositories/case-repository';
import { listCases, type ListedCase } from '../repositories/case-list';
import type { ListCasesQuery } from '../schemas/case';
import { caseListFilter } from './case-views';

/** Rows read per statement while a CSV export streams. */
const EXPORT_PAGE = 500;

/** The columns of the case CSV, in order (docs/csv.md). */
const CASE_CSV_COLUMNS = [
  'number',
  'id',
  'status',
  'statusChangedAt',
  'categoryKey',
  'teamKey',
  'sensitive',
  'assigneeId',
  'subject',
  'channel',
  'requesterId',
  'requesterName',
  'employeeNumber',
  'createdAt',
  'updatedAt',
  'mergedInto',
] as const;

function caseCells(r: CaseRow): CsvValue[] {
  return [
    r.number,
    r.id,
    r.status,
    r.statusChangedAt.toISOString(),
    r.categoryKey,
    r.teamKey,
    r.category.sensitive,
    r.assigneeId,
    r.subject,
    r.channel,
    r.requesterId,
    r.requesterName,
    r.employeeNumber,
    r.createdAt.toISOString(),
    r.updatedAt.toISOString(),
    r.mergedIntoId,
  ];
}

/**
 * The case list as CSV: the caller's visibility and the list's filters, every page (keyset, in
 * list order) up to `maxRows`, streamed as it is read. Each page's sensitive cases are logged
 * as reads before the page is written, like the JSON list's.
 */
export class CaseExportService {
  private readonly q: Query;

  constructor(
    pool: pg.Pool,
    private readonly clock: Clock,
    private readonly maxRows: number,
    private readonly categoryFacts: CategoryFactsSource,
  ) {
    this.q = pgQuery(pool);
  }

  /**
   * Reads the first page now (so a bad cursor is a 400 before anything is sent) and returns the
   * document as chunks: BOM and header, then one chunk per page.
   */
  async cases(p: Principal, query: ListCasesQuery, endpoint: string): Promise<AsyncIterable<string>> {
    const base = caseListFilter(listVisibility(p), query, { id: p.id, staff: mayCall(p, 'staff') }, internalSearchScope(p));
    const sort = base.sort;
    const page = async (after: ListedCase | undefined, left: number) => {
      const rows = await listCases(
        this.q,
        {
          ...base,
          // The next page starts after the last row by the listing's own sort (its column, or its rank).
          after: after ? { at: after.sortAt, id: after.id, ...(sort === 'relevance' ? { rank: after.search?.rank } : {}) } : base.after,
          limit: Math.min(EXPORT_PAGE, left),
        },
        this.categoryFacts,
      );
      await this.logReads(p, rows, endpoint);
      return rows;
    };
    const first = await page(undefined, this.maxRows);
    const maxRows = this.maxRows;
    async function* chunks(): AsyncGenerator<string> {
      yield CSV_BOM + csvRecord(CASE_CSV_COLUMNS);
      let rows = first;
      let written = 0;
      for (;;) {
        if (rows.length === 0) return;
        yield rows.map((r) => csvRecord(caseCells(r))).join('');
        written += rows.length;
        const left = maxRows - written;
        if (rows.length < EXPORT_PAGE || left <= 0) return;
        rows = await page(rows[rows.length - 1], left);
      }
    }
    return chunks();
  }

  private async logReads(p: Principal, rows: CaseRow[], endpoint: string): Promise<void> {
    const at = this.clock.now();
    await insertAccessLog(
      this.q,
      rows.filter((r) => r.category.sensitive).map((r) => ({ caseId: r.id, actorId: p.id, actorRole: primaryRole(p), endpoint, at })),
    );
  }
}
