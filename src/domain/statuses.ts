/**
 * The case statuses: the one source. The Prisma enum, the TypeBox union, the OpenAPI enum and
 * the docs table are derived from (or checked against) this array.
 */
export const STATUSES = [
  'REGISTERED',
  'ASSIGNED',
  'IN_PROGRESS',
  'WAITING_FOR_USER',
  'ON_HOLD',
  'UPDATED_BY_USER',
  'COMPLETED',
  'CLOSED',
  'REOPENED_BY_USER',
] as const;

export type Status = (typeof STATUSES)[number];

export interface StatusInfo {
  label: { nb: string; en: string };
  description: string;
}

/** Labels and meaning of each status, as the service centre publishes them. */
export const STATUS_INFO: Readonly<Record<Status, StatusInfo>> = {
  REGISTERED: {
    label: { nb: 'Registrert', en: 'Registered' },
    description: 'Submitted; set automatically when the case is filed.',
  },
  ASSIGNED: {
    label: { nb: 'Tildelt', en: 'Assigned' },
    description: 'Given to an operator, not necessarily started.',
  },
  IN_PROGRESS: {
    label: { nb: 'I arbeid', en: 'In progress' },
    description: 'An operator has started working on the case.',
  },
  WAITING_FOR_USER: {
    label: { nb: 'Venter på bruker', en: 'Waiting for user' },
    description: 'The operator has answered and waits for the requester; completes by itself after the waiting period.',
  },
  ON_HOLD: {
    label: { nb: 'På vent', en: 'On hold' },
    description: 'The operator waits for clarification from others than the requester.',
  },
  UPDATED_BY_USER: {
    label: { nb: 'Oppdatert av bruker', en: 'Updated by user' },
    description: 'The requester answered; set automatically.',
  },
  COMPLETED: {
    label: { nb: 'Fullført', en: 'Completed' },
    description: 'Resolved or answered; closes by itself after the completion period.',
  },
  CLOSED: {
    label: { nb: 'Lukket', en: 'Closed' },
    description: 'Finished; closed by the timer or by the requester.',
  },
  REOPENED_BY_USER: {
    label: { nb: 'Gjenåpnet av bruker', en: 'Reopened by user' },
    description: 'The requester reopened a closed case; set automatically.',
  },
};

/**
 * How a completed case ended (the seed's "løst eller besvart"): `solved` — the matter was put
 * right; `answered` — the question was answered. Recorded when the case enters COMPLETED.
 */
export const RESOLUTIONS = ['solved', 'answered'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
