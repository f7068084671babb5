import { DomainError } from './errors';

/** What the merge rules need of each case. */
export interface MergeFacts {
  id: string;
  number: string;
  requesterId: string | null;
  filedById: string;
  filedByRole: string;
  externalRequester: unknown;
  teamKey: string;
  sensitive: boolean;
  mergedIntoId: string | null;
}

const STAFF_ROLES: readonly string[] = ['operator', 'admin', 'integration'];

/**
 * Refuses a merge of `source` into `target` that the rules forbid (docs/merge-and-links.md). The
 * status rules (neither closed, nor anonymised) are decide()'s; these are about the pair:
 * - not the same case, and no cycle (the target was not merged into the source);
 * - the same person: the source's messages and files move to the target, where its requester
 *   (and a leader who filed it) read them; a merge across people would show one person's
 *   messages to another, so those cases are linked as `duplicate` instead;
 * - no loss of protection: a sensitive case's content moves only into a sensitive case of the
 *   same team, which the same operators (and only they) see.
 */
export function checkMerge(source: MergeFacts, target: MergeFacts): void {
  if (source.id === target.id) {
    throw new DomainError('validation-failed', 'A case cannot be merged into itself.', {
      errors: [{ in: 'body', path: '/into', message: 'must be another case' }],
    });
  }
  if (source.mergedIntoId !== null || target.mergedIntoId !== null) {
    throw new DomainError('conflict', 'A case that was merged into another takes no part in another merge.', {
      reason: 'already-merged',
      mergedInto: source.mergedIntoId ?? target.mergedIntoId,
    });
  }
  if (!samePerson(source, target)) {
    throw new DomainError(
      'conflict',
      "The cases are not of the same requester: a merge would show one person's messages and files to another. Link them as duplicate instead.",
      { reason: 'different-requester' },
    );
  }
  if (source.sensitive && (!target.sensitive || target.teamKey !== source.teamKey)) {
    throw new DomainError('conflict', 'A sensitive case merges only into a sensitive case of the same team.', { reason: 'less-protected-target' });
  }
}

function samePerson(a: MergeFacts, b: MergeFacts): boolean {
  if (a.requesterId !== null || b.requesterId !== null) {
    if (a.requesterId !== b.requesterId) return false;
    // A leader who filed the target reads it as a requester: they must have filed the source too
    // (or be its requester), else they would read the employee's own messages.
    const readers = new Set([a.requesterId, a.filedById]);
    return b.filedById === b.requesterId || STAFF_ROLES.includes(b.filedByRole) || readers.has(b.filedById);
  }
  const ea = externalOf(a.externalRequester);
  const eb = externalOf(b.externalRequester);
  return ea !== null && eb !== null && ea.name === eb.name && ea.email === eb.email;
}

function externalOf(v: unknown): { name: string; email: string } | null {
  const e = v as { name?: unknown; email?: unknown } | null;
  if (typeof e?.name !== 'string' || e.name.trim() === '') return null;
  return { name: e.name.trim().toLowerCase(), email: typeof e.email === 'string' ? e.email.trim().toLowerCase() : '' };
}
