import { DomainError } from './errors';
import type { Resolution, Status } from './statuses';
import { allowedTargets, isEdge, MESSAGE_MOVES_TO_UPDATED, TIMED_TRANSITIONS, type TransitionActor } from './transitions';

/** What decide() needs to know of a case. */
export interface CaseState {
  status: Status;
  assigneeId: string | null;
  /** When the case entered its current status. */
  statusChangedAt: Date;
  /** The last public operator reply, if any. */
  lastPublicReplyAt: Date | null;
  /** Set once retention anonymised the case: it takes no more writes. */
  anonymisedAt?: Date | null;
  /** Set once the case was merged into another: it stays CLOSED and takes no more changes but links. */
  mergedIntoId?: string | null;
}

/** Who acts, as the graph sees them. `id` is the person (or `system`). */
export interface Actor {
  id: string;
  as: TransitionActor;
}

/** A suspension window in force, as found by the caller for `now`. */
interface ActiveWindow {
  id?: string;
  from: string;
  to: string;
  reason: string;
}

export type Command =
  /** An explicit status move; `publicReply` says a public reply is written in the same request. */
  | { type: 'transition'; to: Status; assigneeId?: string | null; publicReply?: boolean; resolution?: Resolution }
  /** A message; `setStatus` asks for a status move together with it (operators). */
  | { type: 'message'; visibility: 'public' | 'internal'; setStatus?: Status; resolution?: Resolution }
  /** Set or clear the assignee. */
  | { type: 'assign'; assigneeId: string | null }
  /** Staff edit fields of the case (subject, team, category), possibly with a new assignee. */
  | { type: 'edit'; assigneeId?: string | null }
  /** A file is attached to the case. */
  | { type: 'attach' }
  /**
   * Staff merge the case into another (`as: 'source'`: it closes) or another case into this one
   * (`as: 'target'`: it takes the other's messages and files and stays as it is).
   */
  | { type: 'merge'; as: 'source' | 'target' }
  /** Staff link the case to another, or remove a link; closed cases may be linked too. */
  | { type: 'link' }
  /** A timer that was scheduled when the case entered `from`. */
  | TimerCommand;

/** A timer that was scheduled when the case entered `from`. */
export type TimerCommand = { type: 'timer'; from: Status; to: Status };

export interface Context {
  now: Date;
  /** The suspension window covering `now`, if any. */
  activeWindow: ActiveWindow | null;
}

/** The outcome: the case's next status and assignee. Effects follow from the differences. */
export interface Decision {
  status: Status;
  statusChanged: boolean;
  assigneeId: string | null;
  assigneeChanged: boolean;
  /** A timer to schedule on entering `status` (void any other), or null to void all. */
  timer: { to: Status; periodKey: 'waitingDays' | 'completedDays'; suspendable: boolean } | null;
  /** How the case ended, when this decision moves it into COMPLETED (else absent). */
  resolution?: Resolution;
}

/**
 * The pure transition function of a case: given its state, a command and who issues it, returns
 * the next state or throws a DomainError naming the rule that refused it. It performs no I/O;
 * plan() (src/domain/plan.ts) turns the decision into the row update, history rows, events and
 * timer that one transaction writes.
 *
 * A timer command whose `from` no longer matches the status is stale (the case left the status)
 * and yields `null`: the timer is void. Every other command yields a decision or throws.
 */
export function decide(state: CaseState, cmd: TimerCommand, actor: Actor, ctx: Context): Decision | null;
export function decide(state: CaseState, cmd: Exclude<Command, TimerCommand>, actor: Actor, ctx: Context): Decision;
export function decide(state: CaseState, cmd: Command, actor: Actor, ctx: Context): Decision | null {
  if (state.anonymisedAt) {
    if (cmd.type === 'timer') return null;
    throw new DomainError('case-closed', 'The case was anonymised at the end of its retention period and takes no more changes.', {
      currentStatus: state.status,
      anonymised: true,
    });
  }
  if (state.mergedIntoId && cmd.type !== 'link') {
    if (cmd.type === 'timer') return null;
    throw new DomainError('case-closed', 'The case was merged into another and takes no more changes: write on that case.', {
      currentStatus: state.status,
      mergedInto: state.mergedIntoId,
    });
  }
  switch (cmd.type) {
    case 'transition':
      onlyWhenCompleting(cmd.to, cmd.resolution, '/resolution');
      return move(state, cmd.to, actor, ctx, {
        assigneeId: cmd.assigneeId,
        publicReply: cmd.publicReply === true,
        resolution: cmd.resolution,
      });
    case 'message':
      onlyWhenCompleting(cmd.setStatus, cmd.resolution, '/resolution');
      return message(state, cmd, actor, ctx);
    case 'assign':
      return assign(state, cmd.assigneeId, actor);
    case 'edit':
      if (actor.as !== 'operator') throw new DomainError('forbidden', 'Only staff edit cases.');
      if (state.status === 'CLOSED') {
        throw new DomainError('case-closed', 'A closed case cannot be changed.', { currentStatus: state.status });
      }
      return cmd.assigneeId === undefined ? result(state, state.status, state.assigneeId) : assign(state, cmd.assigneeId, actor);
    case 'attach':
      if (state.status === 'CLOSED') {
        throw new DomainError('case-closed', 'The case is closed. Reopen it to add files.', { currentStatus: state.status });
      }
      // A requester's file is their answer (a payslip, a signed form), so it moves the case as
      // their message would; a staff attachment moves nothing.
      if (actor.as === 'requester' && MESSAGE_MOVES_TO_UPDATED.includes(state.status)) {
        return result(state, 'UPDATED_BY_USER', state.assigneeId);
      }
      return result(state, state.status, state.assigneeId);
    case 'merge':
      if (actor.as !== 'operator') throw new DomainError('forbidden', 'Only staff merge cases.');
      if (state.status === 'CLOSED') {
        throw new DomainError(
          'case-closed',
          cmd.as === 'source'
            ? 'A closed case cannot be merged into another.'
            : 'A closed case cannot take a merge: reopen it or merge the other way.',
          { currentStatus: state.status, mergeRole: cmd.as },
        );
      }
      // Merging is the operator's way to close a duplicate: CLOSED, whatever the graph says of
      // the status it is in; the timer goes with the status.
      return cmd.as === 'source' ? result(state, 'CLOSED', state.assigneeId) : result(state, state.status, state.assigneeId);
    case 'link':
      if (actor.as !== 'operator') throw new DomainError('forbidden', 'Only staff link cases.');
      return result(state, state.status, state.assigneeId);
    case 'timer':
      if (state.status !== cmd.from || actor.as !== 'system') return null;
      return move(state, cmd.to, actor, ctx, { publicReply: false });
  }
}

/**
 * The statuses `actor` may move the case to now: the graph's edges less those a suspension
 * window closes. Guards that depend on the request itself (a reply, an assignee) are not
 * applied, since the request can satisfy them.
 */
export function allowedNow(state: Pick<CaseState, 'status'>, actor: TransitionActor, ctx: Pick<Context, 'activeWindow'>): Status[] {
  return allowedTargets(actor, state.status).filter((s) => !(s === 'WAITING_FOR_USER' && ctx.activeWindow));
}

function move(
  state: CaseState,
  to: Status,
  actor: Actor,
  ctx: Context,
  opts: { assigneeId?: string | null; publicReply: boolean; resolution?: Resolution },
): Decision {
  if (!isEdge(actor.as, state.status, to)) {
    throw new DomainError('invalid-transition', `A ${actor.as} cannot move a case from ${state.status} to ${to}.`, {
      currentStatus: state.status,
      requested: to,
      allowed: allowedNow(state, actor.as, ctx),
    });
  }
  let assigneeId = state.assigneeId;
  if (opts.assigneeId !== undefined && opts.assigneeId !== null) {
    // Otherwise a requester could pick their case's operator while closing it.
    if (actor.as !== 'operator') throw new DomainError('forbidden', 'Only staff assign cases.');
    assigneeId = opts.assigneeId;
  }

  if (to === 'WAITING_FOR_USER') {
    if (ctx.activeWindow) {
      const w = ctx.activeWindow;
      throw new DomainError('status-suspended', `WAITING_FOR_USER is not used from ${w.from} to ${w.to} (${w.reason}). Use ON_HOLD instead.`, {
        currentStatus: state.status,
        window: w,
        suggestion: 'ON_HOLD',
        allowed: allowedNow(state, actor.as, ctx),
      });
    }
    const repliedInStatus = state.lastPublicReplyAt !== null && state.lastPublicReplyAt.getTime() >= state.statusChangedAt.getTime();
    if (!opts.publicReply && !repliedInStatus) {
      throw new DomainError(
        'reply-required',
        'WAITING_FOR_USER needs a public reply to the requester, in this request or since the case entered its status.',
        { currentStatus: state.status, requested: to },
      );
    }
  }
  if (to === 'ASSIGNED' && assigneeId === null) {
    throw new DomainError('assignee-required', 'ASSIGNED needs an assignee: give assigneeId.', {
      currentStatus: state.status,
      requested: to,
    });
  }
  if (to === 'IN_PROGRESS' && assigneeId === null) {
    // An operator who starts an unassigned case takes it.
    if (actor.as !== 'operator') {
      throw new DomainError('assignee-required', 'IN_PROGRESS needs an assignee.', { currentStatus: state.status });
    }
    assigneeId = actor.id;
  }
  const decision = result(state, to, assigneeId);
  // A wait that ran out completed a case whose question was answered; staff say which it was
  // (solved when they do not).
  if (to === 'COMPLETED' && decision.statusChanged) decision.resolution = opts.resolution ?? (actor.as === 'system' ? 'answered' : 'solved');
  return decision;
}

/** A resolution belongs to a move into COMPLETED only. */
function onlyWhenCompleting(to: Status | undefined, resolution: Resolution | undefined, path: string): void {
  if (resolution !== undefined && to !== 'COMPLETED') {
    throw new DomainError('validation-failed', 'A resolution is given only with a move to COMPLETED.', {
      errors: [{ in: 'body', path, message: 'only with COMPLETED' }],
    });
  }
}

function message(state: CaseState, cmd: Extract<Command, { type: 'message' }>, actor: Actor, ctx: Context): Decision {
  if (actor.as === 'requester') {
    if (state.status === 'CLOSED') {
      throw new DomainError('case-closed', 'The case is closed. Reopen it (to: REOPENED_BY_USER) to write to it.', {
        currentStatus: state.status,
        allowed: allowedNow(state, 'requester', ctx),
        hint: 'reopen',
      });
    }
    if (cmd.setStatus !== undefined) {
      throw new DomainError('validation-failed', 'A requester message cannot set a status; use a transition.');
    }
    const to = MESSAGE_MOVES_TO_UPDATED.includes(state.status) ? 'UPDATED_BY_USER' : state.status;
    return result(state, to, state.assigneeId);
  }
  if (state.status === 'CLOSED' && cmd.visibility === 'public') {
    throw new DomainError('case-closed', 'The case is closed: public replies are refused; internal notes are kept.', {
      currentStatus: state.status,
    });
  }
  if (cmd.setStatus === undefined || cmd.setStatus === state.status) return result(state, state.status, state.assigneeId);
  return move(state, cmd.setStatus, actor, ctx, { publicReply: cmd.visibility === 'public', resolution: cmd.resolution });
}

function assign(state: CaseState, assigneeId: string | null, actor: Actor): Decision {
  if (actor.as !== 'operator') {
    throw new DomainError('forbidden', 'Only staff assign cases.');
  }
  if (state.status === 'CLOSED') {
    throw new DomainError('case-closed', 'A closed case cannot be changed.', { currentStatus: state.status });
  }
  if (assigneeId === null && (state.status === 'ASSIGNED' || state.status === 'IN_PROGRESS')) {
    throw new DomainError('assignee-required', `${state.status} needs an assignee; move the case first.`, {
      currentStatus: state.status,
    });
  }
  const to = assigneeId !== null && (state.status === 'REGISTERED' || state.status === 'REOPENED_BY_USER') ? 'ASSIGNED' : state.status;
  return result(state, to, assigneeId);
}

function result(state: CaseState, status: Status, assigneeId: string | null): Decision {
  const statusChanged = status !== state.status;
  const timed = TIMED_TRANSITIONS[status];
  return {
    status,
    statusChanged,
    assigneeId,
    assigneeChanged: assigneeId !== state.assigneeId,
    timer: timed ? { to: timed.to, periodKey: timed.periodKey, suspendable: timed.suspendable } : null,
  };
}
