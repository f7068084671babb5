import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Config } from '../config';
import { caseAccess, mayCall } from '../domain/access';
import type { Clock } from '../domain/clock';
import { decide } from '../domain/decide';
import { DomainError } from '../domain/errors';
import { refuseLeaderForm } from '../domain/handled-by';
import { decideFiling, planFiling } from '../domain/filing';
import type { FieldEdit } from '../domain/plan';
import { isStaff, primaryRole, type Principal } from '../domain/roles';
import { listVisibility, standingOn, type Standing } from '../domain/standing';
import { internalSearchScope } from '../domain/search';
import type { SuspensionWindow } from '../domain/suspension';
import { pgQuery, type Query } from '../db/query';
import {
  attachmentUsage,
  findAttachment,
  findCase,
  findCaseWithAttachments,
  insertAccessLog,
  insertAttachment,
  listAccessLog,
  listHistory,
  listMessages,
  teamExists,
  type CaseRow,
  type CategoryFactsSource,
} from '../repositories/case-repository';
import { listCases } from '../repositories/case-list';
import { fileCase } from '../repositories/filing-writer';
import type { Category } from '../generated/prisma/client';
import { contactAtFiling, recipientsOf } from '../domain/notifications';
import type {
  AttachmentDto,
  CaseDto,
  CreateCaseBody,
  CreateMessageBody,
  HistoryDto,
  CaseListItemDto,
  ListCasesQuery,
  MessageDto,
  PatchCaseBody,
  TransitionBody,
} from '../schemas/case';
import {
  accessFacts as facts,
  caseListFilter,
  cursorAfter,
  toMatchDto,
  toAttachmentDto,
  toCaseDto,
  toHistoryDto,
  toMessageDto,
  unknownRef,
} from './case-views';
import type { FormValidator } from './forms';
import { CategoryCache } from './category-cache';
import { ChangeRunner, MAX_CHANGE_ATTEMPTS, type ChangeFn } from './change-runner';
import type { CaseSlaLoader } from './sla-service';
import { ViewWindows } from './windows';
import { checkAssignee, namedEmployee } from './case-people';
import { messageText, requesterMessageRules } from './reply-text';
import type { ReplyTemplate } from '../domain/reply-templates';
import { triageEdits } from './case-triage';
import { filingPriority } from '../domain/triage';

/**
 * Use cases on cases. Every change follows one path: lock the case, check access and `If-Match`,
 * `decide()` (pure), `plan()` (pure: row update, history, events, timer), then `writePlans` stores
 * the plan in the same transaction. Routes call these; nothing here knows HTTP or SQL.
 */
export class CaseService {
  /** The write path of requests' changes. */
  private readonly runner: ChangeRunner;
  /** Categories for filing (checked by the write statement). */
  private readonly categories: CategoryCache;
  /** Built once: an Intl.DateTimeFormat costs more to make than the rest of filing a case. */
  private yearFormat: Intl.DateTimeFormat | undefined;
  /** Statements outside a transaction, through the pool. */
  private readonly q: Query;
  /** The suspension window in force, for views. */
  private readonly windows: ViewWindows;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly forms: FormValidator,
    private readonly sla: CaseSlaLoader,
    /** The categories' facts of list pages' rows. */
    private readonly categoryFacts: CategoryFactsSource,
  ) {
    this.q = pgQuery(pool);
    this.windows = new ViewWindows(this.q, config.TIMEZONE);
    this.runner = new ChangeRunner(pool, clock, config);
    this.categories = new CategoryCache(this.q);
  }

  // ---------------------------------------------------------------- filing

  /**
   * Files a case: validates category and form, numbers it, routes it to the category's team — one
   * write statement (fileCase), which refuses a category changed since it was read (then reload).
   */
  async create(p: Principal, body: CreateCaseBody): Promise<CaseDto> {
    const now = this.clock.now();
    const known = await namedEmployee(this.q, p, body);
    const filing = decideFiling(p, body, known);
    const contact = contactAtFiling(p, body, filing.requesterId === p.id, known?.email ?? null);
    const year = Number((this.yearFormat ??= new Intl.DateTimeFormat('en', { timeZone: this.config.TIMEZONE, year: 'numeric' })).format(now));
    const details = body.details ?? {};
    let created: CaseRow | null = null;
    for (let attempt = 1; !created; attempt++) {
      if (attempt > MAX_CHANGE_ATTEMPTS) throw new DomainError('conflict', 'The category kept changing while the case was filed; try again.');
      const cached = attempt === 1 ? await this.categories.get(body.categoryKey) : null;
      // A refusal is never made on cached data: an admin may just have reactivated the category,
      // handed its form back to the centre or relaxed its form.
      const category = cached && this.fileable(cached, details) ? cached : await this.categories.fresh(body.categoryKey);
      this.checkFileable(category, body.categoryKey, details);
      const id = randomUUID();
      const fields = {
        ...filing,
        now,
        categoryKey: category.key,
        teamKey: category.defaultTeamKey,
        subject: body.subject,
        description: body.description,
        details,
        filedByRole: filing.actor.role,
        requesterEmail: contact.email,
        language: contact.language,
        priority: filingPriority(isStaff(p), body.priority),
      };
      created = await fileCase(this.q, {
        id,
        fields,
        year,
        category: { key: category.key, updatedAt: category.updatedAt, sensitive: category.sensitive },
        plan: planFiling({ id, number: '', categoryKey: category.key, teamKey: category.defaultTeamKey, channel: filing.channel }, filing.actor, now),
        pendingEmployeeNumber: filing.pendingEmployeeNumber ?? null,
      });
    }
    const standing = standingOn(p, facts(created));
    await this.logSensitiveReads(p, [created], 'POST /v1/cases');
    return this.view(created, standing, await this.windows.covering(now));
  }

  private fileable(category: Category, details: Record<string, unknown>): boolean {
    try {
      this.checkFileable(category, category.key, details);
      return true;
    } catch {
      return false;
    }
  }

  /** Refuses an unknown or inactive category, a leader's form, and details that do not fit the form. */
  private checkFileable(category: Category | null, key: string, details: Record<string, unknown>): asserts category is Category {
    if (!category || !category.active) {
      throw new DomainError('validation-failed', `Unknown or inactive category '${key}'.`, {
        errors: [{ in: 'body', path: '/categoryKey', message: 'unknown or inactive category' }],
      });
    }
    refuseLeaderForm(category);
    const formErrors = this.forms.validate(category.key, category.updatedAt, category.form, details);
    if (formErrors.length > 0) {
      throw new DomainError('validation-failed', `details do not match the ${category.key} form.`, {
        errors: formErrors.map((e) => ({ in: 'body', path: `/details${e.path}`, message: e.message })),
      });
    }
  }

  // ---------------------------------------------------------------- reads

  /** One case as the principal may see it (404 when they may not). */
  async get(p: Principal, id: string, endpoint: string): Promise<CaseDto> {
    const found = await findCaseWithAttachments(this.q, id);
    const standing = standingOn(p, found && facts(found.row));
    await this.logSensitiveReads(p, [found!.row], endpoint);
    const dto = await this.view(found!.row, standing, await this.windows.covering(this.clock.now()));
    dto.attachments = found!.attachments.map(toAttachmentDto);
    return dto;
  }

  /** Cases the principal may see, filtered (or searched: docs/search.md), with a keyset cursor. */
  async list(p: Principal, q: ListCasesQuery): Promise<{ items: CaseListItemDto[]; nextCursor: string | null }> {
    const limit = q.limit ?? 25;
    const filter = caseListFilter(listVisibility(p), q, { id: p.id, staff: mayCall(p, 'staff') }, internalSearchScope(p));
    const rows = await listCases(this.q, filter, this.categoryFacts);
    const page = rows.slice(0, limit);
    // A search hit on a sensitive case is logged like any read of it.
    await this.logSensitiveReads(p, page, 'GET /v1/cases');
    const window = await this.windows.covering(this.clock.now());
    const items = await Promise.all(
      page.map(async (r) => ({ ...(await this.view(r, standingOn(p, facts(r)), window)), match: toMatchDto(r.search) })),
    );
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > limit && last ? cursorAfter(filter.sort, last) : null };
  }

  /** Messages of a case; requesters never see internal notes. */
  async messages(p: Principal, id: string, endpoint: string): Promise<MessageDto[]> {
    const { standing } = await this.readable(p, id, endpoint);
    return (await listMessages(this.q, id, { internal: standing.access.view === 'staff' })).map(toMessageDto);
  }

  /** The append-only history; requesters never see internal rows. */
  async history(p: Principal, id: string, endpoint: string): Promise<HistoryDto[]> {
    const { standing } = await this.readable(p, id, endpoint);
    return (await listHistory(this.q, id, { internal: standing.access.view === 'staff' })).map(toHistoryDto);
  }

  /** Reads of a sensitive case, for admins. */
  async accessLog(id: string): Promise<Array<{ at: string; actorId: string; actorRole: string; endpoint: string }>> {
    if (!(await findCase(this.q, id))) throw new DomainError('not-found', 'No such case.');
    return (await listAccessLog(this.q, id)).map((r) => ({ ...r, at: r.at.toISOString() }));
  }

  /** An attachment's bytes, for whoever may read the case. */
  async attachment(p: Principal, id: string, attachmentId: string): Promise<{ filename: string; contentType: string; data: Uint8Array }> {
    const row = await findCase(this.q, id);
    standingOn(p, row && facts(row));
    const a = await findAttachment(this.q, id, attachmentId);
    if (!a?.data) throw new DomainError('not-found', 'No such attachment.');
    // Logged once the file is found: a refused read reveals nothing and leaves no trace.
    await this.logSensitiveReads(p, [row!], 'GET /v1/cases/:id/attachments/:attachmentId');
    return { filename: a.filename, contentType: a.contentType, data: a.data };
  }

  // ---------------------------------------------------------------- changes

  /** Stores an attachment on a case (requester or staff), as a change with history and event. */
  async addAttachment(
    p: Principal,
    id: string,
    file: { filename: string; contentType: string; data: Buffer; sha256: string },
  ): Promise<AttachmentDto> {
    let dto: AttachmentDto | undefined;
    await this.change(
      p,
      id,
      undefined,
      false,
      null,
      async (tx, row, actor, ctx) => {
        const decision = decide(row, { type: 'attach' }, actor, ctx);
        // Counted under the case's row lock, so concurrent uploads to one case cannot both squeeze in.
        const used = await attachmentUsage(tx, row.id);
        const { ATTACHMENTS_PER_CASE: maxFiles, ATTACHMENT_BYTES_PER_CASE: maxBytes } = this.config;
        if (used.count + 1 > maxFiles || used.bytes + file.data.length > maxBytes) {
          const byCount = used.count + 1 > maxFiles;
          throw new DomainError(
            'payload-too-large',
            byCount ? `A case holds at most ${maxFiles} files.` : `A case holds at most ${maxBytes} bytes of files.`,
            {
              quota: byCount ? 'attachments-per-case' : 'attachment-bytes-per-case',
              limit: byCount ? maxFiles : maxBytes,
              used: byCount ? used.count : used.bytes,
            },
          );
        }
        const a = await insertAttachment(tx, { caseId: row.id, ...file, actor: ctx.changeActor, now: ctx.now });
        dto = toAttachmentDto(a);
        return { decision, attachment: { id: a.id } };
      },
      true,
    );
    return dto!;
  }

  /** A status move by the principal (operator, requester, or operator for an external requester). */
  async transition(
    p: Principal,
    id: string,
    body: TransitionBody,
    ifMatch: number | undefined,
    endpoint = 'POST /v1/cases/:id/transitions',
  ): Promise<CaseDto> {
    return this.change(p, id, ifMatch, body.onBehalfOfRequester === true, endpoint, async (tx, row, actor, ctx) => {
      const publicReply = body.reply !== undefined;
      if (publicReply && actor.as !== 'operator') {
        throw new DomainError('validation-failed', 'Only operators write a reply with a transition; send a message.');
      }
      const decision = decide(
        row,
        { type: 'transition', to: body.to, assigneeId: body.assigneeId, publicReply, resolution: body.resolution },
        actor,
        ctx,
      );
      await checkAssignee(tx, this.config.ROLE_SOURCE === 'token', facts(row), body.assigneeId, decision);
      // The reply is stored by the change's write statement (CasePlan.newMessage).
      const message = publicReply ? { id: randomUUID(), visibility: 'public' as const, body: body.reply! } : undefined;
      return { decision, reason: body.reason ?? null, publicReply, message };
    });
  }

  /**
   * A message; a requester's applies the automatic UPDATED_BY_USER rule. With `templateKey`
   * (staff), the body is the reply template filled for the case as the message leaves it.
   */
  async addMessage(
    p: Principal,
    id: string,
    body: CreateMessageBody,
    ifMatch: number | undefined,
    template?: (key: string) => Promise<ReplyTemplate>,
  ): Promise<{ message: MessageDto; case: CaseDto }> {
    let message: MessageDto | undefined;
    const dto = await this.change(p, id, ifMatch, body.onBehalfOfRequester === true, 'POST /v1/cases/:id/messages', async (tx, row, actor, ctx) => {
      const visibility = body.visibility ?? 'public';
      requesterMessageRules(actor, body);
      const decision = decide(row, { type: 'message', visibility, setStatus: body.setStatus, resolution: body.resolution }, actor, ctx);
      const text = await messageText(body, row, decision, ctx, template, this.config.TIMEZONE);
      // Stored by the change's write statement (CasePlan.newMessage), as the actor at the change's instant.
      const m = { id: randomUUID(), visibility, body: text };
      const a = ctx.changeActor;
      message = toMessageDto({ ...m, caseId: row.id, authorId: a.id, authorRole: a.role, onBehalfOf: a.onBehalfOf, createdAt: ctx.now });
      return { decision, publicReply: actor.as === 'operator' && visibility === 'public', message: m };
    });
    return { message: message!, case: dto };
  }

  /** Staff edit: assignee, team, category, subject, priority, tags. Repeating the current values changes nothing. */
  async patch(p: Principal, id: string, body: PatchCaseBody, ifMatch: number | undefined, endpoint = 'PATCH /v1/cases/:id'): Promise<CaseDto> {
    return this.change(p, id, ifMatch, false, endpoint, async (tx, row, actor, ctx) => {
      const decision = decide(row, { type: 'edit', assigneeId: body.assigneeId }, actor, ctx);
      const edits: FieldEdit[] = [];
      let categoryTeam: string | undefined;
      let categorySensitive: boolean | undefined;
      if (body.categoryKey !== undefined && body.categoryKey !== row.categoryKey) {
        const cat = await this.categories.fresh(body.categoryKey);
        if (!cat) throw unknownRef('categoryKey', body.categoryKey);
        edits.push({ field: 'category', from: row.categoryKey, to: cat.key });
        categoryTeam = cat.defaultTeamKey;
        categorySensitive = cat.sensitive;
      }
      // A new category routes the case to its team unless a team is given too.
      const teamKey = body.teamKey ?? categoryTeam;
      if (teamKey !== undefined && teamKey !== row.teamKey) {
        if (!(await teamExists(tx, teamKey))) throw unknownRef('teamKey', teamKey);
        edits.push({ field: 'team', from: row.teamKey, to: teamKey });
      }
      if (body.subject !== undefined && body.subject !== row.subject) {
        edits.push({ field: 'subject', from: row.subject, to: body.subject });
      }
      edits.push(...triageEdits(row, body));
      // Checked against the case as the edit leaves it: a sensitive case sent to another team
      // goes to an operator of that team.
      const target = { ...facts(row), teamKey: teamKey ?? row.teamKey, sensitive: categorySensitive ?? row.category.sensitive };
      await checkAssignee(tx, this.config.ROLE_SOURCE === 'token', target, body.assigneeId, decision);
      if (body.cc !== undefined) ctx.quiet.ccEmails = recipientsOf({ requesterEmail: null, ccEmails: body.cc });
      // No version, no history, no event.
      if (edits.length === 0 && !decision.statusChanged && !decision.assigneeChanged) return null;
      return { decision, reason: body.reason ?? null, edits };
    });
  }

  /** Drops the cached windows: call after a window edit has committed, so views show it at once. */
  forgetWindows(): void {
    this.windows.forget();
  }

  // ---------------------------------------------------------------- internals

  /**
   * The one write path of a request (ChangeRunner: read, check, decide in `fn`, plan, one guarded
   * write). The answer shows the case, so for a sensitive case it is a read, logged as one at
   * `endpoint` (null: the caller answers something else).
   */
  private async change(
    p: Principal,
    id: string,
    ifMatch: number | undefined,
    onBehalfOfRequester: boolean,
    endpoint: string | null,
    fn: ChangeFn,
    locked = false,
  ): Promise<CaseDto> {
    const { updated, activeWindow, before } = await this.runner.run(p, id, { ifMatch, onBehalfOfRequester, locked }, fn);
    if (endpoint) await this.logSensitiveReads(p, [updated], endpoint);
    // A change may take the case out of the caller's sight (a sensitive case sent to another
    // team): the change stands, and the answer shows the case as the caller left it, with no
    // moves left to them, instead of a 404 for what they just did.
    const after = caseAccess(p, facts(updated));
    const standing = after.view === 'none' ? { access: before.access, as: null } : standingOn(p, facts(updated));
    return this.view(updated, standing, activeWindow);
  }

  /** The case and the caller's standing on it, for a read of one of its parts (logged if sensitive). */
  private async readable(p: Principal, id: string, endpoint: string): Promise<{ row: CaseRow; standing: Standing }> {
    const row = await findCase(this.q, id);
    const standing = standingOn(p, row && facts(row));
    await this.logSensitiveReads(p, [row!], endpoint);
    return { row: row!, standing };
  }

  /** A response that shows a sensitive case's content is a read of it: one access-log row per case. */
  private async logSensitiveReads(p: Principal, rows: CaseRow[], endpoint: string): Promise<void> {
    const sensitive = rows.filter((r) => r.category.sensitive);
    if (sensitive.length === 0) return;
    const at = this.clock.now();
    await insertAccessLog(
      this.q,
      sensitive.map((r) => ({ caseId: r.id, actorId: p.id, actorRole: primaryRole(p), endpoint, at })),
    );
  }

  /** A case view with its service level (batched across a list page by CaseSlaLoader). */
  private async view(row: CaseRow, standing: Standing, activeWindow: SuspensionWindow | null): Promise<CaseDto> {
    return toCaseDto(row, standing, activeWindow, await this.sla.load(row));
  }
}
