import type pg from 'pg';
import { choiceLabelProblems } from '../domain/choice-labels';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { pgQuery, type Query } from '../db/query';
import {
  existingTeamKeys,
  getCategory,
  listCategories,
  listTeams,
  upsertCategory,
  upsertTeam,
  type CategoryRow,
  type TeamRow,
} from '../repositories/reference-repository';
import { listNotices } from '../repositories/notice-repository';
import type { CategoryDetailDto, CategoryDto, HandledBy, PutCategoryBody, PutTeamBody, TeamDto } from '../schemas/reference';
import type { FormValidator } from './forms';
import { toNoticeDto } from './notice-service';

/** Categories and teams: data, edited by admins. */
export class ReferenceService {
  private readonly q: Query;

  constructor(
    pool: pg.Pool,
    private readonly forms: FormValidator,
    private readonly clock: Clock,
  ) {
    this.q = pgQuery(pool);
  }

  /**
   * The categories; inactive ones only for `seeInactive` (staff): requesters are not offered a
   * form they cannot file (docs/reference-data.md).
   */
  async categories(seeInactive: boolean): Promise<CategoryDto[]> {
    const rows = await listCategories(this.q, { includeInactive: seeInactive });
    return rows.map(toCategoryDto);
  }

  /** One category with the notices active now that concern it; an inactive one exists only for `seeInactive`. */
  async category(key: string, seeInactive: boolean): Promise<CategoryDetailDto> {
    const row = await getCategory(this.q, key);
    if (!row || (!row.active && !seeInactive)) throw new DomainError('not-found', `No category '${key}'.`);
    const now = this.clock.now();
    const notices = await listNotices(this.q, { now, category: key });
    return { ...toCategoryDto(row), notices: notices.map((n) => toNoticeDto(n, now)) };
  }

  /** Creates or replaces a category. Answers whether it was created. */
  async putCategory(key: string, body: PutCategoryBody): Promise<{ created: boolean; category: CategoryDto }> {
    const formProblems = this.forms.check(body.form);
    if (formProblems.length > 0) {
      throw new DomainError('validation-failed', `form is not a usable JSON Schema: ${formProblems[0]}`, {
        errors: formProblems.map((m) => ({ in: 'body', path: '/form', message: m })),
      });
    }
    const labelProblems = choiceLabelProblems(body.form);
    if (labelProblems.length > 0) {
      const first = labelProblems[0]!;
      throw new DomainError('validation-failed', `form ${first.path}: ${first.message}.`, {
        errors: labelProblems.map((p) => ({ in: 'body', path: `/form${p.path}`, message: p.message })),
      });
    }
    const [team] = await existingTeamKeys(this.q, [body.defaultTeamKey]);
    if (!team) {
      throw new DomainError('validation-failed', `Unknown team '${body.defaultTeamKey}'.`, {
        errors: [{ in: 'body', path: '/defaultTeamKey', message: 'unknown team' }],
      });
    }
    const texts = categoryTexts(body);
    const { created, row } = await upsertCategory(this.q, {
      key,
      nameNb: body.name.nb,
      nameEn: body.name.en,
      ...texts,
      defaultTeamKey: body.defaultTeamKey,
      sensitive: body.sensitive,
      form: (body.form ?? null) as CategoryRow['form'],
      active: body.active ?? true,
      sortOrder: body.sortOrder ?? 0,
      retentionMonths: body.retentionMonths ?? 24,
      firstResponseHours: body.serviceLevel?.firstResponseHours ?? 16,
      resolutionHours: body.serviceLevel?.resolutionHours ?? 80,
      priorityTargets: body.serviceLevel?.byPriority ?? {},
    });
    return { created, category: toCategoryDto(row) };
  }

  async teams(): Promise<TeamDto[]> {
    const rows = await listTeams(this.q);
    return rows.map(toTeamDto);
  }

  async putTeam(key: string, body: PutTeamBody): Promise<{ created: boolean; team: TeamDto }> {
    const { created, row } = await upsertTeam(this.q, { key, nameNb: body.name.nb, nameEn: body.name.en, email: body.email ?? null });
    return { created, team: toTeamDto(row) };
  }
}

/**
 * The stored texts of a category body. `localizedDescription` wins over `description` (English,
 * older clients), which must then agree with its `en`; a form handled by the leader needs its
 * guidance, since the refusal at filing carries it.
 */
function categoryTexts(body: PutCategoryBody): Pick<CategoryRow, 'description' | 'descriptionNb' | 'handledBy' | 'guidanceNb' | 'guidanceEn'> {
  const localized = body.localizedDescription;
  if (localized && body.description && body.description !== localized.en) {
    throw invalidBody('/description', 'must equal localizedDescription.en when both are given');
  }
  const handledBy: HandledBy = body.handledBy ?? 'centre';
  const guidance = body.guidance ?? null;
  if (handledBy === 'leader' && guidance === null) throw invalidBody('/guidance', "is required when handledBy is 'leader'");
  return {
    // Fastify's coercion turns a JSON null into '' for a string-or-null member: no description.
    description: localized ? localized.en : body.description || null,
    descriptionNb: localized ? localized.nb : null,
    handledBy,
    guidanceNb: guidance?.nb ?? null,
    guidanceEn: guidance?.en ?? null,
  };
}

function invalidBody(path: string, message: string): DomainError {
  return new DomainError('validation-failed', `${path.slice(1)} ${message}.`, { errors: [{ in: 'body', path, message }] });
}

function toCategoryDto(r: CategoryRow): CategoryDto {
  const en = r.description || null;
  const nb = r.descriptionNb || null;
  return {
    key: r.key,
    name: { nb: r.nameNb, en: r.nameEn },
    description: r.description,
    // A missing language falls back to the other (a description saved by an older client has English only).
    localizedDescription: en === null && nb === null ? null : { nb: nb ?? en!, en: en ?? nb! },
    handledBy: r.handledBy === 'leader' ? 'leader' : 'centre',
    guidance: r.guidanceNb !== null && r.guidanceEn !== null ? { nb: r.guidanceNb, en: r.guidanceEn } : null,
    defaultTeamKey: r.defaultTeamKey,
    sensitive: r.sensitive,
    form: (r.form ?? null) as CategoryDto['form'],
    active: r.active,
    sortOrder: r.sortOrder,
    retentionMonths: r.retentionMonths,
    serviceLevel: {
      firstResponseHours: r.firstResponseHours,
      resolutionHours: r.resolutionHours,
      byPriority: (r.priorityTargets ?? {}) as NonNullable<CategoryDto['serviceLevel']['byPriority']>,
    },
  };
}

function toTeamDto(r: TeamRow): TeamDto {
  return { key: r.key, name: { nb: r.nameNb, en: r.nameEn }, email: r.email };
}
