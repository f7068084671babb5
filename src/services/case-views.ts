/** How cases and their parts are shown: rows to the API's DTOs, and the listing's filter and cursor. */
import type { CaseAccessFacts } from '../domain/access';
import { allowedNow } from '../domain/decide';
import { DomainError } from '../domain/errors';
import type { Standing, Visibility } from '../domain/standing';
import type { SuspensionWindow } from '../domain/suspension';
import { normaliseTags } from '../domain/triage';
import { parseSearch, type InternalSearchScope } from '../domain/search';
import type { AttachmentMeta, CaseRow, HistoryRow, MessageRow } from '../repositories/case-repository';
import type { CaseListFilter, ListedCase, QueueFilter } from '../repositories/case-list';
import type { SearchHit } from '../repositories/case-search';
import type { AttachmentDto, CaseDto, CaseListItemDto, HistoryDto, ListCasesQuery, MessageDto } from '../schemas/case';

/** A case as the principal of `standing` sees it; `sla` is the service level of its view. */
export function toCaseDto(row: CaseRow, standing: Standing, activeWindow: SuspensionWindow | null, sla: CaseDto['sla']): CaseDto {
  const staffView = standing.access.view === 'staff';
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    statusChangedAt: row.statusChangedAt.toISOString(),
    categoryKey: row.categoryKey,
    teamKey: row.teamKey,
    sensitive: row.category.sensitive,
    assigneeId: row.assigneeId,
    subject: row.subject,
    description: row.description,
    details: (row.details ?? {}) as Record<string, unknown>,
    channel: row.channel,
    requester: {
      id: row.requesterId,
      name: row.requesterName,
      employeeNumber: row.employeeNumber,
      external: (row.externalRequester ?? null) as CaseDto['requester']['external'],
    },
    concernsEmployee: (row.concernsEmployee ?? null) as CaseDto['concernsEmployee'],
    filedBy: { id: row.filedById, role: staffView || row.filedById === row.requesterId ? row.filedByRole : 'staff' },
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    anonymisedAt: row.anonymisedAt?.toISOString() ?? null,
    resolution: row.resolution,
    mergedInto: row.mergedIntoId,
    // Staff triage: never in a requester's view (docs/queues.md).
    ...(staffView ? { priority: row.priority, tags: row.tags } : {}),
    allowedTransitions: standing.as && !row.mergedIntoId ? allowedNow(row, standing.as, { activeWindow }) : [],
    autoTransition: row.timer ? { to: row.timer.toStatus, dueAt: row.timer.dueAt.toISOString() } : null,
    sla,
  };
}

export function toMessageDto(m: MessageRow): MessageDto {
  return {
    id: m.id,
    caseId: m.caseId,
    author: { id: m.authorId, role: m.authorRole, onBehalfOf: m.onBehalfOf },
    visibility: m.visibility,
    body: m.body,
    createdAt: m.createdAt.toISOString(),
  };
}

export function toHistoryDto(h: HistoryRow): HistoryDto {
  return {
    id: h.id,
    at: h.at.toISOString(),
    actor: { id: h.actorId, role: h.actorRole, onBehalfOf: h.onBehalfOf },
    field: h.field,
    from: h.fromValue,
    to: h.toValue,
    reason: h.reason,
    internal: h.internal,
  };
}

export function toAttachmentDto(a: AttachmentMeta): AttachmentDto {
  return {
    id: a.id,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
    uploadedBy: { id: a.uploadedById, role: a.uploadedByRole },
    createdAt: a.createdAt.toISOString(),
  };
}

/**
 * The page query of a listing: the caller's visibility and the API's filters, one row more than
 * the page size (its presence means there is a next page). The benchmark's floor builds its list
 * statements with this too. `internal` is whose internal notes a search reads (`q`,
 * docs/search.md); a search sorts by relevance unless another sort is asked for.
 */
export function caseListFilter(
  visibility: Visibility,
  q: ListCasesQuery,
  caller?: { id: string; staff: boolean },
  internal: InternalSearchScope = { internal: false },
): CaseListFilter {
  const sort = listSort(q);
  return {
    visibility,
    status: q.status,
    category: q.category,
    team: q.team,
    assignee: q.assignee === 'me' && caller ? caller.id : q.assignee,
    queue: queueFilter(q, caller?.staff ?? true),
    requester: q.requester,
    createdFrom: q.createdFrom ? new Date(q.createdFrom) : undefined,
    createdTo: q.createdTo ? new Date(q.createdTo) : undefined,
    search: q.q === undefined ? undefined : { query: parseSearch(q.q), scope: internal },
    sort,
    after: q.cursor ? decodeCursor(q.cursor, sort) : undefined,
    limit: (q.limit ?? 25) + 1,
  };
}

/**
 * The queue filters of a list query (docs/queues.md). Priority and tags are staff-only: anyone
 * else filtering by them is refused (a requester could otherwise probe the tags of their own
 * cases). Tags are normalised as they are stored.
 */
function queueFilter(q: ListCasesQuery, staff: boolean): QueueFilter {
  for (const field of ['priority', 'tag'] as const) {
    if (q[field] !== undefined && !staff) {
      throw new DomainError('validation-failed', `Only staff filter by ${field}.`, {
        errors: [{ in: 'querystring', path: `/${field}`, message: 'staff only' }],
      });
    }
  }
  return {
    unassigned: q.unassigned,
    breached: q.breached,
    dueBefore: q.dueBefore ? new Date(q.dueBefore) : undefined,
    priority: q.priority,
    tags: q.tag ? normaliseTags(q.tag, { in: 'querystring', path: '/tag' }) : undefined,
  };
}

/** The sort of a listing: as asked, else by relevance for a search and newest first otherwise. */
function listSort(q: ListCasesQuery): CaseListFilter['sort'] {
  if (q.sort === 'relevance' && q.q === undefined) {
    throw new DomainError('validation-failed', 'sort=relevance needs a search (q).', {
      errors: [{ in: 'querystring', path: '/sort', message: 'relevance needs q' }],
    });
  }
  if ((q.sort === 'resolutionDueAt' || q.sort === 'firstResponseDueAt') && q.q !== undefined) {
    throw new DomainError('validation-failed', 'A search (q) sorts by relevance, created or updated, not by a due time.', {
      errors: [{ in: 'querystring', path: '/sort', message: 'not with q' }],
    });
  }
  return q.sort ?? (q.q === undefined ? 'created' : 'relevance');
}

/** The cursor after the last row of a page. */
export function cursorAfter(sort: CaseListFilter['sort'], last: ListedCase): string {
  return encodeCursor(sort, last.sortAt, last.id, sort === 'relevance' ? last.search?.rank : undefined);
}

/** The cursor after `at` (null: a row without a due time, in a due-time sort), `id` and, for relevance, the rank. */
function encodeCursor(sort: string, at: Date | null, id: string, rank?: string): string {
  return Buffer.from(JSON.stringify({ s: sort, t: at ? at.toISOString() : null, id, ...(rank === undefined ? {} : { r: rank }) })).toString(
    'base64url',
  );
}

function decodeCursor(cursor: string, sort: string): { at: Date | null; id: string; rank?: string } {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: string; t?: string | null; id?: string; r?: unknown };
    const dueSort = sort === 'resolutionDueAt' || sort === 'firstResponseDueAt';
    const at = c.t === null && dueSort ? null : new Date(c.t ?? '');
    if (c.s !== sort || (at !== null && Number.isNaN(at.getTime())) || typeof c.id !== 'string' || !/^[0-9a-f-]{36}$/i.test(c.id)) {
      throw new Error('bad cursor');
    }
    if (sort !== 'relevance') return { at, id: c.id };
    // A rank as PostgreSQL prints a real; anything else would fail the statement (a 500).
    if (typeof c.r !== 'string' || !/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(c.r)) throw new Error('bad cursor');
    return { at, id: c.id, rank: c.r };
  } catch {
    throw new DomainError('validation-failed', 'The cursor is not one this listing issued (or the sort changed).', {
      errors: [{ in: 'querystring', path: '/cursor', message: 'invalid cursor' }],
    });
  }
}

/** A search hit's match, for its list item. */
export function toMatchDto(hit: SearchHit | undefined): CaseListItemDto['match'] {
  return hit ? { snippet: hit.snippet, fields: hit.fields } : undefined;
}

/** What access rules need of a case row. */
export function accessFacts(row: CaseRow): CaseAccessFacts {
  const concerned = row.concernsEmployee as { id?: unknown } | null;
  return {
    requesterId: row.requesterId,
    filedById: row.filedById,
    teamKey: row.teamKey,
    sensitive: row.category.sensitive,
    concernedId: typeof concerned?.id === 'string' ? concerned.id : null,
  };
}

/** The refusal of an edit naming a category or team that does not exist. */
export function unknownRef(field: string, value: string): DomainError {
  return new DomainError('validation-failed', `Unknown ${field} '${value}'.`, {
    errors: [{ in: 'body', path: `/${field}`, message: 'unknown' }],
  });
}
