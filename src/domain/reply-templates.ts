import { DomainError } from './errors';
import { formatDate, unknownPlaceholders, type Language } from './notifications';
import { STATUS_INFO, type Status } from './statuses';

/**
 * Prepared replies (#16, docs/reply-templates.md): an admin writes a text once per language with
 * `{{placeholders}}`; an operator sends it as a message with `templateKey`, and what is stored
 * and mailed is the text with the placeholders filled for the case. Pure.
 */

/** The placeholders a reply template may use, `{{name}}`. */
export const REPLY_PLACEHOLDERS = ['requesterName', 'caseNumber', 'statusLabel', 'autoCompleteDate'] as const;
type ReplyPlaceholder = (typeof REPLY_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders of `text` that are not reply placeholders, each once, in order. */
export function unknownReplyPlaceholders(text: string): string[] {
  return unknownPlaceholders(text, REPLY_PLACEHOLDERS);
}

/** A template as the renderer needs it. */
export interface ReplyTemplate {
  key: string;
  categoryKey: string | null;
  body: Readonly<Record<Language, string>>;
}

/** What the placeholders are filled with: the case as the message leaves it. */
export interface ReplyFacts {
  number: string;
  categoryKey: string;
  /** The requester's name (a Feide user's, or an external requester's), if known. */
  requesterName: string | null;
  /** The status after the message (a message may move the case). */
  status: Status;
  /** When the case completes by itself after the message, if it will. */
  autoCompleteAt: Date | null;
  language: Language;
}

/**
 * The message body a template gives for a case. Refused (422) when the template belongs to
 * another category, or names the auto-complete date of a case that will not complete by itself:
 * a reply must not promise a date that does not exist.
 * @param timeZone the zone dates are written in
 */
export function renderReply(t: ReplyTemplate, f: ReplyFacts, timeZone: string): string {
  if (t.categoryKey !== null && t.categoryKey !== f.categoryKey) {
    throw new DomainError('template-not-applicable', `The reply template '${t.key}' is for ${t.categoryKey} cases, not ${f.categoryKey}.`, {
      templateKey: t.key,
    });
  }
  const text = t.body[f.language];
  const used = new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!));
  if (used.has('autoCompleteDate') && !f.autoCompleteAt) {
    throw new DomainError(
      'template-not-applicable',
      `The reply template '${t.key}' names the date the case completes by itself, but it will not (it is not waiting for the requester after this message).`,
      { templateKey: t.key },
    );
  }
  const values: Record<ReplyPlaceholder, string> = {
    requesterName: f.requesterName ?? '',
    caseNumber: f.number,
    statusLabel: STATUS_INFO[f.status].label[f.language],
    autoCompleteDate: f.autoCompleteAt ? formatDate(f.autoCompleteAt, f.language, timeZone) : '',
  };
  return text.replace(PLACEHOLDER, (_, name: string) => values[name as ReplyPlaceholder] ?? '');
}
