-- How a completed case ended (#16 point 9).
CREATE TYPE "CaseResolution" AS ENUM ('solved', 'answered');
ALTER TABLE "case" ADD COLUMN "resolution" "CaseResolution";

-- Cases completed before this migration: a completed case whose wait ran out was answered;
-- the rest are taken as solved (the best the history tells).
UPDATE "case" c SET resolution = CASE
    WHEN EXISTS (SELECT 1 FROM case_history h
                  WHERE h.case_id = c.id AND h.field = 'status' AND h.to_value = 'COMPLETED' AND h.actor_id = 'system')
    THEN 'answered'::"CaseResolution" ELSE 'solved'::"CaseResolution" END
 WHERE c.status IN ('COMPLETED', 'CLOSED') AND c.completed_at IS NOT NULL;

-- Prepared replies (#16 point 4).
CREATE TABLE "reply_template" (
    "key" TEXT NOT NULL,
    "category_key" TEXT,
    "name" TEXT NOT NULL,
    "body_nb" TEXT NOT NULL,
    "body_en" TEXT NOT NULL,
    "updated_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reply_template_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "reply_template_category_key_idx" ON "reply_template"("category_key");

-- The SLA report counts resolutions from case_sla alone (a copy, like category and team).
ALTER TABLE "case_sla" ADD COLUMN "resolution" "CaseResolution";
UPDATE "case_sla" s SET resolution = c.resolution FROM "case" c WHERE c.id = s.case_id AND c.resolution IS NOT NULL;
