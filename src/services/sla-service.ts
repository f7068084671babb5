import type pg from 'pg';
import type { BusinessCalendar } from '../domain/business-calendar';
import type { Clock } from '../domain/clock';
import { evaluateSla, SLA_KINDS, stintsOf, watchAt, type SlaState } from '../domain/sla';
import {
  claimDueWatches,
  lockUnchangedSla,
  loadSlaFacts,
  readStaleSla,
  recordBreaches,
  replaceStints,
  saveRefreshedSla,
  type CaseSlaFactsRow,
  type CaseStints,
  type SlaRowUpdate,
} from '../repositories/sla-repository';
import { planSlaBreach } from '../domain/plan';
import type { CaseSlaExtras } from '../repositories/case-repository';
import { writePlans } from '../repositories/plan-writer';
import { inTransaction, pgQuery, type Query } from '../db/query';
import type { CaseSlaDto } from '../schemas/service-level';
import { loadServiceCalendar } from './service-calendar-service';
import { targetsFor, type Priority } from '../domain/triage';

/** The case fields the SLA of a case view is keyed by (and computed from, when the case read brought its facts). */
export interface SlaCaseRef {
  id: string;
  createdAt?: Date;
  firstResponseAt?: Date | null;
  priority?: Priority;
  slaFacts?: CaseSlaExtras;
}

function factsOf(f: CaseSlaFactsRow) {
  return {
    filedAt: f.filedAt,
    firstReplyAt: f.firstReplyAt,
    statusChanges: f.changes,
    targets: targetsFor({ firstResponseHours: f.firstResponseHours, resolutionHours: f.resolutionHours }, f.priorityTargets, f.priority),
  };
}

/** The `sla` of a case view, from its service level at an instant. */
export function toCaseSlaDto(s: SlaState): CaseSlaDto {
  return {
    firstResponseDueAt: s.firstResponse.dueAt.toISOString(),
    firstRespondedAt: s.firstResponse.metAt?.toISOString() ?? null,
    resolutionDueAt: s.resolution.dueAt.toISOString(),
    resolvedAt: s.resolution.metAt?.toISOString() ?? null,
    paused: s.paused,
    breached: s.breached,
  };
}

interface Pending {
  id: string;
  resolve: (dto: CaseSlaDto) => void;
  reject: (err: unknown) => void;
}

/**
 * Computes the `sla` of case views. Calls made in the same turn of the event loop (a list page
 * maps every row through toDto at once) are answered by one batch: one statement for the
 * calendar and one for the facts of every case in it, whatever the page size. One per app,
 * made in src/plugins/services.ts and handed to the case service (views) and the calendar
 * service (which clears its calendar after an edit).
 */
export class CaseSlaLoader {
  private queue: Pending[] = [];
  /**
   * The calendar changes a few times a year but is read by every case view: keep it for a few
   * seconds. An edit on this instance clears it at once; another instance sees it within the TTL.
   */
  private calendar: { value: Promise<BusinessCalendar>; until: number } | null = null;
  static readonly CALENDAR_TTL_MS = 5000;

  constructor(
    private readonly q: Query,
    private readonly clock: Clock,
    private readonly zone: string,
  ) {}

  load(ref: SlaCaseRef): Promise<CaseSlaDto> {
    const f = ref.slaFacts;
    if (f?.changes && ref.createdAt) {
      // The case read brought the facts: only the calendar (cached) is needed.
      const facts = {
        filedAt: ref.createdAt,
        firstReplyAt: ref.firstResponseAt ?? null,
        statusChanges: f.changes,
        targets: targetsFor(
          { firstResponseHours: f.firstResponseHours, resolutionHours: f.resolutionHours },
          f.priorityTargets,
          ref.priority ?? 'normal',
        ),
      };
      return this.cachedCalendar(this.q).then((cal) => toCaseSlaDto(evaluateSla(facts, cal, this.clock.now())));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: ref.id, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      const q = this.q;
      const [cal, facts] = await Promise.all([this.cachedCalendar(q), loadSlaFacts(q, [...new Set(batch.map((b) => b.id))])]);
      const now = this.clock.now();
      for (const b of batch) {
        const f = facts.get(b.id);
        if (f) b.resolve(toCaseSlaDto(evaluateSla(factsOf(f), cal, now)));
        else b.reject(new Error(`case ${b.id} vanished while its service level was computed`));
      }
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  /** Forgets the cached calendar (after an edit). */
  invalidateCalendar(): void {
    this.calendar = null;
  }

  private cachedCalendar(q: Query): Promise<BusinessCalendar> {
    const now = Date.now();
    if (!this.calendar || this.calendar.until <= now) {
      const value = loadServiceCalendar(q, this.zone);
      // A failed load is not cached: the next view tries again.
      value.catch(() => {
        if (this.calendar?.value === value) this.calendar = null;
      });
      this.calendar = { value, until: now + CaseSlaLoader.CALENDAR_TTL_MS };
    }
    return this.calendar.value;
  }
}

/** How long a refresh batch should hold its rows at most (SlaService.refreshBatchSize adapts to it). */
const REFRESH_HOLD_TARGET_MS = 250;
/** Rows one sweep may pass over before it leaves the rest of the refresh to the next sweep. */
const MAX_SKIPPED = 5000;

/**
 * The SLA sweep: recomputes stale SLA rows (due times, measured working time) and records
 * breaches whose due time has passed. Any number of instances may sweep at once: a refreshed row
 * is written only if no mark touched it since it was read (lockUnchangedSla, SKIP LOCKED), a
 * breach is claimed with SKIP LOCKED and is unique per case and kind.
 */
export class SlaService {
  /**
   * Stale rows the next refresh batch reads: SLA_BATCH_SIZE at most, halved after a batch that
   * held its rows longer than `holdTargetMs` and doubled (up to SLA_BATCH_SIZE) after one that took
   * under half of it. A batch holds its case_sla rows only while it writes them (it reads and
   * computes before it locks), and a move of one of those cases waits for that. Before, the rows
   * were held from the claim to the commit, reading and computing included, which took seconds
   * once cases had hundreds of status changes (the soaks of 2026-12-02); the bound stays for
   * batches whose writes (changed stints) are large.
   */
  private refreshSize: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly zone: string,
    private readonly batchSize: number,
    private readonly holdTargetMs = REFRESH_HOLD_TARGET_MS,
  ) {
    this.refreshSize = batchSize;
  }

  /** How many stale rows the next refresh batch reads (for tests and diagnostics). */
  get refreshBatchSize(): number {
    return this.refreshSize;
  }

  /**
   * Refreshes every stale row, then records every breach due at `asOf` (now by default). An
   * aborted `signal` stops it after the batch under way (the app is closing).
   */
  async sweep(asOf: Date = this.clock.now(), signal?: AbortSignal): Promise<{ refreshed: number; breaches: number }> {
    let refreshed = 0;
    // Rows a batch read but could not write (changed meanwhile, or held by a transaction in
    // flight): later batches of this sweep pass them over, so a row held for long cannot stop the
    // refresh of the others, nor make the sweep read it again and again. The next sweep tries
    // them again.
    const skipped = new Set<string>();
    for (;;) {
      if (signal?.aborted) return { refreshed, breaches: 0 };
      const size = this.refreshSize;
      const { read, written, heldMs } = await this.refreshBatch(asOf, size, skipped);
      if (heldMs > this.holdTargetMs) this.refreshSize = Math.max(1, Math.floor(size / 2));
      else if (heldMs < this.holdTargetMs / 2 && read === size) this.refreshSize = Math.min(this.batchSize, size * 2);
      refreshed += written;
      if (read < size || skipped.size > MAX_SKIPPED) break;
    }
    let breaches = 0;
    for (const kind of SLA_KINDS) {
      for (;;) {
        if (signal?.aborted) return { refreshed, breaches };
        const { claimed, recorded } = await inTransaction(this.pool, async (q) => {
          const due = await claimDueWatches(q, kind, asOf, this.batchSize);
          const recorded = await recordBreaches(q, kind, due, asOf);
          await writePlans(
            q,
            recorded.map((b) => planSlaBreach(b, kind, asOf)),
          );
          return { claimed: due.length, recorded: recorded.length };
        });
        breaches += recorded;
        if (claimed < this.batchSize) break;
      }
    }
    return { refreshed, breaches };
  }

  /**
   * One refresh batch: reads up to `size` stale rows (not in `skipped`) and their facts and
   * computes them without holding any lock, then writes, in a short transaction, the rows no mark
   * has touched since (lockUnchangedSla) and adds the others to `skipped`. Answers how many stale
   * rows it read, how many it wrote, and how long it held rows (the write transaction), which the
   * batch size adapts to.
   */
  private async refreshBatch(asOf: Date, size: number, skipped: Set<string>): Promise<{ read: number; written: number; heldMs: number }> {
    const q = pgQuery(this.pool);
    const stale = await readStaleSla(q, size, [...skipped]);
    if (stale.length === 0) return { read: 0, written: 0, heldMs: 0 };
    // Read after the mark counts: a calendar or category edit that commits after this point bumps
    // the count of its rows, and a case change the case row's version read with the facts; this
    // batch then leaves those rows stale (lockUnchangedSla).
    const [cal, facts] = await Promise.all([
      loadServiceCalendar(q, this.zone),
      loadSlaFacts(
        q,
        stale.map((c) => c.caseId),
      ),
    ]);
    const updates: SlaRowUpdate[] = [];
    const stints: CaseStints[] = [];
    const read: Array<{ caseId: string; marks: string; rowVersion: string }> = [];
    for (const c of stale) {
      // A case deleted since (its SLA row went with it) has nothing to write.
      const f = facts.get(c.caseId);
      if (!f) continue;
      read.push({ caseId: c.caseId, marks: c.marks, rowVersion: f.rowVersion });
      const s = evaluateSla(factsOf(f), cal, asOf);
      updates.push({
        caseId: c.caseId,
        filedAt: f.filedAt,
        categoryKey: f.categoryKey,
        teamKey: f.teamKey,
        firstResponseWatchAt: watchAt(s.firstResponse, asOf, c.firstResponseBreached),
        resolutionWatchAt: watchAt(s.resolution, asOf, c.resolutionBreached),
        firstResponseAt: s.firstResponse.metAt,
        resolvedAt: s.resolution.metAt,
        firstResponseMs: s.firstResponse.workingMs,
        resolutionMs: s.resolution.workingMs,
        firstResponseDueAt: s.firstResponse.dueAt,
        resolutionDueAt: s.resolution.dueAt,
      });
      stints.push({
        caseId: c.caseId,
        filedAt: f.filedAt,
        categoryKey: f.categoryKey,
        teamKey: f.teamKey,
        stints: stintsOf(f.filedAt, f.changes, cal),
      });
    }
    const started = performance.now();
    const held = await inTransaction(this.pool, async (tq) => {
      const unchanged = await lockUnchangedSla(tq, read);
      if (unchanged.size === 0) return unchanged;
      await saveRefreshedSla(
        tq,
        updates.filter((u) => unchanged.has(u.caseId)),
        asOf,
      );
      await replaceStints(
        tq,
        stints.filter((st) => unchanged.has(st.caseId)),
      );
      return unchanged;
    });
    for (const c of stale) if (!held.has(c.caseId)) skipped.add(c.caseId);
    return { read: stale.length, written: held.size, heldMs: performance.now() - started };
  }
}
