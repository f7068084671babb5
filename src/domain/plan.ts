import type { Decision } from './decide';
import type { EventActor, EventPayload, EventType } from './events';
import type { ActorRole } from './roles';
import type { Resolution, Status } from './statuses';
import type { Priority } from './triage';
import { addCalendarDays, suspensionAwareDueAt, type SuspensionWindow } from './suspension';

/**
 * The planner: what a change does, as data. `decide()` says whether a command is allowed and what
 * the case's next status and assignee are; `plan()` turns that decision into every effect of the
 * change — the row update with its stamps, the history rows, the typed events and the timer to
 * set or drop. Every writer (a request, bulk, the timer sweep, window recomputation, retention,
 * filing) builds plans, and one repository function stores them (`writePlans` in
 * src/repositories/plan-writer.ts), so each rule about effects is written once.
 */

/** Who did a change, as history rows and events record it. */
export interface ChangeActor {
  id: string;
  role: ActorRole;
  /** The external requester an operator acted for, by name. */
  onBehalfOf: string | null;
}

/** The service itself: timers, retention, service-level sweeps. */
export const SYSTEM_ACTOR: ChangeActor = Object.freeze({ id: 'system', role: 'system', onBehalfOf: null });

/** The `reason` of history rows and events written by timers. */
export const TIMER_REASON = 'timer';

/** The columns of a case a plan may set. The writer adds `version + 1` to every update. */
export interface CaseUpdate {
  status?: Status;
  statusChangedAt?: Date;
  completedAt?: Date;
  closedAt?: Date | null;
  /** How the case ended: set on entering COMPLETED, cleared when it moves on to work again. */
  resolution?: Resolution | null;
  assigneeId?: string | null;
  lastPublicReplyAt?: Date;
  firstResponseAt?: Date;
  categoryKey?: string;
  teamKey?: string;
  subject?: string;
  description?: string;
  details?: Record<string, unknown>;
  requesterId?: string | null;
  requesterName?: string | null;
  employeeNumber?: string | null;
  externalRequester?: null;
  concernsEmployee?: null;
  requesterEmail?: null;
  ccEmails?: readonly never[];
  filedById?: string;
  anonymisedAt?: Date;
  /** The case this one was merged into. */
  mergedIntoId?: string;
  priority?: Priority;
  tags?: string[];
  updatedAt: Date;
}

/**
 * Columns a change sets without making a new version (no history, no event): the requester's
 * current address (when they act on their case) and the CC addresses staff chose.
 */
export interface QuietUpdate {
  requesterEmail?: string;
  ccEmails?: readonly string[];
}

/** A message the writer inserts with the change (author: the plan's actor; at: the plan's instant). */
interface NewMessage {
  id: string;
  visibility: 'public' | 'internal';
  body: string;
}

/** One history row; the plan's actor and instant apply to all of its rows. */
interface HistoryEntry {
  field: string;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  internal?: boolean;
}

/** An event to put in the outbox with the change. */
type PlannedEvent = { [T in EventType]: { type: T; caseId: string; payload: EventPayload<T> } }[EventType];

/** The timer of the case after the change. */
type TimerPlan = { kind: 'keep' } | { kind: 'drop' } | { kind: 'set'; from: Status; to: Status; enteredAt: Date; dueAt: Date };

/** Everything one change writes, in one transaction. */
export interface CasePlan {
  caseId: string;
  actor: ChangeActor;
  at: Date;
  /** The row update, or null when the case row is not touched (no new version). */
  update: CaseUpdate | null;
  /** Columns set with the change but without a new version (see QuietUpdate). */
  quiet?: QuietUpdate;
  /** A message stored by the same statement as the rest of the plan. */
  newMessage?: NewMessage;
  /** History rows, in the order they are appended. */
  history: HistoryEntry[];
  events: PlannedEvent[];
  timer: TimerPlan;
}

/** What the planner needs to know of a case. */
export interface PlanState {
  id: string;
  number: string;
  status: Status;
  assigneeId: string | null;
  version: number;
  firstResponseAt: Date | null;
}

/** The rules that turn a timed status into a due time. */
export interface TimerRules {
  waitingDays: number;
  completedDays: number;
  timeZone: string;
  /** The suspension windows (only read for suspendable timers). */
  windows: ReadonlyArray<SuspensionWindow>;
}

/**
 * A staff edit of one field, already checked (the category or team exists, the tags are
 * normalised). Priority and tags are staff-only: their history rows are internal.
 */
export type FieldEdit =
  | { field: 'category' | 'team' | 'subject'; from: string; to: string }
  | { field: 'priority'; from: Priority; to: Priority }
  | { field: 'tags'; from: readonly string[]; to: readonly string[] };

const EDIT_COLUMN = { category: 'categoryKey', team: 'teamKey', subject: 'subject' } as const;

/** What a change consists of besides the decision. */
export interface Change {
  /** The decision of decide(), or null for a change that moves nothing (an attachment, an edit). */
  decision: Decision | null;
  reason?: string | null;
  /** A public operator reply is part of the change (stamps the first response). */
  publicReply?: boolean;
  /** Staff edits of plain fields. */
  edits?: readonly FieldEdit[];
  /**
   * A message written with the change: with `body`, the writer inserts it in the same statement;
   * without, it is already stored (its id is known).
   */
  message?: { id: string; visibility: 'public' | 'internal'; body?: string };
  /** Columns the change sets without a new version. */
  quiet?: QuietUpdate;
  /** An attachment stored with the change. */
  attachment?: { id: string };
  /**
   * A merge: `source` is merged into `target`; `role` says which of the two this plan is for. The
   * source's row records where it went.
   */
  merge?: { role: 'source' | 'target'; source: CaseRef; target: CaseRef; movedMessages: number; movedAttachments: number };
  /** A link to another case added or removed (each case of the pair gets a plan). */
  link?: { op: 'added' | 'removed'; other: CaseRef; kind: 'related' | 'duplicate' };
}

/** Another case named by a change. */
interface CaseRef {
  id: string;
  number: string;
}

/**
 * The effects of a change to a case. Pure: the same inputs give the same plan.
 *
 * - Status moves stamp `statusChangedAt`, `completedAt` (COMPLETED), `closedAt` (CLOSED; cleared
 *   on REOPENED_BY_USER), replace the timer (the new status's, or none) and write a `status` row
 *   and a `case.status_changed` event.
 * - Assignee changes write an `assignee` row and a `case.assigned` event.
 * - A public reply stamps `lastPublicReplyAt` and, the first time, `firstResponseAt`.
 * - Edits set their columns, write a row each and one `case.updated` event naming the fields;
 *   a new priority also a `case.priority_changed` event. Priority and tag rows are internal
 *   (staff-only), and tag values never go into an event (free text).
 * - A message or attachment writes its row and event first.
 * Every change updates the row (a new version); events carry the case as it is after it.
 */
export function plan(state: PlanState, change: Change, actor: ChangeActor, now: Date, rules: TimerRules): CasePlan {
  const { decision } = change;
  const reason = change.reason ?? null;
  const update: CaseUpdate = { updatedAt: now };
  const history: HistoryEntry[] = [];
  const after = {
    status: decision?.statusChanged ? decision.status : state.status,
    version: state.version + 1,
  };
  const events = new EventBuilder(state, after, actor, now);

  if (change.message) {
    history.push({ field: 'message', to: change.message.id, internal: change.message.visibility === 'internal' });
    events.add('case.message_added', { messageId: change.message.id, visibility: change.message.visibility });
  }
  if (change.attachment) {
    history.push({ field: 'attachment', to: change.attachment.id });
    events.add('case.attachment_added', { attachmentId: change.attachment.id });
  }
  if (change.merge) {
    const m = change.merge;
    const other = m.role === 'source' ? m.target : m.source;
    if (m.role === 'source') update.mergedIntoId = m.target.id;
    history.push({ field: m.role === 'source' ? 'merged_into' : 'merged_from', to: other.number, reason });
    events.add('case.merged', {
      role: m.role,
      sourceCaseId: m.source.id,
      sourceNumber: m.source.number,
      targetCaseId: m.target.id,
      targetNumber: m.target.number,
      movedMessages: m.movedMessages,
      movedAttachments: m.movedAttachments,
    });
  }
  if (change.link) {
    const l = change.link;
    history.push(
      l.op === 'added'
        ? { field: 'link', to: `${l.kind}:${l.other.number}`, reason }
        : { field: 'link', from: `${l.kind}:${l.other.number}`, reason },
    );
    events.add(l.op === 'added' ? 'case.linked' : 'case.unlinked', { linkedCaseId: l.other.id, linkedNumber: l.other.number, kind: l.kind });
  }
  for (const e of change.edits ?? []) {
    if (e.field === 'priority') {
      update.priority = e.to;
      history.push({ field: 'priority', from: e.from, to: e.to, reason, internal: true });
    } else if (e.field === 'tags') {
      update.tags = [...e.to];
      history.push({ field: 'tags', from: e.from.join(', '), to: e.to.join(', '), reason, internal: true });
    } else {
      update[EDIT_COLUMN[e.field]] = e.to;
      history.push({ field: e.field, from: e.from, to: e.to, reason });
    }
  }
  if (decision?.assigneeChanged) {
    update.assigneeId = decision.assigneeId;
    history.push({ field: 'assignee', from: state.assigneeId, to: decision.assigneeId, reason });
  }
  let timer: TimerPlan = { kind: 'keep' };
  if (decision?.statusChanged) {
    update.status = decision.status;
    update.statusChangedAt = now;
    if (decision.status === 'COMPLETED') update.completedAt = now;
    if (decision.status === 'CLOSED') update.closedAt = now;
    if (decision.status === 'REOPENED_BY_USER') update.closedAt = null;
    history.push({ field: 'status', from: state.status, to: decision.status, reason });
    if (decision.resolution) {
      update.resolution = decision.resolution;
      history.push({ field: 'resolution', from: null, to: decision.resolution, reason });
    } else if ((state.status === 'COMPLETED' || state.status === 'CLOSED') && decision.status !== 'CLOSED') {
      update.resolution = null;
    }
    timer = decision.timer
      ? { kind: 'set', from: decision.status, to: decision.timer.to, enteredAt: now, dueAt: timerDueAt(decision.timer, now, rules) }
      : { kind: 'drop' };
  }
  if (change.publicReply) {
    update.lastPublicReplyAt = now;
    if (!state.firstResponseAt) update.firstResponseAt = now;
  }

  if (decision?.statusChanged) {
    events.add('case.status_changed', {
      from: state.status,
      to: decision.status,
      reason,
      ...(decision.resolution ? { resolution: decision.resolution } : {}),
    });
  }
  if (decision?.assigneeChanged) events.add('case.assigned', { from: state.assigneeId, to: decision.assigneeId });
  if (change.edits && change.edits.length > 0) events.add('case.updated', { fields: change.edits.map((e) => e.field) });
  for (const e of change.edits ?? []) {
    if (e.field === 'priority') events.add('case.priority_changed', { from: e.from, to: e.to });
  }

  const out: CasePlan = { caseId: state.id, actor, at: now, update, history, events: events.list, timer };
  if (change.message?.body !== undefined)
    out.newMessage = { id: change.message.id, visibility: change.message.visibility, body: change.message.body };
  if (change.quiet) out.quiet = change.quiet;
  return out;
}

/** A change that only sets quiet columns (no version, history or event), e.g. a PATCH of `cc` alone. */
export function planQuiet(caseId: string, quiet: QuietUpdate, actor: ChangeActor, now: Date): CasePlan {
  return { caseId, actor, at: now, update: null, quiet, history: [], events: [], timer: { kind: 'keep' } };
}

/** A plan that only drops the case's timer: a timer that fired void (the case left its status). */
export function planVoidTimer(caseId: string, now: Date): CasePlan {
  return { caseId, actor: SYSTEM_ACTOR, at: now, update: null, history: [], events: [], timer: { kind: 'drop' } };
}

/** A plan that only moves a timer's due time (suspension windows changed). */
export function planReschedule(caseId: string, timer: { from: Status; to: Status; enteredAt: Date; dueAt: Date }, now: Date): CasePlan {
  return { caseId, actor: SYSTEM_ACTOR, at: now, update: null, history: [], events: [], timer: { kind: 'set', ...timer } };
}

/**
 * A service-level breach: an event only (the breach row is the SLA sweep's own bookkeeping). The
 * case does not change, so the event carries its current status and version.
 */
export function planSlaBreach(
  c: { caseId: string; number: string; status: Status; version: number; teamKey: string; categoryKey: string; dueAt: Date },
  kind: 'first_response' | 'resolution',
  now: Date,
): CasePlan {
  return {
    caseId: c.caseId,
    actor: SYSTEM_ACTOR,
    at: now,
    update: null,
    history: [],
    events: [
      {
        type: 'case.sla_breached',
        caseId: c.caseId,
        payload: {
          ...eventBase({ id: c.caseId, number: c.number }, c, SYSTEM_ACTOR, now),
          teamKey: c.teamKey,
          categoryKey: c.categoryKey,
          kind,
          dueAt: c.dueAt.toISOString(),
        },
      },
    ],
    timer: { kind: 'keep' },
  };
}

/**
 * When a timer scheduled at `enteredAt` falls due: its period in calendar days in the service's
 * time zone, not counting the days of suspension windows if the timer is suspendable.
 */
export function timerDueAt(timer: { periodKey: 'waitingDays' | 'completedDays'; suspendable: boolean }, enteredAt: Date, rules: TimerRules): Date {
  const days = rules[timer.periodKey];
  return timer.suspendable ? suspensionAwareDueAt(enteredAt, days, rules.windows, rules.timeZone) : addCalendarDays(enteredAt, days, rules.timeZone);
}

/** Builds the events of one change: the case after it, who, when, and what. */
class EventBuilder {
  readonly list: PlannedEvent[] = [];
  private readonly actor: EventActor;

  constructor(
    private readonly state: Pick<PlanState, 'id' | 'number'>,
    private readonly after: { status: Status; version: number },
    actor: ChangeActor,
    private readonly now: Date,
  ) {
    this.actor = { id: actor.id, role: actor.role, onBehalfOf: actor.onBehalfOf };
  }

  add<T extends EventType>(type: T, extra: Omit<EventPayload<T>, keyof EventBase>): void {
    const payload = { ...eventBase(this.state, this.after, this.actor, this.now), ...extra } as EventPayload<T>;
    this.list.push({ type, caseId: this.state.id, payload } as PlannedEvent);
  }
}

type EventBase = Pick<EventPayload, 'caseId' | 'number' | 'status' | 'version' | 'actor' | 'at'>;

/**
 * The members every case event carries: the case as it is after the change, who, and when.
 * Writers that build events outside plan() (the SLA sweep, retention) use it too.
 */
export function eventBase(c: { id: string; number: string }, after: { status: Status; version: number }, actor: EventActor, at: Date): EventBase {
  return {
    caseId: c.id,
    number: c.number,
    status: after.status,
    version: after.version,
    actor: { id: actor.id, role: actor.role, onBehalfOf: actor.onBehalfOf },
    at: at.toISOString(),
  };
}
