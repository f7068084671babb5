import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import type { Status } from '../../src/domain/statuses';
import type { TestApp, Who } from './app';

export type Headers = Record<string, string>;

/** Thin JSON helpers over app.inject(). */
export function api(t: TestApp) {
  const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, headers: Headers, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return {
    get: (url: string, h: Headers) => send('GET', url, h),
    post: (url: string, h: Headers, body?: unknown) => send('POST', url, h, body ?? {}),
    patch: (url: string, h: Headers, body: unknown) => send('PATCH', url, h, body),
    put: (url: string, h: Headers, body: unknown) => send('PUT', url, h, body),
  };
}

/** Fails with the response body when the status is not the expected one (clearer than toBe). */
export function expectStatus(res: LightMyRequestResponse, code: number): void {
  if (res.statusCode !== code) {
    throw new Error(`expected HTTP ${code}, got ${res.statusCode}: ${res.body}`);
  }
}

/** The people the lifecycle tests act as. */
export const PEOPLE = {
  requester: { sub: 'ola', name: 'Ola Nordmann', employeeNumber: '1001' },
  leader: { sub: 'lena', roles: ['leader'], name: 'Lena Leder' },
  operator: { sub: 'kari', roles: ['operator'], teams: ['service'], name: 'Kari Saksbehandler' },
  operator2: { sub: 'per', roles: ['operator'], teams: ['service'], name: 'Per Saksbehandler' },
  admin: { sub: 'root', roles: ['admin'], name: 'Admin' },
  otherRequester: { sub: 'nils', name: 'Nils Annen' },
  integration: { sub: 'hr-system', roles: ['integration'], scope: ['cases:read'] },
} satisfies Record<string, Who>;

export type Person = keyof typeof PEOPLE;

/** Signed headers for every person, made once. */
export async function headersFor(t: TestApp): Promise<Record<Person, Headers>> {
  const out = {} as Record<Person, Headers>;
  for (const [k, who] of Object.entries(PEOPLE)) out[k as Person] = await t.auth(who);
  return out;
}

export interface CaseRef {
  id: string;
  filer: 'requester' | 'leader';
}

/**
 * Files a `general` case (team `service`) as the requester or the leader and drives it into
 * `status` through the API, the way people would: an operator assigns, starts, replies,
 * puts on hold, completes; the filer writes, closes and reopens.
 */
export async function caseIn(
  t: TestApp,
  h: Record<Person, Headers>,
  status: Status,
  filer: 'requester' | 'leader' = 'requester',
  extra: Record<string, unknown> = {},
): Promise<CaseRef> {
  const a = api(t);
  const body =
    filer === 'leader'
      ? { categoryKey: 'general', subject: `leader case in ${status}`, description: 'd', concernsEmployee: { name: 'Ansatt' }, ...extra }
      : { categoryKey: 'general', subject: `case in ${status}`, description: 'd', ...extra };
  const created = await a.post('/v1/cases', h[filer], body);
  expectStatus(created, 201);
  const id = created.json<{ id: string }>().id;
  const url = `/v1/cases/${id}`;
  const move = async (who: Headers, to: Status, more: Record<string, unknown> = {}) =>
    expectStatus(await a.post(`${url}/transitions`, who, { to, ...more }), 200);

  switch (status) {
    case 'REGISTERED':
      break;
    case 'ASSIGNED':
      expectStatus(await a.patch(url, h.operator, { assigneeId: 'kari' }), 200);
      break;
    case 'IN_PROGRESS':
      await move(h.operator, 'IN_PROGRESS');
      break;
    case 'WAITING_FOR_USER':
      await move(h.operator, 'IN_PROGRESS');
      expectStatus(
        await a.post(`${url}/messages`, h.operator, { body: 'Here is the answer', visibility: 'public', setStatus: 'WAITING_FOR_USER' }),
        201,
      );
      break;
    case 'ON_HOLD':
      await move(h.operator, 'IN_PROGRESS');
      await move(h.operator, 'ON_HOLD');
      break;
    case 'UPDATED_BY_USER':
      await move(h.operator, 'IN_PROGRESS');
      expectStatus(await a.post(`${url}/messages`, h[filer], { body: 'More information' }), 201);
      break;
    case 'COMPLETED':
      await move(h.operator, 'IN_PROGRESS');
      await move(h.operator, 'COMPLETED');
      break;
    case 'CLOSED':
      await move(h[filer], 'CLOSED');
      break;
    case 'REOPENED_BY_USER':
      await move(h[filer], 'CLOSED');
      await move(h[filer], 'REOPENED_BY_USER');
      break;
  }
  const now = await a.get(url, h.admin);
  expect(now.json<{ status: Status }>().status).toBe(status);
  return { id, filer };
}

export interface Snapshot {
  status: string;
  version: number;
  history: number;
  events: number;
  messages: number;
  timerDue: string | null;
}

/** A direct look at what a change would have touched, for "nothing changed" assertions. */
export class DbProbe {
  private readonly client: pg.Client;

  constructor(url: string) {
    this.client = new pg.Client({ connectionString: url });
  }

  async open(): Promise<this> {
    await this.client.connect();
    return this;
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  async snapshot(caseId: string): Promise<Snapshot> {
    const { rows } = await this.client.query<{
      status: string;
      version: number;
      history: string;
      events: string;
      messages: string;
      timer_due: Date | null;
    }>(
      `SELECT c.status::text AS status, c.version,
              (SELECT count(*) FROM case_history h WHERE h.case_id = c.id) AS history,
              (SELECT count(*) FROM outbox_event e WHERE e.case_id = c.id) AS events,
              (SELECT count(*) FROM case_message m WHERE m.case_id = c.id) AS messages,
              (SELECT t.due_at FROM case_timer t WHERE t.case_id = c.id) AS timer_due
         FROM "case" c WHERE c.id = $1`,
      [caseId],
    );
    const r = rows[0];
    if (!r) throw new Error(`no case ${caseId}`);
    return {
      status: r.status,
      version: r.version,
      history: Number(r.history),
      events: Number(r.events),
      messages: Number(r.messages),
      timerDue: r.timer_due ? r.timer_due.toISOString() : null,
    };
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.client.query<R>(sql, params)).rows;
  }
}
