import type pg from 'pg';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { pgQuery, type Query } from '../db/query';
import {
  deleteNotice,
  getNotice,
  insertNotice,
  listNotices,
  updateNotice,
  type NoticeFields,
  type NoticeRow,
} from '../repositories/notice-repository';
import { existingCategoryKeys } from '../repositories/reference-repository';
import type { NoticeDto, NoticeInput } from '../schemas/notices';

/**
 * Notices and FAQ links (docs/reference-data.md "Notices"): admins keep them; everyone sees the
 * ones active now, per category, before filing.
 */
export class NoticeService {
  private readonly q: Query;

  constructor(
    pool: pg.Pool,
    private readonly clock: Clock,
  ) {
    this.q = pgQuery(pool);
  }

  /** Notices active now (for `category`: its own and those for every category); all of them with `includeInactive`. */
  async list(opts: { category?: string; includeInactive?: boolean }): Promise<NoticeDto[]> {
    const now = this.clock.now();
    const rows = await listNotices(this.q, { now, ...opts });
    return rows.map((r) => toNoticeDto(r, now));
  }

  /** One notice; one outside its active period exists only for those who may see inactive ones. */
  async get(id: string, seeInactive: boolean): Promise<NoticeDto> {
    const now = this.clock.now();
    const row = await getNotice(this.q, id);
    if (!row || (!seeInactive && !isActive(row, now))) throw notFound();
    return toNoticeDto(row, now);
  }

  async create(body: NoticeInput): Promise<NoticeDto> {
    const fields = await this.fields(body);
    return toNoticeDto(await insertNotice(this.q, fields), this.clock.now());
  }

  async replace(id: string, body: NoticeInput): Promise<NoticeDto> {
    const fields = await this.fields(body);
    const row = await updateNotice(this.q, id, fields);
    if (!row) throw notFound();
    return toNoticeDto(row, this.clock.now());
  }

  async remove(id: string): Promise<void> {
    if (!(await deleteNotice(this.q, id))) throw notFound();
  }

  /** The stored fields of a notice body, after the checks the schema cannot make. */
  private async fields(body: NoticeInput): Promise<NoticeFields> {
    const link = body.link ?? null;
    if (link !== null && !isHttpsUrl(link)) throw invalid('/link', 'must be an https URL');
    const activeFrom = body.activeFrom ? new Date(body.activeFrom) : null;
    const activeUntil = body.activeUntil ? new Date(body.activeUntil) : null;
    if (activeFrom && activeUntil && activeFrom.getTime() >= activeUntil.getTime()) {
      throw invalid('/activeUntil', 'must be after activeFrom');
    }
    const categoryKeys = body.categories ?? [];
    if (categoryKeys.length > 0) {
      const known = new Set(await existingCategoryKeys(this.q, categoryKeys));
      const unknown = categoryKeys.findIndex((k) => !known.has(k));
      if (unknown >= 0) throw invalid(`/categories/${unknown}`, `unknown category '${categoryKeys[unknown]}'`);
    }
    return {
      titleNb: body.title.nb,
      titleEn: body.title.en,
      textNb: body.text.nb,
      textEn: body.text.en,
      link,
      categoryKeys,
      activeFrom,
      activeUntil,
      sortOrder: body.sortOrder ?? 0,
    };
  }
}

/** Whether `s` parses as an absolute https URL with a host and without user info. */
function isHttpsUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' && u.hostname !== '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

function isActive(r: Pick<NoticeRow, 'activeFrom' | 'activeUntil'>, now: Date): boolean {
  return (r.activeFrom === null || r.activeFrom.getTime() <= now.getTime()) && (r.activeUntil === null || r.activeUntil.getTime() > now.getTime());
}

function notFound(): DomainError {
  return new DomainError('not-found', 'No such notice.');
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('validation-failed', `${path.slice(1)} ${message}.`, { errors: [{ in: 'body', path, message }] });
}

export function toNoticeDto(r: NoticeRow, now: Date): NoticeDto {
  return {
    id: r.id,
    title: { nb: r.titleNb, en: r.titleEn },
    text: { nb: r.textNb, en: r.textEn },
    link: r.link,
    categories: r.categoryKeys,
    activeFrom: r.activeFrom?.toISOString() ?? null,
    activeUntil: r.activeUntil?.toISOString() ?? null,
    active: isActive(r, now),
    sortOrder: r.sortOrder,
  };
}
