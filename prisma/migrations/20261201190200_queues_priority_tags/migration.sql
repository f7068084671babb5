-- #16 points 2 and 3: queues (list filters, due-time sorts, queue counts, saved views), priority
-- and staff-only tags. docs/queues.md.

-- CreateEnum
CREATE TYPE "Priority" AS ENUM ('low', 'normal', 'high', 'urgent');

-- AlterTable
ALTER TABLE "case" ADD COLUMN     "priority" "Priority" NOT NULL DEFAULT 'normal',
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "case_sla" ADD COLUMN     "first_response_due_at" TIMESTAMPTZ(3),
ADD COLUMN     "resolution_due_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "category" ADD COLUMN     "priority_targets" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "saved_view" (
    "id" UUID NOT NULL,
    "owner_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "filter" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saved_view_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "saved_view_owner_id_name_key" ON "saved_view"("owner_id", "name");

-- CreateIndex
CREATE INDEX "case_tags_idx" ON "case" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "case_priority_status_idx" ON "case"("priority", "status");

-- CreateIndex
CREATE INDEX "case_sla_first_response_due_at_case_id_idx" ON "case_sla"("first_response_due_at", "case_id");

-- CreateIndex
CREATE INDEX "case_sla_resolution_due_at_case_id_idx" ON "case_sla"("resolution_due_at", "case_id");



-- A new priority moves the SLA targets when the category overrides them by priority: mark the
-- case's SLA row stale like a new category (the trigger of 20261127132457, plus "priority").
DROP TRIGGER "case_sla_on_update" ON "case";
CREATE TRIGGER "case_sla_on_update" AFTER UPDATE OF "status", "first_response_at", "category_key", "team_key", "priority" ON "case"
  FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status"
        OR OLD."first_response_at" IS DISTINCT FROM NEW."first_response_at"
        OR OLD."category_key" IS DISTINCT FROM NEW."category_key"
        OR OLD."team_key" IS DISTINCT FROM NEW."team_key"
        OR OLD."priority" IS DISTINCT FROM NEW."priority")
  EXECUTE FUNCTION "case_sla_mark_dirty"();

-- New per-priority targets on a category move the due times of its unmeasured cases too.
DROP TRIGGER "category_sla_on_update" ON "category";
CREATE TRIGGER "category_sla_on_update" AFTER UPDATE OF "first_response_hours", "resolution_hours", "priority_targets" ON "category"
  FOR EACH ROW
  WHEN (OLD."first_response_hours" IS DISTINCT FROM NEW."first_response_hours"
        OR OLD."resolution_hours" IS DISTINCT FROM NEW."resolution_hours"
        OR OLD."priority_targets" IS DISTINCT FROM NEW."priority_targets")
  EXECUTE FUNCTION "category_sla_mark_dirty"();

-- The next sweep fills the due-time columns of every existing case.
UPDATE "case_sla" SET "dirty" = true;
