import { caseAccess } from '../domain/access';
import type { Principal } from '../domain/roles';
import type { Db } from '../db/client';

/**
 * The advisory lock every transaction writing outbox events holds shared (a statement trigger
 * on outbox_event takes it, migration 20261127131013_integration). Keep the two in step.
 */
export const OUTBOX_LOCK_KEY = 1397441350;

/** One outbox event as the feed and webhooks publish it. */
export interface EventDto {
  position: string;
  id: string;
  type: string;
  caseId: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

interface EventRow {
  position: bigint;
  id: string;
  type: string;
  caseId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
  caseExists: boolean;
  requesterId: string | null;
  filedById: string | null;
  teamKey: string | null;
  sensitive: boolean | null;
}

export function toEventDto(r: Pick<EventRow, 'position' | 'id' | 'type' | 'caseId' | 'payload' | 'createdAt'>): EventDto {
  return {
    position: r.position.toString(),
    id: r.id,
    type: r.type,
    caseId: r.caseId,
    payload: r.payload,
    createdAt: r.createdAt.toISOString(),
  };
}

/**
 * The events feed over the transactional outbox. Positions come from a sequence, so a
 * transaction can take position 7, and commit after another took 8 and committed: a reader
 * that returned 8 and moved its cursor past 7 would never see 7. The feed therefore only serves
 * positions up to a *safe bound*: it takes the outbox lock exclusively for an instant, which
 * waits for every transaction that has allocated a position to finish (writers hold it shared
 * from before their insert to their commit), and reads max(position) then.
 */
export class EventService {
  /** A bound that was safe once stays safe: used when the lock cannot be had quickly. */
  private knownBound = 0n;

  constructor(private readonly db: Db) {}

  /**
   * The highest position below which no event can still appear. Waits at most 2 s for writers
   * in flight (new writers queue behind this for that long); after that, the last known bound.
   */
  async safeBound(): Promise<bigint> {
    try {
      const bound = await this.db.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL lock_timeout = '2s'`;
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK_KEY}::bigint)`;
        const [row] = await tx.$queryRaw<Array<{ max: bigint | null }>>`SELECT max(position) AS max FROM outbox_event`;
        return row?.max ?? 0n;
      });
      if (bound > this.knownBound) this.knownBound = bound;
      return bound;
    } catch (err) {
      if (!isLockTimeout(err)) throw err;
      return this.knownBound;
    }
  }

  /**
   * Events after `after`, oldest first, that `p` may see: events of a case only when `p` sees
   * that case as staff (so a sensitive case's events reach its team's operators, admins, and
   * integrations granted cases:read:sensitive). Hidden events are skipped, not blanked:
   * `nextAfter` moves past them, so a page can hold fewer than `limit` items while more follow.
   */
  async feed(p: Principal, after: bigint, limit: number): Promise<{ items: EventDto[]; nextAfter: string }> {
    const bound = await this.safeBound();
    const items: EventDto[] = [];
    let cursor = after;
    // A few scans fill a page even when many events are hidden, without scanning unboundedly.
    for (let scan = 0; scan < 5 && items.length < limit && cursor < bound; scan++) {
      const rows = await this.db.$queryRaw<EventRow[]>`
        SELECT e.position, e.id::text AS id, e.type, e.case_id::text AS "caseId", e.payload, e.created_at AS "createdAt",
               (c.id IS NOT NULL) AS "caseExists", c.requester_id AS "requesterId", c.filed_by_id AS "filedById",
               c.team_key AS "teamKey", cat.sensitive
        FROM outbox_event e
        LEFT JOIN "case" c ON c.id = e.case_id
        LEFT JOIN category cat ON cat.key = c.category_key
        WHERE e.position > ${cursor} AND e.position <= ${bound}
        ORDER BY e.position
        LIMIT ${limit}`;
      for (const r of rows) {
        cursor = r.position;
        if (this.maySee(p, r)) items.push(toEventDto(r));
        if (items.length === limit) break;
      }
      if (rows.length < limit) break;
    }
    return { items, nextAfter: cursor.toString() };
  }

  private maySee(p: Principal, r: EventRow): boolean {
    if (r.caseId === null) return true;
    // A case that is gone leaves no facts to decide on: only admins keep seeing its events.
    if (!r.caseExists) return p.roles.includes('admin');
    const access = caseAccess(p, {
      requesterId: r.requesterId,
      filedById: r.filedById ?? '',
      teamKey: r.teamKey ?? '',
      sensitive: r.sensitive ?? true,
    });
    return access.view === 'staff';
  }
}

function isLockTimeout(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const o = e as { code?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown };
    if (o.code === '55P03' || o.originalCode === '55P03') return true;
    if (typeof o.message === 'string' && /lock timeout/i.test(o.message)) return true;
    e = o.cause;
  }
  return false;
}
