import { setTimeout as sleep } from 'node:timers/promises';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors';
import { requirePrincipal } from './auth';
import { backgroundLoop, loopCloseTimeoutMs } from './background-loop';
import { requestHash, type StoredResponse } from '../services/idempotency-service';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route ignores Idempotency-Key (it is idempotent itself, or cannot be replayed). */
    idempotency?: boolean;
  }
  interface FastifyRequest {
    /** Set while this request owns an Idempotency-Key; its answer is stored in onSend. */
    idempotencyClaim: { principal: string; key: string; owner: string } | null;
  }
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on an answer that repeats a stored one. */
const REPLAYED_HEADER = 'idempotent-replayed';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/**
 * Response headers a replay repeats; others (x-request-id, rate-limit counters) are per request.
 * Content-Language names the language of the stored body (its problems), not of the retry's header.
 */
const REPLAYED_HEADERS = ['content-type', 'content-language', 'location', 'etag'];

/** Whether a POST takes part: it opted in (default) and its body was parsed before the handler. */
export function honoursIdempotencyKey(method: string, config: { idempotency?: boolean } | undefined, multipart: boolean): boolean {
  return method === 'POST' && config?.idempotency !== false && !multipart;
}

async function replay(reply: FastifyReply, response: StoredResponse): Promise<FastifyReply> {
  void reply.status(response.statusCode);
  for (const [name, value] of Object.entries(response.headers)) void reply.header(name, value);
  void reply.header(REPLAYED_HEADER, 'true');
  return reply.send(response.body ?? undefined);
}

/**
 * `Idempotency-Key` on the POST routes of the scope it is registered in (docs/integration.md).
 * preHandler claims the key (after authentication and body validation, so the caller and the
 * parsed body are known); onSend stores the answer. A request that finds the key in progress
 * polls until the first one finishes and then replays its answer, up to IDEMPOTENCY_WAIT_MS,
 * then answers 409 with Retry-After. Answers of 5xx are not stored: the key is released so a
 * retry does the work. Multipart uploads are not covered (their body is read by the handler).
 *
 * Stored answers are whole response bodies (personal data), so expired ones are deleted by a loop
 * of their own every IDEMPOTENCY_PURGE_INTERVAL_MS, whether or not webhooks are on.
 */
async function idempotencyPlugin(app: FastifyInstance): Promise<void> {
  const service = app.integration.idempotency;
  const waitMs = app.config.IDEMPOTENCY_WAIT_MS;
  app.decorateRequest('idempotencyClaim', null);

  backgroundLoop(app, {
    name: 'idempotency purge',
    intervalMs: app.config.IDEMPOTENCY_PURGE_INTERVAL_MS,
    closeTimeoutMs: loopCloseTimeoutMs(app.config),
    run: () => service.purgeExpired(),
    onResult: (purged) => {
      if (purged > 0) app.log.info({ purged }, 'expired idempotency keys deleted');
    },
  });

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined) return;
    if (!honoursIdempotencyKey(request.method, request.routeOptions.config, /^multipart\//i.test(request.headers['content-type'] ?? ''))) return;
    if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
      throw new DomainError('validation-failed', 'Idempotency-Key must be 1–255 visible ASCII characters.', {
        errors: [{ in: 'headers', path: '/idempotency-key', message: 'invalid' }],
      });
    }
    const principal = requirePrincipal(request).id;
    const hash = requestHash(request.method, request.url, request.body);
    const started = Date.now();
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const claim = await service.claim(principal, raw, hash);
      if (claim.kind === 'owner') {
        request.idempotencyClaim = { principal, key: raw, owner: claim.owner };
        return;
      }
      if (claim.kind === 'replay') {
        request.log.info({ idempotencyKey: raw }, 'idempotent replay');
        return replay(reply, claim.response);
      }
      if (claim.kind === 'mismatch') {
        throw new DomainError(
          'idempotency-key-reused',
          'This Idempotency-Key was used with another request (method, path or body differ). Use a new key.',
        );
      }
      if (Date.now() - started >= waitMs) {
        void reply.header('retry-after', '1');
        throw new DomainError('conflict', 'A request with this Idempotency-Key is still in progress; retry shortly.', {
          reason: 'idempotency-key-in-progress',
        });
      }
      await sleep(delay);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = null;
    try {
      if (reply.statusCode >= 500 || (payload !== null && typeof payload !== 'string')) {
        await service.release(claim.principal, claim.key, claim.owner);
      } else {
        const headers: Record<string, string> = {};
        for (const name of REPLAYED_HEADERS) {
          const v = reply.getHeader(name);
          if (v !== undefined) headers[name] = String(v);
        }
        await service.complete(claim.principal, claim.key, claim.owner, {
          statusCode: reply.statusCode,
          headers,
          body: payload,
        });
      }
    } catch (err) {
      // The answer itself stands; a retry finds the key in progress until its lease runs out.
      request.log.warn({ err, idempotencyKey: claim.key }, 'could not store the idempotent answer');
    }
    return payload;
  });
}

export default fp(idempotencyPlugin, { name: 'idempotency', dependencies: ['integration'], fastify: '5.x' });
