-- The SLA refresh reads and computes outside its row locks (#17 soak). It held the case_sla rows
-- of its batch FOR UPDATE from the claim to the commit while it read every status change of each
-- case and computed its due times, and a move of one of those cases (whose trigger marks the row)
-- waited for all of it: up to 2.5 s once cases had hundreds of status changes. Now the refresh
-- reads the stale rows without locking, computes, and then locks only the rows whose mark count
-- is unchanged (SKIP LOCKED), for the short write. For that every mark must be seen: a marker
-- bumps `marks` even on a row already stale (it left such a row alone before), so a change that
-- lands while the refresh computes makes its result for that case void (the row stays stale for
-- the next batch). A metadata-only column add: no table rewrite.
ALTER TABLE "case_sla" ADD COLUMN "marks" BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION "case_sla_mark_dirty"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "case_sla" ("case_id", "dirty") VALUES (NEW."id", true)
  ON CONFLICT ("case_id") DO UPDATE SET "dirty" = true, "marks" = "case_sla"."marks" + 1;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION "category_sla_mark_dirty"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "case_sla" s SET "dirty" = true, "marks" = s."marks" + 1
  FROM "case" c
  WHERE c."id" = s."case_id" AND c."category_key" = NEW."key"
    AND (s."first_response_ms" IS NULL OR s."resolution_ms" IS NULL);
  RETURN NULL;
END
$$;
