import { createTestApp, type TestApp } from '../helpers/app';
import { requestHash } from '../../src/services/idempotency-service';

const body = (subject: string) => ({ categoryKey: 'general', subject, description: 'Where is my payslip?' });

describe('Idempotency-Key on POST', () => {
  let t: TestApp;
  let ola: { authorization: string };
  beforeAll(async () => {
    t = await createTestApp();
    ola = await t.auth({ sub: 'ola', name: 'Ola' });
  });
  afterAll(async () => t.close());

  const post = (key: string | undefined, payload: object, headers = ola) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) },
      payload,
    });

  it('creates one case for 50 concurrent POSTs with one key and answers all 50 alike (201)', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => post('fifty-at-once', body('fifty'))));
    const first = responses[0]!;
    expect(first.statusCode).toBe(201);
    for (const r of responses) {
      expect(r.statusCode).toBe(201);
      expect(r.body).toBe(first.body);
      expect(r.headers.location).toBe(first.headers.location);
      expect(r.headers.etag).toBe(first.headers.etag);
    }
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
    expect(await t.app.db.case.count({ where: { subject: 'fifty' } })).toBe(1);
    expect(await t.app.db.outboxEvent.count({ where: { type: 'case.created', caseId: first.json().id } })).toBe(1);
  });

  it('refuses the same key with another body (422)', async () => {
    expect((await post('reused', body('first'))).statusCode).toBe(201);
    const r = await post('reused', body('second'));
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().code).toBe('idempotency-key-reused');
    expect(await t.app.db.case.count({ where: { subject: 'second' } })).toBe(0);
  });

  it('refuses the same key on another path (422)', async () => {
    const created = await post('path-bound', body('path-bound'));
    expect(created.statusCode).toBe(201);
    const r = await t.app.inject({
      method: 'POST',
      url: `/v1/cases/${created.json().id}/messages`,
      headers: { ...ola, 'idempotency-key': 'path-bound' },
      payload: { body: 'A question' },
    });
    expect(r.statusCode).toBe(422);
    expect(await t.app.db.caseMessage.count({ where: { caseId: created.json().id } })).toBe(0);
  });

  it('keeps keys apart per caller (201)', async () => {
    const nils = await t.auth({ sub: 'nils', name: 'Nils' });
    const a = await post('shared-key', body('per caller'));
    const b = await post('shared-key', body('per caller'), nils);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).not.toBe(a.json().id);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
  });

  it('replays a 4xx answer instead of trying again (400)', async () => {
    const payload = { categoryKey: 'no-such-category', subject: 's', description: 'd' };
    const first = await post('bad-category', payload);
    expect(first.statusCode).toBe(400);
    const again = await post('bad-category', payload);
    expect(again.statusCode).toBe(400);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('forgets a key after IDEMPOTENCY_TTL_HOURS: the same key does the work again (201)', async () => {
    const first = await post('expiring', body('expiring'));
    t.clock.advance(23 * 3_600_000);
    const within = await post('expiring', body('expiring'));
    expect(within.json().id).toBe(first.json().id);
    t.clock.advance(1 * 3_600_000 + 1);
    const after = await post('expiring', body('expiring'));
    expect(after.statusCode).toBe(201);
    expect(after.json().id).not.toBe(first.json().id);
    // And an expired key may carry another body.
    t.clock.advance(25 * 3_600_000);
    expect((await post('expiring', body('expiring, new body'))).statusCode).toBe(201);
  });

  it('does not store a 5xx answer: the key is released for a retry (201)', async () => {
    const svc = t.app.integration.idempotency;
    const hash = requestHash('POST', '/v1/cases', body('released'));
    const claim = await svc.claim('ola', 'released', hash);
    expect(claim.kind).toBe('owner');
    expect((await svc.claim('ola', 'released', hash)).kind).toBe('in-progress');
    await svc.release('ola', 'released', (claim as { owner: string }).owner);
    const r = await post('released', body('released'));
    expect(r.statusCode).toBe(201);
    expect(r.headers['idempotent-replayed']).toBeUndefined();
  });

  it('makes a retry wait for the request in progress and then replays its answer (201)', async () => {
    const svc = t.app.integration.idempotency;
    const payload = body('in progress elsewhere');
    const claim = await svc.claim('ola', 'slow-first', requestHash('POST', '/v1/cases', payload));
    expect(claim.kind).toBe('owner');
    // The answer the first request will have stored: a real one (replays are checked against the contract too).
    const first = await post('made-elsewhere', body('the first answer'));
    expect(first.statusCode).toBe(201);
    const retry = post('slow-first', payload);
    const stored = {
      statusCode: 201,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        location: String(first.headers.location),
        etag: String(first.headers.etag),
      },
      body: first.body,
    };
    await svc.complete('ola', 'slow-first', (claim as { owner: string }).owner, stored);
    const r = await retry;
    expect(r.statusCode).toBe(201);
    expect(r.body).toBe(first.body);
    expect(r.headers.location).toBe(first.headers.location);
  });

  it('rejects a malformed key (400)', async () => {
    const r = await post('has spaces in it', body('bad key'));
    expect(r.statusCode).toBe(400);
  });

  it('ignores the key on routes that opt out (200)', async () => {
    const admin = await t.auth({ sub: 'root', roles: ['admin'] });
    const run = () => t.app.inject({ method: 'POST', url: '/v1/admin/webhooks/run', headers: { ...admin, 'idempotency-key': 'k' }, payload: {} });
    expect((await run()).headers['idempotent-replayed']).toBeUndefined();
    expect((await run()).headers['idempotent-replayed']).toBeUndefined();
  });
});

describe('Idempotency-Key still in progress after IDEMPOTENCY_WAIT_MS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { IDEMPOTENCY_WAIT_MS: '0' } });
  });
  afterAll(async () => t.close());

  it('answers 409 with Retry-After instead of doing the work twice (409)', async () => {
    const payload = body('busy');
    const claim = await t.app.integration.idempotency.claim('ola', 'busy', requestHash('POST', '/v1/cases', payload));
    expect(claim.kind).toBe('owner');
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...(await t.auth({ sub: 'ola' })), 'idempotency-key': 'busy' },
      payload,
    });
    expect(r.statusCode).toBe(409);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.json().reason).toBe('idempotency-key-in-progress');
    expect(await t.app.db.case.count({ where: { subject: 'busy' } })).toBe(0);
  });
});
