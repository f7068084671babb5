import type { Status } from '../../src/domain/statuses';
import type { TransitionActor } from '../../src/domain/transitions';

/*
 * The transition graph as DOMAIN.md "Transitions" states it, written out by hand. Tests compare
 * the service against this table, never against src/domain/transitions.ts (that would only check
 * the code agrees with itself).
 */
export const ALL_STATUSES: readonly Status[] = [
  'REGISTERED',
  'ASSIGNED',
  'IN_PROGRESS',
  'WAITING_FOR_USER',
  'ON_HOLD',
  'UPDATED_BY_USER',
  'COMPLETED',
  'CLOSED',
  'REOPENED_BY_USER',
];

export const EXPECTED_GRAPH: Readonly<Record<TransitionActor, Readonly<Record<Status, readonly Status[]>>>> = {
  operator: {
    REGISTERED: ['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
    ASSIGNED: ['IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
    IN_PROGRESS: ['WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
    WAITING_FOR_USER: ['IN_PROGRESS', 'ON_HOLD', 'COMPLETED'],
    ON_HOLD: ['IN_PROGRESS', 'WAITING_FOR_USER', 'COMPLETED'],
    UPDATED_BY_USER: ['IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
    COMPLETED: ['IN_PROGRESS'],
    CLOSED: [],
    REOPENED_BY_USER: ['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'],
  },
  requester: {
    REGISTERED: ['CLOSED'],
    ASSIGNED: ['CLOSED'],
    IN_PROGRESS: ['CLOSED'],
    WAITING_FOR_USER: ['CLOSED'],
    ON_HOLD: ['CLOSED'],
    UPDATED_BY_USER: ['CLOSED'],
    COMPLETED: ['CLOSED'],
    CLOSED: ['REOPENED_BY_USER'],
    REOPENED_BY_USER: ['CLOSED'],
  },
  system: {
    REGISTERED: [],
    ASSIGNED: [],
    IN_PROGRESS: [],
    WAITING_FOR_USER: ['COMPLETED'],
    ON_HOLD: [],
    UPDATED_BY_USER: [],
    COMPLETED: ['CLOSED'],
    CLOSED: [],
    REOPENED_BY_USER: [],
  },
};

/** Sorted copy, for order-insensitive comparison of status lists. */
export function sorted(list: readonly string[]): string[] {
  return [...list].sort();
}
