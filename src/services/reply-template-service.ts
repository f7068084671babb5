import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { unknownReplyPlaceholders, type ReplyTemplate } from '../domain/reply-templates';
import type { Query } from '../db/query';
import { findCategory } from '../repositories/case-repository';
import {
  deleteReplyTemplate,
  getReplyTemplate,
  listReplyTemplates,
  upsertReplyTemplate,
  type ReplyTemplateRow,
} from '../repositories/reply-template-repository';
import type { PutReplyTemplateBody, ReplyTemplateDto } from '../schemas/reply-templates';

/** Reply templates: admins keep them, operators read them and send them (docs/reply-templates.md). */
export class ReplyTemplateService {
  constructor(
    private readonly q: Query,
    private readonly clock: Clock,
  ) {}

  async list(categoryKey?: string): Promise<ReplyTemplateDto[]> {
    return (await listReplyTemplates(this.q, categoryKey)).map(toDto);
  }

  async get(key: string): Promise<ReplyTemplateDto> {
    const row = await getReplyTemplate(this.q, key);
    if (!row) throw new DomainError('not-found', `No reply template '${key}'.`);
    return toDto(row);
  }

  /** Creates or replaces a template; an unknown {{placeholder}} or category is refused. */
  async put(key: string, body: PutReplyTemplateBody, by: string): Promise<{ created: boolean; template: ReplyTemplateDto }> {
    const errors = (['nb', 'en'] as const).flatMap((lang) =>
      unknownReplyPlaceholders(body.body[lang]).map((name) => ({ in: 'body', path: `/body/${lang}`, message: `unknown placeholder {{${name}}}` })),
    );
    if (body.categoryKey !== null && !(await findCategory(this.q, body.categoryKey))) {
      errors.push({ in: 'body', path: '/categoryKey', message: `unknown category '${body.categoryKey}'` });
    }
    if (errors.length > 0) throw new DomainError('validation-failed', 'The reply template cannot be saved as it is.', { errors });
    const { created, row } = await upsertReplyTemplate(this.q, {
      key,
      categoryKey: body.categoryKey,
      name: body.name,
      bodyNb: body.body.nb,
      bodyEn: body.body.en,
      updatedBy: by,
      at: this.clock.now(),
    });
    return { created, template: toDto(row) };
  }

  async delete(key: string): Promise<void> {
    if (!(await deleteReplyTemplate(this.q, key))) throw new DomainError('not-found', `No reply template '${key}'.`);
  }

  /** The template a message names, for rendering (422 when there is none: the request names a missing thing). */
  async forMessage(key: string): Promise<ReplyTemplate> {
    const row = await getReplyTemplate(this.q, key);
    if (!row) {
      throw new DomainError('validation-failed', `No reply template '${key}'.`, {
        errors: [{ in: 'body', path: '/templateKey', message: 'unknown reply template' }],
      });
    }
    return { key: row.key, categoryKey: row.categoryKey, body: { nb: row.bodyNb, en: row.bodyEn } };
  }
}

function toDto(r: ReplyTemplateRow): ReplyTemplateDto {
  return {
    key: r.key,
    name: r.name,
    categoryKey: r.categoryKey,
    body: { nb: r.bodyNb, en: r.bodyEn },
    updatedBy: r.updatedBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
