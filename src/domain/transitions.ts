import { STATUSES, type Status } from './statuses';

/**
 * Who moves a case, as the transition graph sees it. Roles of people and systems (see
 * roles.ts) map onto these three: staff act as `operator`, the person the case is about (or
 * an operator on behalf of an external requester) acts as `requester`, timers act as `system`.
 */
export const TRANSITION_ACTORS = ['operator', 'requester', 'system'] as const;
export type TransitionActor = (typeof TRANSITION_ACTORS)[number];

function byStatus(edges: (from: Status) => Status[]): Readonly<Record<Status, readonly Status[]>> {
  const out = {} as Record<Status, readonly Status[]>;
  for (const s of STATUSES) out[s] = edges(s);
  return out;
}

/** Manual moves an operator may make (DOMAIN.md "Transitions", operator). */
const OPERATOR_EDGES: Readonly<Record<Status, readonly Status[]>> = {
  REGISTERED: ['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
  ASSIGNED: ['IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
  IN_PROGRESS: ['WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
  WAITING_FOR_USER: ['IN_PROGRESS', 'ON_HOLD', 'COMPLETED'],
  ON_HOLD: ['IN_PROGRESS', 'WAITING_FOR_USER', 'COMPLETED'],
  UPDATED_BY_USER: ['IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
  REOPENED_BY_USER: ['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
  COMPLETED: ['IN_PROGRESS'],
  CLOSED: [],
};

/**
 * The requester closes (or withdraws) any case that is not closed, and reopens a closed one.
 * Their intent "reopen" is recorded as the automatic status REOPENED_BY_USER.
 */
const REQUESTER_EDGES = byStatus((s) => (s === 'CLOSED' ? ['REOPENED_BY_USER'] : ['CLOSED']));

/** Statuses a requester message moves to UPDATED_BY_USER; others keep their status. */
export const MESSAGE_MOVES_TO_UPDATED: readonly Status[] = ['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'];

/**
 * Timed transitions: entering the key status schedules a move to `to` after `periodKey`'s
 * number of calendar days; leaving the status voids it. `suspendable` timers do not count days
 * inside suspension windows (the seasonal rule).
 */
export const TIMED_TRANSITIONS: Readonly<Partial<Record<Status, { to: Status; periodKey: 'waitingDays' | 'completedDays'; suspendable: boolean }>>> =
  {
    WAITING_FOR_USER: { to: 'COMPLETED', periodKey: 'waitingDays', suspendable: true },
    COMPLETED: { to: 'CLOSED', periodKey: 'completedDays', suspendable: false },
  };

const SYSTEM_EDGES = byStatus((s) => {
  const timed = TIMED_TRANSITIONS[s];
  return timed ? [timed.to] : [];
});

/** The whole graph, as data: actor → from → allowed targets. */
export const TRANSITION_GRAPH: Readonly<Record<TransitionActor, Readonly<Record<Status, readonly Status[]>>>> = {
  operator: OPERATOR_EDGES,
  requester: REQUESTER_EDGES,
  system: SYSTEM_EDGES,
};

/**
 * The statuses `actor` may move a case in status `from` to, ignoring guards (assignee, public
 * reply, suspension windows) that depend on more than the two statuses.
 */
export function allowedTargets(actor: TransitionActor, from: Status): readonly Status[] {
  return TRANSITION_GRAPH[actor][from];
}

/** Whether the graph has the edge `from → to` for `actor`. */
export function isEdge(actor: TransitionActor, from: Status, to: Status): boolean {
  return TRANSITION_GRAPH[actor][from].includes(to);
}
