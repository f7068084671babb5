import type pg from 'pg';
import type { Config } from '../config';
import { caseAccess } from '../domain/access';
import type { Clock } from '../domain/clock';
import { decide, type Actor } from '../domain/decide';
import { DomainError } from '../domain/errors';
import { decideFiling, planFiling } from '../domain/filing';
import { plan, type Change, type ChangeActor, type FieldEdit, type TimerRules } from '../domain/plan';
import { primaryRole, type Principal } from '../domain/roles';
import { actingAs, listVisibility, standingOn, type Standing } from '../domain/standing';
import { internalSearchScope } from '../domain/search';
import { windowCovering, type SuspensionWindow } from '../domain/suspension';
import { inTransaction, pgQuery, type Query } from '../db/query';
import {
  attachmentUsage,
  findAttachment,
  findCase,
  findCaseWithAttachments,
  findCategory,
  insertAccessLog,
  insertAttachment,
  insertCase,
  insertMessage,
  listAccessLog,
  listCases,
  listHistory,
  listMessages,
  lockCase,
  nextCaseNumber,
  teamExists,
  type CaseRow,
} from '../repositories/case-repository';
import { insertRequesterMatch } from '../repositories/people-repository';
import { writePlans } from '../repositories/plan-writer';
import { setCcEmails, setRequesterEmail } from '../repositories/notification-repository';
import { contactAtFiling, recipientsOf, requesterEmailUpdate } from '../domain/notifications';
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
  listSort,
  toMatchDto,
  toAttachmentDto,
  toCaseDto,
  toHistoryDto,
  toMessageDto,
  unknownRef,
} from './case-views';
import type { FormValidator } from './forms';
import { KeyedQueue } from './keyed-queue';
import type { CaseSlaLoader } from './sla-service';
import { timerRulesOf } from './timer-service';
import { loadWindows, lockWindows, ViewWindows } from './windows';
import { checkAssignee, namedEmployee } from './case-people';

/** What a change's callback decides, given the locked case: the change, or null when nothing changes. */
type ChangeFn = (
  tx: Query,
  row: CaseRow,
  actor: Actor,
  ctx: { now: Date; activeWindow: SuspensionWindow | null; changeActor: ChangeActor },
) => Promise<Change | null>;

/**
 * Use cases on cases. Every change follows one path: lock the case, check access and `If-Match`,
 * `decide()` (pure), `plan()` (pure: row update, history, events, timer), then `writePlans` stores
 * the plan in the same transaction. Routes call these; nothing here knows HTTP or SQL.
 */
export class CaseService {
  private readonly changes = new KeyedQueue();
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
  ) {
    this.q = pgQuery(pool);
    this.windows = new ViewWindows(this.q, config.TIMEZONE);
  }

  // ---------------------------------------------------------------- filing

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
    const known = await namedEmployee(this.q, p, body);
    const filing = decideFiling(p, body, known);
    const contact = contactAtFiling(p, body, filing.requesterId === p.id, known?.email ?? null);
    const year = Number((this.yearFormat ??= new Intl.DateTimeFormat('en', { timeZone: this.config.TIMEZONE, year: 'numeric' })).format(now));
    const created = await inTransaction(this.pool, async (q) => {
      const row = await insertCase(
        q,
        {
          ...filing,
          number: await nextCaseNumber(q, year),
          now,
          categoryKey: category.key,
          teamKey: category.defaultTeamKey,
          subject: body.subject,
          description: body.description,
          details,
          filedByRole: filing.actor.role,
          requesterEmail: contact.email,
          language: contact.language,
        },
        category.sensitive,
      );
      await writePlans(q, [planFiling(row, filing.actor, now)]);
      if (filing.pendingEmployeeNumber) await insertRequesterMatch(q, row.id, filing.pendingEmployeeNumber, now);
      return row;
    });
    const standing = standingOn(p, facts(created));
    await this.logSensitiveReads(p, [created], 'POST /v1/cases');
    return this.view(created, standing, await this.windows.covering(now));
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
    const rows = await listCases(this.q, caseListFilter(listVisibility(p), q, internalSearchScope(p)));
    const page = rows.slice(0, limit);
    // A search hit on a sensitive case is logged like any read of it.
    await this.logSensitiveReads(p, page, 'GET /v1/cases');
    const window = await this.windows.covering(this.clock.now());
    const items = await Promise.all(
      page.map(async (r) => ({ ...(await this.view(r, standingOn(p, facts(r)), window)), match: toMatchDto(r.search) })),
    );
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > limit && last ? cursorAfter(listSort(q), last) : null };
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
    await this.change(p, id, undefined, false, null, async (tx, row, actor, ctx) => {
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
    });
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
      const decision = decide(row, { type: 'transition', to: body.to, assigneeId: body.assigneeId, publicReply }, actor, ctx);
      await checkAssignee(tx, this.config.ROLE_SOURCE === 'token', facts(row), body.assigneeId, decision);
      const message = publicReply
        ? await insertMessage(tx, { caseId: row.id, actor: ctx.changeActor, visibility: 'public', body: body.reply!, now: ctx.now })
        : null;
      return { decision, reason: body.reason ?? null, publicReply, message: message ? { id: message.id, visibility: 'public' } : undefined };
    });
  }

  /** A message; a requester's applies the automatic UPDATED_BY_USER rule. */
  async addMessage(p: Principal, id: string, body: CreateMessageBody, ifMatch: number | undefined): Promise<{ message: MessageDto; case: CaseDto }> {
    let message: MessageDto | undefined;
    const dto = await this.change(p, id, ifMatch, body.onBehalfOfRequester === true, 'POST /v1/cases/:id/messages', async (tx, row, actor, ctx) => {
      const visibility = body.visibility ?? 'public';
      if (actor.as === 'requester' && visibility !== 'public') {
        throw new DomainError('validation-failed', 'Requesters write public messages only.', {
          errors: [{ in: 'body', path: '/visibility', message: 'must be public' }],
        });
      }
      const decision = decide(row, { type: 'message', visibility, setStatus: body.setStatus }, actor, ctx);
      const m = await insertMessage(tx, { caseId: row.id, actor: ctx.changeActor, visibility, body: body.body, now: ctx.now });
      message = toMessageDto(m);
      return { decision, publicReply: actor.as === 'operator' && visibility === 'public', message: { id: m.id, visibility } };
    });
    return { message: message!, case: dto };
  }

  /** Staff edit: assignee, team, category, subject. Repeating the current values changes nothing. */
  async patch(p: Principal, id: string, body: PatchCaseBody, ifMatch: number | undefined, endpoint = 'PATCH /v1/cases/:id'): Promise<CaseDto> {
    return this.change(p, id, ifMatch, false, endpoint, async (tx, row, actor, ctx) => {
      const decision = decide(row, { type: 'edit', assigneeId: body.assigneeId }, actor, ctx);
      const edits: FieldEdit[] = [];
      let categoryTeam: string | undefined;
      let categorySensitive: boolean | undefined;
      if (body.categoryKey !== undefined && body.categoryKey !== row.categoryKey) {
        const cat = await findCategory(tx, body.categoryKey);
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
      // Checked against the case as the edit leaves it: a sensitive case sent to another team
      // goes to an operator of that team.
      const target = { ...facts(row), teamKey: teamKey ?? row.teamKey, sensitive: categorySensitive ?? row.category.sensitive };
      await checkAssignee(tx, this.config.ROLE_SOURCE === 'token', target, body.assigneeId, decision);
      if (body.cc !== undefined) await setCcEmails(tx, row.id, recipientsOf({ requesterEmail: null, ccEmails: body.cc }));
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
   * The one write path of a request: lock, check, decide (in `fn`), plan, write. The answer shows
   * the case, so for a sensitive case it is a read, logged as one at `endpoint` (null: the
   * caller answers something else).
   */
  private async change(
    p: Principal,
    id: string,
    ifMatch: number | undefined,
    onBehalfOfRequester: boolean,
    endpoint: string | null,
    fn: ChangeFn,
  ): Promise<CaseDto> {
    const now = this.clock.now();
    // Queued per case before taking a connection (KeyedQueue): a burst on one case waits here,
    // not on pooled connections blocked by its row lock.
    const { updated, activeWindow, before } = await this.changes.run(id, () =>
      inTransaction(this.pool, async (tx) => {
        // Windows are read under their lock, so a window added meanwhile either refuses this move
        // into WAITING_FOR_USER or sees (and recomputes) the timer it schedules.
        await lockWindows(tx, 'shared');
        const windows = await loadWindows(tx);
        const activeWindow = windowCovering(now, windows, this.config.TIMEZONE);
        // The row lock serialises changes to one case: a concurrent request waits, then decides
        // on the state the first one left (and fails If-Match if it sent one). The row is read by
        // a statement of its own after the lock, so it sees what the previous holder committed.
        const row = (await lockCase(tx, id)) ? await findCase(tx, id) : null;
        const standing = standingOn(p, row && facts(row));
        if (ifMatch !== undefined && ifMatch !== row!.version) {
          throw new DomainError('precondition-failed', `The case is at version ${row!.version}, not ${ifMatch}.`, {
            currentVersion: row!.version,
          });
        }
        const { actor, changeActor } = actingAs(p, standing, onBehalfOfRequester, row!.externalRequester as { name?: unknown } | null);
        const newEmail = standing.as === 'requester' ? requesterEmailUpdate(row!.requesterEmail, p.email) : null;
        if (newEmail) await setRequesterEmail(tx, row!.id, newEmail);
        const change = await fn(tx, row!, actor, { now, activeWindow, changeActor });
        if (!change) return { updated: row!, activeWindow, before: standing };
        const written = await writePlans(tx, [plan(row!, change, changeActor, now, this.timerRules(windows))]);
        return { updated: written.get(row!.id)!, activeWindow, before: standing };
      }),
    );
    if (endpoint) await this.logSensitiveReads(p, [updated], endpoint);
    // A change may take the case out of the caller's sight (a sensitive case sent to another
    // team): the change stands, and the answer shows the case as the caller left it, with no
    // moves left to them, instead of a 404 for what they just did.
    const after = caseAccess(p, facts(updated));
    const standing = after.view === 'none' ? { access: before.access, as: null } : standingOn(p, facts(updated));
    return this.view(updated, standing, activeWindow);
  }

  private timerRules(windows: ReadonlyArray<SuspensionWindow>): TimerRules {
    return timerRulesOf(this.config, windows);
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
