import type pg from 'pg';
import type { Config } from '../config';
import { caseAccess } from '../domain/access';
import type { Clock } from '../domain/clock';
import { decide, type Command } from '../domain/decide';
import { DomainError } from '../domain/errors';
import { checkMerge, type MergeFacts } from '../domain/merge';
import { plan, type Change } from '../domain/plan';
import { primaryRole, type Principal } from '../domain/roles';
import { actingAs, standingOn } from '../domain/standing';
import { inTransaction, pgQuery, type Query } from '../db/query';
import { findCase, insertAccessLog, lockCase, type CaseRow } from '../repositories/case-repository';
import { deleteLinkPair, insertLinkPair, listLinks, moveCaseContent, type LinkRow } from '../repositories/link-repository';
import { writePlans } from '../repositories/plan-writer';
import type { CaseDto } from '../schemas/case';
import type { CaseLinkDto, CreateLinkBody } from '../schemas/relations';
import type { CaseService } from './case-service';
import { accessFacts as facts } from './case-views';
import { timerRulesOf } from './timer-service';

/**
 * Merges and links between two cases (docs/merge-and-links.md). Each use case locks both rows
 * (in id order, so two requests on the same pair cannot deadlock), checks the caller's standing
 * on both, asks decide() for each case, and writes one plan per case with ONE writePlans call:
 * both cases change together or neither does.
 */
export class RelationService {
  private readonly q: Query;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly cases: CaseService,
  ) {
    this.q = pgQuery(pool);
  }

  /** Merges case `id` into `into`: the target takes its messages and files, the source closes. */
  async merge(p: Principal, id: string, into: string, ifMatch: number | undefined): Promise<CaseDto> {
    if (id === into) {
      throw new DomainError('validation-failed', 'A case cannot be merged into itself.', {
        errors: [{ in: 'body', path: '/into', message: 'must be another case' }],
      });
    }
    const commands = [MERGE_SOURCE, MERGE_TARGET] as const;
    await this.pair(p, id, into, ifMatch, commands, async (tx, source, target) => {
      checkMerge(mergeFacts(source), mergeFacts(target));
      const moved = await moveCaseContent(tx, source.id, target.id);
      const merge = { source: ref(source), target: ref(target), movedMessages: moved.messages, movedAttachments: moved.attachments };
      return [
        { decision: null, reason: `merged into ${target.number}`, merge: { role: 'source', ...merge } },
        { decision: null, merge: { role: 'target', ...merge } },
      ];
    });
    return this.cases.get(p, id, 'POST /v1/cases/:id/merge');
  }

  /** Links two cases both ways. */
  async link(p: Principal, id: string, body: CreateLinkBody): Promise<CaseLinkDto> {
    if (id === body.caseId) {
      throw new DomainError('validation-failed', 'A case cannot be linked to itself.', {
        errors: [{ in: 'body', path: '/caseId', message: 'must be another case' }],
      });
    }
    const now = this.clock.now();
    let linked: CaseRow | undefined;
    await this.pair(p, id, body.caseId, undefined, [LINK, LINK], async (tx, a, b) => {
      linked = b;
      if (!(await insertLinkPair(tx, { a: a.id, b: b.id, kind: body.kind, createdById: p.id, now }))) {
        throw new DomainError('conflict', `The cases ${a.number} and ${b.number} are already linked.`, { reason: 'already-linked' });
      }
      return [
        { decision: null, link: { op: 'added', other: ref(b), kind: body.kind } },
        { decision: null, link: { op: 'added', other: ref(a), kind: body.kind } },
      ];
    });
    return {
      caseId: linked!.id,
      number: linked!.number,
      status: linked!.status,
      subject: linked!.subject,
      kind: body.kind,
      createdBy: p.id,
      createdAt: now.toISOString(),
    };
  }

  /** Removes the link between two cases (both ways). */
  async unlink(p: Principal, id: string, linkedCaseId: string): Promise<void> {
    await this.pair(p, id, linkedCaseId, undefined, [LINK, LINK], async (tx, a, b) => {
      const kind = await deleteLinkPair(tx, a.id, b.id);
      if (kind === null) throw new DomainError('not-found', 'The cases are not linked.');
      return [
        { decision: null, link: { op: 'removed', other: ref(b), kind } },
        { decision: null, link: { op: 'removed', other: ref(a), kind } },
      ];
    });
  }

  /** The links of a case to cases the caller may see; links to others are left out, unseen. */
  async links(p: Principal, id: string): Promise<CaseLinkDto[]> {
    const row = await findCase(this.q, id);
    standingOn(p, row && facts(row));
    const visible = (await listLinks(this.q, id)).filter((l) => caseAccess(p, linkFacts(l)).view !== 'none');
    // The answer shows the linked cases' subjects: a read of each sensitive one, and of the case.
    const at = this.clock.now();
    const reads = [...(row!.category.sensitive ? [row!.id] : []), ...visible.filter((l) => l.sensitive).map((l) => l.linkedCaseId)];
    await insertAccessLog(
      this.q,
      reads.map((caseId) => ({ caseId, actorId: p.id, actorRole: primaryRole(p), endpoint: 'GET /v1/cases/:id/links', at })),
    );
    return visible.map((l) => ({
      caseId: l.linkedCaseId,
      number: l.number,
      status: l.status as CaseLinkDto['status'],
      subject: l.subject,
      kind: l.kind,
      createdBy: l.createdById,
      createdAt: l.createdAt.toISOString(),
    }));
  }

  /**
   * Locks the two cases, checks the caller may change both (404 for a case they cannot see) and
   * `If-Match` on the first, decides `commands` (one per case), lets `fn` do its part and name the
   * change of each case, and writes both plans in one statement.
   */
  private async pair(
    p: Principal,
    firstId: string,
    secondId: string,
    ifMatch: number | undefined,
    commands: readonly [PairCommand, PairCommand],
    fn: (tx: Query, first: CaseRow, second: CaseRow) => Promise<[Omit<Change, 'decision'>, Omit<Change, 'decision'>]>,
  ): Promise<void> {
    const now = this.clock.now();
    await inTransaction(this.pool, async (tx) => {
      for (const lockId of [firstId, secondId].sort()) await lockCase(tx, lockId);
      const first = await findCase(tx, firstId);
      const second = await findCase(tx, secondId);
      const s1 = standingOn(p, first && facts(first));
      const s2 = standingOn(p, second && facts(second));
      if (ifMatch !== undefined && ifMatch !== first!.version) {
        throw new DomainError('precondition-failed', `The case is at version ${first!.version}, not ${ifMatch}.`, { currentVersion: first!.version });
      }
      const { actor, changeActor } = actingAs(p, s1, false, null);
      actingAs(p, s2, false, null);
      const ctx = { now, activeWindow: null };
      const d1 = decide(first!, commands[0], actor, ctx);
      const d2 = decide(second!, commands[1], actor, ctx);
      const [c1, c2] = await fn(tx, first!, second!);
      // No timer is set by these changes (CLOSED has none), so no suspension windows are needed.
      const rules = timerRulesOf(this.config, []);
      await writePlans(tx, [
        plan(first!, { ...c1, decision: d1 }, changeActor, now, rules),
        plan(second!, { ...c2, decision: d2 }, changeActor, now, rules),
      ]);
    });
  }
}

type PairCommand = Extract<Command, { type: 'merge' | 'link' }>;
const MERGE_SOURCE: PairCommand = { type: 'merge', as: 'source' };
const MERGE_TARGET: PairCommand = { type: 'merge', as: 'target' };
const LINK: PairCommand = { type: 'link' };

function ref(row: CaseRow): { id: string; number: string } {
  return { id: row.id, number: row.number };
}

function mergeFacts(row: CaseRow): MergeFacts {
  return {
    id: row.id,
    number: row.number,
    requesterId: row.requesterId,
    filedById: row.filedById,
    filedByRole: row.filedByRole,
    externalRequester: row.externalRequester,
    teamKey: row.teamKey,
    sensitive: row.category.sensitive,
    mergedIntoId: row.mergedIntoId,
  };
}

function linkFacts(l: LinkRow): Parameters<typeof caseAccess>[1] {
  const concerned = l.concernsEmployee as { id?: unknown } | null;
  return {
    requesterId: l.requesterId,
    filedById: l.filedById,
    teamKey: l.teamKey,
    sensitive: l.sensitive,
    concernedId: typeof concerned?.id === 'string' ? concerned.id : null,
  };
}
