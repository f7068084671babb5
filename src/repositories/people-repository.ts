/** The person directory and the staff directory built on it (docs/identity.md). No rules here. */
import type { Query } from '../db/query';

export interface PersonRow {
  subject: string;
  name: string | null;
  employeeNumber: string | null;
  email: string | null;
  roles: string[];
  teams: string[];
  updatedAt: Date;
}

/** Someone who may handle cases, as the directory records them. */
export interface DirectoryEntry {
  subject: string;
  name: string | null;
  roles: string[];
  teams: string[];
}

const PERSON_COLUMNS = `subject, name, employee_number AS "employeeNumber", email, roles, teams, updated_at AS "updatedAt"`;

export async function findPerson(q: Query, subject: string): Promise<PersonRow | null> {
  const [row] = await q<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM person WHERE subject = $1`, [subject]);
  return row ?? null;
}

/** The person whose directory address is `email` (case-insensitive), if exactly one is. */
export async function findPersonByEmail(q: Query, email: string): Promise<PersonRow | null> {
  const rows = await q<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM person WHERE lower(email) = lower($1) LIMIT 2`, [email]);
  return rows.length === 1 ? rows[0]! : null;
}

export async function findPersonByEmployeeNumber(q: Query, employeeNumber: string): Promise<PersonRow | null> {
  const [row] = await q<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM person WHERE employee_number = $1`, [employeeNumber]);
  return row ?? null;
}

/**
 * Records a sign-in. Claims the token leaves out (name, number, e-mail) keep what is known;
 * `roles`/`teams` null keeps the snapshot. Writes nothing when nothing changed, so a person
 * signing in again costs a read, not a new row version. Answers whether the row was written.
 */
export async function upsertSignIn(
  q: Query,
  s: {
    subject: string;
    name: string | null;
    employeeNumber: string | null;
    email: string | null;
    roles: string[] | null;
    teams: string[] | null;
    at: Date;
  },
): Promise<boolean> {
  const rows = await q(
    `INSERT INTO person AS p (subject, name, employee_number, email, roles, teams, updated_at)
     VALUES ($1, $2, $3, $4, COALESCE($5::text[], '{}'), COALESCE($6::text[], '{}'), $7)
     ON CONFLICT (subject) DO UPDATE SET
       name = COALESCE(EXCLUDED.name, p.name), employee_number = COALESCE(EXCLUDED.employee_number, p.employee_number),
       email = COALESCE(EXCLUDED.email, p.email),
       roles = COALESCE($5::text[], p.roles), teams = COALESCE($6::text[], p.teams), updated_at = EXCLUDED.updated_at
     WHERE (p.name, p.employee_number, p.email, p.roles, p.teams) IS DISTINCT FROM
           (COALESCE(EXCLUDED.name, p.name), COALESCE(EXCLUDED.employee_number, p.employee_number),
            COALESCE(EXCLUDED.email, p.email), COALESCE($5::text[], p.roles), COALESCE($6::text[], p.teams))
     RETURNING 1 AS written`,
    [s.subject, s.name, s.employeeNumber, s.email, s.roles, s.teams, s.at],
  );
  return rows.length > 0;
}

/** Takes an employee number off anyone but `subject` (numbers are unique; the newest claim wins). */
export async function releaseEmployeeNumber(q: Query, employeeNumber: string, subject: string): Promise<void> {
  await q(`UPDATE person SET employee_number = NULL WHERE employee_number = $1 AND subject <> $2`, [employeeNumber, subject]);
}

/** Creates or replaces a person's name, number and e-mail (the staff snapshot stays); answers whether it was created. */
export async function putPerson(
  q: Query,
  s: { subject: string; name: string | null; employeeNumber: string | null; email: string | null; at: Date },
): Promise<{ created: boolean; row: PersonRow }> {
  const [row] = await q<PersonRow & { created: boolean }>(
    `INSERT INTO person (subject, name, employee_number, email, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (subject) DO UPDATE SET
       name = EXCLUDED.name, employee_number = EXCLUDED.employee_number, email = EXCLUDED.email, updated_at = EXCLUDED.updated_at
     RETURNING ${PERSON_COLUMNS}, (xmax = 0) AS created`,
    [s.subject, s.name, s.employeeNumber, s.email, s.at],
  );
  const { created, ...rest } = row!;
  return { created, row: rest };
}

/** A case a pending match ties to its requester, locked for the change. */
export interface MatchedCase {
  id: string;
  number: string;
  status: string;
  version: number;
  requesterId: string | null;
  requesterName: string | null;
  anonymisedAt: Date | null;
}

/**
 * Removes the pending matches for `employeeNumber` and answers their cases, row-locked. A second
 * instance matching the same person at once waits on the match rows and then finds none.
 */
export async function takeRequesterMatches(q: Query, employeeNumber: string): Promise<MatchedCase[]> {
  return q<MatchedCase>(
    `WITH m AS (DELETE FROM requester_match WHERE employee_number = $1 RETURNING case_id)
     SELECT c.id, c.number, c.status::text AS status, c.version, c.requester_id AS "requesterId",
            c.requester_name AS "requesterName", c.anonymised_at AS "anonymisedAt"
       FROM "case" c JOIN m ON m.case_id = c.id
      ORDER BY c.created_at
        FOR UPDATE OF c`,
    [employeeNumber],
  );
}

/**
 * The directory entry of a subject: their staff_member row, else their person row with (when
 * `tokenSnapshots`, i.e. token-role mode) the staff roles their last token carried, or no roles.
 * Null when the service knows no one by that id.
 */
export async function findDirectoryEntry(q: Query, subject: string, tokenSnapshots: boolean): Promise<DirectoryEntry | null> {
  const [row] = await q<DirectoryEntry>(
    `SELECT subject, name, roles, teams FROM (
       SELECT s.subject, COALESCE(s.name, p.name) AS name, s.roles, s.teams, 1 AS rank
         FROM staff_member s LEFT JOIN person p ON p.subject = s.subject WHERE s.subject = $1
       UNION ALL
       SELECT p.subject, p.name, CASE WHEN $2 THEN p.roles ELSE '{}' END, CASE WHEN $2 THEN p.teams ELSE '{}' END, 2
         FROM person p WHERE p.subject = $1
     ) d ORDER BY rank LIMIT 1`,
    [subject, tokenSnapshots],
  );
  return row ?? null;
}

/** The operators of a team in the directory (same precedence as findDirectoryEntry), by subject. */
export async function listTeamOperators(q: Query, teamKey: string, tokenSnapshots: boolean): Promise<DirectoryEntry[]> {
  return q<DirectoryEntry>(
    `SELECT s.subject, COALESCE(s.name, p.name) AS name, s.roles, s.teams
       FROM staff_member s LEFT JOIN person p ON p.subject = s.subject
      WHERE 'operator' = ANY(s.roles) AND $1 = ANY(s.teams)
     UNION ALL
     SELECT p.subject, p.name, p.roles, p.teams FROM person p
      WHERE $2 AND 'operator' = ANY(p.roles) AND $1 = ANY(p.teams)
        AND NOT EXISTS (SELECT 1 FROM staff_member s WHERE s.subject = p.subject)
     ORDER BY subject`,
    [teamKey, tokenSnapshots],
  );
}
