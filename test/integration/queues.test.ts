import { createTestApp, type TestApp } from '../helpers/app';

/**
 * Queues on the case list (#16 point 2, docs/queues.md): assignee=me, unassigned, breached,
 * dueBefore, priority, tag; due-time sorts with a keyset cursor; a team's queue counts.
 */

type Headers = Record<string, string>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a case body as the tests read it
type CaseBody = Record<string, any>;
let t: TestApp;
let kari: Headers;
let otto: Headers;
let oda: Headers;
let olga: Headers;
let admin: Headers;

async function file(who: Headers, categoryKey = 'salary', extra: Record<string, unknown> = {}): Promise<CaseBody> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: who,
    payload: { categoryKey, subject: 'Queue', description: 'd', ...extra },
  });
  expect(r.statusCode).toBe(201);
  return r.json();
}
async function patch(who: Headers, id: string, payload: Record<string, unknown>): Promise<CaseBody> {
  const r = await t.app.inject({ method: 'PATCH', url: `/v1/cases/${id}`, headers: who, payload });
  expect(r.statusCode).toBe(200);
  return r.json();
}
async function list(who: Headers, query: string) {
  return t.app.inject({ method: 'GET', url: `/v1/cases?${query}`, headers: who });
}
async function ids(who: Headers, query: string): Promise<string[]> {
  const r = await list(who, query);
  expect(r.statusCode).toBe(200);
  return r.json().items.map((c: { id: string }) => c.id);
}
async function sweep(asOf?: string): Promise<void> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/admin/sla/run', headers: admin, payload: asOf ? { asOf } : {} });
  expect(r.statusCode).toBe(200);
}

beforeAll(async () => {
  t = await createTestApp();
  kari = await t.auth({ sub: 'kari', name: 'Kari Nordmann' });
  otto = await t.auth({ sub: 'otto', roles: ['operator'], teams: ['payroll'] });
  oda = await t.auth({ sub: 'oda', roles: ['operator'], teams: ['payroll'] });
  olga = await t.auth({ sub: 'olga', roles: ['operator'], teams: ['absence'] });
  admin = await t.auth({ sub: 'ada', roles: ['admin'] });
});
afterAll(async () => t.close());

describe('queue filters', () => {
  it('assignee=me, an explicit staff id and unassigned=true/false', async () => {
    const mine = await file(kari, 'salary', {});
    const odas = await file(kari);
    const nobodys = await file(kari);
    await patch(otto, mine.id, { assigneeId: 'otto', tags: ['assign-set'] });
    await patch(otto, odas.id, { assigneeId: 'oda', tags: ['assign-set'] });
    await patch(otto, nobodys.id, { tags: ['assign-set'] });
    expect(await ids(otto, 'assignee=me&tag=assign-set')).toEqual([mine.id]);
    expect(await ids(oda, 'assignee=me&tag=assign-set')).toEqual([odas.id]);
    expect(await ids(otto, 'assignee=oda&tag=assign-set')).toEqual([odas.id]);
    expect(await ids(otto, 'unassigned=true&tag=assign-set')).toEqual([nobodys.id]);
    expect((await ids(otto, 'unassigned=false&tag=assign-set')).sort()).toEqual([mine.id, odas.id].sort());
  });

  it('priority (repeatable) and tag (all given tags, normalised)', async () => {
    const a = await file(kari);
    const b = await file(kari);
    const c = await file(kari);
    await patch(otto, a.id, { priority: 'urgent', tags: ['prio-set', 'feriepenger'] });
    await patch(otto, b.id, { priority: 'high', tags: ['prio-set'] });
    await patch(otto, c.id, { priority: 'low', tags: ['prio-set', 'feriepenger', 'streik'] });
    expect((await ids(otto, 'tag=prio-set&priority=urgent&priority=high')).sort()).toEqual([a.id, b.id].sort());
    expect(await ids(otto, 'tag=prio-set&priority=low')).toEqual([c.id]);
    expect((await ids(otto, 'tag=prio-set&tag=%20FERIEPENGER')).sort()).toEqual([a.id, c.id].sort());
    expect(await ids(otto, 'tag=prio-set&tag=feriepenger&tag=streik')).toEqual([c.id]);
    expect(await ids(otto, 'tag=prio-set&tag=nothing-has-this')).toEqual([]);
  });

  it('requesters may not filter by priority or tag (400): tags are staff-only', async () => {
    for (const q of ['tag=feriepenger', 'priority=urgent']) {
      const r = await list(kari, q);
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('validation-failed');
    }
    // assignee=me and the other queue filters work for them (their own cases only).
    expect((await list(kari, 'unassigned=true')).statusCode).toBe(200);
  });

  it('refuses hostile filter values (400 problem)', async () => {
    const bad = [
      'priority=critical',
      'priority=',
      'tag=a,b',
      'tag=%00x',
      `tag=${'x'.repeat(81)}`,
      'tag=',
      'unassigned=maybe',
      'breached=2',
      'dueBefore=tomorrow',
      'dueBefore=0001-01-01T00:00:00Z',
      'sort=resolutionDueAt%3BDROP',
      'sort=resolutionDueAt&cursor=not-a-cursor',
      'assignee=',
      `assignee=${'a'.repeat(201)}`,
    ];
    for (const q of bad) {
      const r = await list(otto, q);
      expect([q, r.statusCode]).toEqual([q, 400]);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('breached=true and dueBefore read the SLA as the sweep computed it', async () => {
    t.clock.set('2025-03-03T09:00:00+01:00');
    const late = await file(kari);
    t.clock.set('2025-03-17T09:00:00+01:00');
    const fresh = await file(kari);
    await patch(otto, late.id, { tags: ['due-set'] });
    await patch(otto, fresh.id, { tags: ['due-set'] });
    await sweep();
    expect(await ids(otto, 'tag=due-set&breached=true')).toEqual([late.id]);
    expect(await ids(otto, 'tag=due-set&breached=false')).toEqual([fresh.id]);
    // late's first response fell due on 2025-03-04; fresh's is due 2025-03-18 or later.
    expect(await ids(otto, 'tag=due-set&dueBefore=2025-03-10T00:00:00Z')).toEqual([late.id]);
    expect((await ids(otto, 'tag=due-set&dueBefore=2026-01-01T00:00:00Z')).sort()).toEqual([late.id, fresh.id].sort());
  });
});

describe('due-time sorts', () => {
  it('sort=resolutionDueAt pages soonest first with a cursor, cases without a computed due time last', async () => {
    t.clock.set('2025-04-01T09:00:00+02:00');
    const filed: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.set(new Date(Date.parse('2025-04-01T09:00:00+02:00') + (5 - i) * 3_600_000).toISOString());
      const c = await file(kari);
      await patch(otto, c.id, { tags: ['sort-set'] });
      filed.push(c.id);
    }
    await sweep();
    // Two cases the sweep has not seen yet: no stored due time, so they come last (by id).
    const unswept = [(await file(kari)).id, (await file(kari)).id];
    for (const id of unswept) await patch(otto, id, { tags: ['sort-set'] });
    const seen: string[] = [];
    const dues: Array<string | null> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await list(otto, `tag=sort-set&sort=resolutionDueAt&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.statusCode).toBe(200);
      const body = r.json();
      for (const c of body.items) {
        seen.push(c.id);
        const stored = (await t.app.pool.query('SELECT resolution_due_at FROM case_sla WHERE case_id = $1', [c.id])).rows[0];
        dues.push(stored.resolution_due_at ? stored.resolution_due_at.toISOString() : null);
      }
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(7);
    expect(seen.slice(5).sort()).toEqual(unswept.slice().sort());
    expect(seen.slice(5)).toEqual(unswept.slice().sort());
    const known = dues.slice(0, 5) as string[];
    expect(known).toEqual(known.slice().sort());
    // Filed later → due later: the reverse of the filing order.
    expect(seen.slice(0, 5)).toEqual(filed.slice().reverse());
    expect(dues.slice(5)).toEqual([null, null]);
    // A cursor of one sort is refused by another.
    const first = (await list(otto, 'tag=sort-set&sort=resolutionDueAt&limit=2')).json();
    expect((await list(otto, `tag=sort-set&sort=firstResponseDueAt&limit=2&cursor=${first.nextCursor}`)).statusCode).toBe(400);
    // firstResponseDueAt orders the same way here.
    expect(await ids(otto, 'tag=sort-set&sort=firstResponseDueAt&limit=5')).toEqual(filed.slice().reverse());
  });
});

describe('queue counts', () => {
  it('counts per status, unassigned and breached for the team, sensitive cases included', async () => {
    t.clock.set('2025-05-05T09:00:00+02:00');
    const sick = await file(kari, 'sickness', { details: { from: '2025-05-01' } });
    await file(kari, 'leave', { details: { paid: false } });
    const r = await t.app.inject({ method: 'GET', url: '/v1/teams/absence/queue-counts', headers: olga });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.teamKey).toBe('absence');
    expect(body.byStatus).toHaveLength(9);
    expect(body.byStatus.find((s: { status: string }) => s.status === 'REGISTERED').count).toBe(2);
    expect(body).toMatchObject({ open: 2, unassigned: 2, breached: 0 });
    await patch(olga, sick.id, { assigneeId: 'olga' });
    const after = (await t.app.inject({ method: 'GET', url: '/v1/teams/absence/queue-counts', headers: admin })).json();
    expect(after).toMatchObject({ open: 2, unassigned: 1 });
    expect(after.byStatus.find((s: { status: string }) => s.status === 'ASSIGNED').count).toBe(1);
  });

  it('refuses an operator of another team and requesters (403), unknown team 404, bad key 400', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/teams/absence/queue-counts', headers: otto })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/teams/absence/queue-counts', headers: kari })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/teams/no-such-team/queue-counts', headers: admin })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: "/v1/teams/'%3B--/queue-counts", headers: admin })).statusCode).toBe(400);
  });
});
