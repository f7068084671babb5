/** Staff edits of a case's triage (priority, tags) as plan edits; docs/queues.md. */
import type { FieldEdit } from '../domain/plan';
import { normaliseTags, sameTags } from '../domain/triage';
import type { CaseRow } from '../repositories/case-repository';
import type { PatchCaseBody } from '../schemas/case';

/** The priority and tag edits a PATCH body makes to `row` (none when it repeats the current values). */
export function triageEdits(row: CaseRow, body: Pick<PatchCaseBody, 'priority' | 'tags'>): FieldEdit[] {
  const edits: FieldEdit[] = [];
  if (body.priority !== undefined && body.priority !== row.priority) {
    edits.push({ field: 'priority', from: row.priority, to: body.priority });
  }
  if (body.tags !== undefined) {
    const tags = normaliseTags(body.tags);
    const current = row.tags ?? [];
    if (!sameTags(tags, current)) edits.push({ field: 'tags', from: current, to: tags });
  }
  return edits;
}
