import { createTestApp, type TestApp } from '../helpers/app';

describe('a case from REGISTERED to CLOSED and back', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('walks the lifecycle through the API (201, 200)', async () => {
    const ola = await t.auth({ sub: 'ola', name: 'Ola' });
    const kari = await t.auth({ sub: 'kari', roles: ['operator'], teams: ['payroll'] });
    const admin = await t.auth({ sub: 'root', roles: ['admin'] });
    const c = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: ola,
        payload: { categoryKey: 'salary', subject: 's', description: 'd', details: { period: '2025-02' } },
      })
    ).json();
    expect(c.teamKey).toBe('payroll');
    let r = await t.app.inject({
      method: 'PATCH',
      url: `/v1/cases/${c.id}`,
      headers: { ...kari, 'if-match': '"1"' },
      payload: { assigneeId: 'kari' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().status).toBe('ASSIGNED');
    r = await t.app.inject({ method: 'POST', url: `/v1/cases/${c.id}/transitions`, headers: kari, payload: { to: 'IN_PROGRESS' } });
    expect(r.json().status).toBe('IN_PROGRESS');
    r = await t.app.inject({
      method: 'POST',
      url: `/v1/cases/${c.id}/messages`,
      headers: kari,
      payload: { body: 'Here is the answer', visibility: 'public', setStatus: 'WAITING_FOR_USER' },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().case.status).toBe('WAITING_FOR_USER');
    expect(r.json().case.autoTransition.to).toBe('COMPLETED');
    r = await t.app.inject({ method: 'POST', url: '/v1/admin/timers/run', headers: admin, payload: { asOf: '2025-03-14T09:00:00Z' } });
    expect(r.json().fired).toBe(1);
    r = await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: ola });
    expect(r.json().status).toBe('COMPLETED');
    r = await t.app.inject({ method: 'POST', url: '/v1/admin/timers/run', headers: admin, payload: { asOf: '2025-03-25T09:00:00Z' } });
    expect(r.json().fired).toBe(1);
    r = await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}`, headers: ola });
    expect(r.json().status).toBe('CLOSED');
    expect(r.json().allowedTransitions).toEqual(['REOPENED_BY_USER']);
    r = await t.app.inject({ method: 'POST', url: `/v1/cases/${c.id}/messages`, headers: ola, payload: { body: 'hello?' } });
    expect(r.statusCode).toBe(409);
    expect(r.headers['content-type']).toContain('application/problem+json');
    r = await t.app.inject({ method: 'POST', url: `/v1/cases/${c.id}/transitions`, headers: ola, payload: { to: 'REOPENED_BY_USER' } });
    expect(r.json().status).toBe('REOPENED_BY_USER');
    r = await t.app.inject({ method: 'GET', url: `/v1/cases/${c.id}/history`, headers: ola });
    expect(r.json().map((h: { field: string; to: string }) => `${h.field}:${h.to}`)).toEqual([
      'created:REGISTERED',
      'assignee:kari',
      'status:ASSIGNED',
      'status:IN_PROGRESS',
      'message:' + r.json()[4].to,
      'status:WAITING_FOR_USER',
      'status:COMPLETED',
      'resolution:answered',
      'status:CLOSED',
      'status:REOPENED_BY_USER',
    ]);
  });
});
