import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Helmet's security headers (its defaults, without Content-Security-Policy: the API serves JSON,
 * and the docs UI brings its own) on every response, 404s and problems included.
 *
 * @fastify/helmet built helmet's middleware from its options on every request (≈1.4 % of a
 * loaded process's CPU, #17 item 3). With fixed options the headers are fixed too, so helmet runs
 * once here, against a response that only records what it is told, and each request gets the
 * recorded headers.
 */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet({ contentSecurityPolicy: false })({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

async function securityHeadersPlugin(app: FastifyInstance): Promise<void> {
  const headers = Object.entries(helmetHeaders());
  if (headers.length === 0) throw new Error('helmet set no headers');
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}

export default fp(securityHeadersPlugin, { name: 'security-headers', fastify: '5.x' });
