import type pg from 'pg';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import { decide } from '../domain/decide';
import { isDomainError } from '../domain/errors';
import { plan, planReschedule, planVoidTimer, SYSTEM_ACTOR, TIMER_REASON, timerDueAt, type CasePlan, type TimerRules } from '../domain/plan';
import type { Status } from '../domain/statuses';
import type { SuspensionWindow } from '../domain/suspension';
import { TIMED_TRANSITIONS } from '../domain/transitions';
import { inTransaction, type Query } from '../db/query';
import { writePlans } from '../repositories/plan-writer';
import { claimTimers, pendingTimers, type DueTimer, type TimerSelection } from '../repositories/timer-repository';
import { loadWindows, lockWindows } from './windows';

/** What one sweep batch did: timers taken, fired, and voided (ids of cases whose timer was void). */
export interface TimerBatch {
  claimed: number;
  fired: number;
  voided: string[];
}

/** The timer rules of the configuration over `windows`. */
export function timerRulesOf(
  config: Pick<Config, 'WAITING_DAYS' | 'COMPLETED_DAYS' | 'TIMEZONE'>,
  windows: ReadonlyArray<SuspensionWindow>,
): TimerRules {
  return { waitingDays: config.WAITING_DAYS, completedDays: config.COMPLETED_DAYS, timeZone: config.TIMEZONE, windows };
}

/** What a sweep did. */
export interface SweepReport {
  /** Timers that moved their case. */
  fired: number;
  /** Cases whose timer was void instead (stale, or refused by the transition graph). */
  voided: string[];
  batches: number;
}

/**
 * Fires due timed transitions. Timers live in the database (case_timer), so a restart loses
 * none and an overdue one fires at the next sweep. Any number of instances may sweep at once:
 * each batch claims its timers with FOR UPDATE SKIP LOCKED, so a timer fires once however many
 * sweepers see it.
 */
export class TimerService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'WAITING_DAYS' | 'COMPLETED_DAYS' | 'TIMEZONE' | 'TIMER_BATCH_SIZE'> &
      Partial<Pick<Config, 'TIMER_SWEEP_WORKERS'>>,
  ) {}

  /** Fires every timer due at `asOf` (now by default); answers how many fired. */
  async runDue(asOf: Date = this.clock.now()): Promise<number> {
    return (await this.sweep(asOf)).fired;
  }

  /**
   * Fires batches of timers due at `asOf` until none is left that no other sweeper holds, or
   * `signal` aborts (checked between batches, so closing the app never cuts a batch short).
   */
  async sweep(asOf: Date = this.clock.now(), signal?: AbortSignal): Promise<SweepReport> {
    const report: SweepReport = { fired: 0, voided: [], batches: 0 };
    // TIMER_SWEEP_WORKERS loops take batches at once, each in its own transaction: SKIP LOCKED
    // keeps their batches apart as it does another instance's, and while the database writes one
    // batch Node claims, decides and plans the next (docs/timers.md, Performance).
    const worker = async () => {
      while (!signal?.aborted) {
        const batch = await this.fireDueTimers(asOf, this.config.TIMER_BATCH_SIZE);
        report.batches++;
        report.fired += batch.fired;
        report.voided.push(...batch.voided);
        // A short batch means every due timer left is held by another sweeper, which fires it.
        if (batch.claimed < this.config.TIMER_BATCH_SIZE) break;
      }
    };
    // Settled, not all: a failed batch ends the sweep only once the other workers have stopped too,
    // so a sweep still never overlaps the next one or outlives close.
    const results = await Promise.allSettled(Array.from({ length: this.config.TIMER_SWEEP_WORKERS ?? 1 }, worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return report;
  }

  /**
   * Fires up to `limit` timers due at `asOf`, in one transaction, as the system actor. The batch
   * is claimed with FOR UPDATE SKIP LOCKED on each timer and its case: another sweeper (on any
   * instance) skips these rows, and a request changing one of these cases waits for this
   * transaction and then decides on the new status. Each case is decided and planned like any
   * change; the batch's plans are written by one statement.
   */
  async fireDueTimers(asOf: Date, limit: number): Promise<TimerBatch> {
    return this.fire({ dueBy: asOf }, limit, asOf);
  }

  /**
   * Fires one case's timer if it is due at `now`, as the system actor. Returns false when there
   * is no such timer, it is not due, or a sweeper holds it (that sweeper fires it).
   */
  async fireTimer(caseId: string, from: Status, to: Status, now: Date): Promise<boolean> {
    return (await this.fire({ caseId, from, to, dueBy: now }, 1, now)).fired === 1;
  }

  /**
   * Recomputes the due times of waiting cases after the suspension windows changed, in the
   * caller's transaction (which holds the windows lock exclusively). With `touched`, only the
   * timers that window can affect are read.
   *
   * @returns how many due times changed
   */
  async recomputeWaitingTimers(q: Query, touched?: Pick<SuspensionWindow, 'from' | 'to'>): Promise<number> {
    const suspendable = (Object.keys(TIMED_TRANSITIONS) as Status[]).filter((s) => TIMED_TRANSITIONS[s]!.suspendable);
    if (suspendable.length === 0) return 0;
    const timers = await pendingTimers(q, suspendable, this.config.TIMEZONE, touched);
    if (timers.length === 0) return 0;
    const rules = timerRulesOf(this.config, await loadWindows(q));
    const now = this.clock.now();
    const plans: CasePlan[] = [];
    for (const t of timers) {
      const dueAt = timerDueAt(TIMED_TRANSITIONS[t.fromStatus]!, t.enteredAt, rules);
      if (dueAt.getTime() !== t.dueAt.getTime()) {
        plans.push(planReschedule(t.caseId, { from: t.fromStatus, to: t.toStatus, enteredAt: t.enteredAt, dueAt }, now));
      }
    }
    await writePlans(q, plans, undefined, { returnCases: false });
    return plans.length;
  }

  /** Claims timers, decides and plans each claimed case as the system, and writes the plans. */
  private fire(selection: TimerSelection, limit: number, now: Date): Promise<TimerBatch> {
    return inTransaction(this.pool, async (q) => {
      await lockWindows(q, 'shared');
      const due = await claimTimers(q, selection, limit);
      if (due.length === 0) return { claimed: 0, fired: 0, voided: [] };
      let windows: SuspensionWindow[] | null = null;
      const plans: CasePlan[] = [];
      const voided: string[] = [];
      for (const row of due) {
        const decision = this.decideTimer(row, now);
        if (decision?.statusChanged) {
          if (decision.timer?.suspendable) windows ??= await loadWindows(q);
          plans.push(plan(row, { decision, reason: TIMER_REASON }, SYSTEM_ACTOR, now, timerRulesOf(this.config, windows ?? [])));
        } else {
          // Stale (the case left the status) or refused by the graph: void, never retried, so it
          // cannot block the queue.
          voided.push(row.id);
          plans.push(planVoidTimer(row.id, now));
        }
      }
      await writePlans(q, plans, undefined, { returnCases: false });
      return { claimed: due.length, fired: due.length - voided.length, voided };
    });
  }

  private decideTimer(row: DueTimer, now: Date) {
    try {
      return decide(row, { type: 'timer', from: row.from, to: row.to }, { id: SYSTEM_ACTOR.id, as: 'system' }, { now, activeWindow: null });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return null;
    }
  }
}
