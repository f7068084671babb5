import { createTestApp, type TestApp } from './app';

type Headers = { authorization: string };

/**
 * The people and calls of the timer and suspension-window suites: Ola files salary cases, Kari
 * (payroll operator) moves them, an admin runs the timer sweep at a chosen instant.
 */
export class TimedCases {
  private constructor(
    readonly t: TestApp,
    readonly ola: Headers,
    readonly kari: Headers,
    readonly admin: Headers,
  ) {}

  static async open(): Promise<TimedCases> {
    const t = await createTestApp();
    return new TimedCases(
      t,
      await t.auth({ sub: 'ola', name: 'Ola' }),
      await t.auth({ sub: 'kari', roles: ['operator'], teams: ['payroll'] }),
      await t.auth({ sub: 'root', roles: ['admin'] }),
    );
  }

  close(): Promise<void> {
    return this.t.close();
  }

  /** Drops every timer, so a test counts only the timers of its own cases. */
  async clearTimers(): Promise<void> {
    await this.t.app.db.caseTimer.deleteMany();
  }

  /** Ola files a salary case; answers its id. */
  async newCase(subject: string, description: string): Promise<string> {
    const r = await this.t.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: this.ola,
      payload: { categoryKey: 'salary', subject, description },
    });
    expect(r.statusCode).toBe(201);
    return r.json().id;
  }

  /** Kari moves the case (200 expected); answers the case. */
  async toStatus(id: string, to: string, extra: Record<string, unknown> = {}) {
    const r = await this.t.app.inject({ method: 'POST', url: `/v1/cases/${id}/transitions`, headers: this.kari, payload: { to, ...extra } });
    expect(r.statusCode).toBe(200);
    return r.json();
  }

  async getCase(id: string) {
    const r = await this.t.app.inject({ method: 'GET', url: `/v1/cases/${id}`, headers: this.kari });
    expect(r.statusCode).toBe(200);
    return r.json();
  }

  /** The admin runs the timer sweep (as of `asOf`, or now); answers how many timers fired. */
  async runTimers(asOf?: string): Promise<number> {
    const r = await this.t.app.inject({
      method: 'POST',
      url: '/v1/admin/timers/run',
      headers: this.admin,
      ...(asOf ? { payload: { asOf } } : {}),
    });
    expect(r.statusCode).toBe(200);
    return r.json().fired;
  }
}
