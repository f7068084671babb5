/**
 * The rules of mail intake (docs/mail-intake.md): which received mails are ignored (auto-replies,
 * bounces, the service's own mail), which answer an existing case, and how a mail's parts become
 * a case's subject, text and attachments. Pure: the service parses the MIME and does the I/O.
 */

/** A received mail, as much of it as the rules need (header names in lower case). */
export interface InboundMail {
  /** The From address, or null when the mail names none. */
  from: { address: string; name: string | null } | null;
  subject: string;
  /** Header values by lower-case name (the first occurrence; structured values as text). */
  headers: ReadonlyMap<string, string>;
  /** Message-IDs of In-Reply-To and References, without angle brackets. */
  references: readonly string[];
}

/** Why a mail creates nothing. */
type IgnoreReason = 'auto-submitted' | 'bulk-precedence' | 'auto-reply-header' | 'own-address' | 'bounce' | 'no-sender';

/** What a mail asks for, before any case is looked at. */
export type MailIntent =
  | { kind: 'ignore'; reason: IgnoreReason }
  /** It names a case, by the subject's token (`number`) or our References id (`caseId`). */
  | { kind: 'reply'; caseNumber: string | null; caseId: string | null }
  | { kind: 'new-case' };

/** Why a mail that names a case files a new one instead (recorded and answered). */
export type NewCaseReason = 'unknown-case' | 'sender-not-requester' | 'case-closed';

/** What the case must offer for a mail to be its requester's. */
export interface CaseContact {
  requesterEmail: string | null;
  externalRequester: unknown;
}

const CASE_TOKEN = /\[\s*(?:sak|case)\s+(\d{4}-\d{6,9})\s*\]/i;
const CASE_REFERENCE = /^case-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@saksflyt$/i;
const REPLY_PREFIX = /^\s*((re|sv|vs|fw|fwd|aw|wg)\s*(\[\d+\])?\s*:\s*)+/i;
const BOUNCE_SENDER = /^(mailer-daemon|postmaster)@/i;

/** The longest subject and text a case or message holds (the API's own limits). */
const SUBJECT_MAX = 200;
export const TEXT_MAX = 20000;

/**
 * The case number in a subject's token, e.g. `[Sak 2026-000123]` (our outgoing mails) or
 * `[Case 2026-000123]`; null when there is none.
 */
export function caseTokenOf(subject: string): string | null {
  return CASE_TOKEN.exec(subject)?.[1] ?? null;
}

/** The case id of the first `<case-<id>@saksflyt>` among a mail's references; null when none. */
export function caseReferenceOf(references: readonly string[]): string | null {
  for (const ref of references) {
    const m = CASE_REFERENCE.exec(ref.trim().replace(/^<|>$/g, ''));
    if (m) return m[1]!.toLowerCase();
  }
  return null;
}

/** The address part of `Name <addr>` or of a bare address, lower-cased; null when there is none. */
export function addressOf(value: string): string | null {
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  const bare = angle ? angle[1]! : value.trim();
  return /^[^@\s]+@[^@\s]+$/.test(bare) ? bare.toLowerCase() : null;
}

/** Whether two addresses are the same mailbox (case-insensitive, as people expect). */
function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Why a mail must create nothing, or null. Auto-replies (RFC 3834 `Auto-Submitted` other than
 * `no`, `Precedence: bulk|junk|list`, `X-Autoreply`, `X-Auto-Response-Suppress`), bounces
 * (from MAILER-DAEMON/postmaster, or a delivery report) and mail from the service's own address
 * would otherwise answer our notifications with new cases, which send notifications: a mail loop.
 */
function ignoreReason(mail: InboundMail, ownAddress: string): IgnoreReason | null {
  if (!mail.from) return 'no-sender';
  const own = addressOf(ownAddress);
  if (sameAddress(mail.from.address, own)) return 'own-address';
  const autoSubmitted = mail.headers.get('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto-submitted';
  const precedence = mail.headers.get('precedence')?.trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') return 'bulk-precedence';
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond') || mail.headers.has('x-auto-response-suppress')) {
    return 'auto-reply-header';
  }
  const contentType = mail.headers.get('content-type')?.toLowerCase() ?? '';
  if (BOUNCE_SENDER.test(mail.from.address) || (contentType.includes('multipart/report') && contentType.includes('delivery-status'))) {
    return 'bounce';
  }
  return null;
}

/**
 * What a mail asks for: ignored (see `ignoreReason`), an answer on the case its subject token
 * (first) or its References name, or a new case.
 */
export function classifyMail(mail: InboundMail, ownAddress: string): MailIntent {
  const reason = ignoreReason(mail, ownAddress);
  if (reason) return { kind: 'ignore', reason };
  const caseNumber = caseTokenOf(mail.subject);
  const caseId = caseNumber ? null : caseReferenceOf(mail.references);
  if (caseNumber || caseId) return { kind: 'reply', caseNumber, caseId };
  return { kind: 'new-case' };
}

/**
 * Whether a mail from `from` speaks for the case's requester: the address kept on the case
 * (`requester_email`) or the external requester's e-mail. Anyone else who writes with the
 * case's token gets a case of their own: a From header is easy to forge, but it must at least
 * name the requester before it writes on their case.
 */
export function isRequesterAddress(from: string, c: CaseContact): boolean {
  const external = c.externalRequester as { email?: unknown } | null;
  return sameAddress(from, c.requesterEmail) || (typeof external?.email === 'string' && sameAddress(from, external.email));
}

/** A case subject from a mail subject: no case token, no `Re:`/`SV:` prefixes, within the limit. */
export function caseSubject(subject: string): string {
  const bare = subject.replace(CASE_TOKEN, ' ').replace(REPLY_PREFIX, '').replace(/\s+/g, ' ').trim();
  return clip(bare || '(no subject)', SUBJECT_MAX);
}

/** A message or description from a mail's text, within the limit (clipped with a marker). */
export function caseText(text: string): string {
  const trimmed = text.replace(/\r\n/g, '\n').trim();
  if (trimmed === '') return '(no text)';
  const marker = '\n[… truncated]';
  return trimmed.length > TEXT_MAX ? trimmed.slice(0, TEXT_MAX - marker.length) + marker : trimmed;
}

/** A received attachment, as the attachment rules see it. */
export interface MailAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  /** Embedded in the HTML body (a signature logo), not sent as a file. */
  related: boolean;
}

/** Why an attachment is not kept. */
export type AttachmentSkip = 'inline-image' | 'too-large' | 'type-not-accepted';

/**
 * Whether a mail's attachment becomes a case attachment: the same limits as an upload (size and
 * accepted types); images embedded in the HTML body are dropped, as they are part of the text.
 */
export function attachmentSkip(a: MailAttachment, limits: { maxBytes: number; types: ReadonlySet<string> }): AttachmentSkip | null {
  if (a.related) return 'inline-image';
  if (a.size > limits.maxBytes) return 'too-large';
  if (!limits.types.has(a.contentType.toLowerCase())) return 'type-not-accepted';
  return null;
}

/** A stored filename: no path separators, quotes or line breaks; at most 255 characters. */
export function safeFilename(name: string | null): string {
  return (name ?? '').replace(/[\\/\r\n"]/g, '_').slice(0, 255) || 'file';
}

/** The external requester a new mail case is filed for: From's name (or address) and address. */
export function externalRequesterOf(from: { address: string; name: string | null }): { name: string; email: string } {
  const name = from.name?.trim() || from.address;
  return { name: clip(name, 200), email: from.address };
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
