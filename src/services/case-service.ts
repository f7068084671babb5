import type { Config } from '../config';
import { caseAccess, type CaseAccess } from '../domain/access';
import type { Clock } from '../domain/clock';
import { allowedNow, decide, type Actor, type Command, type Decision } from '../domain/decide';
import { DomainError } from '../domain/errors';
import { isStaff, primaryRole, type ActorRole, type Principal } from '../domain/roles';
import type { Status } from '../domain/statuses';
import { addCalendarDays, suspensionAwareDueAt, windowCovering, type SuspensionWindow } from '../domain/suspension';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../plugins/db';
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
import { loadWindows } from './windows';

type Tx = Prisma.TransactionClient;

const caseInclude = {
  category: { select: { sensitive: true } },
  timer: { select: { toStatus: true, dueAt: true } },
} as const;

type CaseRow = Prisma.CaseGetPayload<{ include: typeof caseInclude }>;

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

interface HistoryInput {
  field: string;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  internal?: boolean;
}

/** The system actor of timers. */
export const SYSTEM_ACTOR: ChangeActor = { id: 'system', role: 'system', onBehalfOf: null };

/**
 * Use cases on cases: load → decide (pure) → one transaction that writes the change, its
 * history rows, its outbox events and its timer. Routes call these; nothing here knows HTTP.
 */
export class CaseService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly forms: FormValidator,
  ) {}

  // ---------------------------------------------------------------- create

  /** Files a case: validates category and form, numbers it, routes it to the category's team. */
  async create(p: Principal, body: CreateCaseBody): Promise<CaseDto> {
    const now = this.clock.now();
    const category = await this.db.category.findUnique({ where: { key: body.categoryKey } });
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
      new Intl.DateTimeFormat('en', { timeZone: this.config.TIMEZONE, year: 'numeric' }).format(now),
    );
    const created = await this.db.$transaction(async (tx) => {
      const [counter] = await tx.$queryRaw<Array<{ last: number }>>`
        INSERT INTO case_number_counter (year, last) VALUES (${year}, 1)
        ON CONFLICT (year) DO UPDATE SET last = case_number_counter.last + 1
        RETURNING last`;
      const number = `${year}-${String(counter!.last).padStart(6, '0')}`;
      const row = await tx.case.create({
        data: {
          number,
          status: 'REGISTERED',
          statusChangedAt: now,
          categoryKey: category.key,
          teamKey: category.defaultTeamKey,
          subject: body.subject,
          description: body.description,
          details: details as Prisma.InputJsonValue,
          channel: channel as 'portal',
          requesterId: external ? null : p.id,
          requesterName: external ? external.name : p.name,
          employeeNumber: body.employeeNumber ?? (external ? null : p.employeeNumber),
          concernsEmployee: (body.concernsEmployee ?? undefined) as Prisma.InputJsonValue | undefined,
          externalRequester: (external ?? undefined) as Prisma.InputJsonValue | undefined,
          filedById: p.id,
          filedByRole: role,
          createdAt: now,
          updatedAt: now,
        },
        include: caseInclude,
      });
      const actor: ChangeActor = { id: p.id, role, onBehalfOf: external ? external.name : null };
      await this.writeHistory(tx, row.id, actor, now, [{ field: 'created', to: 'REGISTERED' }]);
      await this.writeEvent(tx, 'case.created', row, actor, now, {
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
    const row = await this.db.case.findUnique({
      where: { id },
      include: { ...caseInclude, attachments: { orderBy: { createdAt: 'asc' }, omit: { data: true } } },
    });
    const standing = this.visible(p, row);
    await this.logSensitiveRead(p, row!, endpoint);
    const dto = await this.toDto(row!, standing, await this.activeWindow(this.clock.now()));
    dto.attachments = row!.attachments.map(toAttachmentDto);
    return dto;
  }

  /** Cases the principal may see, filtered, newest first, with a keyset cursor. */
  async list(p: Principal, q: ListCasesQuery): Promise<{ items: CaseDto[]; nextCursor: string | null }> {
    const limit = q.limit ?? 25;
    const sortField = q.sort === 'updated' ? 'updatedAt' : 'createdAt';
    const and: Prisma.CaseWhereInput[] = [this.visibilityFilter(p)];
    if (q.status?.length) and.push({ status: { in: q.status } });
    if (q.category) and.push({ categoryKey: q.category });
    if (q.team) and.push({ teamKey: q.team });
    if (q.assignee) and.push({ assigneeId: q.assignee });
    if (q.requester) and.push({ requesterId: q.requester });
    if (q.createdFrom) and.push({ createdAt: { gte: new Date(q.createdFrom) } });
    if (q.createdTo) and.push({ createdAt: { lt: new Date(q.createdTo) } });
    if (q.q) and.push({ subject: { contains: q.q, mode: 'insensitive' } });
    if (q.cursor) {
      const c = decodeCursor(q.cursor, q.sort ?? 'created');
      and.push({ OR: [{ [sortField]: { lt: c.at } }, { [sortField]: c.at, id: { lt: c.id } }] });
    }
    const rows = await this.db.case.findMany({
      where: { AND: and },
      orderBy: [{ [sortField]: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      include: caseInclude,
    });
    const page = rows.slice(0, limit);
    const window = await this.activeWindow(this.clock.now());
    const items = await Promise.all(page.map((r) => this.toDto(r, this.standing(p, r), window)));
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeCursor(q.sort ?? 'created', last[sortField], last.id) : null;
    return { items, nextCursor };
  }

  /** Messages of a case; requesters never see internal notes. */
  async messages(p: Principal, id: string, endpoint: string): Promise<MessageDto[]> {
    const row = await this.db.case.findUnique({ where: { id }, include: caseInclude });
    const standing = this.visible(p, row);
    await this.logSensitiveRead(p, row!, endpoint);
    const messages = await this.db.caseMessage.findMany({
      where: { caseId: id, ...(standing.access.view === 'staff' ? {} : { visibility: 'public' }) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return messages.map(toMessageDto);
  }

  /** The append-only history; requesters never see internal rows. */
  async history(p: Principal, id: string, endpoint: string): Promise<HistoryDto[]> {
    const row = await this.db.case.findUnique({ where: { id }, include: caseInclude });
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
    const exists = await this.db.case.findUnique({ where: { id }, select: { id: true } });
    if (!exists) throw notFound();
    const rows = await this.db.accessLog.findMany({ where: { caseId: id }, orderBy: { id: 'asc' } });
    return rows.map((r) => ({ at: r.at.toISOString(), actorId: r.actorId, actorRole: r.actorRole, endpoint: r.endpoint }));
  }

  /** An attachment's bytes, for whoever may read the case. */
  async attachment(
    p: Principal,
    id: string,
    attachmentId: string,
  ): Promise<{ filename: string; contentType: string; data: Uint8Array }> {
    const row = await this.db.case.findUnique({ where: { id }, include: caseInclude });
    this.visible(p, row);
    await this.logSensitiveRead(p, row!, 'GET /v1/cases/:id/attachments/:attachmentId');
    const a = await this.db.attachment.findFirst({ where: { id: attachmentId, caseId: id } });
    if (!a?.data) throw new DomainError('not-found', 'No such attachment.');
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
      const a = await tx.attachment.create({
        data: {
          caseId: row.id,
          filename: file.filename,
          contentType: file.contentType,
          size: file.data.length,
          sha256: file.sha256,
          data: new Uint8Array(file.data),
          uploadedById: ctx.changeActor.id,
          uploadedByRole: ctx.changeActor.role,
          createdAt: ctx.now,
        },
        omit: { data: true },
      });
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
      const data: Prisma.CaseUpdateInput = {};
      const reason = body.reason ?? null;
      let categoryTeam: string | undefined;
      if (body.categoryKey !== undefined && body.categoryKey !== row.categoryKey) {
        const cat = await tx.category.findUnique({ where: { key: body.categoryKey } });
        if (!cat) throw unknownRef('categoryKey', body.categoryKey);
        data.category = { connect: { key: cat.key } };
        extra.push({ field: 'category', from: row.categoryKey, to: cat.key, reason });
        categoryTeam = cat.defaultTeamKey;
      }
      // A new category routes the case to its team unless a team is given too.
      const teamKey = body.teamKey ?? categoryTeam;
      if (teamKey !== undefined && teamKey !== row.teamKey) {
        const team = await tx.team.findUnique({ where: { key: teamKey } });
        if (!team) throw unknownRef('teamKey', teamKey);
        data.team = { connect: { key: team.key } };
        extra.push({ field: 'team', from: row.teamKey, to: team.key, reason });
      }
      if (body.subject !== undefined && body.subject !== row.subject) {
        data.subject = body.subject;
        extra.push({ field: 'subject', from: row.subject, to: body.subject, reason });
      }
      let decision: Decision | null = null;
      if (body.assigneeId !== undefined) {
        decision = decide(stateOf(row), { type: 'assign', assigneeId: body.assigneeId }, actor, ctx);
      }
      return { decision, reason, publicReply: false, data, extra };
    });
  }

  /**
   * Fires one due timer as the system actor. Returns false when the timer is stale (the case
   * left the status) or gone; the row lock makes a second instance see it gone.
   */
  async fireTimer(caseId: string, from: Status, to: Status, now: Date): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<Array<{ id: string }>>`
        SELECT c.id FROM "case" c JOIN case_timer t ON t.case_id = c.id
        WHERE c.id = ${caseId}::uuid AND t.from_status = ${from}::"CaseStatus" AND t.due_at <= ${now}
        FOR UPDATE OF c, t SKIP LOCKED`;
      if (locked.length === 0) return false;
      const row = await tx.case.findUniqueOrThrow({ where: { id: caseId }, include: caseInclude });
      const decision = decide(stateOf(row), { type: 'timer', from, to }, { id: 'system', as: 'system' }, {
        now,
        activeWindow: null,
      });
      if (!decision) {
        await tx.caseTimer.deleteMany({ where: { caseId } });
        return false;
      }
      await this.apply(tx, row, decision, SYSTEM_ACTOR, now, { reason: 'timer', publicReply: false });
      return true;
    });
  }

  /** Recomputes the due time of every waiting case after the suspension windows changed. */
  async recomputeWaitingTimers(tx: Tx): Promise<number> {
    const windows = await loadWindows(tx);
    const timers = await tx.caseTimer.findMany({ where: { fromStatus: 'WAITING_FOR_USER' } });
    let changed = 0;
    for (const t of timers) {
      const dueAt = suspensionAwareDueAt(t.enteredAt, this.config.WAITING_DAYS, windows, this.config.TIMEZONE);
      if (dueAt.getTime() !== t.dueAt.getTime()) {
        await tx.caseTimer.update({ where: { caseId: t.caseId }, data: { dueAt } });
        changed++;
      }
    }
    return changed;
  }

  // ---------------------------------------------------------------- internals

  private async change(
    p: Principal,
    id: string,
    ifMatch: number | undefined,
    onBehalfOfRequester: boolean,
    fn: (
      tx: Tx,
      row: CaseRow,
      actor: Actor,
      ctx: { now: Date; activeWindow: SuspensionWindow | null; changeActor: ChangeActor },
    ) => Promise<{
      decision: Decision | null;
      reason: string | null;
      publicReply: boolean;
      data?: Prisma.CaseUpdateInput;
      extra?: HistoryInput[];
    }>,
  ): Promise<CaseDto> {
    const now = this.clock.now();
    const windows = await loadWindows(this.db);
    const activeWindow = windowCovering(now, windows, this.config.TIMEZONE);
    const updated = await this.db.$transaction(async (tx) => {
      // The row lock serialises changes to one case: a concurrent request waits, then decides
      // on the state the first one left (and fails If-Match if it sent one).
      await tx.$queryRaw`SELECT id FROM "case" WHERE id = ${id}::uuid FOR UPDATE`;
      const row = await tx.case.findUnique({ where: { id }, include: caseInclude });
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
      return this.apply(tx, row!, out.decision, changeActor, now, {
        reason: out.reason,
        publicReply: out.publicReply,
        data: out.data,
        extra: out.extra,
        windows,
      });
    });
    return this.toDto(updated, this.standing(p, updated), activeWindow);
  }

  /** Writes a decision: the case row, history rows, events and the timer, in `tx`. */
  private async apply(
    tx: Tx,
    row: CaseRow,
    decision: Decision | null,
    actor: ChangeActor,
    now: Date,
    opts: {
      reason: string | null;
      publicReply: boolean;
      data?: Prisma.CaseUpdateInput;
      extra?: HistoryInput[];
      windows?: SuspensionWindow[];
    },
  ): Promise<CaseRow> {
    const data: Prisma.CaseUpdateInput = { ...(opts.data ?? {}) };
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
    data.version = { increment: 1 };
    data.updatedAt = now;
    const updated = await tx.case.update({ where: { id: row.id }, data, include: caseInclude });
    await this.writeHistory(tx, row.id, actor, now, history);

    if (decision?.statusChanged) {
      await tx.caseTimer.deleteMany({ where: { caseId: row.id } });
      if (decision.timer) {
        const days = this.config[decision.timer.periodKey === 'waitingDays' ? 'WAITING_DAYS' : 'COMPLETED_DAYS'];
        const dueAt = decision.timer.suspendable
          ? suspensionAwareDueAt(now, days, opts.windows ?? (await loadWindows(tx)), this.config.TIMEZONE)
          : addCalendarDays(now, days, this.config.TIMEZONE);
        await tx.caseTimer.create({
          data: { caseId: row.id, fromStatus: decision.status, toStatus: decision.timer.to, enteredAt: now, dueAt },
        });
      }
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
    // Timer firing reads the row again from the database; the returned row must show the new timer.
    return decision?.statusChanged
      ? tx.case.findUniqueOrThrow({ where: { id: row.id }, include: caseInclude })
      : updated;
  }

  private async insertMessage(
    tx: Tx,
    caseId: string,
    actor: ChangeActor,
    visibility: 'public' | 'internal',
    body: string,
    now: Date,
  ): Promise<MessageDto> {
    const m = await tx.caseMessage.create({
      data: { caseId, authorId: actor.id, authorRole: actor.role, onBehalfOf: actor.onBehalfOf, visibility, body, createdAt: now },
    });
    await this.writeHistory(tx, caseId, actor, now, [{ field: 'message', to: m.id, internal: visibility === 'internal' }]);
    // Message bodies stay out of events: consumers fetch them with their own access rights.
    await tx.outboxEvent.create({
      data: {
        type: 'case.message_added',
        caseId,
        payload: { caseId, messageId: m.id, visibility, actor: { id: actor.id, role: actor.role }, at: now.toISOString() },
        createdAt: now,
      },
    });
    return toMessageDto(m);
  }

  private async writeHistory(tx: Tx, caseId: string, actor: ChangeActor, now: Date, rows: HistoryInput[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.caseHistory.createMany({
      data: rows.map((h) => ({
        caseId,
        at: now,
        actorId: actor.id,
        actorRole: actor.role,
        onBehalfOf: actor.onBehalfOf,
        field: h.field,
        fromValue: h.from ?? null,
        toValue: h.to ?? null,
        reason: h.reason ?? null,
        internal: h.internal ?? false,
      })),
    });
  }

  private async writeEvent(
    tx: Tx,
    type: string,
    row: CaseRow,
    actor: ChangeActor,
    now: Date,
    extra: Record<string, unknown>,
  ): Promise<void> {
    await tx.outboxEvent.create({
      data: {
        type,
        caseId: row.id,
        payload: {
          caseId: row.id,
          number: row.number,
          status: row.status,
          version: row.version,
          actor: { id: actor.id, role: actor.role, onBehalfOf: actor.onBehalfOf },
          at: now.toISOString(),
          ...extra,
        } as Prisma.InputJsonValue,
        createdAt: now,
      },
    });
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

  private visibilityFilter(p: Principal): Prisma.CaseWhereInput {
    if (p.roles.includes('admin')) return {};
    const own: Prisma.CaseWhereInput[] = [{ requesterId: p.id }, { filedById: p.id }];
    if (p.roles.includes('operator')) {
      return { OR: [...own, { category: { sensitive: false } }, { teamKey: { in: [...p.teams] } }] };
    }
    if (p.roles.includes('integration') && (p.scopes.includes('cases:read') || p.scopes.includes('cases:write'))) {
      return p.scopes.includes('cases:read:sensitive') ? {} : { OR: [...own, { category: { sensitive: false } }] };
    }
    return { OR: own };
  }

  private async logSensitiveRead(p: Principal, row: CaseRow, endpoint: string): Promise<void> {
    if (!row.category.sensitive) return;
    await this.db.accessLog.create({
      data: { caseId: row.id, actorId: p.id, actorRole: primaryRole(p), endpoint, at: this.clock.now() },
    });
  }

  private async activeWindow(now: Date): Promise<SuspensionWindow | null> {
    return windowCovering(now, await loadWindows(this.db), this.config.TIMEZONE);
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
      allowedTransitions: standing.as ? allowedNow(row, standing.as, { activeWindow }) : [],
      autoTransition: row.timer ? { to: row.timer.toStatus, dueAt: row.timer.dueAt.toISOString() } : null,
    };
  }
}

function stateOf(row: CaseRow) {
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
