import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Longest path logged for a request that matched no route. */
const MAX_UNMATCHED_PATH = 200;

/**
 * What a log line says about the request's target: the route pattern (`/v1/cases/:id`), never
 * the URL itself. Query strings carry search terms and requester ids (`?q=…&requesterId=…`) and
 * paths carry staff subjects; the pattern says which endpoint ran without either. A request that
 * matched no route has no pattern: its path (without the query string, cut short) is logged.
 */
function loggedTarget(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route) return route;
  const path = request.url.split('?')[0] ?? '';
  return path.length > MAX_UNMATCHED_PATH ? `${path.slice(0, MAX_UNMATCHED_PATH)}…` : path;
}

/**
 * One log line per request instead of Fastify's two ("incoming request" and "request
 * completed"): the completed line carries the method and the route as well, so nothing is lost,
 * and the logging cost on the hot path halves. Bodies, headers and query strings are never
 * logged.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const entry = {
      req: { method: request.method, url: loggedTarget(request) },
      res: { statusCode: reply.statusCode },
      responseTime: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...entry, err: error }, 'request errored');
    else reply.log.info(entry, 'request completed');
  }
}
