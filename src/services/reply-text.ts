import type { Actor, Decision } from '../domain/decide';
import { DomainError } from '../domain/errors';
import { languageOf } from '../domain/notifications';
import { timerDueAt, type TimerRules } from '../domain/plan';
import { renderReply, type ReplyTemplate } from '../domain/reply-templates';
import type { CaseRow } from '../repositories/case-repository';
import type { CreateMessageBody } from '../schemas/case';

/** Requesters write public messages of their own: no internal notes, no reply templates. */
export function requesterMessageRules(actor: Actor, body: CreateMessageBody): void {
  if (actor.as !== 'requester' || ((body.visibility ?? 'public') === 'public' && body.templateKey === undefined)) return;
  const field = body.templateKey !== undefined ? 'templateKey' : 'visibility';
  throw new DomainError('validation-failed', 'Requesters write public messages of their own only.', {
    errors: [{ in: 'body', path: `/${field}`, message: field === 'visibility' ? 'must be public' : 'staff only' }],
  });
}

/**
 * The text a message stores: its `body`, or its reply template filled for the case as the
 * message leaves it (status, and the date it completes by itself). Exactly one of the two.
 */
export async function messageText(
  body: CreateMessageBody,
  row: CaseRow,
  decision: Decision,
  ctx: { now: Date; rules: TimerRules },
  template: ((key: string) => Promise<ReplyTemplate>) | undefined,
  timeZone: string,
): Promise<string> {
  if ((body.body === undefined) === (body.templateKey === undefined)) {
    throw new DomainError('validation-failed', 'Give the message as `body` or as `templateKey`, not both and not neither.', {
      errors: [{ in: 'body', path: body.body === undefined ? '' : '/templateKey', message: 'exactly one of body and templateKey' }],
    });
  }
  if (body.body !== undefined) return body.body;
  if (!template) throw new DomainError('validation-failed', 'Reply templates are not available here.');
  const t = await template(body.templateKey!);
  return renderReply(
    t,
    {
      number: row.number,
      categoryKey: row.categoryKey,
      requesterName: row.requesterName ?? externalName(row.externalRequester),
      status: decision.status,
      autoCompleteAt: autoCompleteAt(row, decision, ctx),
      language: languageOf(row.language),
    },
    timeZone,
  );
}

/** When the case completes by itself after this decision: a new wait's due time, or the pending one kept. */
function autoCompleteAt(row: CaseRow, decision: Decision, ctx: { now: Date; rules: TimerRules }): Date | null {
  if (decision.statusChanged) return decision.timer?.to === 'COMPLETED' ? timerDueAt(decision.timer, ctx.now, ctx.rules) : null;
  return row.timer?.toStatus === 'COMPLETED' ? row.timer.dueAt : null;
}

function externalName(external: unknown): string | null {
  const name = (external as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : null;
}
