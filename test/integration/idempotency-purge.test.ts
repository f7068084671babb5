import { setTimeout as sleep } from 'node:timers/promises';
import { createTestApp, type TestApp } from '../helpers/app';

/**
 * Stored Idempotency-Key answers are whole response bodies (personal data). They used to be
 * deleted only inside the webhook loop, so with webhooks off they were kept for ever (#12 item 11).
 */
describe('the idempotency purge loop', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      // The webhook loop stays off (the test default): the purge must not depend on it.
      config: { IDEMPOTENCY_TTL_HOURS: '1', IDEMPOTENCY_PURGE_INTERVAL_MS: '20', WEBHOOK_INTERVAL_MS: '0' },
    });
  });
  afterAll(async () => t.close());

  it('deletes expired answers by itself while the webhook loop is off (201)', async () => {
    const ola = await t.auth({ sub: 'ola', name: 'Ola' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...ola, 'idempotency-key': 'purge-me' },
      payload: { categoryKey: 'general', subject: 'purge', description: 'd' },
    });
    expect(res.statusCode).toBe(201);
    const stored = () => t.app.db.idempotencyKey.count({ where: { principal: 'ola', key: 'purge-me' } });
    expect(await stored()).toBe(1);

    t.clock.advance(2 * 3_600_000);
    // Polls the loop's effect; the deadline is generous and only bounds a failure.
    const until = Date.now() + 15_000;
    while ((await stored()) > 0 && Date.now() < until) await sleep(20);
    expect(await stored()).toBe(0);
  });

  it('keeps answers that have not expired (201)', async () => {
    const ola = await t.auth({ sub: 'ola', name: 'Ola' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...ola, 'idempotency-key': 'keep-me' },
      payload: { categoryKey: 'general', subject: 'keep', description: 'd' },
    });
    expect(res.statusCode).toBe(201);
    // Several purge runs pass meanwhile (interval 20 ms).
    await sleep(200);
    expect(await t.app.db.idempotencyKey.count({ where: { principal: 'ola', key: 'keep-me' } })).toBe(1);
  });
});
