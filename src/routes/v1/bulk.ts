import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { localise, problemLanguageOf } from '../../http/problem-language';
import { logProblem, toProblem } from '../../http/problem-mapping';
import { requirePrincipal } from '../../plugins/auth';
import { problems, ok } from '../../schemas/common';
import { BulkRequestSchema, BulkResultSchema } from '../../schemas/integration';

/** Many case operations in one request, each applied on its own (docs/integration.md). */
const bulkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { bulk } = app.integration;

  app.post(
    '/cases/bulk',
    {
      config: { access: 'authenticated', responseHeaders: ['content-language'] },
      schema: {
        tags: ['cases'],
        operationId: 'updateCasesInBulk',
        summary: 'Apply up to 500 assign, transition and setTeam operations',
        description:
          'The request is validated as a whole (a malformed operation is a 400 for all); then each operation runs in ' +
          'its own transaction with the same rules as its single endpoint, and the answer is 200 with one result per ' +
          'operation: its status and the case, or its problem. Operations on one case run in request order. The ' +
          "problems' title and detail follow Accept-Language like a problem answer's (nb or en, said in Content-Language); " +
          'their code is the same in both.',
        body: BulkRequestSchema,
        response: { 200: ok(BulkResultSchema, 'One result per operation, in request order'), ...problems(400, 413, 415) },
      },
    },
    async (request, reply) => {
      const outcomes = await bulk.apply(requirePrincipal(request), request.body.operations);
      const lang = problemLanguageOf(request, reply);
      let succeeded = 0;
      const results = outcomes.map((o) => {
        if (o.ok) {
          succeeded++;
          return { index: o.index, status: 200, case: o.case };
        }
        const mapped = toProblem(o.error, 'operation');
        logProblem(request.log, o.error, mapped, { index: o.index });
        return { index: o.index, status: mapped.problem.status, problem: localise(mapped.problem, lang) };
      });
      request.log.info({ operations: results.length, succeeded }, 'bulk applied');
      return { results, succeeded, failed: results.length - succeeded };
    },
  );
};

export default bulkRoutes;
