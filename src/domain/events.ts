/**
 * The types of outbox events the service emits (DOMAIN.md "History and events"). Webhook
 * subscriptions choose among these (or `*`); a new event type is added here so subscribers can
 * ask for it.
 */
export const EVENT_TYPES = [
  'case.created',
  'case.status_changed',
  'case.assigned',
  'case.updated',
  'case.message_added',
  'case.attachment_added',
  'case.anonymised',
  'case.sla_breached',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Subscribes to every event type, present and future. */
export const ALL_EVENTS = '*';

/**
 * Whether a subscription to `subscribed` receives an event of `type`.
 * @param subscribed event types of the subscription, possibly `*`
 */
export function subscribesTo(subscribed: readonly string[], type: string): boolean {
  return subscribed.includes(ALL_EVENTS) || subscribed.includes(type);
}

/**
 * The delay before retry number `attempt` (1 = the first retry after one failure): exponential
 * from `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half random) so receivers
 * that failed together do not get retried in lockstep.
 * @param random a number in [0, 1); injected so tests can pin it
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(exp / 2 + (exp / 2) * Math.min(Math.max(random, 0), 1));
}
