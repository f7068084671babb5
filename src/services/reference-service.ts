import { DomainError } from '../domain/errors';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import type { CategoryDto, PutCategoryBody, PutTeamBody, TeamDto } from '../schemas/reference';
import type { FormValidator } from './forms';

type CategoryRow = Prisma.CategoryGetPayload<object>;
type TeamRow = Prisma.TeamGetPayload<object>;

/** Categories and teams: data, edited by admins. */
export class ReferenceService {
  constructor(
    private readonly db: Db,
    private readonly forms: FormValidator,
  ) {}

  async categories(): Promise<CategoryDto[]> {
    const rows = await this.db.category.findMany({ orderBy: [{ sortOrder: 'asc' }, { key: 'asc' }] });
    return rows.map(toCategoryDto);
  }

  async category(key: string): Promise<CategoryDto> {
    const row = await this.db.category.findUnique({ where: { key } });
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
    const team = await this.db.team.findUnique({ where: { key: body.defaultTeamKey } });
    if (!team) {
      throw new DomainError('validation-failed', `Unknown team '${body.defaultTeamKey}'.`, {
        errors: [{ in: 'body', path: '/defaultTeamKey', message: 'unknown team' }],
      });
    }
    const data = {
      nameNb: body.name.nb,
      nameEn: body.name.en,
      description: body.description ?? null,
      defaultTeamKey: body.defaultTeamKey,
      sensitive: body.sensitive,
      form: body.form == null ? Prisma.DbNull : (body.form as Prisma.InputJsonValue),
      active: body.active ?? true,
      sortOrder: body.sortOrder ?? 0,
      retentionMonths: body.retentionMonths ?? 24,
      firstResponseHours: body.serviceLevel?.firstResponseHours ?? 16,
      resolutionHours: body.serviceLevel?.resolutionHours ?? 80,
    };
    const existing = await this.db.category.findUnique({ where: { key }, select: { key: true } });
    const row = await this.db.category.upsert({ where: { key }, create: { key, ...data }, update: data });
    return { created: !existing, category: toCategoryDto(row) };
  }

  async teams(): Promise<TeamDto[]> {
    const rows = await this.db.team.findMany({ orderBy: { key: 'asc' } });
    return rows.map(toTeamDto);
  }

  async putTeam(key: string, body: PutTeamBody): Promise<{ created: boolean; team: TeamDto }> {
    const data = { nameNb: body.name.nb, nameEn: body.name.en, email: body.email ?? null };
    const existing = await this.db.team.findUnique({ where: { key }, select: { key: true } });
    const row = await this.db.team.upsert({ where: { key }, create: { key, ...data }, update: data });
    return { created: !existing, team: toTeamDto(row) };
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
    serviceLevel: { firstResponseHours: r.firstResponseHours, resolutionHours: r.resolutionHours },
  };
}

function toTeamDto(r: TeamRow): TeamDto {
  return { key: r.key, name: { nb: r.nameNb, en: r.nameEn }, email: r.email };
}
