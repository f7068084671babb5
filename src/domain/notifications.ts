import { STATUS_INFO, type Status } from './statuses';

/**
 * Who is told what by e-mail (DOMAIN.md "Intake and notifications", "Privacy"): pure rules over
 * one change's outbox events and the facts of its case. The notification service reads events,
 * asks `notificationsFor`, renders the templates with `renderTemplate` and queues one delivery
 * per recipient.
 */

/** The languages mails are written in. */
export const LANGUAGES = ['nb', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** What a mail is about; each has a template per language. `sensitive` replaces all others on sensitive cases. */
export const NOTIFICATION_KINDS = ['filed', 'reply', 'waiting', 'reminder', 'completed', 'reopened', 'closed', 'sensitive'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The placeholders a template may use, `{{name}}`. */
export const PLACEHOLDERS = ['caseNumber', 'subject', 'statusLabel', 'dueDate', 'link', 'reply'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * The language of a token's `locale` claim: Norwegian (nb, nn, no and their regions) is nb,
 * English is en; anything else, or none, is the default nb.
 */
export function languageOf(locale: string | null | undefined): Language {
  const tag = (locale ?? '').trim().toLowerCase();
  if (/^en(\b|[-_])/.test(tag)) return 'en';
  return 'nb';
}

/**
 * The address and language a case is filed with: the caller's own address when they file for
 * themselves, the address the operator gives for an external requester, and for an employee
 * filed for by someone else the address the person directory has (else theirs once they act on
 * the case with an `email` claim).
 * @param filedForSelf the requester of the new case is the caller
 */
export function contactAtFiling(
  caller: { email?: string | null; locale?: string | null },
  req: { language?: Language; externalRequester?: { email?: string } | null },
  filedForSelf: boolean,
  /** The address the person directory has for an employee filed for by someone else. */
  personEmail: string | null = null,
): { email: string | null; language: Language } {
  const external = req.externalRequester ?? null;
  const email = external ? (external.email ?? null) : filedForSelf ? (caller.email ?? null) : personEmail;
  const language = req.language ?? (filedForSelf ? languageOf(caller.locale) : 'nb');
  return { email: email ? email.trim() : null, language };
}

/**
 * The address to keep on the case after its requester acted with `tokenEmail`, or null when
 * it stays as it is.
 */
export function requesterEmailUpdate(current: string | null, tokenEmail: string | null | undefined): string | null {
  const next = tokenEmail?.trim();
  if (!next || next.toLowerCase() === current?.toLowerCase()) return null;
  return next;
}

/** One outbox event as the rules need it. */
export interface ChangeEvent {
  id: string;
  type: string;
  payload: {
    version?: number;
    actor?: { id: string; role: string; onBehalfOf: string | null };
    to?: Status;
    visibility?: string;
    reason?: string | null;
  };
}

/** What the rules need of the case an event is about, as it is when the event is read. */
export interface NotificationCaseFacts {
  requesterId: string | null;
  requesterEmail: string | null;
  ccEmails: readonly string[];
  language: string;
  sensitive: boolean;
  anonymised: boolean;
}

/** A mail to write: its kind, to whom, in which language, and the event it answers. */
export interface Notification {
  kind: NotificationKind;
  recipient: string;
  language: Language;
  eventId: string;
  /** Placeholder values beyond the case's own (the reply text). */
  reply: string | null;
}

const STAFF_ROLES = new Set(['operator', 'admin', 'integration']);

/**
 * The mails one change of a case sends: `events` are the outbox events of one change (same case
 * and version). The requester and every CC address get one mail per kind:
 * - `case.created` → `filed` (the receipt with the case number);
 * - a public message by staff (not on a requester's behalf) → `reply`, unless the same change
 *   moved the case to WAITING_FOR_USER or COMPLETED, whose mail then carries the reply;
 * - entering WAITING_FOR_USER → `waiting`; COMPLETED → `completed`;
 * - CLOSED → `closed`, and REOPENED_BY_USER → `reopened`, unless the requester did it themselves.
 * Internal notes, assignments and edits send nothing. On a sensitive case every mail is of kind
 * `sensitive`, which says only that something is new. An anonymised case or one without an
 * address sends nothing.
 * @param replyText the body of the public message in the change, if any
 */
export function notificationsFor(events: readonly ChangeEvent[], c: NotificationCaseFacts, replyText: string | null): Notification[] {
  const recipients = recipientsOf(c);
  if (recipients.length === 0 || c.anonymised) return [];
  const kinds: Array<{ kind: NotificationKind; eventId: string; withReply: boolean }> = [];
  let reply: ChangeEvent | null = null;
  for (const e of events) {
    const actor = e.payload.actor;
    const byRequester = !!actor && actor.onBehalfOf === null && c.requesterId !== null && actor.id === c.requesterId;
    if (e.type === 'case.created') kinds.push({ kind: 'filed', eventId: e.id, withReply: false });
    else if (e.type === 'case.message_added') {
      if (e.payload.visibility === 'public' && actor && STAFF_ROLES.has(actor.role) && actor.onBehalfOf === null) reply = e;
    } else if (e.type === 'case.status_changed') {
      const to = e.payload.to;
      if (to === 'WAITING_FOR_USER') kinds.push({ kind: 'waiting', eventId: e.id, withReply: true });
      else if (to === 'COMPLETED') kinds.push({ kind: 'completed', eventId: e.id, withReply: true });
      else if (to === 'CLOSED' && !byRequester) kinds.push({ kind: 'closed', eventId: e.id, withReply: false });
      else if (to === 'REOPENED_BY_USER' && !byRequester) kinds.push({ kind: 'reopened', eventId: e.id, withReply: false });
    }
  }
  if (reply && !kinds.some((k) => k.withReply)) kinds.push({ kind: 'reply', eventId: reply.id, withReply: true });
  const language = LANGUAGES.includes(c.language as Language) ? (c.language as Language) : 'nb';
  const out: Notification[] = [];
  for (const k of kinds) {
    for (const recipient of recipients) {
      out.push({
        kind: c.sensitive ? 'sensitive' : k.kind,
        recipient,
        language,
        eventId: k.eventId,
        reply: k.withReply && !c.sensitive && reply ? (replyText ?? null) : null,
      });
    }
  }
  return out;
}

/** The requester's address and the CC addresses, each once (case-insensitively). */
export function recipientsOf(c: Pick<NotificationCaseFacts, 'requesterEmail' | 'ccEmails'>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of [c.requesterEmail, ...c.ccEmails]) {
    const addr = a?.trim();
    if (!addr || seen.has(addr.toLowerCase())) continue;
    seen.add(addr.toLowerCase());
    out.push(addr);
  }
  return out;
}

/**
 * When the reminder of a wait is due: `daysBefore` days before the wait completes by itself.
 * None when that instant lies before the wait began (a wait shorter than the reminder period
 * gets only its `waiting` mail).
 */
export function reminderAt(timer: { enteredAt: Date; dueAt: Date }, daysBefore: number): Date | null {
  const at = new Date(timer.dueAt.getTime() - daysBefore * 86_400_000);
  return at.getTime() > timer.enteredAt.getTime() ? at : null;
}

/** The placeholders of `text` that are not in `known` (default: the mail placeholders), each once, in order. */
export function unknownPlaceholders(text: string, known: readonly string[] = PLACEHOLDERS): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
    const name = m[1]!;
    if (!known.includes(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

/** The values a mail's placeholders are filled with. */
export interface TemplateValues {
  caseNumber: string;
  subject: string;
  status: Status;
  dueAt: Date | null;
  link: string;
  reply: string | null;
}

/**
 * Fills a template. On a sensitive case only the case number and the link are filled; every
 * other placeholder is left empty, so no case text reaches a mail even if an admin's template
 * asks for it.
 * @param timeZone the zone the due date is written in
 */
export function renderTemplate(template: string, v: TemplateValues, opts: { language: Language; sensitive: boolean; timeZone: string }): string {
  const values: Record<Placeholder, string> = {
    caseNumber: v.caseNumber,
    link: v.link,
    subject: opts.sensitive ? '' : v.subject,
    statusLabel: opts.sensitive ? '' : STATUS_INFO[v.status].label[opts.language],
    dueDate: opts.sensitive || !v.dueAt ? '' : formatDate(v.dueAt, opts.language, opts.timeZone),
    reply: opts.sensitive ? '' : (v.reply ?? ''),
  };
  return template.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, name: string) => values[name as Placeholder] ?? '');
}

/** The mail subject: the case token first, so a reply threads back to the case (mail intake parses it). */
export function mailSubject(caseNumber: string, rendered: string): string {
  return `[Sak ${caseNumber}] ${rendered}`.trim();
}

/** A date as mails and replies write it: "13. mars 2025" / "13 March 2025", in `timeZone`. */
export function formatDate(at: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'nb-NO', { timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(at);
}
