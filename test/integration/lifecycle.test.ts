import type { Status } from '../../src/domain/statuses';
import { createTestApp, type TestApp } from '../helpers/app';
import { api, caseIn, DbProbe, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { ALL_STATUSES, EXPECTED_GRAPH, sorted } from '../helpers/expected-graph';

/*
 * The whole graph through the HTTP API: every (from, to) × every role, compared with the table
 * of DOMAIN.md (test/helpers/expected-graph.ts, written by hand). A refusal must answer 409
 * invalid-transition and change nothing at all.
 */

type RoleKey = 'operator' | 'admin' | 'requester' | 'leader' | 'otherRequester' | 'integration';

interface RoleSpec {
  person: Person;
  /** Whose case the role acts on: the requester's own or the one the leader filed. */
  filer: 'requester' | 'leader';
  /** How the graph sees the role, or the HTTP status every write answers. */
  expect: 'operator' | 'requester' | 404 | 403;
}

const ROLES: Record<RoleKey, RoleSpec> = {
  operator: { person: 'operator', filer: 'requester', expect: 'operator' },
  admin: { person: 'admin', filer: 'requester', expect: 'operator' },
  requester: { person: 'requester', filer: 'requester', expect: 'requester' },
  leader: { person: 'leader', filer: 'leader', expect: 'requester' },
  otherRequester: { person: 'otherRequester', filer: 'requester', expect: 404 },
  integration: { person: 'integration', filer: 'requester', expect: 403 },
};
const ROLE_KEYS = Object.keys(ROLES) as RoleKey[];

/** The request a role sends: staff satisfy the guards, so only the graph can refuse. */
function bodyFor(role: RoleSpec, to: Status): Record<string, unknown> {
  if (role.expect !== 'operator') return { to };
  return {
    to,
    ...(to === 'ASSIGNED' ? { assigneeId: 'kari' } : {}),
    ...(to === 'WAITING_FOR_USER' ? { reply: 'Our answer to you' } : {}),
  };
}

function allowedFor(role: RoleSpec, from: Status): readonly Status[] {
  return role.expect === 'operator' || role.expect === 'requester' ? EXPECTED_GRAPH[role.expect][from] : [];
}

describe('the transition graph through the API', () => {
  let t: TestApp;
  let h: Record<Person, Headers>;
  let db: DbProbe;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_MAX: '0' } });
    h = await headersFor(t);
    db = await new DbProbe(t.url).open();
    a = api(t);
  });
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  describe.each(ALL_STATUSES.map((s) => [s]))('from %s', (from) => {
    // Refusals change nothing, so one case per filer takes all of them; each allowed move gets
    // a fresh case, prepared concurrently to keep the suite fast.
    const shared: Partial<Record<'requester' | 'leader', string>> = {};
    const fresh = new Map<string, string>();
    beforeAll(async () => {
      const wanted = ROLE_KEYS.flatMap((key) => allowedFor(ROLES[key], from).map((to) => ({ key, to })));
      const [req, lead, ...ids] = await Promise.all([
        caseIn(t, h, from, 'requester'),
        caseIn(t, h, from, 'leader'),
        ...wanted.map(({ key }) => caseIn(t, h, from, ROLES[key].filer)),
      ]);
      shared.requester = req.id;
      shared.leader = lead.id;
      wanted.forEach(({ key, to }, i) => fresh.set(`${key} ${to}`, ids[i]!.id));
    });

    it.each(ROLE_KEYS)('GET shows %s the transitions DOMAIN.md allows (200)', async (key) => {
      const role = ROLES[key];
      const res = await a.get(`/v1/cases/${shared[role.filer]}`, h[role.person]);
      if (role.expect === 404) return expectStatus(res, 404);
      expectStatus(res, 200);
      expect(sorted(res.json().allowedTransitions)).toEqual(sorted(allowedFor(role, from)));
    });

    const rows = ROLE_KEYS.flatMap((key) => ALL_STATUSES.map((to) => ({ key, to })));
    const label = ({ key, to }: { key: RoleKey; to: Status }) => {
      const role = ROLES[key];
      if (typeof role.expect === 'number') return `${key} ${from} → ${to} is refused (${role.expect})`;
      return allowedFor(role, from).includes(to) ? `${key} ${from} → ${to} is allowed (200)` : `${key} ${from} → ${to} is refused (409)`;
    };

    it.each(rows.map((r) => ({ ...r, name: label(r) })))('$name', async ({ key, to }) => {
      const role = ROLES[key];
      const allowed = allowedFor(role, from).includes(to);
      const id = allowed ? fresh.get(`${key} ${to}`)! : shared[role.filer]!;
      const before = await db.snapshot(id);
      const res = await a.post(`/v1/cases/${id}/transitions`, h[role.person], bodyFor(role, to));
      const after = await db.snapshot(id);

      if (allowed) {
        expectStatus(res, 200);
        const c = res.json();
        expect(c.status).toBe(to);
        expect(c.version).toBe(before.version + 1);
        expect(res.headers.etag).toBe(`"${before.version + 1}"`);
        expect(after).toMatchObject({ status: to, version: before.version + 1 });
        expect(after.history).toBeGreaterThan(before.history);
        expect(after.events).toBeGreaterThan(before.events);
        const history = (await a.get(`/v1/cases/${id}/history`, h.admin)).json<Array<{ field: string; from: string; to: string }>>();
        expect(history.filter((r) => r.field === 'status').at(-1)).toMatchObject({ from, to });
        expect(sorted(c.allowedTransitions)).toEqual(sorted(allowedFor(role, to)));
        return;
      }
      if (role.expect === 404 || role.expect === 403) {
        expectStatus(res, role.expect);
        expect(res.json().code).toBe(role.expect === 404 ? 'not-found' : 'forbidden');
      } else {
        expectStatus(res, 409);
        expect(res.headers['content-type']).toContain('application/problem+json');
        const p = res.json();
        expect(p.type).toMatch(/\/invalid-transition$/);
        expect(p.currentStatus).toBe(from);
        expect(sorted(p.allowed)).toEqual(sorted(allowedFor(role, from)));
      }
      expect(after).toEqual(before);
    });
  });

  // Last: a timer sweep fires every due timer in the database, including the cases above.
  describe('system (timers)', () => {
    it.each(ALL_STATUSES.map((s) => [s]))('moves a %s case only as DOMAIN.md says (200)', async (from) => {
      const { id } = await caseIn(t, h, from);
      const before = await db.snapshot(id);
      const asOf = new Date(t.clock.now().getTime() + 30 * 86_400_000).toISOString();
      const run = await a.post('/v1/admin/timers/run', h.admin, { asOf });
      expectStatus(run, 200);
      const after = await db.snapshot(id);
      const expected = EXPECTED_GRAPH.system[from];
      if (expected.length === 0) {
        expect(after).toEqual(before);
        return;
      }
      expect(after.status).toBe(expected[0]);
      expect(after.version).toBe(before.version + 1);
      const history = (await a.get(`/v1/cases/${id}/history`, h.admin)).json<
        Array<{
          field: string;
          from: string;
          to: string;
          actor: { role: string };
          at: string;
        }>
      >();
      // The move's rows come last: the status row, then (into COMPLETED) how the case ended.
      const rows = history.slice(expected[0] === 'COMPLETED' ? -2 : -1);
      expect(rows[0]).toMatchObject({ field: 'status', from, to: expected[0], actor: { role: 'system' }, at: asOf });
      if (expected[0] === 'COMPLETED') expect(rows[1]).toMatchObject({ field: 'resolution', to: 'answered', actor: { role: 'system' }, at: asOf });
    });
  });
});
