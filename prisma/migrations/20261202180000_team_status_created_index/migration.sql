-- A team's queue of several statuses, newest first (GET /v1/cases?team=…&status=…&status=…, #17):
-- the list reads one range per status in list order and merges them (src/repositories/case-list.ts).
-- The index on (team_key, status) becomes (team_key, status, created_at DESC, id DESC): the same
-- prefix for every reader of the old one (a team's cases of a status, the metrics' counts), and each
-- range now in list order. Before, the team's open cases were read newest first through the partial
-- index until enough matched the statuses: 9.5 ms a page behind a backlog of 23,000 REGISTERED cases,
-- 0.2 ms now (docs/benchmarks.md, the list per query).
DROP INDEX "case_team_key_status_idx";
CREATE INDEX "case_team_key_status_created_at_id_idx" ON "case"("team_key", "status", "created_at" DESC, "id" DESC);
