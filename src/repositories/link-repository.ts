/** Merges and links between cases (docs/merge-and-links.md). */
import type { Query } from '../db/query';

/**
 * Moves the messages and files of `sourceId` to `targetId`, as they are: authors, times,
 * visibility and bytes unchanged (a message keeps its `seq`, so the target lists them in the
 * order written). Returns how many of each moved.
 */
export async function moveCaseContent(q: Query, sourceId: string, targetId: string): Promise<{ messages: number; attachments: number }> {
  const [r] = await q<{ messages: number; attachments: number }>(
    `WITH m AS (UPDATE case_message SET case_id = $2::uuid WHERE case_id = $1::uuid RETURNING 1),
          a AS (UPDATE attachment SET case_id = $2::uuid WHERE case_id = $1::uuid RETURNING 1)
     SELECT (SELECT count(*) FROM m)::int AS messages, (SELECT count(*) FROM a)::int AS attachments`,
    [sourceId, targetId],
  );
  return r ?? { messages: 0, attachments: 0 };
}

/** A link as stored, from one case's side, with what access rules need of the other case. */
export interface LinkRow {
  linkedCaseId: string;
  kind: 'related' | 'duplicate';
  createdById: string;
  createdAt: Date;
  number: string;
  status: string;
  subject: string;
  requesterId: string | null;
  filedById: string;
  teamKey: string;
  sensitive: boolean;
  concernsEmployee: unknown;
}

/** The links of a case, oldest first, with the linked cases' access facts. */
export async function listLinks(q: Query, caseId: string): Promise<LinkRow[]> {
  return q<LinkRow>(
    `SELECT l.linked_case_id AS "linkedCaseId", l.kind, l.created_by_id AS "createdById", l.created_at AS "createdAt",
            c.number, c.status::text AS status, c.subject, c.requester_id AS "requesterId", c.filed_by_id AS "filedById",
            c.team_key AS "teamKey", cat.sensitive, c.concerns_employee AS "concernsEmployee"
       FROM case_link l JOIN "case" c ON c.id = l.linked_case_id JOIN category cat ON cat.key = c.category_key
      WHERE l.case_id = $1::uuid
      ORDER BY l.created_at, l.linked_case_id`,
    [caseId],
  );
}

/** Stores a link both ways; false when the two were already linked (nothing written). */
export async function insertLinkPair(
  q: Query,
  l: { a: string; b: string; kind: 'related' | 'duplicate'; createdById: string; now: Date },
): Promise<boolean> {
  const rows = await q(
    `INSERT INTO case_link (case_id, linked_case_id, kind, created_by_id, created_at)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5), ($2::uuid, $1::uuid, $3, $4, $5)
     ON CONFLICT (case_id, linked_case_id) DO NOTHING RETURNING 1`,
    [l.a, l.b, l.kind, l.createdById, l.now],
  );
  return rows.length === 2;
}

/** Removes the link between two cases (both rows); the kind it had, or null when there was none. */
export async function deleteLinkPair(q: Query, a: string, b: string): Promise<'related' | 'duplicate' | null> {
  const rows = await q<{ kind: 'related' | 'duplicate' }>(
    `DELETE FROM case_link WHERE (case_id = $1::uuid AND linked_case_id = $2::uuid) OR (case_id = $2::uuid AND linked_case_id = $1::uuid)
     RETURNING kind`,
    [a, b],
  );
  return rows[0]?.kind ?? null;
}
