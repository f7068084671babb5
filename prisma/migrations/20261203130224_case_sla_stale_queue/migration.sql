-- Which SLA rows are stale is a table of its own (#17, docs/decisions/sla-stale-queue.md). The mark
-- was `case_sla.dirty`: an indexed column of a wide row with seven indexes, so the first status
-- change after a refresh rewrote the row and added an entry to each index (never a HOT update),
-- and the refresh rewrote it again. Now a mark is a one-column row here, inserted by the same
-- triggers, and the refresh deletes it in the statement that writes the refreshed SLA row.
--
-- The case trigger's upsert locks an existing mark (`DO UPDATE … WHERE false` locks the row it
-- finds and writes nothing), as the old `ON CONFLICT … WHERE NOT dirty` locked the SLA row: a
-- change in flight holds its mark from its trigger to its commit, which the refresh's
-- `FOR UPDATE … SKIP LOCKED` passes over (docs/decisions/sla-refresh-outside-locks.md).
-- `case_sla.marks` stays where it was: category targets and a calendar edit still bump it there.
CREATE TABLE "case_sla_stale" (
    "case_id" UUID NOT NULL,

    CONSTRAINT "case_sla_stale_pkey" PRIMARY KEY ("case_id")
);

ALTER TABLE "case_sla_stale" ADD CONSTRAINT "case_sla_stale_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "case_sla_stale" ("case_id") SELECT "case_id" FROM "case_sla" WHERE "dirty";

ALTER FUNCTION "case_sla_mark_dirty"() RENAME TO "case_sla_mark_stale";
ALTER FUNCTION "category_sla_mark_dirty"() RENAME TO "category_sla_mark_stale";

CREATE OR REPLACE FUNCTION "case_sla_mark_stale"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "case_sla" ("case_id") VALUES (NEW."id") ON CONFLICT ("case_id") DO NOTHING;
  END IF;
  INSERT INTO "case_sla_stale" ("case_id") VALUES (NEW."id")
  ON CONFLICT ("case_id") DO UPDATE SET "case_id" = EXCLUDED."case_id" WHERE false;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION "category_sla_mark_stale"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH bumped AS (
    UPDATE "case_sla" s SET "marks" = s."marks" + 1
      FROM "case" c
     WHERE c."id" = s."case_id" AND c."category_key" = NEW."key"
       AND (s."first_response_ms" IS NULL OR s."resolution_ms" IS NULL)
    RETURNING s."case_id")
  INSERT INTO "case_sla_stale" ("case_id") SELECT "case_id" FROM bumped ON CONFLICT ("case_id") DO NOTHING;
  RETURN NULL;
END
$$;

-- Drops case_sla_dirty_idx with it.
ALTER TABLE "case_sla" DROP COLUMN "dirty";
