import { createTestApp, type TestApp } from '../helpers/app';
import { pgQuery } from '../../src/db/query';
import { evaluateSla } from '../../src/domain/sla';
import type { Status } from '../../src/domain/statuses';
import { targetsFor, type Priority, type PriorityTargets } from '../../src/domain/triage';
import { loadServiceCalendar } from '../../src/services/service-calendar-service';
import { toCaseSlaDto } from '../../src/services/sla-service';
import { api, expectStatus, headersFor, type Headers, type Person } from '../helpers/cases';
import { migrationStatement } from '../helpers/migrations';

/**
 * A case's `status_changes` column (what its service level is computed from: a case view, a list
 * page, a change's read) repeats the status rows of its history, kept by the one writer of plans
 * in the statement that inserts them (docs/decisions/list-sla-facts.md). Every kind of writer moves
 * cases here, and the whole table is then compared with the history.
 */

/** Cases whose status_changes differ from their history's status rows (instants compared as instants). */
const MISMATCHES = `
  SELECT c.id FROM "case" c
   WHERE coalesce((SELECT jsonb_agg(jsonb_build_object('at', (x.e->>'at')::timestamptz, 'to', x.e->>'to') ORDER BY x.n)
                     FROM jsonb_array_elements(c.status_changes) WITH ORDINALITY AS x(e, n)), '[]'::jsonb)
      <> coalesce((SELECT jsonb_agg(jsonb_build_object('at', h.at, 'to', h.to_value) ORDER BY h.id)
                     FROM case_history h WHERE h.case_id = c.id AND h.field = 'status'), '[]'::jsonb)`;

interface CaseBody {
  id: string;
  status: string;
  version: number;
  sla: Record<string, unknown>;
}

let t: TestApp;
let h: Record<Person, Headers>;
const ids: Record<'timed' | 'source' | 'target' | 'bulk' | 'answered' | 'untouched', string> = {} as never;

async function file(subject: string): Promise<string> {
  const r = await api(t).post('/v1/cases', h.requester, { categoryKey: 'general', subject, description: 'd' });
  expectStatus(r, 201);
  return r.json<{ id: string }>().id;
}

async function move(id: string, to: string, extra: Record<string, unknown> = {}): Promise<CaseBody> {
  const r = await api(t).post(`/v1/cases/${id}/transitions`, h.operator, { to, ...extra });
  expectStatus(r, 200);
  return r.json<CaseBody>();
}

async function mismatches(): Promise<string[]> {
  return (await t.app.pool.query<{ id: string }>(MISMATCHES)).rows.map((r) => r.id);
}

/**
 * A case's service level computed from its history's status rows, by SQL of this test and the
 * domain's evaluation: the path the service no longer reads, to compare what it shows with.
 */
async function slaFromHistory(id: string, now: Date) {
  const [r] = (
    await t.app.pool.query<{
      created_at: Date;
      first_response_at: Date | null;
      priority: Priority;
      first_response_hours: number;
      resolution_hours: number;
      priority_targets: PriorityTargets | null;
      changes: Array<{ at: string; to: Status }>;
    }>(
      `SELECT c.created_at, c.first_response_at, c.priority::text AS priority, cat.first_response_hours, cat.resolution_hours, cat.priority_targets,
              coalesce((SELECT json_agg(json_build_object('at', h.at, 'to', h.to_value) ORDER BY h.id)
                          FROM case_history h WHERE h.case_id = c.id AND h.field = 'status'), '[]'::json) AS changes
         FROM "case" c JOIN category cat ON cat.key = c.category_key WHERE c.id = $1`,
      [id],
    )
  ).rows;
  const cal = await loadServiceCalendar(pgQuery(t.app.pool), t.app.config.TIMEZONE);
  const s = evaluateSla(
    {
      filedAt: r!.created_at,
      firstReplyAt: r!.first_response_at,
      statusChanges: r!.changes.map((c) => ({ at: new Date(c.at), to: c.to })),
      targets: targetsFor(
        { firstResponseHours: Number(r!.first_response_hours), resolutionHours: Number(r!.resolution_hours) },
        r!.priority_targets,
        r!.priority,
      ),
    },
    cal,
    now,
  );
  return toCaseSlaDto(s);
}

async function changesOf(id: string): Promise<Array<{ at: string; to: string }>> {
  return (await t.app.pool.query<{ s: Array<{ at: string; to: string }> }>('SELECT status_changes AS s FROM "case" WHERE id = $1', [id])).rows[0]!.s;
}

beforeAll(async () => {
  t = await createTestApp();
  h = await headersFor(t);
  for (const k of Object.keys({ timed: 0, source: 0, target: 0, bulk: 0, answered: 0, untouched: 0 }) as Array<keyof typeof ids>) {
    ids[k] = await file(`status changes: ${k}`);
  }
  // Requests (an operator's moves, a reply), then the timer sweep as the system.
  await move(ids.timed, 'IN_PROGRESS', { assigneeId: 'kari' });
  await move(ids.timed, 'WAITING_FOR_USER', { reply: 'Send the form, please.' });
  t.clock.set(new Date(t.clock.now().getTime() + 30 * 86_400_000).toISOString());
  const fired = await api(t).post('/v1/admin/timers/run', h.admin, {});
  expectStatus(fired, 200);
  expect(fired.json<{ fired: number }>().fired).toBeGreaterThanOrEqual(1);
  // A requester's message moves a waiting case.
  await move(ids.answered, 'IN_PROGRESS', { assigneeId: 'kari' });
  await move(ids.answered, 'WAITING_FOR_USER', { reply: 'Which month?' });
  expectStatus(await api(t).post(`/v1/cases/${ids.answered}/messages`, h.requester, { body: 'March.' }), 201);
  // A merge closes its source.
  expectStatus(await api(t).post(`/v1/cases/${ids.source}/merge`, h.operator, { into: ids.target }), 200);
  // Bulk operations, several cases in one statement.
  const bulk = await api(t).post('/v1/cases/bulk', h.operator, {
    operations: [
      { op: 'assign', caseId: ids.bulk, assigneeId: 'kari' },
      { op: 'transition', caseId: ids.bulk, to: 'IN_PROGRESS' },
      { op: 'assign', caseId: ids.target, assigneeId: 'kari' },
    ],
  });
  expectStatus(bulk, 200);
  expect(bulk.json()).toMatchObject({ succeeded: 3, failed: 0 });
});
afterAll(async () => t.close());

describe('status_changes: the status rows of the history, on the case row', () => {
  it('every writer kept it: requests, the timer sweep, a requester message, a merge and bulk operations', async () => {
    expect(await mismatches()).toEqual([]);
    expect((await changesOf(ids.timed)).map((c) => c.to)).toEqual(['IN_PROGRESS', 'WAITING_FOR_USER', 'COMPLETED']);
    expect((await changesOf(ids.answered)).map((c) => c.to)).toEqual(['IN_PROGRESS', 'WAITING_FOR_USER', 'UPDATED_BY_USER']);
    expect((await changesOf(ids.source)).map((c) => c.to)).toEqual(['CLOSED']);
    expect((await changesOf(ids.target)).map((c) => c.to)).toEqual(['ASSIGNED']);
    expect((await changesOf(ids.bulk)).map((c) => c.to)).toEqual(['ASSIGNED', 'IN_PROGRESS']);
    expect(await changesOf(ids.untouched)).toEqual([]);
  });

  it('a change that moves no status, and a write that lost its race (412), append nothing', async () => {
    const before = await changesOf(ids.bulk);
    const edited = await api(t).patch(`/v1/cases/${ids.bulk}`, h.operator, { subject: 'renamed' });
    expectStatus(edited, 200);
    const stale = await t.app.inject({
      method: 'POST',
      url: `/v1/cases/${ids.bulk}/transitions`,
      headers: { ...h.operator, 'if-match': '"1"' },
      payload: { to: 'ON_HOLD' },
    });
    expectStatus(stale, 412);
    expect(await changesOf(ids.bulk)).toEqual(before);
    expect(await mismatches()).toEqual([]);
  });

  it('the service level the API shows is the one computed from the history', async () => {
    const now = t.clock.now();
    for (const id of Object.values(ids)) {
      const expected = await slaFromHistory(id, now);
      const viewed = await api(t).get(`/v1/cases/${id}`, h.operator);
      expectStatus(viewed, 200);
      expect(viewed.json<CaseBody>().sla).toEqual(expected);
      const listed = await api(t).get(`/v1/cases?limit=100`, h.operator);
      expect(listed.json<{ items: CaseBody[] }>().items.find((i) => i.id === id)?.sla).toEqual(expected);
      // The loader's batch path (a case read without its facts).
      expect(await t.app.services.slaViews.load({ id })).toEqual(expected);
    }
  });

  it("the SLA sweep's stored due times and resolutions are the ones computed from the history", async () => {
    const asOf = t.clock.now();
    await t.app.pool.query('INSERT INTO case_sla_stale (case_id) SELECT case_id FROM case_sla ON CONFLICT DO NOTHING');
    const run = await api(t).post('/v1/admin/sla/run', h.admin, { asOf: asOf.toISOString() });
    expectStatus(run, 200);
    expect(run.json<{ refreshed: number }>().refreshed).toBeGreaterThanOrEqual(Object.keys(ids).length);
    for (const id of Object.values(ids)) {
      const expected = await slaFromHistory(id, asOf);
      const [row] = (
        await t.app.pool.query<{ stale: boolean; first_response_due_at: Date; resolution_due_at: Date; resolved_at: Date | null }>(
          `SELECT EXISTS (SELECT 1 FROM case_sla_stale d WHERE d.case_id = s.case_id) AS stale, first_response_due_at, resolution_due_at, resolved_at
             FROM case_sla s WHERE case_id = $1`,
          [id],
        )
      ).rows;
      expect(row).toMatchObject({ stale: false });
      expect({
        firstResponseDueAt: row!.first_response_due_at.toISOString(),
        resolutionDueAt: row!.resolution_due_at.toISOString(),
        resolvedAt: row!.resolved_at?.toISOString() ?? null,
      }).toEqual({ firstResponseDueAt: expected.firstResponseDueAt, resolutionDueAt: expected.resolutionDueAt, resolvedAt: expected.resolvedAt });
    }
  });

  it("the migration's backfill builds the same lists from the history", async () => {
    const backfill = migrationStatement('20261203100000_case_status_changes', 'UPDATE "case"');
    const kept = (await t.app.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "case" WHERE status_changes <> '[]'`)).rows[0]!.n;
    expect(kept).toBeGreaterThanOrEqual(5);
    await t.app.pool.query(`UPDATE "case" SET status_changes = '[]'`);
    expect((await mismatches()).length).toBe(kept);
    await t.app.pool.query(backfill);
    expect(await mismatches()).toEqual([]);
  });
});
