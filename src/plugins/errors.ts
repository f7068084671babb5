import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { logProblem, toProblem } from '../http/problem-mapping';
import { localiseProblemReply } from '../http/problem-language';
import { problem, PROBLEM_CONTENT_TYPE } from '../http/problems';

/**
 * Turns every error into RFC 9457 application/problem+json: domain refusals with their extra
 * members, Fastify's validation and content errors, an unreachable database as 503 with
 * Retry-After, and anything else as a 500 whose details stay in the log.
 */
async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const mapped = toProblem(err);
    logProblem(request.log, err, mapped);
    const { problem: body, headers } = mapped;
    body.instance = request.url.split('?')[0];
    localiseProblemReply(request, reply, body);
    return reply.status(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body = problem('not-found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    body.instance = request.url.split('?')[0];
    localiseProblemReply(request, reply, body);
    return reply.status(404).type(PROBLEM_CONTENT_TYPE).send(body);
  });
}

/**
 * Fastify's `frameworkErrors`: refusals by the router itself (a URL that does not decode, a path
 * parameter longer than maxParamLength) happen before any route and skip the error handler;
 * they answer as problems too.
 */
export function frameworkErrorReply(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const body = problem('validation-failed', tooLong ? 'A path parameter is too long.' : 'The URL is not valid.', {
    errors: [{ in: 'params', path: '', message: tooLong ? 'too long' : 'invalid' }],
  });
  body.instance = request.url.split('?')[0];
  localiseProblemReply(request, reply, body);
  void reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

export default fp(errorsPlugin, { name: 'errors', fastify: '5.x' });
