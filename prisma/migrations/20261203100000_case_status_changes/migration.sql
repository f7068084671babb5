-- A case's status changes on its row (#17, docs/decisions/list-sla-facts.md): [{"at", "to"}, …],
-- oldest first, as the status rows of case_history say them. The one writer of plans
-- (src/repositories/plan-writer.ts) appends to it in the statement that inserts the history
-- rows, so the two never disagree; a case view, a list page and a change's read compute the
-- service level from it instead of a sub-select of the history for each row.
ALTER TABLE "case" ADD COLUMN "status_changes" JSONB NOT NULL DEFAULT '[]';

UPDATE "case" c SET status_changes = h.changes
  FROM (SELECT case_id, jsonb_agg(jsonb_build_object('at', at, 'to', to_value) ORDER BY id) AS changes
          FROM case_history WHERE field = 'status' GROUP BY case_id) h
 WHERE h.case_id = c.id;
