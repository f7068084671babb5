/**
 * Service-level arithmetic (serviceavtale): when a case's first-response and resolution targets
 * fall due, whether they were met, and how much working time they took. Pure: facts about the
 * case, a business calendar and `now` in, a state out.
 *
 * Rules (docs/service-levels.md):
 * - Both clocks start when the case is filed and count working time of the calendar only.
 * - Both clocks stand still while the case is WAITING_FOR_USER or ON_HOLD; the paused working
 *   time is given back, i.e. the due time moves by it.
 * - First response stops at the first public operator reply, or at resolution if that comes
 *   first (a case resolved without a reply has been answered by its resolution).
 * - Resolution stops the first time the case enters COMPLETED, or CLOSED if the requester closes
 *   it before completion. Undoing a completion or reopening starts no new clock.
 * - A target is breached when its due time passes before it stops; a late stop is a breach too.
 */
import { dueWithPauses, workingMillisBetween, type BusinessCalendar, type SlaPause } from './business-calendar';
import { ENDED_STATUSES, type Status } from './statuses';

/** The two service-level targets of a case. */
export const SLA_KINDS = ['first_response', 'resolution'] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

/** Statuses in which the service-level clock stands still. */
const PAUSING_STATUSES: ReadonlySet<Status> = new Set<Status>(['WAITING_FOR_USER', 'ON_HOLD']);

/** Statuses whose first entry resolves a case: those where its work has ended. */
const RESOLVING_STATUSES: ReadonlySet<Status> = new Set<Status>(ENDED_STATUSES);

/** One status change of a case, as the history records it. */
export interface StatusChange {
  at: Date;
  to: Status;
}

/** What the service level of one case is computed from. */
export interface SlaFacts {
  filedAt: Date;
  /** The first public operator reply, if any. */
  firstReplyAt: Date | null;
  /** Every status change after filing, oldest first. */
  statusChanges: readonly StatusChange[];
  /** The category's targets, in working hours. */
  targets: { firstResponseHours: number; resolutionHours: number };
}

/** One target of a case. */
export interface SlaTarget {
  /** When the target is due; while its clock is paused, the due time if it resumed now. */
  dueAt: Date;
  /** When the clock stopped (the target was reached), or null while it runs. */
  metAt: Date | null;
  /** Working milliseconds from filing to `metAt`, pauses excluded; null while it runs. */
  workingMs: number | null;
  /** The clock of this (running) target stands still now. */
  paused: boolean;
  /** The due time passed before the clock stopped (at `now`, or at `metAt`). */
  breached: boolean;
}

/** The service level of a case at an instant. */
export interface SlaState {
  firstResponse: SlaTarget;
  resolution: SlaTarget;
  /** A running target's clock stands still (the case is WAITING_FOR_USER or ON_HOLD). */
  paused: boolean;
  /** The targets that are breached, in SLA_KINDS order. */
  breached: SlaKind[];
}

/**
 * The stretches the case spent in a pausing status, from its status changes; the last one is
 * open (`to: null`) when the case is in a pausing status now. Moving between two pausing
 * statuses continues one pause.
 */
export function pausesOf(changes: readonly StatusChange[]): SlaPause[] {
  const pauses: SlaPause[] = [];
  let since: Date | null = null;
  for (const c of changes) {
    const pausing = PAUSING_STATUSES.has(c.to);
    if (pausing && since === null) since = c.at;
    else if (!pausing && since !== null) {
      pauses.push({ from: since, to: c.at });
      since = null;
    }
  }
  if (since !== null) pauses.push({ from: since, to: null });
  return pauses;
}

/** The first time the case entered a resolving status, or null. */
export function resolvedAtOf(changes: readonly StatusChange[]): Date | null {
  return changes.find((c) => RESOLVING_STATUSES.has(c.to))?.at ?? null;
}

/**
 * The service level of a case at `now`.
 *
 * @throws RangeError for invalid dates, negative targets or an invalid calendar
 */
export function evaluateSla(facts: SlaFacts, cal: BusinessCalendar, now: Date): SlaState {
  const pauses = pausesOf(facts.statusChanges);
  const resolvedAt = resolvedAtOf(facts.statusChanges);
  const firstResponseAt = earliest(facts.firstReplyAt, resolvedAt);
  const firstResponse = target(facts.filedAt, facts.targets.firstResponseHours, firstResponseAt, pauses, cal, now);
  const resolution = target(facts.filedAt, facts.targets.resolutionHours, resolvedAt, pauses, cal, now);
  const breached: SlaKind[] = [];
  if (firstResponse.breached) breached.push('first_response');
  if (resolution.breached) breached.push('resolution');
  return { firstResponse, resolution, paused: firstResponse.paused || resolution.paused, breached };
}

/**
 * When the breach sweep should look at a target again: its due time if the target can still
 * breach (running and not paused, or paused after it already passed, or met late), else null.
 * A breach already recorded needs no second look.
 */
export function watchAt(t: SlaTarget, now: Date, alreadyRecorded: boolean): Date | null {
  if (alreadyRecorded) return null;
  if (t.metAt !== null) return t.breached ? t.dueAt : null;
  // While paused the due time is a projection that moves with the clock; only a due time that
  // passed before the pause began is final.
  if (t.paused && t.dueAt.getTime() > now.getTime()) return null;
  return t.dueAt;
}

function target(filedAt: Date, hours: number, stoppedAt: Date | null, pauses: readonly SlaPause[], cal: BusinessCalendar, now: Date): SlaTarget {
  if (stoppedAt === null) {
    const { dueAt, paused } = dueWithPauses(filedAt, hours, pauses, cal, now);
    return { dueAt, metAt: null, workingMs: null, paused, breached: dueAt.getTime() <= now.getTime() };
  }
  // Once the clock stopped, later pauses are irrelevant and an open one ends at the stop.
  const stop = stoppedAt.getTime();
  const clipped: SlaPause[] = [];
  for (const p of pauses) {
    if (p.from.getTime() >= stop) continue;
    clipped.push({ from: p.from, to: p.to === null || p.to.getTime() > stop ? stoppedAt : p.to });
  }
  const { dueAt } = dueWithPauses(filedAt, hours, clipped, cal, stoppedAt);
  const workingMs = workingMillisBetween(filedAt, stoppedAt, cal) - pausedWorkingMs(filedAt, clipped, cal);
  return { dueAt, metAt: stoppedAt, workingMs: Math.max(0, workingMs), paused: false, breached: stop > dueAt.getTime() };
}

/** Working time inside the (closed) pauses after `from`, overlapping pauses counted once. */
function pausedWorkingMs(from: Date, pauses: readonly SlaPause[], cal: BusinessCalendar): number {
  const spans = pauses
    .map((p) => [Math.max(p.from.getTime(), from.getTime()), (p.to as Date).getTime()] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of spans) {
    const s = Math.max(a, end);
    if (b > s) total += workingMillisBetween(new Date(s), new Date(b), cal);
    end = Math.max(end, b);
  }
  return total;
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

/** One stay of a case in a status. */
export interface StatusStint {
  status: Status;
  enteredAt: Date;
  /** null while the case is still in the status. */
  leftAt: Date | null;
  /** Working time of the calendar inside the stay; null while it lasts. */
  workingMs: number | null;
}

/**
 * The stays of a case in its statuses: REGISTERED from filing, then one per status change, each
 * lasting until the next. The time-in-status report aggregates these.
 *
 * @throws RangeError for invalid dates or an invalid calendar
 */
export function stintsOf(filedAt: Date, changes: readonly StatusChange[], cal: BusinessCalendar): StatusStint[] {
  const entries: StatusChange[] = [{ at: filedAt, to: 'REGISTERED' }, ...changes];
  return entries.map((e, i) => {
    const next = entries[i + 1];
    return {
      status: e.to,
      enteredAt: e.at,
      leftAt: next ? next.at : null,
      workingMs: next ? workingMillisBetween(e.at, next.at, cal) : null,
    };
  });
}
