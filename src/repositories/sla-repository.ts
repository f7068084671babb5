import type { IsoWeekday, OpeningHours } from '../domain/business-calendar';
import type { SlaKind, StatusChange, StatusStint } from '../domain/sla';
import type { Status } from '../domain/statuses';
import type { Priority, PriorityTargets } from '../domain/triage';

import type { Query } from '../db/query';

/** What the service level of one case is computed from, as stored. */
export interface CaseSlaFactsRow {
  id: string;
  filedAt: Date;
  categoryKey: string;
  teamKey: string;
  firstReplyAt: Date | null;
  firstResponseHours: number;
  resolutionHours: number;
  priority: Priority;
  priorityTargets: PriorityTargets;
  changes: StatusChange[];
  /** The case row's version (xmin) these facts were read from: any update of the row changes it. */
  rowVersion: string;
}

/** The stored business calendar: opening hours per weekday and extra closed dates. */
export interface StoredCalendar {
  hours: Partial<Record<IsoWeekday, OpeningHours>>;
  closedDates: string[];
}

export async function loadStoredCalendar(q: Query): Promise<StoredCalendar> {
  const [row] = await q<{ hours: Array<{ weekday: IsoWeekday; start: string; end: string }>; closed: string[] }>(`
    SELECT
      (SELECT coalesce(json_agg(json_build_object('weekday', weekday, 'start', opens, 'end', closes)), '[]'::json)
         FROM service_hours) AS hours,
      (SELECT coalesce(json_agg(to_char(date, 'YYYY-MM-DD') ORDER BY date), '[]'::json) FROM closed_day) AS closed`);
  const hours: StoredCalendar['hours'] = {};
  for (const h of row?.hours ?? []) hours[h.weekday] = { start: h.start, end: h.end };
  return { hours, closedDates: row?.closed ?? [] };
}

/**
 * Filing time, first reply, targets and status changes of the given cases, in one statement. The
 * status changes are the case row's copy (`status_changes`, appended by the writer of plans in
 * the statement that writes the history's status rows: docs/decisions/list-sla-facts.md).
 */
export async function loadSlaFacts(q: Query, caseIds: readonly string[]): Promise<Map<string, CaseSlaFactsRow>> {
  if (caseIds.length === 0) return new Map();
  const rows = await q<{
    id: string;
    created_at: Date;
    category_key: string;
    team_key: string;
    first_response_at: Date | null;
    first_response_hours: number;
    resolution_hours: number;
    priority: Priority;
    priority_targets: PriorityTargets | null;
    changes: Array<{ at: string; to: Status }>;
    row_version: string;
  }>(
    `SELECT c.id, c.xmin::text AS row_version, c.created_at, c.category_key, c.team_key, c.first_response_at, cat.first_response_hours, cat.resolution_hours,
            c.priority::text AS priority, cat.priority_targets,
            c.status_changes AS changes
       FROM "case" c JOIN category cat ON cat.key = c.category_key
      WHERE c.id = ANY($1::uuid[])`,
    [caseIds],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        filedAt: new Date(r.created_at),
        categoryKey: r.category_key,
        teamKey: r.team_key,
        firstReplyAt: r.first_response_at ? new Date(r.first_response_at) : null,
        firstResponseHours: Number(r.first_response_hours),
        resolutionHours: Number(r.resolution_hours),
        priority: r.priority,
        priorityTargets: r.priority_targets ?? {},
        changes: r.changes.map((c) => ({ at: new Date(c.at), to: c.to })),
        rowVersion: r.row_version,
      },
    ]),
  );
}

/** A stale SLA row read for refreshing: its mark count, and the breaches already recorded for it. */
export interface StaleSlaRow {
  caseId: string;
  /** case_sla.marks when read (bumped by category and calendar edits): the refresh writes the row only if it is still this. */
  marks: string;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
}

/**
 * Up to `limit` stale rows (those with a mark in case_sla_stale), read without locking, other than
 * those in `skip`: the refresh computes them outside any lock and then writes only those
 * lockUnchangedSla still finds as read. Sweepers on several instances may read the same rows; the
 * first to write one wins (and deletes its mark), the others find the mark gone or the count
 * changed. `skip` holds the rows this sweep could not write (changed meanwhile, or held by a
 * transaction in flight), so that it reads others rather than the same ones again.
 */
export async function readStaleSla(q: Query, limit: number, skip: readonly string[] = []): Promise<StaleSlaRow[]> {
  const rows = await q<{ case_id: string; marks: string; first_response_breached: boolean; resolution_breached: boolean }>(
    `SELECT s.case_id, s.marks::text AS marks, s.first_response_breached, s.resolution_breached
       FROM case_sla_stale d JOIN case_sla s ON s.case_id = d.case_id
      WHERE NOT (d.case_id = ANY($2::uuid[])) LIMIT $1`,
    [limit, skip],
  );
  return rows.map((r) => ({
    caseId: r.case_id,
    marks: r.marks,
    firstResponseBreached: r.first_response_breached,
    resolutionBreached: r.resolution_breached,
  }));
}

/**
 * Sweeps lock the case rows too, before anything else, in the order requests lock them (case,
 * then its mark in case_sla_stale through the trigger a case update fires). Otherwise a sweep
 * holding a mark and waiting for the case row (the foreign-key check of the rows it writes)
 * deadlocks with a request holding the case row and waiting for the mark
 * (test/reliability/two-instances). SKIP LOCKED: a case a request is changing is swept next time.
 */
const CASE_KEY_SHARE = 'FOR KEY SHARE OF c SKIP LOCKED';

/**
 * Locks, for this transaction, the marks and SLA rows of the cases in `read` whose inputs did not
 * change since the refresh read them, and answers their case ids: the mark still there, the SLA
 * row's mark count what it was read with (new category targets and a calendar edit bump it), and
 * the case row still at the version its facts were read from (a case change updates the row; its
 * trigger leaves an existing mark as it is, so the row version is what shows it). Anything else
 * stays stale for the next batch.
 *
 * Two statements, in this order: first the marks are locked (SKIP LOCKED: a change in flight holds
 * its mark from its trigger to its commit; the SLA row too, whose count a category or calendar
 * edit in flight holds); a change that has not reached its trigger yet waits for this transaction
 * and marks the row stale again after it. Then the case rows are read with a new snapshot, which
 * sees every change that held a mark and committed before the lock.
 */
export async function lockUnchangedSla(q: Query, read: readonly { caseId: string; marks: string; rowVersion: string }[]): Promise<Set<string>> {
  if (read.length === 0) return new Set();
  const locked = await q<{ case_id: string }>(
    `SELECT s.case_id
       FROM case_sla_stale d JOIN case_sla s ON s.case_id = d.case_id JOIN "case" c ON c.id = s.case_id
       JOIN unnest($1::uuid[], $2::bigint[]) AS v(case_id, marks) ON v.case_id = d.case_id
      WHERE s.marks = v.marks
      FOR UPDATE OF d, s SKIP LOCKED ${CASE_KEY_SHARE}`,
    [read.map((r) => r.caseId), read.map((r) => r.marks)],
  );
  if (locked.length === 0) return new Set();
  const ids = new Set(locked.map((r) => r.case_id));
  const mine = read.filter((r) => ids.has(r.caseId));
  const unchanged = await q<{ id: string }>(
    `SELECT c.id FROM "case" c JOIN unnest($1::uuid[], $2::text[]) AS v(id, row_version) ON v.id = c.id
      WHERE c.xmin::text = v.row_version`,
    [mine.map((r) => r.caseId), mine.map((r) => r.rowVersion)],
  );
  return new Set(unchanged.map((r) => r.id));
}

/** The refreshed state of one case's SLA row. */
export interface SlaRowUpdate {
  caseId: string;
  filedAt: Date;
  categoryKey: string;
  teamKey: string;
  firstResponseWatchAt: Date | null;
  resolutionWatchAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  firstResponseMs: number | null;
  resolutionMs: number | null;
  /** The due times as computed by this refresh (the list's due-time sorts and dueBefore). */
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
}

/** Writes the refreshed SLA rows and removes their marks (rows lockUnchangedSla locked). */
export async function saveRefreshedSla(q: Query, rows: readonly SlaRowUpdate[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  await q(
    `WITH fresh AS (DELETE FROM case_sla_stale d WHERE d.case_id = ANY($1::uuid[]))
     UPDATE case_sla s SET first_response_watch_at = v.frw, resolution_watch_at = v.rw,
            first_response_at = v.fra, resolved_at = v.ra, first_response_ms = v.frms, resolution_ms = v.rms,
            filed_at = v.filed_at, category_key = v.category_key, team_key = v.team_key, refreshed_at = $11,
            resolution = (SELECT c.resolution FROM "case" c WHERE c.id = v.case_id),
            first_response_due_at = v.frd, resolution_due_at = v.rd
       FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::bigint[], $7::bigint[],
                   $8::timestamptz[], $9::text[], $10::text[], $12::timestamptz[], $13::timestamptz[])
            AS v(case_id, frw, rw, fra, ra, frms, rms, filed_at, category_key, team_key, frd, rd)
      WHERE s.case_id = v.case_id`,
    [
      rows.map((r) => r.caseId),
      rows.map((r) => r.firstResponseWatchAt),
      rows.map((r) => r.resolutionWatchAt),
      rows.map((r) => r.firstResponseAt),
      rows.map((r) => r.resolvedAt),
      rows.map((r) => r.firstResponseMs),
      rows.map((r) => r.resolutionMs),
      rows.map((r) => r.filedAt),
      rows.map((r) => r.categoryKey),
      rows.map((r) => r.teamKey),
      at,
      rows.map((r) => r.firstResponseDueAt),
      rows.map((r) => r.resolutionDueAt),
    ],
  );
}

/** The stints of one case, with the copies of its filing time and group keys. */
export interface CaseStints {
  caseId: string;
  filedAt: Date;
  categoryKey: string;
  teamKey: string;
  stints: readonly StatusStint[];
}

/** Stints are the same when every column but the id is (nullable ones compared as values). */
const SAME_STINT = (a: string, b: string) =>
  `${a}.case_id = ${b}.case_id AND ${a}.status = ${b}.status AND ${a}.entered_at = ${b}.entered_at
   AND ${a}.left_at IS NOT DISTINCT FROM ${b}.left_at AND ${a}.working_ms IS NOT DISTINCT FROM ${b}.working_ms
   AND ${a}.filed_at = ${b}.filed_at AND ${a}.category_key = ${b}.category_key AND ${a}.team_key = ${b}.team_key AND ${a}.k = ${b}.k`;
const STINT_COPY = 'PARTITION BY case_id, status, entered_at, left_at, working_ms, filed_at, category_key, team_key';

/**
 * Makes the stints of the given cases what `cases` says, in one statement, writing only the
 * difference: a refresh after a move changes the open stint and adds one, and the rest stay as
 * they are. (Rewriting them all held the refresh's case_sla row locks, which a move of the same
 * case waits for, for seconds once cases had hundreds of stints: the soak of 2026-12-02.) `k`
 * numbers identical stints, so each copy is matched once.
 */
export async function replaceStints(q: Query, cases: readonly CaseStints[]): Promise<void> {
  if (cases.length === 0) return;
  const rows = cases.flatMap((c) => c.stints.map((s) => ({ ...c, ...s })));
  await q(
    `WITH v AS (
       SELECT v.*, row_number() OVER (${STINT_COPY}) AS k
         FROM (SELECT v.case_id, v.filed_at, v.category_key, v.team_key, v.status::"CaseStatus" AS status, v.entered_at, v.left_at, v.working_ms
                 FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::bigint[])
                      AS v(case_id, filed_at, category_key, team_key, status, entered_at, left_at, working_ms)) v
     ),
     cur AS (
       SELECT s.*, row_number() OVER (${STINT_COPY} ORDER BY id) AS k
         FROM case_status_stint s WHERE s.case_id = ANY($9::uuid[])
     ),
     gone AS (
       DELETE FROM case_status_stint d USING cur
        WHERE d.id = cur.id AND NOT EXISTS (SELECT 1 FROM v WHERE ${SAME_STINT('v', 'cur')})
     )
     INSERT INTO case_status_stint (case_id, filed_at, category_key, team_key, status, entered_at, left_at, working_ms)
     SELECT v.case_id, v.filed_at, v.category_key, v.team_key, v.status, v.entered_at, v.left_at, v.working_ms
       FROM v WHERE NOT EXISTS (SELECT 1 FROM cur WHERE ${SAME_STINT('v', 'cur')})`,
    [
      rows.map((r) => r.caseId),
      rows.map((r) => r.filedAt),
      rows.map((r) => r.categoryKey),
      rows.map((r) => r.teamKey),
      rows.map((r) => r.status),
      rows.map((r) => r.enteredAt),
      rows.map((r) => r.leftAt),
      rows.map((r) => r.workingMs),
      cases.map((c) => c.caseId),
    ],
  );
}

const WATCH_COLUMN: Record<SlaKind, { watch: string; flag: string }> = {
  first_response: { watch: 'first_response_watch_at', flag: 'first_response_breached' },
  resolution: { watch: 'resolution_watch_at', flag: 'resolution_breached' },
};

/**
 * Targets of `kind` whose watch time has come, claimed for this transaction: fresh rows only (no
 * mark), and no case a change in flight holds. The case row is locked `FOR SHARE`, which a change
 * in flight (it holds the row for update from its statement to its commit) makes SKIP LOCKED pass
 * over: its watch time may be about to move, and the refresh after its commit says. (The change's
 * trigger held the SLA row while the mark was a column of it; a mark is now a row of its own, which
 * a claim cannot lock before it exists.) A breach records no change of the case row.
 */
export async function claimDueWatches(q: Query, kind: SlaKind, asOf: Date, limit: number): Promise<Array<{ caseId: string; dueAt: Date }>> {
  const { watch } = WATCH_COLUMN[kind];
  const rows = await q<{ case_id: string; due_at: Date }>(
    `SELECT s.case_id, s.${watch} AS due_at
       FROM case_sla s JOIN "case" c ON c.id = s.case_id
      WHERE s.${watch} <= $1 AND NOT EXISTS (SELECT 1 FROM case_sla_stale d WHERE d.case_id = s.case_id)
      ORDER BY s.${watch} LIMIT $2
      FOR UPDATE OF s SKIP LOCKED FOR SHARE OF c SKIP LOCKED`,
    [asOf, limit],
  );
  return rows.map((r) => ({ caseId: r.case_id, dueAt: new Date(r.due_at) }));
}

/** A breach this sweep recorded, with what its event needs of the case. */
export interface RecordedBreach {
  caseId: string;
  dueAt: Date;
  number: string;
  status: Status;
  version: number;
  teamKey: string;
  categoryKey: string;
}

/**
 * Records breaches. The unique (case, kind) constraint with ON CONFLICT DO NOTHING makes the
 * breach row exist once however many sweepers race; only the rows this statement inserted are
 * returned (and get a `case.sla_breached` event: planSlaBreach, written by writePlans).
 */
export async function recordBreaches(
  q: Query,
  kind: SlaKind,
  due: ReadonlyArray<{ caseId: string; dueAt: Date }>,
  detectedAt: Date,
): Promise<RecordedBreach[]> {
  if (due.length === 0) return [];
  const inserted = await q<RecordedBreach>(
    `WITH ins AS (
       INSERT INTO sla_breach (case_id, kind, due_at, detected_at)
       SELECT v.case_id, $3::"SlaKind", v.due_at, $4 FROM unnest($1::uuid[], $2::timestamptz[]) AS v(case_id, due_at)
       ON CONFLICT (case_id, kind) DO NOTHING
       RETURNING case_id, due_at)
     SELECT ins.case_id AS "caseId", ins.due_at AS "dueAt", c.number, c.status::text AS status, c.version,
            c.team_key AS "teamKey", c.category_key AS "categoryKey"
       FROM ins JOIN "case" c ON c.id = ins.case_id`,
    [due.map((d) => d.caseId), due.map((d) => d.dueAt), kind, detectedAt],
  );
  const { watch, flag } = WATCH_COLUMN[kind];
  await q(`UPDATE case_sla SET ${watch} = NULL, ${flag} = true WHERE case_id = ANY($1::uuid[])`, [due.map((d) => d.caseId)]);
  return inserted.map((r) => ({ ...r, dueAt: new Date(r.dueAt) }));
}

/**
 * After the calendar changed, every case whose targets are still running needs new due times. Rows
 * already stale are marked too (their count bumped): a refresh computing them right now used the
 * old calendar.
 */
export async function markRunningStale(q: Query): Promise<number> {
  const rows = await q<{ n: number }>(
    `WITH u AS (UPDATE case_sla SET marks = marks + 1
                 WHERE first_response_ms IS NULL OR resolution_ms IS NULL RETURNING case_id),
          m AS (INSERT INTO case_sla_stale (case_id) SELECT case_id FROM u ON CONFLICT (case_id) DO NOTHING)
     SELECT count(*)::int AS n FROM u`,
  );
  return rows[0]?.n ?? 0;
}
