import type { Config } from '../config';
import { caseAccess, mayFileCases, type CaseAccess } from '../domain/access';
import type { Clock } from '../domain/clock';
import { allowedNow, decide, type Actor, type Command, type Decision } from '../domain/decide';
import { DomainError, isDomainError } from '../domain/errors';
import { isStaff, primaryRole, type ActorRole, type Principal } from '../domain/roles';
import type { Status } from '../domain/statuses';
import { TIMED_TRANSITIONS } from '../domain/transitions';
import { addCalendarDays, suspensionAwareDueAt, windowCovering, type SuspensionWindow } from '../domain/suspension';
import type pg from 'pg';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import {
  findCase,
  findCaseWithAttachments,
  findCategory,
  insertAccessLog,
  insertAttachment,
  insertCase,
  insertEvent,
  insertHistory,
  insertMessage,
  insertTimer,
  deleteTimer,
  listCases,
  lockCase,
  nextCaseNumber,
  teamExists,
  updateCase,
  type CaseListFilter,
  type CaseRow,
  type CaseUpdate,
  type HistoryInput,
  type Visibility,
} from '../repositories/case-repository';
import { inTransaction, pgQuery, prismaQuery, type Query } from '../db/query';
import type {
  AttachmentDto,
  CaseDto,
  CreateCaseBody,
  CreateMessageBody,
  HistoryDto,
  ListCasesQuery,
  MessageDto,
  PatchCaseBody,
  TransitionBody,
} from '../schemas/case';
import type { FormValidator } from './forms';
import { KeyedQueue } from './keyed-queue';
import type { CaseSlaLoader } from './sla-service';
import { loadWindows, lockWindows } from './windows';

/** A Prisma transaction: the timer sweep and window recomputation still run on Prisma. */
type Tx = Prisma.TransactionClient;

/** Who did a change, as history rows and events record it. */
interface ChangeActor {
  id: string;
  role: ActorRole;
  onBehalfOf: string | null;
}

/** The principal's standing on one case, derived once per request. */
interface Standing {
  access: Exclude<CaseAccess, { view: 'none' }>;
  /** How the graph sees the caller on this case, or null when they may not act on it. */
  as: Actor['as'] | null;
}

/** How long views reuse the suspension windows they read (an edit on this instance drops them at once). */
const WINDOWS_TTL_MS = 5000;

/** The system actor of timers. */
export const SYSTEM_ACTOR: ChangeActor = { id: 'system', role: 'system', onBehalfOf: null };

/**
 * Use cases on cases: load → decide (pure) → one transaction that writes the change, its
 * history rows, its outbox events and its timer. Routes call these; nothing here knows HTTP.
 * The hot paths (view, list, file, change) send their SQL through `pg` (case-repository.ts);
 * the timer sweep and the window recomputation use Prisma.
 */
export class CaseService {
  private windowsCache: { at: number; windows: Promise<SuspensionWindow[]> } | null = null;
  private readonly changes = new KeyedQueue();
  /** Built once: an Intl.DateTimeFormat costs more to make than the rest of filing a case. */
  private yearFormat: Intl.DateTimeFormat | undefined;

  /** Statements outside a transaction, through the pool. */
  private readonly q: Query;
  private readonly sla: CaseSlaLoader;

  constructor(
    private readonly db: Db,
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly forms: FormValidator,
    sla: CaseSlaLoader,
  ) {
    this.q = pgQuery(pool);
    this.sla = sla;
  }

  // ---------------------------------------------------------------- create

  /** Files a case: validates category and form, numbers it, routes it to the category's team. */
  async create(p: Principal, body: CreateCaseBody): Promise<CaseDto> {
    const now = this.clock.now();
    const category = await findCategory(this.q, body.categoryKey);
    if (!category || !category.active) {
      throw new DomainError('validation-failed', `Unknown or inactive category '${body.categoryKey}'.`, {
        errors: [{ in: 'body', path: '/categoryKey', message: 'unknown or inactive category' }],
      });
    }
    const details = body.details ?? {};
    const formErrors = this.forms.validate(category.key, category.updatedAt, category.form, details);
    if (formErrors.length > 0) {
      throw new DomainError('validation-failed', `details do not match the ${category.key} form.`, {
        errors: formErrors.map((e) => ({ in: 'body', path: `/details${e.path}`, message: e.message })),
      });
    }

    if (!mayFileCases(p)) throw new DomainError('forbidden', 'This client may not file cases (it needs the cases:write scope).');
    const staff = isStaff(p);
    const external = body.externalRequester ?? null;
    let channel = body.channel ?? (staff ? 'phone' : 'portal');
    if (external) {
      if (!staff) throw new DomainError('forbidden', 'Only operators register cases for external requesters.');
      if (!['phone', 'email', 'post', 'api'].includes(channel)) {
        throw new DomainError('validation-failed', 'A case for an external requester comes by phone, email, post or api.', {
          errors: [{ in: 'body', path: '/channel', message: 'must be phone, email, post or api' }],
        });
      }
    } else {
      if (body.channel !== undefined && body.channel !== 'portal' && !staff) {
        throw new DomainError('validation-failed', 'Requesters file through the portal.', {
          errors: [{ in: 'body', path: '/channel', message: 'must be portal' }],
        });
      }
      if (!staff) channel = 'portal';
    }
    if (body.concernsEmployee && !p.roles.includes('leader') && !staff) {
      throw new DomainError('forbidden', 'Only leaders (or operators) file cases about an employee.');
    }

    const role = primaryRole(p);
    const year = Number(
      (this.yearFormat ??= new Intl.DateTimeFormat('en', { timeZone: this.config.TIMEZONE, year: 'numeric' })).format(now),
    );
    const created = await inTransaction(this.pool, async (q) => {
      const row = await insertCase(
        q,
        {
          number: await nextCaseNumber(q, year),
          now,
          categoryKey: category.key,
          teamKey: category.defaultTeamKey,
          subject: body.subject,
          description: body.description,
          details,
          channel: channel as CaseRow['channel'],
          requesterId: external ? null : p.id,
          requesterName: external ? external.name : p.name,
          employeeNumber: body.employeeNumber ?? (external ? null : p.employeeNumber),
          concernsEmployee: body.concernsEmployee ?? null,
          externalRequester: external,
          filedById: p.id,
          filedByRole: role,
        },
        category.sensitive,
      );
      const actor: ChangeActor = { id: p.id, role, onBehalfOf: external ? external.name : null };
      await insertHistory(q, row.id, actor, now, [{ field: 'created', to: 'REGISTERED' }]);
      await this.writeEvent(q, 'case.created', row, actor, now, {
        categoryKey: row.categoryKey,
        teamKey: row.teamKey,
        channel: row.channel,
      });
      return row;
    });
    const standing = this.standing(p, created);
    return this.toDto(created, standing, await this.activeWindow(now));
  }

  // ---------------------------------------------------------------- reads

  /** One case as the principal may see it (404 when they may not). */
  async get(p: Principal, id: string, endpoint: string): Promise<CaseDto> {
    const found = await findCaseWithAttachments(this.q, id);
    const standing = this.visible(p, found?.row ?? null);
    await this.logSensitiveRead(p, found!.row, endpoint);
    const dto = await this.toDto(found!.row, standing, await this.activeWindow(this.clock.now()));
    dto.attachments = found!.attachments.map(toAttachmentDto);
    return dto;
  }

  /** Cases the principal may see, filtered, newest first, with a keyset cursor. */
  async list(p: Principal, q: ListCasesQuery): Promise<{ items: CaseDto[]; nextCursor: string | null }> {
    const limit = q.limit ?? 25;
    const sort = q.sort ?? 'created';
    const sortField = sort === 'updated' ? 'updatedAt' : 'createdAt';
    const rows = await listCases(this.q, caseListFilter(this.visibilityOf(p), q));
    const page = rows.slice(0, limit);
    await this.logSensitiveReads(p, page, 'GET /v1/cases');
    const window = await this.activeWindow(this.clock.now());
    const items = await Promise.all(page.map((r) => this.toDto(r, this.standing(p, r), window)));
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeCursor(sort, last[sortField], last.id) : null;
    return { items, nextCursor };
  }

  /** Messages of a case; requesters never see internal notes. */
  async messages(p: Principal, id: string, endpoint: string): Promise<MessageDto[]> {
    const row = await findCase(this.q, id);
    const standing = this.visible(p, row);
    await this.logSensitiveRead(p, row!, endpoint);
    const messages = await this.db.caseMessage.findMany({
      where: { caseId: id, ...(standing.access.view === 'staff' ? {} : { visibility: 'public' }) },
      orderBy: [{ createdAt: 'asc' }, { seq: 'asc' }],
    });
    return messages.map(toMessageDto);
  }

  /** The append-only history; requesters never see internal rows. */
  async history(p: Principal, id: string, endpoint: string): Promise<HistoryDto[]> {
    const row = await findCase(this.q, id);
    const standing = this.visible(p, row);
    await this.logSensitiveRead(p, row!, endpoint);
    const rows = await this.db.caseHistory.findMany({
      where: { caseId: id, ...(standing.access.view === 'staff' ? {} : { internal: false }) },
      orderBy: { id: 'asc' },
    });
    return rows.map((h) => ({
      id: h.id.toString(),
      at: h.at.toISOString(),
      actor: { id: h.actorId, role: h.actorRole, onBehalfOf: h.onBehalfOf },
      field: h.field,
      from: h.fromValue,
      to: h.toValue,
      reason: h.reason,
      internal: h.internal,
    }));
  }

  /** Reads of a sensitive case, for admins. */
  async accessLog(id: string): Promise<Array<{ at: string; actorId: string; actorRole: string; endpoint: string }>> {
    if (!(await findCase(this.q, id))) throw notFound();
    const rows = await this.db.accessLog.findMany({ where: { caseId: id }, orderBy: { id: 'asc' } });
    return rows.map((r) => ({ at: r.at.toISOString(), actorId: r.actorId, actorRole: r.actorRole, endpoint: r.endpoint }));
  }

  /** An attachment's bytes, for whoever may read the case. */
  async attachment(
    p: Principal,
    id: string,
    attachmentId: string,
  ): Promise<{ filename: string; contentType: string; data: Uint8Array }> {
    const row = await findCase(this.q, id);
    this.visible(p, row);
    const a = await this.db.attachment.findFirst({ where: { id: attachmentId, caseId: id } });
    if (!a?.data) throw new DomainError('not-found', 'No such attachment.');
    // Logged once the file is found: a refused read reveals nothing and leaves no trace.
    await this.logSensitiveRead(p, row!, 'GET /v1/cases/:id/attachments/:attachmentId');
    return { filename: a.filename, contentType: a.contentType, data: a.data };
  }

  /** Stores an attachment on a case (requester or staff), as a change with history and event. */
  async addAttachment(
    p: Principal,
    id: string,
    file: { filename: string; contentType: string; data: Buffer; sha256: string },
  ): Promise<AttachmentDto> {
    let dto: AttachmentDto | undefined;
    await this.change(p, id, undefined, false, async (tx, row, actor, ctx) => {
      if (row.status === 'CLOSED') {
        throw new DomainError('case-closed', 'The case is closed. Reopen it to add files.', { currentStatus: row.status });
      }
      const a = await insertAttachment(tx, { caseId: row.id, ...file, actor: ctx.changeActor, now: ctx.now });
      dto = toAttachmentDto(a);
      await this.writeEvent(tx, 'case.attachment_added', row, ctx.changeActor, ctx.now, { attachmentId: a.id });
      return { decision: null, reason: null, publicReply: false, extra: [{ field: 'attachment', to: a.id }] };
    });
    return dto!;
  }

  // ---------------------------------------------------------------- changes

  /** A status move by the principal (operator, requester, or operator for an external requester). */
  async transition(p: Principal, id: string, body: TransitionBody, ifMatch: number | undefined): Promise<CaseDto> {
    return this.change(p, id, ifMatch, body.onBehalfOfRequester === true, async (tx, row, actor, ctx) => {
      const publicReply = body.reply !== undefined;
      if (publicReply && actor.as !== 'operator') {
        throw new DomainError('validation-failed', 'Only operators write a reply with a transition; send a message.');
      }
      const decision = decide(
        stateOf(row),
        { type: 'transition', to: body.to, assigneeId: body.assigneeId, publicReply },
        actor,
        ctx,
      )!;
      if (publicReply) {
        await this.insertMessage(tx, row.id, ctx.changeActor, 'public', body.reply!, ctx.now);
      }
      return { decision, reason: body.reason ?? null, publicReply };
    });
  }

  /** A message; a requester's applies the automatic UPDATED_BY_USER rule. */
  async addMessage(
    p: Principal,
    id: string,
    body: CreateMessageBody,
    ifMatch: number | undefined,
  ): Promise<{ message: MessageDto; case: CaseDto }> {
    let message: MessageDto | undefined;
    const dto = await this.change(p, id, ifMatch, body.onBehalfOfRequester === true, async (tx, row, actor, ctx) => {
      const visibility = body.visibility ?? 'public';
      if (actor.as === 'requester' && visibility !== 'public') {
        throw new DomainError('validation-failed', 'Requesters write public messages only.', {
          errors: [{ in: 'body', path: '/visibility', message: 'must be public' }],
        });
      }
      const cmd: Command = { type: 'message', visibility, setStatus: body.setStatus };
      const decision = decide(stateOf(row), cmd, actor, ctx)!;
      message = await this.insertMessage(tx, row.id, ctx.changeActor, visibility, body.body, ctx.now);
      return { decision, reason: null, publicReply: actor.as === 'operator' && visibility === 'public' };
    });
    return { message: message!, case: dto };
  }

  /** Staff edit: assignee, team, category, subject. */
  async patch(p: Principal, id: string, body: PatchCaseBody, ifMatch: number | undefined): Promise<CaseDto> {
    return this.change(p, id, ifMatch, false, async (tx, row, actor, ctx) => {
      if (actor.as !== 'operator') throw new DomainError('forbidden', 'Only staff edit cases.');
      if (row.status === 'CLOSED') {
        throw new DomainError('case-closed', 'A closed case cannot be changed.', { currentStatus: row.status });
      }
      const extra: HistoryInput[] = [];
      const data: Partial<CaseUpdate> = {};
      const reason = body.reason ?? null;
      let categoryTeam: string | undefined;
      if (body.categoryKey !== undefined && body.categoryKey !== row.categoryKey) {
        const cat = await findCategory(tx, body.categoryKey);
        if (!cat) throw unknownRef('categoryKey', body.categoryKey);
        data.categoryKey = cat.key;
        extra.push({ field: 'category', from: row.categoryKey, to: cat.key, reason });
        categoryTeam = cat.defaultTeamKey;
      }
      // A new category routes the case to its team unless a team is given too.
      const teamKey = body.teamKey ?? categoryTeam;
      if (teamKey !== undefined && teamKey !== row.teamKey) {
        if (!(await teamExists(tx, teamKey))) throw unknownRef('teamKey', teamKey);
        data.teamKey = teamKey;
        extra.push({ field: 'team', from: row.teamKey, to: teamKey, reason });
      }
      if (body.subject !== undefined && body.subject !== row.subject) {
        data.subject = body.subject;
        extra.push({ field: 'subject', from: row.subject, to: body.subject, reason });
      }
      let decision: Decision | null = null;
      if (body.assigneeId !== undefined) {
        decision = decide(stateOf(row), { type: 'assign', assigneeId: body.assigneeId }, actor, ctx);
      }
      // Repeating the current values is not a change: no version, no history, no event.
      const unchanged = extra.length === 0 && !decision?.statusChanged && !decision?.assigneeChanged;
      return { decision, reason, publicReply: false, data, extra, unchanged };
    });
  }

  /**
   * Fires up to `limit` timers due at `asOf`, in one transaction, as the system actor. The batch
   * is claimed with FOR UPDATE SKIP LOCKED on each timer and its case: another sweeper (on any
   * instance) skips these rows, and a request changing one of these cases waits for this
   * transaction and then decides on the new status. Each case is decided by decide() like any
   * change; the writes are set-based, so a large backlog costs a few statements per batch.
   */
  async fireDueTimers(asOf: Date, limit: number): Promise<TimerBatch> {
    return this.db.$transaction(async (tx) => {
      await lockWindows(prismaQuery(tx), 'shared');
      const due = await claimTimers(tx, Prisma.sql`t.due_at <= ${asOf}`, limit);
      return this.fireClaimed(tx, due, asOf);
    });
  }

  /**
   * Fires one case's timer if it is due at `now`, as the system actor. Returns false when there
   * is no such timer, it is not due, or a sweeper holds it (that sweeper fires it).
   */
  async fireTimer(caseId: string, from: Status, to: Status, now: Date): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      await lockWindows(prismaQuery(tx), 'shared');
      const due = await claimTimers(
        tx,
        Prisma.sql`t.case_id = ${caseId}::uuid AND t.from_status::text = ${from} AND t.to_status::text = ${to} AND t.due_at <= ${now}`,
        1,
      );
      return (await this.fireClaimed(tx, due, now)).fired === 1;
    });
  }

  /**
   * Recomputes the due times of waiting cases after the suspension windows changed, in the
   * caller's transaction (which holds the windows lock exclusively). With `touched`, only the
   * timers that window can affect are read: entered before it ends and due after it begins (a
   * timer due by the window's first midnight never counted a day of it, with or without it).
   *
   * @returns how many due times changed
   */
  async recomputeWaitingTimers(tx: Tx, touched?: Pick<SuspensionWindow, 'from' | 'to'>): Promise<number> {
    const zone = this.config.TIMEZONE;
    const suspendable = (Object.keys(TIMED_TRANSITIONS) as Status[]).filter((s) => TIMED_TRANSITIONS[s]!.suspendable);
    if (suspendable.length === 0) return 0;
    const span = touched
      ? Prisma.sql`AND entered_at < ((${touched.to}::date + 1)::timestamp AT TIME ZONE ${zone})
          AND due_at > (${touched.from}::date::timestamp AT TIME ZONE ${zone})`
      : Prisma.empty;
    const timers = await tx.$queryRaw<Array<{ caseId: string; fromStatus: Status; enteredAt: Date; dueAt: Date }>>`
      SELECT case_id AS "caseId", from_status::text AS "fromStatus", entered_at AS "enteredAt", due_at AS "dueAt"
      FROM case_timer WHERE from_status::text = ANY(${suspendable}::text[]) ${span}`;
    if (timers.length === 0) return 0;
    const windows = await loadWindows(prismaQuery(tx));
    const changed: Array<{ caseId: string; dueAt: Date }> = [];
    for (const t of timers) {
      const dueAt = this.timerDueAt(TIMED_TRANSITIONS[t.fromStatus]!, t.enteredAt, windows);
      if (dueAt.getTime() !== t.dueAt.getTime()) changed.push({ caseId: t.caseId, dueAt });
    }
    if (changed.length > 0) {
      await tx.$executeRaw`
        UPDATE case_timer t SET due_at = v.due_at
        FROM unnest(${changed.map((c) => c.caseId)}::uuid[], ${changed.map((c) => c.dueAt)}::timestamptz[]) AS v(case_id, due_at)
        WHERE t.case_id = v.case_id`;
    }
    return changed.length;
  }

  // ---------------------------------------------------------------- internals

  private async change(
    p: Principal,
    id: string,
    ifMatch: number | undefined,
    onBehalfOfRequester: boolean,
    fn: (
      tx: Query,
      row: CaseRow,
      actor: Actor,
      ctx: { now: Date; activeWindow: SuspensionWindow | null; changeActor: ChangeActor },
    ) => Promise<{
      decision: Decision | null;
      reason: string | null;
      publicReply: boolean;
      data?: Partial<CaseUpdate>;
      extra?: HistoryInput[];
      unchanged?: boolean;
    }>,
  ): Promise<CaseDto> {
    const now = this.clock.now();
    // Queued per case before taking a connection (KeyedQueue): a burst on one case waits here,
    // not on pooled connections blocked by its row lock.
    const { updated, activeWindow } = await this.changes.run(id, () => inTransaction(this.pool, async (tx) => {
      // Windows are read under their lock, so a window added meanwhile either refuses this move
      // into WAITING_FOR_USER or sees (and recomputes) the timer it schedules.
      await lockWindows(tx, 'shared');
      const windows = await loadWindows(tx);
      const activeWindow = windowCovering(now, windows, this.config.TIMEZONE);
      // The row lock serialises changes to one case: a concurrent request waits, then decides
      // on the state the first one left (and fails If-Match if it sent one). The row is read
      // by a statement of its own after the lock, so it sees what the previous holder committed
      // (its timer included).
      const row = (await lockCase(tx, id)) ? await findCase(tx, id) : null;
      const standing = this.visible(p, row);
      if (ifMatch !== undefined && ifMatch !== row!.version) {
        throw new DomainError('precondition-failed', `The case is at version ${row!.version}, not ${ifMatch}.`, {
          currentVersion: row!.version,
        });
      }
      let as = standing.as;
      let onBehalfOf: string | null = null;
      if (onBehalfOfRequester) {
        const ext = row!.externalRequester as { name?: string } | null;
        if (as !== 'operator') throw new DomainError('forbidden', 'Only staff act on behalf of a requester.');
        if (!ext?.name) {
          throw new DomainError('validation-failed', 'The case has no external requester to act for.', {
            errors: [{ in: 'body', path: '/onBehalfOfRequester', message: 'case has no external requester' }],
          });
        }
        as = 'requester';
        onBehalfOf = ext.name;
      }
      if (as === null) throw new DomainError('forbidden', 'You may read this case but not change it.');
      const changeActor: ChangeActor = { id: p.id, role: primaryRole(p), onBehalfOf };
      const out = await fn(tx, row!, { id: p.id, as }, { now, activeWindow, changeActor });
      if (out.unchanged) return { updated: row!, activeWindow };
      const updated = await this.apply(tx, row!, out.decision, changeActor, now, {
        reason: out.reason,
        publicReply: out.publicReply,
        data: out.data,
        extra: out.extra,
        windows,
      });
      return { updated, activeWindow };
    }));
    return this.toDto(updated, this.standing(p, updated), activeWindow);
  }

  /** Writes a decision: the case row, history rows, events and the timer, in `tx`. */
  private async apply(
    tx: Query,
    row: CaseRow,
    decision: Decision | null,
    actor: ChangeActor,
    now: Date,
    opts: {
      reason: string | null;
      publicReply: boolean;
      data?: Partial<CaseUpdate>;
      extra?: HistoryInput[];
      windows?: SuspensionWindow[];
    },
  ): Promise<CaseRow> {
    const data: CaseUpdate = { ...(opts.data ?? {}), updatedAt: now };
    const history: HistoryInput[] = [...(opts.extra ?? [])];
    if (decision?.assigneeChanged) {
      data.assigneeId = decision.assigneeId;
      history.push({ field: 'assignee', from: row.assigneeId, to: decision.assigneeId, reason: opts.reason });
    }
    if (decision?.statusChanged) {
      data.status = decision.status;
      data.statusChangedAt = now;
      if (decision.status === 'COMPLETED') data.completedAt = now;
      if (decision.status === 'CLOSED') data.closedAt = now;
      if (decision.status === 'REOPENED_BY_USER') data.closedAt = null;
      history.push({ field: 'status', from: row.status, to: decision.status, reason: opts.reason });
    }
    if (opts.publicReply) {
      data.lastPublicReplyAt = now;
      if (!row.firstResponseAt) data.firstResponseAt = now;
    }
    // The timer is written before the case so that the row read back below already shows it.
    if (decision?.statusChanged) {
      await deleteTimer(tx, row.id);
      if (decision.timer) {
        const windows = decision.timer.suspendable ? (opts.windows ?? (await loadWindows(tx))) : [];
        const dueAt = this.timerDueAt(decision.timer, now, windows);
        await insertTimer(tx, { caseId: row.id, from: decision.status, to: decision.timer.to, enteredAt: now, dueAt });
      }
    }
    // The version goes up by one with every update.
    const updated = await updateCase(tx, row.id, data);
    await insertHistory(tx, row.id, actor, now, history);

    if (decision?.statusChanged) {
      await this.writeEvent(tx, 'case.status_changed', updated, actor, now, {
        from: row.status,
        to: decision.status,
        reason: opts.reason,
      });
    }
    if (decision?.assigneeChanged) {
      await this.writeEvent(tx, 'case.assigned', updated, actor, now, { from: row.assigneeId, to: decision.assigneeId });
    }
    const fields = (opts.extra ?? []).map((h) => h.field).filter((f) => f !== 'message' && f !== 'attachment');
    if (fields.length > 0) {
      await this.writeEvent(tx, 'case.updated', updated, actor, now, { fields });
    }
    return updated;
  }

  /** When a timer scheduled at `enteredAt` falls due: calendar days, less window days if suspendable. */
  private timerDueAt(
    timer: { periodKey: 'waitingDays' | 'completedDays'; suspendable: boolean },
    enteredAt: Date,
    windows: ReadonlyArray<SuspensionWindow>,
  ): Date {
    const days = this.config[timer.periodKey === 'waitingDays' ? 'WAITING_DAYS' : 'COMPLETED_DAYS'];
    return timer.suspendable
      ? suspensionAwareDueAt(enteredAt, days, windows, this.config.TIMEZONE)
      : addCalendarDays(enteredAt, days, this.config.TIMEZONE);
  }

  /**
   * The set-based apply() of timed moves: decides each claimed (locked) case, replaces its timer
   * by the next one (or drops it), and writes the moves, their history rows and events with one
   * statement each.
   * A timer decide() refuses is void rather than retried, so it cannot block the queue.
   */
  private async fireClaimed(tx: Tx, due: DueTimer[], now: Date): Promise<TimerBatch> {
    if (due.length === 0) return { claimed: 0, fired: 0, voided: [] };
    const actor = SYSTEM_ACTOR;
    const moves: Array<{ row: DueTimer; decision: Decision }> = [];
    const voided: string[] = [];
    for (const row of due) {
      let decision: Decision | null = null;
      try {
        decision = decide(stateOf(row), { type: 'timer', from: row.from, to: row.to }, { id: actor.id, as: 'system' }, {
          now,
          activeWindow: null,
        });
      } catch (err) {
        if (!isDomainError(err)) throw err;
      }
      if (decision?.statusChanged) moves.push({ row, decision });
      else voided.push(row.id);
    }
    // The next timer of a moved case replaces the fired one in place; other claimed timers go.
    let windows: SuspensionWindow[] | null = null;
    const next: Array<{ caseId: string; from: Status; to: Status; dueAt: Date }> = [];
    for (const { row, decision } of moves) {
      if (!decision.timer) continue;
      if (decision.timer.suspendable) windows ??= await loadWindows(prismaQuery(tx));
      const dueAt = this.timerDueAt(decision.timer, now, windows ?? []);
      next.push({ caseId: row.id, from: decision.status, to: decision.timer.to, dueAt });
    }
    const replaced = new Set(next.map((t) => t.caseId));
    const gone = due.map((r) => r.id).filter((id) => !replaced.has(id));

    // The batch is always the small side of a join: look its rows up by key. Left to itself the
    // planner hashes the whole case table per batch once a backlog makes it large (seen at 100k).
    await tx.$executeRaw`SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`;
    if (gone.length > 0) {
      await tx.$executeRaw`DELETE FROM case_timer t USING unnest(${gone}::uuid[]) AS v(id) WHERE t.case_id = v.id`;
    }
    if (moves.length === 0) return { claimed: due.length, fired: 0, voided };

    await tx.$executeRaw`
      UPDATE "case" c SET
        status = v.status::"CaseStatus",
        status_changed_at = ${now}::timestamptz,
        completed_at = CASE WHEN v.status = 'COMPLETED' THEN ${now}::timestamptz ELSE c.completed_at END,
        closed_at = CASE WHEN v.status = 'CLOSED' THEN ${now}::timestamptz
                         WHEN v.status = 'REOPENED_BY_USER' THEN NULL ELSE c.closed_at END,
        assignee_id = v.assignee_id,
        version = c.version + 1,
        updated_at = ${now}::timestamptz
      FROM unnest(
        ${moves.map((m) => m.row.id)}::uuid[],
        ${moves.map((m) => m.decision.status)}::text[],
        ${moves.map((m) => m.decision.assigneeId)}::text[]
      ) AS v(id, status, assignee_id)
      WHERE c.id = v.id`;

    const history: Array<{ caseId: string; field: string; from: string | null; to: string | null }> = [];
    const events: Array<{ type: string; caseId: string; payload: string }> = [];
    for (const { row, decision } of moves) {
      const updated = { id: row.id, number: row.number, status: decision.status, version: row.version + 1 };
      if (decision.assigneeChanged) {
        history.push({ caseId: row.id, field: 'assignee', from: row.assigneeId, to: decision.assigneeId });
      }
      history.push({ caseId: row.id, field: 'status', from: row.status, to: decision.status });
      events.push({
        type: 'case.status_changed',
        caseId: row.id,
        payload: JSON.stringify(eventPayload(updated, actor, now, { from: row.status, to: decision.status, reason: TIMER_REASON })),
      });
      if (decision.assigneeChanged) {
        events.push({
          type: 'case.assigned',
          caseId: row.id,
          payload: JSON.stringify(eventPayload(updated, actor, now, { from: row.assigneeId, to: decision.assigneeId })),
        });
      }
    }
    await tx.$executeRaw`
      INSERT INTO case_history (case_id, at, actor_id, actor_role, on_behalf_of, field, from_value, to_value, reason, internal)
      SELECT h.case_id, ${now}::timestamptz, ${actor.id}, ${actor.role}, NULL, h.field, h.from_value, h.to_value, ${TIMER_REASON}, false
      FROM unnest(
        ${history.map((h) => h.caseId)}::uuid[],
        ${history.map((h) => h.field)}::text[],
        ${history.map((h) => h.from)}::text[],
        ${history.map((h) => h.to)}::text[]
      ) WITH ORDINALITY AS h(case_id, field, from_value, to_value, n)
      ORDER BY h.n`;
    await tx.$executeRaw`
      INSERT INTO outbox_event (id, type, case_id, payload, created_at)
      SELECT gen_random_uuid(), e.type, e.case_id, e.payload, ${now}::timestamptz
      FROM unnest(
        ${events.map((e) => e.type)}::text[],
        ${events.map((e) => e.caseId)}::uuid[],
        ${events.map((e) => e.payload)}::jsonb[]
      ) WITH ORDINALITY AS e(type, case_id, payload, n)
      ORDER BY e.n`;
    if (next.length > 0) {
      await tx.$executeRaw`
        UPDATE case_timer t SET
          from_status = v.from_status::"CaseStatus",
          to_status = v.to_status::"CaseStatus",
          entered_at = ${now}::timestamptz,
          due_at = v.due_at
        FROM unnest(
          ${next.map((t) => t.caseId)}::uuid[],
          ${next.map((t) => t.from)}::text[],
          ${next.map((t) => t.to)}::text[],
          ${next.map((t) => t.dueAt)}::timestamptz[]
        ) AS v(case_id, from_status, to_status, due_at)
        WHERE t.case_id = v.case_id`;
    }
    return { claimed: due.length, fired: moves.length, voided };
  }

  private async insertMessage(
    tx: Query,
    caseId: string,
    actor: ChangeActor,
    visibility: 'public' | 'internal',
    body: string,
    now: Date,
  ): Promise<MessageDto> {
    const m = await insertMessage(tx, { caseId, actor, visibility, body, now });
    await insertHistory(tx, caseId, actor, now, [{ field: 'message', to: m.id, internal: visibility === 'internal' }]);
    // Message bodies stay out of events: consumers fetch them with their own access rights.
    await insertEvent(
      tx,
      'case.message_added',
      caseId,
      { caseId, messageId: m.id, visibility, actor: { id: actor.id, role: actor.role }, at: now.toISOString() },
      now,
    );
    return toMessageDto(m);
  }

  private async writeEvent(
    tx: Query,
    type: string,
    row: CaseRow,
    actor: ChangeActor,
    now: Date,
    extra: Record<string, unknown>,
  ): Promise<void> {
    await insertEvent(tx, type, row.id, eventPayload(row, actor, now, extra), now);
  }

  private standing(p: Principal, row: CaseRow): Standing {
    const access = caseAccess(p, {
      requesterId: row.requesterId,
      filedById: row.filedById,
      teamKey: row.teamKey,
      sensitive: row.category.sensitive,
    });
    if (access.view === 'none') throw notFound();
    const as = access.view === 'staff' ? (access.write ? 'operator' : null) : 'requester';
    return { access, as };
  }

  /** The standing of a principal on a case that exists for them; 404 otherwise. */
  private visible(p: Principal, row: CaseRow | null): Standing {
    if (!row) throw notFound();
    return this.standing(p, row);
  }

  /** What a listing may show the principal (the per-case rule is caseAccess in src/domain/access.ts). */
  private visibilityOf(p: Principal): Visibility {
    if (p.roles.includes('admin')) return { kind: 'all' };
    if (p.roles.includes('operator')) return { kind: 'own-or-open', principalId: p.id, teams: p.teams };
    if (p.roles.includes('integration') && (p.scopes.includes('cases:read') || p.scopes.includes('cases:write'))) {
      return p.scopes.includes('cases:read:sensitive') ? { kind: 'all' } : { kind: 'own-or-open', principalId: p.id, teams: [] };
    }
    return { kind: 'own', principalId: p.id };
  }

  private async logSensitiveRead(p: Principal, row: CaseRow, endpoint: string): Promise<void> {
    await this.logSensitiveReads(p, [row], endpoint);
  }

  /** A listing shows subject, description and details too, so each sensitive case in it is a read. */
  private async logSensitiveReads(p: Principal, rows: CaseRow[], endpoint: string): Promise<void> {
    const sensitive = rows.filter((r) => r.category.sensitive);
    if (sensitive.length === 0) return;
    const at = this.clock.now();
    await insertAccessLog(
      this.q,
      sensitive.map((r) => ({ caseId: r.id, actorId: p.id, actorRole: primaryRole(p), endpoint, at })),
    );
  }

  /**
   * The window covering `now`, for views (allowedTransitions) outside a change. Windows change a
   * few times a year, so views read them at most every WINDOWS_TTL_MS instead of on every request;
   * a change still reads them under the windows lock, so no decision depends on this copy.
   */
  private async activeWindow(now: Date): Promise<SuspensionWindow | null> {
    const fresh = this.windowsCache && performance.now() - this.windowsCache.at < WINDOWS_TTL_MS;
    if (!fresh) {
      const windows = loadWindows(this.q);
      this.windowsCache = { at: performance.now(), windows };
      windows.catch(() => {
        if (this.windowsCache?.windows === windows) this.windowsCache = null;
      });
    }
    return windowCovering(now, await this.windowsCache!.windows, this.config.TIMEZONE);
  }

  /** Drops the cached windows: call after a window edit has committed, so views show it at once. */
  forgetWindows(): void {
    this.windowsCache = null;
  }

  private async toDto(row: CaseRow, standing: Standing, activeWindow: SuspensionWindow | null): Promise<CaseDto> {
    const staffView = standing.access.view === 'staff';
    return {
      id: row.id,
      number: row.number,
      status: row.status,
      statusChangedAt: row.statusChangedAt.toISOString(),
      categoryKey: row.categoryKey,
      teamKey: row.teamKey,
      sensitive: row.category.sensitive,
      assigneeId: row.assigneeId,
      subject: row.subject,
      description: row.description,
      details: (row.details ?? {}) as Record<string, unknown>,
      channel: row.channel,
      requester: {
        id: row.requesterId,
        name: row.requesterName,
        employeeNumber: row.employeeNumber,
        external: (row.externalRequester ?? null) as CaseDto['requester']['external'],
      },
      concernsEmployee: (row.concernsEmployee ?? null) as CaseDto['concernsEmployee'],
      filedBy: { id: row.filedById, role: staffView || row.filedById === row.requesterId ? row.filedByRole : 'staff' },
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      anonymisedAt: row.anonymisedAt?.toISOString() ?? null,
      allowedTransitions: standing.as ? allowedNow(row, standing.as, { activeWindow }) : [],
      autoTransition: row.timer ? { to: row.timer.toStatus, dueAt: row.timer.dueAt.toISOString() } : null,
      // Batched across a list page (one query per page, not per case): see CaseSlaLoader.
      sla: await this.sla.load(row),
    };
  }
}

/**
 * The page query of a listing: the caller's visibility and the API's filters, one row more than
 * the page size (its presence means there is a next page). The benchmark's floor builds its list
 * statements with this too.
 */
export function caseListFilter(visibility: Visibility, q: ListCasesQuery): CaseListFilter {
  const sort = q.sort ?? 'created';
  return {
    visibility,
    status: q.status,
    category: q.category,
    team: q.team,
    assignee: q.assignee,
    requester: q.requester,
    createdFrom: q.createdFrom ? new Date(q.createdFrom) : undefined,
    createdTo: q.createdTo ? new Date(q.createdTo) : undefined,
    text: q.q,
    sort,
    after: q.cursor ? decodeCursor(q.cursor, sort) : undefined,
    limit: (q.limit ?? 25) + 1,
  };
}

/** The payload of a case event: the case as it is after the change, who, when, and what. */
function eventPayload(
  row: { id: string; number: string; status: Status; version: number },
  actor: ChangeActor,
  now: Date,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    caseId: row.id,
    number: row.number,
    status: row.status,
    version: row.version,
    actor: { id: actor.id, role: actor.role, onBehalfOf: actor.onBehalfOf },
    at: now.toISOString(),
    ...extra,
  };
}

/** A due timer with what decide() and the events need of its case, as claimTimers reads it. */
interface DueTimer {
  id: string;
  number: string;
  status: Status;
  assigneeId: string | null;
  statusChangedAt: Date;
  lastPublicReplyAt: Date | null;
  version: number;
  from: Status;
  to: Status;
}

/** What one sweep batch did: timers taken, fired, and voided (ids of cases whose timer was void). */
export interface TimerBatch {
  claimed: number;
  fired: number;
  voided: string[];
}

/** The `reason` of history rows and events written by timers. */
const TIMER_REASON = 'timer';

/**
 * Locks up to `limit` timers matching `where` (over `case_timer t`) with their cases, earliest due
 * first, skipping rows another transaction holds. Both rows are locked: requests lock the case
 * and sweepers the timer, and either must keep the other away.
 */
function claimTimers(tx: Tx, where: Prisma.Sql, limit: number): Promise<DueTimer[]> {
  return tx.$queryRaw<DueTimer[]>`
    SELECT c.id, c.number, c.status::text AS status, c.assignee_id AS "assigneeId",
           c.status_changed_at AS "statusChangedAt", c.last_public_reply_at AS "lastPublicReplyAt",
           c.version, t.from_status::text AS "from", t.to_status::text AS "to"
    FROM case_timer t JOIN "case" c ON c.id = t.case_id
    WHERE ${where}
    ORDER BY t.due_at
    LIMIT ${limit}
    FOR UPDATE OF t, c SKIP LOCKED`;
}

function stateOf(row: Pick<CaseRow, 'status' | 'assigneeId' | 'statusChangedAt' | 'lastPublicReplyAt'>) {
  return {
    status: row.status,
    assigneeId: row.assigneeId,
    statusChangedAt: row.statusChangedAt,
    lastPublicReplyAt: row.lastPublicReplyAt,
  };
}

function notFound(): DomainError {
  return new DomainError('not-found', 'No such case.');
}

function unknownRef(field: string, value: string): DomainError {
  return new DomainError('validation-failed', `Unknown ${field} '${value}'.`, {
    errors: [{ in: 'body', path: `/${field}`, message: 'unknown' }],
  });
}

function toMessageDto(m: {
  id: string;
  caseId: string;
  authorId: string;
  authorRole: string;
  onBehalfOf: string | null;
  visibility: 'public' | 'internal';
  body: string;
  createdAt: Date;
}): MessageDto {
  return {
    id: m.id,
    caseId: m.caseId,
    author: { id: m.authorId, role: m.authorRole, onBehalfOf: m.onBehalfOf },
    visibility: m.visibility,
    body: m.body,
    createdAt: m.createdAt.toISOString(),
  };
}

export function toAttachmentDto(a: {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedById: string;
  uploadedByRole: string;
  createdAt: Date;
}): AttachmentDto {
  return {
    id: a.id,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
    uploadedBy: { id: a.uploadedById, role: a.uploadedByRole },
    createdAt: a.createdAt.toISOString(),
  };
}

function encodeCursor(sort: string, at: Date, id: string): string {
  return Buffer.from(JSON.stringify({ s: sort, t: at.toISOString(), id })).toString('base64url');
}

function decodeCursor(cursor: string, sort: string): { at: Date; id: string } {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: string; t?: string; id?: string };
    const at = new Date(c.t ?? '');
    if (c.s !== sort || Number.isNaN(at.getTime()) || typeof c.id !== 'string' || !/^[0-9a-f-]{36}$/i.test(c.id)) {
      throw new Error('bad cursor');
    }
    return { at, id: c.id };
  } catch {
    throw new DomainError('validation-failed', 'The cursor is not one this listing issued (or the sort changed).', {
      errors: [{ in: 'querystring', path: '/cursor', message: 'invalid cursor' }],
    });
  }
}
