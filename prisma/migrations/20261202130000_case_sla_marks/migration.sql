-- The SLA refresh reads and computes outside its row locks (#17 soak,
-- docs/decisions/sla-refresh-outside-locks.md). It held the case_sla rows of its batch FOR UPDATE
-- from the claim to the commit while it read every status change of each case and computed its
-- due times, and a move of one of those cases (whose trigger marks the row) waited for all of it:
-- up to 2.5 s once cases had hundreds of status changes. Now the refresh reads the stale rows
-- without locking, computes, and then writes only the rows nothing changed meanwhile. A change of
-- the case row itself shows in the row's version (xmin), which the refresh compares; a change of
-- the category's targets or of the calendar marks rows it may find already stale, so these marks
-- now bump `marks` even on a stale row (they left such a row alone before), and the refresh
-- compares that count too. Both are rare edits; the case trigger, on every status change, is
-- unchanged. A metadata-only column add: no table rewrite.
ALTER TABLE "case_sla" ADD COLUMN "marks" BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION "category_sla_mark_dirty"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "case_sla" s SET "dirty" = true, "marks" = s."marks" + 1
  FROM "case" c
  WHERE c."id" = s."case_id" AND c."category_key" = NEW."key"
    AND (s."first_response_ms" IS NULL OR s."resolution_ms" IS NULL);
  RETURN NULL;
END
$$;
