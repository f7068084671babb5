-- Open cases of a team, newest first: the queue an operator lists most. Partial (open statuses
-- only, a few per cent of an archive), so "open cases of a team" reads the newest matching rows
-- in index order instead of sorting every open case of the team.
CREATE INDEX "case_open_team_created_idx" ON "case" ("team_key", "created_at" DESC, "id" DESC)
  WHERE "status" NOT IN ('COMPLETED', 'CLOSED');
