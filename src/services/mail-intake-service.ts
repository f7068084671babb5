import { createHash } from 'node:crypto';
import type pg from 'pg';
import { simpleParser, type HeaderValue, type ParsedMail } from 'mailparser';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import { DomainError, isDomainError } from '../domain/errors';
import {
  attachmentSkip,
  caseSubject,
  caseText,
  classifyMail,
  externalRequesterOf,
  isRequesterAddress,
  safeFilename,
  type AttachmentSkip,
  type InboundMail,
  type NewCaseReason,
} from '../domain/mail-intake';
import type { Principal } from '../domain/roles';
import { pgQuery, type Query } from '../db/query';
import { findCase, type CaseRow } from '../repositories/case-repository';
import { findPersonByEmail } from '../repositories/people-repository';
import {
  caseIdExists,
  claimInboundMail,
  findCaseIdByNumber,
  findInboundMail,
  mailCategory,
  recordInboundMail,
  releaseInboundMail,
} from '../repositories/inbound-mail-repository';
import type { CaseService } from './case-service';

/** A `pending` claim older than this belongs to a delivery that died; the next one takes it over. */
const STALE_CLAIM_MS = 10 * 60_000;
/** The category mail is filed in when nothing says otherwise (DOMAIN.md: the general contact form). */
const MAIL_CATEGORY = 'general';

const PARSER_OPTIONS = { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true };

type InboundMailOutcome = 'case-created' | 'message-added' | 'ignored';

/** What a delivery did (or, for a duplicate, what its first delivery did). */
export interface InboundMailResult {
  outcome: InboundMailOutcome;
  duplicate: boolean;
  messageId: string;
  caseId: string | null;
  caseNumber: string | null;
  /**
   * For `ignored`: why (an IgnoreReason); for `case-created` from a mail naming a case: why not an
   * answer on it (a NewCaseReason); `incomplete` when the first delivery failed half-way.
   */
  reason: string | null;
  attachments?: Array<{ id: string; filename: string }>;
  skippedAttachments?: Array<{ filename: string; reason: AttachmentSkip }>;
}

/** How far a delivery got, so a failure half-way is recorded instead of done twice. */
interface Progress {
  caseId: string | null;
  outcome: InboundMailOutcome | null;
}

/**
 * Mail intake (docs/mail-intake.md): one raw RFC 5322 message from the centre's mail gateway
 * becomes a requester's message on the case it answers, a new `general` case, or nothing (an
 * auto-reply, a bounce, our own mail). Every change goes through CaseService, so a mail moves a
 * case exactly as the same words typed in the portal would. Idempotent on Message-ID.
 */
export class MailIntakeService {
  private readonly q: Query;
  private readonly attachmentLimits: { maxBytes: number; types: ReadonlySet<string> };

  constructor(
    pool: pg.Pool,
    private readonly cases: CaseService,
    private readonly clock: Clock,
    private readonly config: Config,
  ) {
    this.q = pgQuery(pool);
    this.attachmentLimits = {
      maxBytes: config.ATTACHMENT_MAX_BYTES,
      types: new Set(
        config.ATTACHMENT_TYPES.split(',')
          .map((t) => t.trim().toLowerCase())
          .filter(Boolean),
      ),
    };
  }

  /** Takes one raw message posted by the mail gateway `gateway`. */
  async receive(gateway: Principal, raw: Buffer): Promise<InboundMailResult> {
    if (raw.length === 0) {
      throw new DomainError('validation-failed', 'The body is empty: send one raw RFC 5322 message.', {
        errors: [{ in: 'body', path: '', message: 'empty message' }],
      });
    }
    const parsed = await simpleParser(raw, PARSER_OPTIONS);
    parsed.text = await bodyText(parsed);
    // A message without a Message-ID is still delivered once: its bytes stand in for the id.
    const messageId = bareId(parsed.messageId) ?? `sha256-${createHash('sha256').update(raw).digest('hex')}@saksflyt.invalid`;
    const now = this.clock.now();
    if (!(await claimInboundMail(this.q, messageId, now, new Date(now.getTime() - STALE_CLAIM_MS)))) {
      const first = await findInboundMail(this.q, messageId);
      if (!first || first.outcome === 'pending') {
        throw new DomainError('service-unavailable', 'Another delivery of this Message-ID is being processed; try again later.');
      }
      return {
        outcome: first.outcome,
        duplicate: true,
        messageId,
        caseId: first.caseId,
        caseNumber: first.caseNumber,
        reason: first.reason,
      };
    }
    const progress: Progress = { caseId: null, outcome: null };
    try {
      const result = await this.handle(gateway, messageId, parsed, progress);
      await recordInboundMail(this.q, messageId, { outcome: result.outcome, caseId: result.caseId, reason: result.reason });
      return result;
    } catch (err) {
      // Nothing written: the next delivery starts afresh. Something written: it is recorded, so a
      // retry answers it instead of filing the case again (the rest of that mail is lost, and said so).
      if (progress.outcome) {
        await recordInboundMail(this.q, messageId, { outcome: progress.outcome, caseId: progress.caseId, reason: 'incomplete' }).catch(
          () => undefined,
        );
      } else {
        await releaseInboundMail(this.q, messageId).catch(() => undefined);
      }
      throw err;
    }
  }

  private async handle(gateway: Principal, messageId: string, parsed: ParsedMail, progress: Progress): Promise<InboundMailResult> {
    const mail = inboundMail(parsed);
    const intent = classifyMail(mail, this.config.MAIL_FROM);
    const base = { duplicate: false, messageId };
    if (intent.kind === 'ignore') {
      return { ...base, outcome: 'ignored', caseId: null, caseNumber: null, reason: intent.reason };
    }
    const from = mail.from!;
    let why: NewCaseReason | null = null;
    if (intent.kind === 'reply') {
      const row = await this.namedCase(intent.caseNumber, intent.caseId);
      if (!row) why = 'unknown-case';
      else if (!isRequesterAddress(from.address, row)) why = 'sender-not-requester';
      else if (row.status === 'CLOSED' || row.anonymisedAt) why = 'case-closed';
      else {
        try {
          return { ...base, ...(await this.answer(gateway, row, parsed, progress)) };
        } catch (err) {
          // Closed between the look and the lock: the mail still becomes a case.
          if (!(isDomainError(err) && err.code === 'case-closed' && !progress.outcome)) throw err;
          why = 'case-closed';
        }
      }
    }
    return { ...base, ...(await this.file(gateway, mail, parsed, why, progress)) };
  }

  /** The case a mail's token or References name, if it exists. */
  private async namedCase(caseNumber: string | null, caseId: string | null): Promise<CaseRow | null> {
    const id = caseNumber ? await findCaseIdByNumber(this.q, caseNumber) : caseId && (await caseIdExists(this.q, caseId)) ? caseId : null;
    return id ? findCase(this.q, id) : null;
  }

  /** The requester's message on their case, through the same write path as the portal's. */
  private async answer(gateway: Principal, row: CaseRow, parsed: ParsedMail, progress: Progress) {
    const requester = requesterPrincipal(row);
    // A person without a login is answered for by the gateway, on their behalf, as an operator
    // records a phoned-in message.
    const actor = requester ?? relay(gateway);
    const { case: updated } = await this.cases.addMessage(
      actor,
      row.id,
      { body: caseText(parsed.text ?? ''), ...(requester ? {} : { onBehalfOfRequester: true }) },
      undefined,
    );
    progress.caseId = row.id;
    progress.outcome = 'message-added';
    const files = await this.attach(actor, gateway, row.id, parsed);
    return { outcome: 'message-added' as const, caseId: row.id, caseNumber: updated.number, reason: null, ...files };
  }

  /** A new case for the sender, filed by the gateway as an operator files a phoned-in one. */
  private async file(gateway: Principal, mail: InboundMail, parsed: ParsedMail, why: NewCaseReason | null, progress: Progress) {
    const categoryKey = await mailCategory(this.q, MAIL_CATEGORY);
    if (!categoryKey) throw new DomainError('service-unavailable', 'No active category to file mail in; try again later.');
    const actor = relay(gateway);
    // A sender the person directory knows by address is an employee: the case is theirs (they
    // see it and answer it when they sign in); anyone else is an external requester.
    const person = await findPersonByEmail(this.q, mail.from!.address);
    const created = await this.cases.create(actor, {
      categoryKey,
      subject: caseSubject(mail.subject),
      description: caseText(parsed.text ?? ''),
      channel: 'email',
      ...(person ? { requesterId: person.subject } : { externalRequester: externalRequesterOf(mail.from!) }),
    });
    progress.caseId = created.id;
    progress.outcome = 'case-created';
    const files = await this.attach(actor, gateway, created.id, parsed);
    return { outcome: 'case-created' as const, caseId: created.id, caseNumber: created.number, reason: why, ...files };
  }

  /**
   * The mail's files as case attachments, under the upload limits; the ones refused are named in
   * an internal note, so the operators know the sender sent more than the case shows.
   */
  private async attach(actor: Principal, gateway: Principal, caseId: string, parsed: ParsedMail) {
    const attachments: Array<{ id: string; filename: string }> = [];
    const skippedAttachments: Array<{ filename: string; reason: AttachmentSkip }> = [];
    for (const a of parsed.attachments) {
      const filename = safeFilename(a.filename ?? null);
      const data = a.content;
      const skip = attachmentSkip({ filename, contentType: a.contentType, size: data.length, related: a.related ?? false }, this.attachmentLimits);
      if (skip) {
        skippedAttachments.push({ filename, reason: skip });
        continue;
      }
      const sha256 = createHash('sha256').update(data).digest('hex');
      const dto = await this.cases.addAttachment(actor, caseId, { filename, contentType: a.contentType.toLowerCase(), data, sha256 });
      attachments.push({ id: dto.id, filename: dto.filename });
    }
    const dropped = skippedAttachments.filter((s) => s.reason !== 'inline-image');
    if (dropped.length > 0) {
      const lines = dropped.map((s) => `- ${s.filename}: ${s.reason}`).join('\n');
      await this.cases.addMessage(relay(gateway), caseId, { body: `Mail attachments not kept:\n${lines}`, visibility: 'internal' }, undefined);
    }
    return { attachments, skippedAttachments };
  }
}

/** The case's requester with a login, as the principal they would be in the portal. */
function requesterPrincipal(row: CaseRow): Principal | null {
  if (!row.requesterId) return null;
  return { id: row.requesterId, name: row.requesterName, roles: ['requester'], teams: [], employeeNumber: row.employeeNumber, scopes: [] };
}

/**
 * The gateway relaying a mail: it files and records as an integration that writes cases (of any
 * category, as a mail may concern a sensitive one), though its token only lets it post mail.
 */
function relay(gateway: Principal): Principal {
  return {
    id: gateway.id,
    name: gateway.name,
    roles: ['integration'],
    teams: [],
    employeeNumber: null,
    scopes: ['cases:write', 'cases:read:sensitive'],
  };
}

/** The parts of a parsed mail the intake rules read. */
function inboundMail(parsed: ParsedMail): InboundMail {
  const sender = parsed.from?.value.find((a) => a.address);
  const headers = new Map<string, string>();
  for (const [name, value] of parsed.headers) headers.set(name, headerText(value));
  const references = [parsed.inReplyTo, ...(Array.isArray(parsed.references) ? parsed.references : [parsed.references])]
    .filter((r): r is string => typeof r === 'string')
    .flatMap((r) => r.split(/\s+/))
    .map((r) => bareId(r))
    .filter((r): r is string => r !== null);
  return {
    from: sender?.address ? { address: sender.address.toLowerCase(), name: sender.name || null } : null,
    subject: parsed.subject ?? '',
    headers,
    references,
  };
}

function headerText(value: HeaderValue): string {
  const one: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof one === 'string') return one;
  if (one instanceof Date) return one.toISOString();
  if (typeof one !== 'object' || one === null) return '';
  const v = one as { value?: unknown; params?: Record<string, string>; text?: unknown };
  if (typeof v.value === 'string')
    return (
      v.value +
      Object.entries(v.params ?? {})
        .map(([k, p]) => `; ${k}=${p}`)
        .join('')
    );
  return typeof v.text === 'string' ? v.text : '';
}

/**
 * The mail's text. mailparser converts HTML to text only when the HTML is the whole message or
 * has a text alternative; an HTML body next to attachments is converted here, by parsing it as a
 * message of its own (the same converter, no second HTML library).
 */
async function bodyText(parsed: ParsedMail): Promise<string> {
  if (parsed.text?.trim() || !parsed.html) return parsed.text ?? '';
  const alone = await simpleParser(Buffer.from(`Content-Type: text/html; charset=utf-8\r\n\r\n${parsed.html}`), PARSER_OPTIONS);
  return alone.text ?? '';
}

/** A Message-ID without its angle brackets; null when there is none. */
function bareId(id: string | undefined): string | null {
  const bare = id?.trim().replace(/^<|>$/g, '').trim();
  return bare ? bare.slice(0, 998) : null;
}
