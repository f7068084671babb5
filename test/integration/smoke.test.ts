import { createTestApp, type TestApp } from '../helpers/app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('files a case and reads it back (201, 200)', async () => {
    const h = await t.auth({ sub: 'ola', name: 'Ola Nordmann' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: h,
      payload: { categoryKey: 'salary', subject: 'Missing overtime', description: 'Overtime for May is missing' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.status).toBe('REGISTERED');
    const get = await t.app.inject({ method: 'GET', url: `/v1/cases/${body.id}`, headers: h });
    expect(get.statusCode).toBe(200);
    expect(get.json().number).toMatch(/^\d{4}-\d{6}$/);
  });
});
