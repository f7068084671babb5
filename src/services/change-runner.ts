import type pg from 'pg';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import type { Actor } from '../domain/decide';
import { DomainError } from '../domain/errors';
import { requesterEmailUpdate } from '../domain/notifications';
import { plan, planQuiet, type CasePlan, type Change, type ChangeActor, type QuietUpdate, type TimerRules } from '../domain/plan';
import type { Principal } from '../domain/roles';
import { actingAs, standingOn, type Standing } from '../domain/standing';
import { windowCovering, type SuspensionWindow } from '../domain/suspension';
import { inTransaction, pgQuery, type Query } from '../db/query';
import { lockCase, readCaseForChange, type CaseRow } from '../repositories/case-repository';
import { writePlans } from '../repositories/plan-writer';
import { accessFacts as facts } from './case-views';
import { KeyedQueue } from './keyed-queue';
import { timerRulesOf } from './timer-service';
import { EpochWindows } from './windows';

/** What a change's callback is told besides the case it decides on. */
interface ChangeContext {
  now: Date;
  activeWindow: SuspensionWindow | null;
  changeActor: ChangeActor;
  /** Columns to set without a new version (the callback may add to it, e.g. `ccEmails`). */
  quiet: QuietUpdate;
  /** The rules that give a timer its due time (a reply template names it). */
  rules: TimerRules;
}

/**
 * What a change's callback decides, given the case as read: the change, or null when nothing
 * changes. `q` serves its reads of reference data (and, for a `locked` change, its own writes,
 * in the change's transaction).
 */
export type ChangeFn = (q: Query, row: CaseRow, actor: Actor, ctx: ChangeContext) => Promise<Change | null>;

export interface ChangeOutcome {
  /** The case after the change (as read, when nothing was written). */
  updated: CaseRow;
  activeWindow: SuspensionWindow | null;
  /** The caller's standing on the case before the change. */
  before: Standing;
}

/** How often a change is decided again after its write found the case (or the windows) moved on. */
export const MAX_CHANGE_ATTEMPTS = 5;

/** A locked attempt whose write touched nothing: roll its transaction back and decide again. */
class Moved extends Error {}

/**
 * The one write path of a request's change (docs/decisions/one-statement-writes.md): read the
 * case (one statement: row, service-level facts, window epoch), check access and `If-Match`,
 * decide and plan in Node, then ONE write statement that only acts while the case is at the
 * version read and the windows at the epoch read. If it touched nothing, read and decide again
 * (at most MAX_CHANGE_ATTEMPTS times, then a 409 `conflict`); a request with `If-Match` then
 * fails with 412, as it would have behind a row lock.
 *
 * A `locked` change (an upload, which stores its own row before the plan and counts the files
 * under the lock) runs in a transaction that holds the case's row lock instead.
 */
export class ChangeRunner {
  /** Changes to one case on this instance queue here, before they take a pooled connection. */
  private readonly queue = new KeyedQueue();
  private readonly q: Query;
  private readonly windows: EpochWindows;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly config: Config,
  ) {
    this.q = pgQuery(pool);
    this.windows = new EpochWindows(this.q);
  }

  run(
    p: Principal,
    id: string,
    opts: { ifMatch: number | undefined; onBehalfOfRequester: boolean; locked?: boolean },
    fn: ChangeFn,
  ): Promise<ChangeOutcome> {
    return this.queue.run(id, async () => {
      for (let attempt = 1; ; attempt++) {
        const out = opts.locked
          ? await inTransaction(this.pool, (tx) => this.attempt(tx, true, p, id, opts, fn)).catch((err: unknown) => {
              if (err instanceof Moved) return null;
              throw err;
            })
          : await this.attempt(this.q, false, p, id, opts, fn);
        if (out) return out;
        if (attempt >= MAX_CHANGE_ATTEMPTS) {
          throw new DomainError('conflict', `The case kept changing while this change was decided (${attempt} attempts); try again.`);
        }
      }
    });
  }

  private async attempt(
    q: Query,
    locked: boolean,
    p: Principal,
    id: string,
    opts: { ifMatch: number | undefined; onBehalfOfRequester: boolean },
    fn: ChangeFn,
  ): Promise<ChangeOutcome | null> {
    const now = this.clock.now();
    const read = !locked || (await lockCase(q, id)) ? await readCaseForChange(q, id) : null;
    const standing = standingOn(p, read && facts(read.row));
    const row = read!.row;
    if (opts.ifMatch !== undefined && opts.ifMatch !== row.version) {
      throw new DomainError('precondition-failed', `The case is at version ${row.version}, not ${opts.ifMatch}.`, {
        currentVersion: row.version,
      });
    }
    const { epoch, windows } = await this.windows.at(read!.windowEpoch);
    const activeWindow = windowCovering(now, windows, this.config.TIMEZONE);
    const { actor, changeActor } = actingAs(p, standing, opts.onBehalfOfRequester, row.externalRequester as { name?: unknown } | null);
    const quiet: QuietUpdate = {};
    const newEmail = standing.as === 'requester' ? requesterEmailUpdate(row.requesterEmail, p.email) : null;
    if (newEmail) quiet.requesterEmail = newEmail;
    const rules = timerRulesOf(this.config, windows);
    const change = await fn(q, row, actor, { now, activeWindow, changeActor, quiet, rules });
    const hasQuiet = Object.keys(quiet).length > 0;
    let casePlan: CasePlan | null = null;
    if (change) casePlan = plan(row, hasQuiet ? { ...change, quiet } : change, changeActor, now, rules);
    else if (hasQuiet) casePlan = planQuiet(row.id, quiet, changeActor, now);
    if (!casePlan) return { updated: row, activeWindow, before: standing };

    const written = await writePlans(q, [casePlan], { versions: new Map([[row.id, row.version]]), windowEpoch: epoch });
    const updated = written.get(row.id);
    if (!updated) {
      if (locked) throw new Moved();
      return null;
    }
    // The service-level facts after the change: those read, and the status row the plan added.
    if (updated.slaFacts && row.slaFacts?.changes) {
      const added = casePlan.history.filter((h) => h.field === 'status').map((h) => ({ at: now, to: h.to as CaseRow['status'] }));
      updated.slaFacts.changes = [...row.slaFacts.changes, ...added];
    }
    return { updated, activeWindow, before: standing };
  }
}
