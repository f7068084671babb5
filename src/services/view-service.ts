import type pg from 'pg';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { mayCall } from '../domain/access';
import type { Principal } from '../domain/roles';
import { listVisibility } from '../domain/standing';
import { STATUSES } from '../domain/statuses';
import { inTransaction, pgQuery, type Query } from '../db/query';
import { teamExists } from '../repositories/case-repository';
import { deleteView, findView, insertView, listViews, queueCounts, updateView, type SavedViewRow } from '../repositories/view-repository';
import {
  MAX_VIEWS_PER_USER,
  type CreateViewBody,
  type QueueCountsDto,
  type SavedViewDto,
  type UpdateViewBody,
  type ViewFilter,
} from '../schemas/view';
import { caseListFilter } from './case-views';

/**
 * Queues (#16 point 2): a user's saved views of the case list and the queue counts of a team.
 * docs/queues.md.
 */
export class ViewService {
  private readonly q: Query;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
  ) {
    this.q = pgQuery(pool);
  }

  async list(p: Principal): Promise<SavedViewDto[]> {
    return (await listViews(this.q, p.id)).map(toViewDto);
  }

  /** The caller's view; another user's is a 404 like one that does not exist. */
  async get(p: Principal, id: string): Promise<SavedViewDto> {
    const row = await findView(this.q, p.id, id);
    if (!row) throw notFound();
    return toViewDto(row);
  }

  async create(p: Principal, body: CreateViewBody): Promise<SavedViewDto> {
    checkFilter(p, body.filter);
    const now = this.clock.now();
    const r = await inTransaction(this.pool, (tx) =>
      insertView(tx, { ownerId: p.id, name: body.name, filter: body.filter, now }, MAX_VIEWS_PER_USER),
    );
    if (r === 'duplicate') throw duplicate(body.name);
    if (r === 'full')
      throw new DomainError('conflict', `You hold ${MAX_VIEWS_PER_USER} views already: delete one first.`, { limit: MAX_VIEWS_PER_USER });
    return toViewDto(r);
  }

  async update(p: Principal, id: string, body: UpdateViewBody): Promise<SavedViewDto> {
    if (body.filter !== undefined) checkFilter(p, body.filter);
    const r = await updateView(this.q, p.id, id, { name: body.name, filter: body.filter, now: this.clock.now() });
    if (r === null) throw notFound();
    if (r === 'duplicate') throw duplicate(body.name ?? '');
    return toViewDto(r);
  }

  async remove(p: Principal, id: string): Promise<void> {
    if (!(await deleteView(this.q, p.id, id))) throw notFound();
  }

  /**
   * Counts of a team's queue, for admins and the team's operators. They may see every case of
   * the team, sensitive ones included, so every case counts; anyone else is refused (403), and
   * an unknown team is a 404.
   */
  async queueCounts(p: Principal, teamKey: string): Promise<QueueCountsDto> {
    if (!(await teamExists(this.q, teamKey))) throw new DomainError('not-found', `No team '${teamKey}'.`);
    const member = p.roles.includes('operator') && p.teams.includes(teamKey);
    if (!p.roles.includes('admin') && !member) {
      throw new DomainError('forbidden', "Only the team's operators and administrators count its queue.");
    }
    const counts = await queueCounts(this.q, teamKey);
    const byStatus = new Map(counts.byStatus.map((s) => [s.status, s.count]));
    return { teamKey, ...counts, byStatus: STATUSES.map((status) => ({ status, count: byStatus.get(status) ?? 0 })) };
  }
}

/**
 * A filter is checked as the list would check it for its owner (staff-only fields, tag syntax),
 * so opening the view never fails on its own filter.
 */
function checkFilter(p: Principal, filter: ViewFilter): void {
  try {
    caseListFilter(listVisibility(p), filter, { id: p.id, staff: mayCall(p, 'staff') });
  } catch (e) {
    if (e instanceof DomainError && e.code === 'validation-failed') {
      const errors = (e.extras.errors as Array<{ path: string; message: string }> | undefined) ?? [];
      throw new DomainError('validation-failed', e.message, {
        errors: errors.map((x) => ({ in: 'body', path: `/filter${x.path}`, message: x.message })),
      });
    }
    throw e;
  }
}

function notFound(): DomainError {
  return new DomainError('not-found', 'No such view.');
}

function duplicate(name: string): DomainError {
  return new DomainError('conflict', `You hold a view named '${name}' already.`, { errors: [{ in: 'body', path: '/name', message: 'taken' }] });
}

function toViewDto(r: SavedViewRow): SavedViewDto {
  return {
    id: r.id,
    name: r.name,
    filter: r.filter,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
