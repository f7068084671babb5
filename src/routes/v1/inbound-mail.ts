import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../domain/errors';
import { requirePrincipal } from '../../plugins/auth';
import { problems, UuidSchema, ok } from '../../schemas/common';
import { MailIntakeService } from '../../services/mail-intake-service';

const InboundMailResultSchema = Type.Object(
  {
    outcome: Type.Enum(['case-created', 'message-added', 'ignored']),
    duplicate: Type.Boolean({ description: 'This Message-ID was received before: the answer is what its first delivery did' }),
    messageId: Type.String({ description: 'The Message-ID, without angle brackets (made from the bytes when the mail has none)' }),
    caseId: Type.Union([UuidSchema, Type.Null()]),
    caseNumber: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()], {
      description:
        'ignored: auto-submitted, bulk-precedence, auto-reply-header, own-address, bounce or no-sender. case-created from a ' +
        'mail naming a case: unknown-case, sender-not-requester or case-closed. incomplete: the first delivery failed half-way.',
    }),
    ignored: Type.Optional(Type.String({ description: 'Present on 202: why the mail created nothing (same as reason)' })),
    attachments: Type.Optional(
      Type.Array(Type.Object({ id: UuidSchema, filename: Type.String() }), { description: 'Files kept as case attachments' }),
    ),
    skippedAttachments: Type.Optional(
      Type.Array(Type.Object({ filename: Type.String(), reason: Type.Enum(['inline-image', 'too-large', 'type-not-accepted']) }), {
        description: 'Files not kept (named in an internal note on the case, except inline images)',
      }),
    ),
  },
  { title: 'InboundMailResult' },
);

/** Mail intake: the centre's mail gateway posts each received message (docs/mail-intake.md). */
const inboundMailRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const intake = new MailIntakeService(app.pool, app.services.cases, app.services.clock, app.config);
  const bodyLimit = app.config.INBOUND_MAIL_MAX_BYTES;

  // In this plugin's scope only: the raw message, unparsed, for the MIME parser.
  app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  app.post(
    '/inbound-mail',
    {
      bodyLimit,
      // The Message-ID is the idempotency key of a mail; hashing megabytes for Idempotency-Key is not needed.
      config: { access: 'mail-gateway', responseHeaders: ['location'], idempotency: false },
      // The body is bytes for the MIME parser: nothing to validate against a JSON schema.
      validatorCompiler: () => () => true,
      schema: {
        tags: ['integration'],
        operationId: 'receiveMail',
        summary: 'Receive one raw mail (message/rfc822) from the mail gateway',
        description:
          'A mail whose subject carries a case token ([Sak 2026-000123]) or whose References name a case, from that ' +
          "case's requester address, becomes the requester's message on it (moving its status as a portal message would); " +
          'any other mail files a new general case (channel email) for its sender. MIME attachments become case attachments ' +
          'under the upload limits. Auto-replies, bounces and mail from MAIL_FROM create nothing (202). Idempotent on ' +
          `Message-ID: a repeated delivery answers 200 with duplicate: true. At most INBOUND_MAIL_MAX_BYTES (${bodyLimit}). ` +
          'npm run mailgate posts a message read on stdin.',
        consumes: ['message/rfc822'],
        body: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'One RFC 5322 message' }),
        response: {
          200: ok(InboundMailResultSchema, 'A message added to a case, or a duplicate delivery'),
          201: ok(InboundMailResultSchema, 'A case created'),
          202: ok(InboundMailResultSchema, 'Ignored: an auto-reply, a bounce or our own mail'),
          ...problems(400, 413, 415, 503),
        },
      },
    },
    async (request, reply) => {
      // Other media types the app parses (JSON) reach the handler too: only a raw message is a mail.
      if (!Buffer.isBuffer(request.body)) throw new DomainError('unsupported-media-type', 'Send one raw mail as message/rfc822.');
      const result = await intake.receive(requirePrincipal(request), request.body);
      request.log.info(
        { messageId: result.messageId, outcome: result.outcome, caseId: result.caseId, duplicate: result.duplicate, reason: result.reason },
        'inbound mail',
      );
      if (result.duplicate || result.outcome === 'message-added') return reply.status(200).send(result);
      if (result.outcome === 'ignored') return reply.status(202).send({ ...result, ignored: result.reason ?? 'ignored' });
      return reply.status(201).header('location', `/v1/cases/${result.caseId}`).send(result);
    },
  );
};

export default inboundMailRoutes;
