import { createTestApp, type TestApp } from '../helpers/app';
import type { Query } from '../../src/db/query';
import { casesPerStatusAndTeam } from '../../src/repositories/metrics-repository';
import { onRealServer } from '../helpers/db';

/** GET /metrics: Prometheus text with route latency and the gauges read on a timer. */
describe('metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '2' } });
  });
  afterAll(async () => t.close());

  /** Files a salary case (team payroll) as `sub`; answers the case id and the headers used. */
  const file = async (sub: string) => {
    const headers = await t.auth({ sub });
    const res = await t.app.inject({ method: 'POST', url: '/v1/cases', headers, payload: { categoryKey: 'salary', subject: 's', description: 'd' } });
    expect(res.statusCode).toBe(201);
    return { id: res.json().id as string, headers };
  };

  it('exposes request latency per route and the domain gauges, without a token (200)', async () => {
    t.clock.set('2025-03-03T09:00:00+01:00');
    const created = await file('ola');
    await t.app.inject({ method: 'GET', url: `/v1/cases/${created.id}`, headers: created.headers });
    await t.app.serviceLevels.sla.sweep(new Date('2025-04-01T12:00:00+02:00'));
    // The gauges are read on a timer (METRICS_REFRESH_MS), not per scrape; refresh them now.
    await t.app.refreshMetrics!();

    const r = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    const text = r.body;
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/v1\/cases",status_code="201"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/cases\/:id",status_code="200"\}/);
    expect(text).toMatch(/saksflyt_cases\{status="REGISTERED",team="payroll"\} 1/);
    expect(text).toMatch(/saksflyt_timers\{state="due"\} 0/);
    expect(text).toMatch(/saksflyt_webhook_deliveries_pending 0/);
    expect(text).toMatch(/saksflyt_sla_breaches\{kind="first_response"\} 1/);
    expect(text).toMatch(/saksflyt_sla_breaches\{kind="resolution"\} 1/);
    expect(text).toMatch(/saksflyt_sla_stale_cases 0/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
    // A filing marks its SLA row stale until the next sweep.
    await file('kari');
    await t.app.refreshMetrics!();
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/saksflyt_sla_stale_cases 1/);
  });

  it('counts open cases at every refresh and the archive (COMPLETED, CLOSED) only when its refresh is due', async () => {
    const filed = await file('gauge-requester');
    const gauge = async (status: string) => {
      const m = new RegExp(`saksflyt_cases\\{status="${status}",team="payroll"\\} (\\d+)`).exec(
        (await t.app.inject({ method: 'GET', url: '/metrics' })).body,
      );
      return m ? Number(m[1]) : 0;
    };
    await t.app.refreshMetrics!();
    const registered = await gauge('REGISTERED');
    const closed = await gauge('CLOSED');
    await t.app.pool.query(`UPDATE "case" SET status = 'CLOSED' WHERE id = $1`, [filed.id]);
    // A loop refresh before the archive is due: the open count is current, the archive's is kept.
    await t.app.refreshMetrics!({ archive: false });
    expect(await gauge('REGISTERED')).toBe(registered - 1);
    expect(await gauge('CLOSED')).toBe(closed);
    // The archive's turn.
    await t.app.refreshMetrics!({ archive: true });
    expect(await gauge('CLOSED')).toBe(closed + 1);
    expect(await gauge('REGISTERED')).toBe(registered - 1);
  });

  it('is not rate limited (200)', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    }
  });

  it('does not count its own scrapes as requests (200)', async () => {
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).not.toMatch(/route="\/metrics"/);
  });

  it('counts the open cases from the open-cases index alone (status included: no heap, no other case)', async () => {
    if (!onRealServer()) return; // PGlite: the same migration, but EXPLAIN's form is not asserted there
    const client = await t.app.pool.connect();
    try {
      await client.query('BEGIN');
      // A test database is small enough for a sequential scan; forbid it to see what the indexes allow.
      await client.query('SET LOCAL enable_seqscan = off');
      await client.query('SET LOCAL enable_bitmapscan = off');
      // The repository's own statement, explained.
      const explain: Query = async <T>(text: string, params?: unknown[]) => (await client.query(`EXPLAIN ${text}`, params)).rows as T[];
      const rows = (await casesPerStatusAndTeam(explain, 'open')) as unknown as Array<{ 'QUERY PLAN': string }>;
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Only Scan using case_open_team_created_idx/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
