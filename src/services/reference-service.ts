import type pg from 'pg';
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
import type { CategoryDto, PutCategoryBody, PutTeamBody, TeamDto } from '../schemas/reference';
import type { FormValidator } from './forms';

/** Categories and teams: data, edited by admins. */
export class ReferenceService {
  private readonly q: Query;

  constructor(
    pool: pg.Pool,
    private readonly forms: FormValidator,
  ) {
    this.q = pgQuery(pool);
  }

  async categories(): Promise<CategoryDto[]> {
    const rows = await listCategories(this.q);
    return rows.map(toCategoryDto);
  }

  async category(key: string): Promise<CategoryDto> {
    const row = await getCategory(this.q, key);
    if (!row) throw new DomainError('not-found', `No category '${key}'.`);
    return toCategoryDto(row);
  }

  /** Creates or replaces a category. Answers whether it was created. */
  async putCategory(key: string, body: PutCategoryBody): Promise<{ created: boolean; category: CategoryDto }> {
    const formProblems = this.forms.check(body.form);
    if (formProblems.length > 0) {
      throw new DomainError('validation-failed', `form is not a usable JSON Schema: ${formProblems[0]}`, {
        errors: formProblems.map((m) => ({ in: 'body', path: '/form', message: m })),
      });
    }
    const [team] = await existingTeamKeys(this.q, [body.defaultTeamKey]);
    if (!team) {
      throw new DomainError('validation-failed', `Unknown team '${body.defaultTeamKey}'.`, {
        errors: [{ in: 'body', path: '/defaultTeamKey', message: 'unknown team' }],
      });
    }
    const { created, row } = await upsertCategory(this.q, {
      key,
      nameNb: body.name.nb,
      nameEn: body.name.en,
      description: body.description ?? null,
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

function toCategoryDto(r: CategoryRow): CategoryDto {
  return {
    key: r.key,
    name: { nb: r.nameNb, en: r.nameEn },
    description: r.description,
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
