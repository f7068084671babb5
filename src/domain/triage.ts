/**
 * Staff triage of a case: its priority and free tags (issue #16 point 3, docs/queues.md).
 * Requesters neither set nor see either; tags are free text, so they stay out of requester
 * views, requester-visible history and event payloads.
 */
import { DomainError } from './errors';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
const DEFAULT_PRIORITY: Priority = 'normal';

/** At most this many tags on a case, each at most TAG_MAX_LENGTH characters once normalised. */
export const MAX_TAGS = 20;
export const TAG_MAX_LENGTH = 40;

/**
 * A tag starts with a letter or digit and holds letters, digits, spaces and `. _ / : # + -`
 * (no commas: history rows list tags comma-separated; no control characters).
 */
const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._/:#+-]*$/u;

/**
 * Tags as stored: each trimmed, inner whitespace collapsed, Unicode NFC, lower-case; then
 * deduplicated and sorted (code-point order). Throws a `validation-failed` DomainError naming
 * the first tag that is empty, too long or holds a character outside TAG_PATTERN, or when more
 * than MAX_TAGS distinct tags remain. `at` says where the list is in the request.
 */
export function normaliseTags(input: readonly string[], at: { in: 'body' | 'querystring'; path: string } = { in: 'body', path: '/tags' }): string[] {
  const out = new Set<string>();
  input.forEach((raw, i) => {
    const tag = raw.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase().normalize('NFC');
    if (tag.length === 0 || tag.length > TAG_MAX_LENGTH || !TAG_PATTERN.test(tag)) {
      throw new DomainError('validation-failed', `Tag ${i + 1} is not a usable tag (1–${TAG_MAX_LENGTH} letters, digits, spaces or . _ / : # + -).`, {
        errors: [{ in: at.in, path: `${at.path}/${i}`, message: 'invalid tag' }],
      });
    }
    out.add(tag);
  });
  if (out.size > MAX_TAGS) {
    throw new DomainError('validation-failed', `A case holds at most ${MAX_TAGS} tags.`, {
      errors: [{ in: at.in, path: at.path, message: `at most ${MAX_TAGS} tags` }],
    });
  }
  return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Whether two normalised tag lists are the same. */
export function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** The working-hour targets of a category's service level. */
export interface SlaTargets {
  firstResponseHours: number;
  resolutionHours: number;
}

/** Per-priority overrides of a category's targets (either target may be left out). */
export type PriorityTargets = Partial<Record<Priority, Partial<SlaTargets>>>;

/**
 * The targets of a case of `priority`: the category's, shortened by its override for that
 * priority. An override never lengthens a target (the shorter of the two wins).
 */
export function targetsFor(base: SlaTargets, overrides: PriorityTargets | null | undefined, priority: Priority): SlaTargets {
  const o = overrides?.[priority];
  return {
    firstResponseHours: shorter(base.firstResponseHours, o?.firstResponseHours),
    resolutionHours: shorter(base.resolutionHours, o?.resolutionHours),
  };
}

function shorter(base: number, override: number | undefined): number {
  return typeof override === 'number' && Number.isFinite(override) && override > 0 ? Math.min(base, override) : base;
}

/** The priority a case is filed with: staff may choose one; anyone else is refused (403). */
export function filingPriority(staff: boolean, requested: Priority | undefined): Priority {
  if (requested === undefined) return DEFAULT_PRIORITY;
  if (!staff) {
    throw new DomainError('forbidden', 'Only staff set the priority of a case.', {
      errors: [{ in: 'body', path: '/priority', message: 'staff only' }],
    });
  }
  return requested;
}
