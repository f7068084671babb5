import { createTestApp, type TestApp } from '../helpers/app';
import { ContractChecker, contractViolations } from '../helpers/contract';
import { requestHash } from '../../src/services/idempotency-service';

/**
 * The contract check (test/helpers/contract.ts) itself: it must catch what the document does
 * not allow, with a message that names the operation, the status and the place.
 */
describe('the response contract check', () => {
  let t: TestApp;
  let checker: ContractChecker;
  beforeAll(async () => {
    t = await createTestApp();
    checker = new ContractChecker(t.app);
  });
  afterAll(async () => t.close());

  const request = (route: string, method = 'GET') => ({ routeOptions: { url: route, schema: {} }, method, is404: false }) as never;
  const reply = (status: number, headers: Record<string, string>) =>
    ({ statusCode: status, getHeader: (n: string) => headers[n.toLowerCase()] }) as never;
  const json = { 'content-type': 'application/json; charset=utf-8' };

  it('refuses an undeclared status, naming the declared ones', () => {
    expect(checker.check(request('/v1/statuses'), reply(418, json), '[]')).toMatch(
      /status 418 is not declared \(declared: 200, 400, 401, 429, default/,
    );
  });

  it('refuses a 4xx that only the shared default would cover', () => {
    expect(checker.check(request('/v1/statuses'), reply(409, json), '{}')).toMatch(/status 409 is not declared.*default is for 500\/503/);
  });

  it('refuses a missing required header (ETag on a case)', () => {
    const r = checker.check(request('/v1/cases/:id'), reply(200, json), '{}');
    expect(r).toMatch(/required header ETag was not sent/);
  });

  it('refuses a content type the response does not declare', () => {
    expect(checker.check(request('/v1/statuses'), reply(200, { 'content-type': 'text/html' }), '<p>')).toMatch(
      /content type text\/html is not declared for 200 \(declared: application\/json\)/,
    );
  });

  it('refuses an undocumented field and a wrong type, with the JSON pointer', () => {
    const problem = { type: '/problems/not-found', title: 'Not found', status: 404, code: 'not-found', secret: 'x' };
    const r = checker.check(request('/v1/cases/:id'), reply(404, { 'content-type': 'application/problem+json' }), JSON.stringify(problem));
    expect(r).toMatch(/undocumented field "secret"/);
    const entry = {
      code: 7,
      label: { nb: 'Registrert', en: 'Registered' },
      description: 'x',
      localizedDescription: { nb: 'x', en: 'x' },
      transitions: { operator: [], requester: [], system: [] },
      autoTransition: null,
    };
    const wrong = checker.check(request('/v1/statuses'), reply(200, json), JSON.stringify([entry]));
    expect(wrong).toMatch(/body\/0\/code/);
  });

  it('reads typed problem members: allowed of invalid-transition must be statuses', () => {
    const body = {
      type: '/problems/invalid-transition',
      title: 'Transition not allowed',
      status: 409,
      code: 'invalid-transition',
      currentStatus: 'REGISTERED',
      requested: 'CLOSED',
      allowed: ['NOT_A_STATUS'],
    };
    const r = checker.check(
      request('/v1/cases/:id/transitions', 'POST'),
      reply(409, { 'content-type': 'application/problem+json' }),
      JSON.stringify(body),
    );
    expect(r).toMatch(/allowed\/0/);
    expect(
      checker.check(
        request('/v1/cases/:id/transitions', 'POST'),
        reply(409, { 'content-type': 'application/problem+json' }),
        JSON.stringify({ ...body, allowed: ['ASSIGNED'] }),
      ),
    ).toBeNull();
  });

  it('accepts a real answer and exempts what the document cannot describe', async () => {
    const ola = await t.auth({ sub: 'ola' });
    const r = await t.app.inject({ method: 'GET', url: '/v1/statuses', headers: ola });
    expect(r.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/no/such/path' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
    expect(t.contractViolations).toEqual([]);
  });

  it('turns a response that breaks the document into a loud 500 the test sees, and records it', async () => {
    const ola = await t.auth({ sub: 'ola' });
    const payload = { categoryKey: 'general', subject: 'replayed', description: 'A stored answer that is not a case' };
    const claim = await t.app.integration.idempotency.claim('ola', 'fake', requestHash('POST', '/v1/cases', payload));
    await t.app.integration.idempotency.complete('ola', 'fake', (claim as { owner: string }).owner, {
      statusCode: 201,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"from":"nowhere"}',
    });
    const r = await t.app.inject({ method: 'POST', url: '/v1/cases', headers: { ...ola, 'idempotency-key': 'fake' }, payload });
    const seen = t.contractViolations.splice(0);
    // Seen: the file must not fail for the violation this test provoked on purpose.
    contractViolations.splice(0);
    expect(seen).toHaveLength(1);
    expect(r.statusCode).toBe(500);
    expect(r.headers['x-contract-violation']).toBe('true');
    expect(JSON.parse(r.body).detail).toMatch(
      /^POST \/v1\/cases \(\/v1\/cases\) answered 201, which the OpenAPI document does not allow: required header Location was not sent; required header ETag was not sent; body\/ must have required property 'id'/,
    );
  });
});
