import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { caseAccess } from '../domain/access';
import { REDACTED_BASE, REDACTED_FIELDS, type EventType } from '../domain/events';
import type { Principal } from '../domain/roles';
import { inTransaction, pgQuery, type Query } from '../db/query';
import { eventsAfter, readHighestPosition, readSafeBound, type FeedRow } from '../repositories/event-repository';

/** One outbox event as the feed and webhooks publish it. */
export interface EventDto {
  position: string;
  id: string;
  type: string;
  caseId: string | null;
  payload: Record<string, unknown>;
  /** The payload was cut to ids, status and codes (a sensitive case, a receiver without the grant). */
  redacted: boolean;
  createdAt: string;
}

/** The payload of an event of a sensitive case for a receiver without the sensitive grant. */
function redactPayload(type: string, payload: Record<string, unknown>): Record<string, unknown> {
  const fields: readonly string[] = Object.hasOwn(REDACTED_FIELDS, type) ? REDACTED_FIELDS[type as EventType] : [];
  const keep = [...REDACTED_BASE, ...fields];
  return Object.fromEntries(keep.filter((k) => Object.hasOwn(payload, k)).map((k) => [k, payload[k]]));
}

/**
 * An event as published; `redact` cuts the payload to ids, status and codes. The outbox keeps
 * the full event: redaction happens on the way out, per receiver.
 */
export function toEventDto(r: Pick<FeedRow, 'position' | 'id' | 'type' | 'caseId' | 'payload' | 'createdAt'>, redact = false): EventDto {
  return {
    position: r.position.toString(),
    id: r.id,
    type: r.type,
    caseId: r.caseId,
    payload: redact ? redactPayload(r.type, r.payload) : r.payload,
    redacted: redact,
    createdAt: r.createdAt.toISOString(),
  };
}

/**
 * Whether the principal holds the sensitive grant for event payloads: the `cases:read:sensitive`
 * scope, explicitly given to a client. Seeing a sensitive case's events at all is `caseAccess`.
 */
export function holdsSensitiveGrant(p: Principal): boolean {
  return p.scopes.includes('cases:read:sensitive');
}

/**
 * How the safe bound asks for the outbox lock: at most `waitMs` queued at a time (what a writer
 * can be held back by one request), `pauseMs` between requests, and `budgetMs` in all before the
 * last known bound is used instead.
 */
const SAFE_BOUND = { waitMs: 25, pauseMs: 25, budgetMs: 2000 } as const;

/**
 * The events feed over the transactional outbox. Positions come from a sequence, so a
 * transaction can take position 7, and commit after another took 8 and committed: a reader
 * that returned 8 and moved its cursor past 7 would never see 7. The feed therefore only serves
 * positions up to a *safe bound*: it takes the outbox lock exclusively for an instant, which
 * waits for every transaction that has allocated a position to finish (writers hold it shared
 * from before their insert to their commit), and reads max(position) then (SAFE_BOUND says how
 * long it may queue for it).
 */
export class EventService {
  /** A bound that was safe once stays safe: used when the lock cannot be had quickly. */
  private knownBound = 0n;

  private readonly q: Query;

  constructor(private readonly pool: pg.Pool) {
    this.q = pgQuery(pool);
  }

  /**
   * The highest position below which no event can still appear; when the writers in flight do not
   * let the outbox lock go within SAFE_BOUND.budgetMs (a long transaction), the last known bound.
   */
  async safeBound(): Promise<bigint> {
    return (await this.freshBound()) ?? this.knownBound;
  }

  /**
   * Where a new reader starts so that it sees what is written from now on: the safe bound, or,
   * when the lock cannot be had quickly, the highest committed position. The last known bound
   * would be wrong there: it can lie far back (0 on an instance that never read the feed), and
   * the new reader would be sent the past. The highest committed position may instead let through
   * an event whose transaction was in flight at this instant (written as the reader was created),
   * or, when a later one committed first, skip it.
   */
  async startPosition(): Promise<bigint> {
    return (await this.freshBound()) ?? (await readHighestPosition(this.q));
  }

  /**
   * Tries the outbox lock without queueing first, then asks for it again and again, each time
   * queued for at most SAFE_BOUND.waitMs with a pause between: a queued exclusive request holds
   * every new writer back, and behind a long writer (a sweep's or retention's batch) one request
   * waiting 2 s stalled all writes for 2 s and chained into 5 s statement timeouts (the soak of
   * 2026-12-02, docs/integration.md). Null when the budget ran out.
   */
  private async freshBound(): Promise<bigint | null> {
    const deadline = Date.now() + SAFE_BOUND.budgetMs;
    for (let attempt = 0; ; attempt++) {
      const bound = await inTransaction(this.pool, (q) => readSafeBound(q, attempt === 0 ? 0 : SAFE_BOUND.waitMs));
      if (bound !== null) {
        if (bound > this.knownBound) this.knownBound = bound;
        return bound;
      }
      if (Date.now() + SAFE_BOUND.pauseMs >= deadline) return null;
      await sleep(SAFE_BOUND.pauseMs);
    }
  }

  /**
   * Events after `after`, oldest first, that `p` may see: events of a case only when `p` sees
   * that case as staff (so a sensitive case's events reach its team's operators, admins, and
   * integrations granted cases:read:sensitive). Hidden events are skipped, not blanked:
   * `nextAfter` moves past them, so a page can hold fewer than `limit` items while more follow.
   * Events of sensitive cases that are shown carry ids and status only, unless `p` holds the
   * sensitive grant (`holdsSensitiveGrant`): seeing that a case changed is not seeing who did what.
   */
  async feed(p: Principal, after: bigint, limit: number): Promise<{ items: EventDto[]; nextAfter: string }> {
    const bound = await this.safeBound();
    const full = holdsSensitiveGrant(p);
    const items: EventDto[] = [];
    let cursor = after;
    // A few scans fill a page even when many events are hidden, without scanning unboundedly.
    for (let scan = 0; scan < 5 && items.length < limit && cursor < bound; scan++) {
      const rows = await eventsAfter(this.q, cursor, bound, limit);
      for (const r of rows) {
        cursor = r.position;
        // A case that is gone may have been sensitive: nothing says it was not.
        if (this.maySee(p, r)) items.push(toEventDto(r, r.caseId !== null && (r.sensitive ?? true) && !full));
        if (items.length === limit) break;
      }
      if (rows.length < limit) break;
    }
    return { items, nextAfter: cursor.toString() };
  }

  private maySee(p: Principal, r: FeedRow): boolean {
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
