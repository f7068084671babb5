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

/** The statuses of a case whose work has ended: the archive. Every other status is open. */
export const ENDED_STATUSES: readonly Status[] = ['COMPLETED', 'CLOSED'];

export interface StatusInfo {
  label: { nb: string; en: string };
  /** English; kept as the `description` of GET /v1/statuses. */
  description: string;
  descriptionNb: string;
}

/** Labels and meaning of each status, as the service centre publishes them. */
export const STATUS_INFO: Readonly<Record<Status, StatusInfo>> = {
  REGISTERED: {
    label: { nb: 'Registrert', en: 'Registered' },
    description: 'Submitted; set automatically when the case is filed.',
    descriptionNb: 'Sendt inn; settes automatisk når saken registreres.',
  },
  ASSIGNED: {
    label: { nb: 'Tildelt', en: 'Assigned' },
    description: 'Given to an operator, not necessarily started.',
    descriptionNb: 'Tildelt en saksbehandler, men ikke nødvendigvis påbegynt.',
  },
  IN_PROGRESS: {
    label: { nb: 'I arbeid', en: 'In progress' },
    description: 'An operator has started working on the case.',
    descriptionNb: 'En saksbehandler har begynt å jobbe med saken.',
  },
  WAITING_FOR_USER: {
    label: { nb: 'Venter på bruker', en: 'Waiting for user' },
    description: 'The operator has answered and waits for the requester; completes by itself after the waiting period.',
    descriptionNb: 'Saksbehandleren har svart og venter på svar fra innmelder; saken fullføres av seg selv etter venteperioden.',
  },
  ON_HOLD: {
    label: { nb: 'På vent', en: 'On hold' },
    description: 'The operator waits for clarification from others than the requester.',
    descriptionNb: 'Saksbehandleren venter på avklaringer fra andre enn innmelder.',
  },
  UPDATED_BY_USER: {
    label: { nb: 'Oppdatert av bruker', en: 'Updated by user' },
    description: 'The requester answered; set automatically.',
    descriptionNb: 'Innmelder har svart; settes automatisk.',
  },
  COMPLETED: {
    label: { nb: 'Fullført', en: 'Completed' },
    description: 'Resolved or answered; closes by itself after the completion period.',
    descriptionNb: 'Løst eller besvart; lukkes av seg selv etter fullføringsperioden.',
  },
  CLOSED: {
    label: { nb: 'Lukket', en: 'Closed' },
    description: 'Finished; closed by the timer or by the requester.',
    descriptionNb: 'Avsluttet; lukket av tidsfristen eller av innmelder.',
  },
  REOPENED_BY_USER: {
    label: { nb: 'Gjenåpnet av bruker', en: 'Reopened by user' },
    description: 'The requester reopened a closed case; set automatically.',
    descriptionNb: 'Innmelder har gjenåpnet en lukket sak; settes automatisk.',
  },
};

/**
 * How a completed case ended (the seed's "løst eller besvart"): `solved` — the matter was put
 * right; `answered` — the question was answered. Recorded when the case enters COMPLETED.
 */
export const RESOLUTIONS = ['solved', 'answered'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
