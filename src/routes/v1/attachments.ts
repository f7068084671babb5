import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../domain/errors';
import { cleanFilename, contentMatches } from '../../http/file-content';
import { requirePrincipal } from '../../plugins/auth';
import { problems, UuidSchema, ok } from '../../schemas/common';
import { AttachmentSchema, IdParamsSchema, UploadBodySchema } from '../../schemas/case';
import { MULTIPART_BODY } from '../../http/openapi-transform';

/**
 * A read of the multipart body. The parser's own errors (no boundary, the body ends mid-part)
 * carry no status and would surface as 500; they are the client's malformed body. Limits
 * (413) and other errors with a status pass through.
 */
async function multipartRead<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (typeof (err as { statusCode?: unknown }).statusCode === 'number' || err instanceof DomainError) throw err;
    throw new DomainError('validation-failed', `The multipart body could not be read: ${(err as Error).message}.`, {
      errors: [{ in: 'body', path: '', message: 'malformed multipart/form-data' }],
    });
  }
}

/** Files on a case: multipart upload with size and type limits, stored in the database. */
const attachmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const allowed = new Set(
    app.config.ATTACHMENT_TYPES.split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
  await app.register(multipart, {
    limits: { fileSize: app.config.ATTACHMENT_MAX_BYTES, files: 1, fields: 0, parts: 2 },
  });
  // Uploads get their own budget per identity (ATTACHMENT_UPLOADS_PER_HOUR), apart from the general
  // per-minute limit: each one stores up to ATTACHMENT_MAX_BYTES for years. When the general limit
  // is off (RATE_LIMIT_MAX=0) the plugin is not registered at the root, so it is registered here.
  const uploadsPerHour = app.config.ATTACHMENT_UPLOADS_PER_HOUR;
  if (uploadsPerHour > 0 && app.config.RATE_LIMIT_MAX === 0) {
    await app.register(rateLimit, { global: false, hook: 'preHandler', keyGenerator: (request) => request.principal?.id ?? request.ip });
  }
  const uploadLimit =
    uploadsPerHour > 0
      ? {
          rateLimit: {
            max: uploadsPerHour,
            timeWindow: 3_600_000,
            keyGenerator: (request: { principal?: { id: string } | null; ip: string }) => `upload:${request.principal?.id ?? request.ip}`,
          },
        }
      : {};

  app.post(
    '/cases/:id/attachments',
    {
      config: { access: 'authenticated', responseHeaders: ['location'], ...uploadLimit },
      schema: {
        operationId: 'uploadCaseAttachment',
        tags: ['cases'],
        summary: 'Attach a file (multipart/form-data, one part named file)',
        description:
          `At most ATTACHMENT_MAX_BYTES (default 10 MiB); accepted types: ${[...allowed].join(', ')}. ` +
          'The bytes must be of the declared type (415 otherwise). A case holds at most ATTACHMENTS_PER_CASE files and ' +
          'ATTACHMENT_BYTES_PER_CASE bytes (413 with `quota`); one caller uploads at most ATTACHMENT_UPLOADS_PER_HOUR files an hour (429).',
        consumes: ['multipart/form-data'],
        [MULTIPART_BODY]: UploadBodySchema,
        params: IdParamsSchema,
        response: { 201: ok(AttachmentSchema, 'The attachment as stored'), ...problems(400, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      if (!request.isMultipart()) {
        throw new DomainError('unsupported-media-type', 'Send the file as multipart/form-data.');
      }
      const file = await multipartRead(request.file());
      if (!file) throw new DomainError('validation-failed', 'No file part in the request.');
      const contentType = file.mimetype.toLowerCase();
      if (!allowed.has(contentType)) {
        throw new DomainError('unsupported-media-type', `Files of type ${contentType} are not accepted.`, {
          accepted: [...allowed],
        });
      }
      const data = await multipartRead(file.toBuffer());
      if (!contentMatches(contentType, data)) {
        throw new DomainError('unsupported-media-type', `The file's contents are not of the declared type ${contentType}.`, {
          accepted: [...allowed],
        });
      }
      const filename = cleanFilename(file.filename);
      const sha256 = createHash('sha256').update(data).digest('hex');
      const dto = await app.services.cases.addAttachment(p, request.params.id, { filename, contentType, data, sha256 });
      return reply.status(201).header('location', `/v1/cases/${request.params.id}/attachments/${dto.id}`).send(dto);
    },
  );

  app.get(
    '/cases/:id/attachments/:attachmentId',
    {
      config: { access: 'authenticated', responseHeaders: ['content-disposition'] },
      schema: {
        operationId: 'downloadCaseAttachment',
        tags: ['cases'],
        summary: 'Download an attachment',
        params: Type.Object({ id: UuidSchema, attachmentId: UuidSchema }, { additionalProperties: false }),
        // The file's own type: one of ATTACHMENT_TYPES. Problems stay application/problem+json.
        produces: [...allowed],
        response: {
          200: Type.Unsafe<Buffer>({
            type: 'string',
            format: 'binary',
            'x-response-description': 'The file, as uploaded, of its own media type',
            headers: {
              'content-disposition': {
                type: 'string',
                description: 'attachment; filename="<the stored filename, percent-encoded>"',
              },
            },
          }),
          ...problems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const a = await app.services.cases.attachment(requirePrincipal(request), request.params.id, request.params.attachmentId);
      return reply
        .type(a.contentType)
        .header('content-disposition', `attachment; filename="${encodeURIComponent(a.filename)}"`)
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(a.data));
    },
  );
};

export default attachmentRoutes;
void IdParamsSchema;
