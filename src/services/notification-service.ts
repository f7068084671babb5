import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type pg from 'pg';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { retryDelayMs } from '../domain/events';
import {
  LANGUAGES,
  NOTIFICATION_KINDS,
  mailSubject,
  notificationsFor,
  recipientsOf,
  reminderAt,
  renderTemplate,
  unknownPlaceholders,
  type ChangeEvent,
  type Language,
  type NotificationKind,
  type TemplateValues,
} from '../domain/notifications';
import { inTransaction, pgQuery, type Query } from '../db/query';
import {
  claimMails,
  dueReminders,
  findTemplate,
  insertDeliveries,
  listCaseDeliveries,
  listTemplates,
  lockCursor,
  moveCursor,
  notifiableEvents,
  outboxAhead,
  recordAttempt,
  reminderKey,
  upsertTemplate,
  type ClaimedMail,
  type NewDelivery,
  type NotifiableEvent,
  type TemplateRow,
} from '../repositories/notification-repository';
import type { NotificationDto, TemplateDto } from '../schemas/notifications';
import type { EventService } from './event-service';

/** One mail as a transport sends it. */
interface OutgoingMail {
  deliveryId: bigint;
  caseId: string;
  to: string;
  subject: string;
  text: string;
  /** No case text in it (log lines may then name the subject; they never carry the body). */
  sensitive: boolean;
}

/** Where mails go: SMTP, or a directory of .eml files. Throws MailError when a mail was not taken. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** A mail the transport did not take; `permanent` when retrying cannot help (an SMTP 5xx answer). */
class MailError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

/** Headers every outgoing mail carries, so replies thread onto the case (mail intake parses the subject's token). */
function threadHeaders(m: OutgoingMail) {
  const root = `<case-${m.caseId}@saksflyt>`;
  return {
    messageId: `<notification-${m.deliveryId}@saksflyt>`,
    references: [root],
    inReplyTo: root,
    // RFC 3834: a machine wrote it, so auto-responders do not answer it (no mail loops).
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Saksflyt-Case': m.caseId },
  };
}

/** An SMTP transport over nodemailer (`smtp://host:port` or `smtps://…`). */
export function smtpTransport(url: string, from: string, timeoutMs: number): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(m) {
      try {
        await transporter.sendMail({ from, to: m.to, subject: m.subject, text: m.text, ...threadHeaders(m) });
      } catch (err) {
        const e = err as { responseCode?: number; message?: string; code?: string };
        const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
        const detail = e.responseCode ? `SMTP ${e.responseCode}: ${e.message ?? ''}` : (e.code ?? e.message ?? String(err));
        throw new MailError(detail.slice(0, 500), permanent);
      }
    },
    close() {
      transporter.close();
    },
  };
}

/** Without SMTP_URL: each mail is written as an .eml file under `dir` (and logged by the service). */
export function fileTransport(dir: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      const info = await transporter.sendMail({ from, to: m.to, subject: m.subject, text: m.text, ...threadHeaders(m) });
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, `${m.deliveryId.toString().padStart(8, '0')}.eml`), info.message as Buffer);
    },
    close() {
      transporter.close();
    },
  };
}

export interface NotificationOptions {
  timeZone: string;
  reminderDaysBefore: number;
  publicCaseUrl: string;
  batchSize: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a claim is leased: longer than an attempt can take. */
  leaseMs: number;
  /** Where the file transport writes, for the log line; null with SMTP. */
  fileDir: string | null;
  /** The jitter source; Math.random by default. */
  random?: () => number;
}

/** What one run did. */
export interface NotificationRunResult {
  queued: number;
  sent: number;
  retried: number;
  failed: number;
}

/** Outbox events read per transaction. */
const EVENT_BATCH = 500;
/** Send rounds per run. */
const MAX_ROUNDS = 100;

type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

/**
 * E-mail notifications driven by the outbox. A run (1) reads the events after the notification
 * cursor, up to the feed's safe bound, asks the domain who gets what, renders the templates and
 * queues one delivery row per mail and recipient, moving the cursor in the same transaction;
 * (2) queues the reminders that fell due; (3) sends pending deliveries, claimed FOR UPDATE SKIP
 * LOCKED with a lease. A delivery is unique on (key, recipient), so a mail is queued once however
 * many instances run and however often a run is repeated; a failed attempt is retried with
 * exponential backoff, and a 5xx answer or the last allowed attempt fails it for good.
 */
export class NotificationService {
  private readonly q: Query;
  private readonly random: () => number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly events: EventService,
    private readonly clock: Clock,
    private readonly transport: MailTransport,
    private readonly opts: NotificationOptions,
    private readonly log: Log,
  ) {
    this.q = pgQuery(pool);
    this.random = opts.random ?? Math.random;
  }

  /** Queues mails for new events and due reminders, then sends what is due at `now`. */
  async run(now: Date = this.clock.now(), signal?: AbortSignal): Promise<NotificationRunResult> {
    const result: NotificationRunResult = { queued: 0, sent: 0, retried: 0, failed: 0 };
    result.queued += await this.enqueue(now, signal);
    if (!signal?.aborted) result.queued += await this.queueReminders(now);
    for (let round = 0; round < MAX_ROUNDS && !signal?.aborted; round++) {
      const leaseUntil = new Date(now.getTime() + this.opts.leaseMs);
      const claimed = await claimMails(this.q, now, leaseUntil, this.opts.batchSize);
      if (claimed.length === 0) break;
      for (const m of claimed) {
        const outcome = await this.attempt(m, now, leaseUntil);
        result[outcome]++;
      }
    }
    return result;
  }

  /** Turns outbox events after the cursor into deliveries, batch by batch. */
  private async enqueue(now: Date, signal?: AbortSignal): Promise<number> {
    // The safe bound takes the outbox lock exclusively for an instant; an idle run skips it.
    if (!(await outboxAhead(this.q))) return 0;
    const bound = await this.events.safeBound();
    let queued = 0;
    while (!signal?.aborted) {
      const step = await inTransaction(this.pool, async (q) => {
        const cursor = await lockCursor(q);
        // Another instance is reading the outbox now; it queues these events.
        if (cursor === null || cursor >= bound) return null;
        const rows = await notifiableEvents(q, cursor, bound, EVENT_BATCH);
        const full = rows.length === EVENT_BATCH;
        const { changes, readTo } = completeChanges(rows, full);
        const templates = await listTemplates(q);
        const deliveries = changes.flatMap((change) => this.deliveriesFor(change, templates));
        const n = await insertDeliveries(q, deliveries, now);
        await moveCursor(q, full ? readTo : bound);
        return { n, more: full };
      });
      if (!step) break;
      queued += step.n;
      if (!step.more) break;
    }
    return queued;
  }

  private deliveriesFor(change: NotifiableEvent[], templates: TemplateRow[]): NewDelivery[] {
    const first = change[0]!;
    if (first.number === null || first.status === null) return [];
    const reply = change.find((e) => e.type === 'case.message_added' && e.messageBody !== null)?.messageBody ?? null;
    const notifications = notificationsFor(
      change.map((e): ChangeEvent => ({ id: e.id, type: e.type, payload: e.payload })),
      {
        requesterId: first.requesterId,
        requesterEmail: first.requesterEmail,
        ccEmails: first.ccEmails,
        language: first.language,
        sensitive: first.sensitive,
        anonymised: first.anonymised,
      },
      reply,
    );
    return notifications.map((n) => {
      const dueAt =
        (n.kind === 'waiting' && first.timerTo === 'COMPLETED') || (n.kind === 'completed' && first.timerTo === 'CLOSED') ? first.timerDueAt : null;
      const mail = this.render(templates, n.kind, n.language, first.sensitive, {
        caseNumber: first.number!,
        subject: first.subject ?? '',
        status: first.status!,
        dueAt,
        link: this.link(first.caseId),
        reply: n.reply,
      });
      return {
        key: `event:${n.eventId}`,
        caseId: first.caseId,
        eventId: n.eventId,
        kind: n.kind,
        language: n.language,
        recipient: n.recipient,
        ...mail,
      };
    });
  }

  /** Queues the reminder of every wait that completes within REMINDER_DAYS_BEFORE days. */
  private async queueReminders(now: Date): Promise<number> {
    if (this.opts.reminderDaysBefore <= 0) return 0;
    const due = await dueReminders(this.q, now, this.opts.reminderDaysBefore, this.opts.batchSize);
    if (due.length === 0) return 0;
    const templates = await listTemplates(this.q);
    const rows: NewDelivery[] = [];
    for (const c of due) {
      const at = reminderAt(c, this.opts.reminderDaysBefore);
      if (!at || at > now) continue;
      const language = (LANGUAGES as readonly string[]).includes(c.language) ? (c.language as Language) : 'nb';
      const kind: NotificationKind = c.sensitive ? 'sensitive' : 'reminder';
      const mail = this.render(templates, kind, language, c.sensitive, {
        caseNumber: c.number,
        subject: c.subject,
        status: c.status,
        dueAt: c.dueAt,
        link: this.link(c.caseId),
        reply: null,
      });
      for (const recipient of recipientsOf(c)) {
        rows.push({ key: reminderKey(c.caseId, c.dueAt), caseId: c.caseId, eventId: null, kind, language, recipient, ...mail });
      }
    }
    return insertDeliveries(this.q, rows, now);
  }

  private render(
    templates: TemplateRow[],
    kind: NotificationKind,
    language: Language,
    sensitive: boolean,
    values: TemplateValues,
  ): { subject: string; body: string } {
    const t = templates.find((x) => x.kind === kind && x.language === language) ?? templates.find((x) => x.kind === kind && x.language === 'nb');
    const o = { language, sensitive, timeZone: this.opts.timeZone };
    const subject = renderTemplate(t?.subject ?? '', values, o)
      .replace(/\s+/g, ' ')
      .trim();
    return { subject: mailSubject(values.caseNumber, subject), body: renderTemplate(t?.body ?? values.link, values, o) };
  }

  private link(caseId: string): string {
    const base = this.opts.publicCaseUrl;
    return `${base}${base.endsWith('/') ? '' : '/'}${caseId}`;
  }

  private async attempt(m: ClaimedMail, now: Date, leaseUntil: Date): Promise<'sent' | 'retried' | 'failed'> {
    try {
      await this.transport.send({ deliveryId: m.id, caseId: m.caseId, to: m.recipient, subject: m.subject, text: m.body, sensitive: m.sensitive });
    } catch (err) {
      const e = err instanceof MailError ? err : new MailError(String((err as Error).message ?? err).slice(0, 500), false);
      const attempts = m.attempts + 1;
      const last = e.permanent || attempts >= this.opts.maxAttempts;
      const next = last ? null : new Date(now.getTime() + retryDelayMs(attempts, this.opts.backoffBaseMs, this.opts.backoffMaxMs, this.random()));
      await recordAttempt(this.q, m.id, leaseUntil, { at: now, error: e.message, next });
      this.log.warn(
        { deliveryId: m.id.toString(), caseId: m.caseId, attempts, error: e.message, permanent: last },
        last ? 'notification failed for good' : 'notification failed; will retry',
      );
      return last ? 'failed' : 'retried';
    }
    await recordAttempt(this.q, m.id, leaseUntil, { at: now, error: null, next: null });
    if (this.opts.fileDir) {
      this.log.info(
        { deliveryId: m.id.toString(), caseId: m.caseId, to: m.recipient, subject: m.subject, dir: this.opts.fileDir },
        'notification written to the mail directory',
      );
    }
    return 'sent';
  }

  // ---------------------------------------------------------------- reads and templates

  /** The mails of a case (the caller's right to see the case is checked by the route). */
  async forCase(caseId: string): Promise<NotificationDto[]> {
    return (await listCaseDeliveries(this.q, caseId)).map((d) => ({
      id: d.id,
      kind: d.kind as NotificationKind,
      language: d.language as Language,
      recipient: d.recipient,
      subject: d.subject,
      state: d.state,
      attempts: d.attempts,
      lastError: d.lastError,
      lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
      sentAt: d.sentAt?.toISOString() ?? null,
      nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt.toISOString() : null,
      createdAt: d.createdAt.toISOString(),
    }));
  }

  async templates(): Promise<TemplateDto[]> {
    return (await listTemplates(this.q)).map(toTemplateDto);
  }

  async template(kind: string, language: string): Promise<TemplateDto> {
    checkTemplateKey(kind, language);
    const t = await findTemplate(this.q, kind, language);
    if (!t) throw new DomainError('not-found', `No template ${kind}/${language}.`);
    return toTemplateDto(t);
  }

  /** Saves a template; refuses (400) one that uses a placeholder the service does not fill. */
  async saveTemplate(kind: string, language: string, body: { subject: string; body: string }, by: string): Promise<TemplateDto> {
    checkTemplateKey(kind, language);
    const errors = (['subject', 'body'] as const).flatMap((field) =>
      unknownPlaceholders(body[field]).map((name) => ({ in: 'body', path: `/${field}`, message: `unknown placeholder {{${name}}}` })),
    );
    if (errors.length > 0) throw new DomainError('validation-failed', 'The template uses unknown placeholders.', { errors });
    return toTemplateDto(
      await upsertTemplate(this.q, { kind, language, subject: body.subject, body: body.body, updatedBy: by, updatedAt: this.clock.now() }),
    );
  }
}

/**
 * The events of `rows` grouped by change (case and version), in outbox order, and the position
 * the cursor may move to. When the batch was cut (`cut`), its last change may be incomplete: it
 * is left for the next batch (the cursor stops before its first event; a change read twice
 * queues nothing twice), unless it is all there is.
 */
function completeChanges(rows: NotifiableEvent[], cut: boolean): { changes: NotifiableEvent[][]; readTo: bigint } {
  const groups: NotifiableEvent[][] = [];
  const byKey = new Map<string, NotifiableEvent[]>();
  for (const r of rows) {
    const key = `${r.caseId}:${String(r.payload.version)}`;
    let g = byKey.get(key);
    if (!g) {
      g = [];
      byKey.set(key, g);
      groups.push(g);
    }
    g.push(r);
  }
  const lastRow = rows[rows.length - 1]!;
  if (cut && groups.length > 1) {
    const open = byKey.get(`${lastRow.caseId}:${String(lastRow.payload.version)}`)!;
    return { changes: groups.filter((g) => g !== open), readTo: open[0]!.position - 1n };
  }
  return { changes: groups, readTo: lastRow.position };
}

function checkTemplateKey(kind: string, language: string): void {
  if (!(NOTIFICATION_KINDS as readonly string[]).includes(kind) || !(LANGUAGES as readonly string[]).includes(language)) {
    throw new DomainError('not-found', `No template ${kind}/${language}.`);
  }
}

function toTemplateDto(t: TemplateRow): TemplateDto {
  return {
    kind: t.kind as NotificationKind,
    language: t.language as Language,
    subject: t.subject,
    body: t.body,
    updatedBy: t.updatedBy,
    updatedAt: t.updatedAt.toISOString(),
  };
}
