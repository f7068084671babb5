-- AlterTable
ALTER TABLE "case_sla" ADD COLUMN     "category_key" TEXT,
ADD COLUMN     "filed_at" TIMESTAMPTZ(3),
ADD COLUMN     "team_key" TEXT;

-- CreateTable
CREATE TABLE "case_status_stint" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "filed_at" TIMESTAMPTZ(3) NOT NULL,
    "category_key" TEXT NOT NULL,
    "team_key" TEXT NOT NULL,
    "status" "CaseStatus" NOT NULL,
    "entered_at" TIMESTAMPTZ(3) NOT NULL,
    "left_at" TIMESTAMPTZ(3),
    "working_ms" BIGINT,

    CONSTRAINT "case_status_stint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "case_status_stint_filed_at_idx" ON "case_status_stint"("filed_at");

-- CreateIndex
CREATE INDEX "case_status_stint_case_id_idx" ON "case_status_stint"("case_id");

-- CreateIndex
CREATE INDEX "case_sla_filed_at_idx" ON "case_sla"("filed_at");

-- AddForeignKey
ALTER TABLE "case_status_stint" ADD CONSTRAINT "case_status_stint_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A new team moves a case to another group in the reports: mark it stale like a new category.
DROP TRIGGER "case_sla_on_update" ON "case";
CREATE TRIGGER "case_sla_on_update" AFTER UPDATE OF "status", "first_response_at", "category_key", "team_key" ON "case"
  FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status"
        OR OLD."first_response_at" IS DISTINCT FROM NEW."first_response_at"
        OR OLD."category_key" IS DISTINCT FROM NEW."category_key"
        OR OLD."team_key" IS DISTINCT FROM NEW."team_key")
  EXECUTE FUNCTION "case_sla_mark_dirty"();

-- The next sweep fills the new columns and the stints of every existing case.
UPDATE "case_sla" SET "dirty" = true;
