-- DropIndex
DROP INDEX "case_assignee_id_idx";

-- DropIndex
DROP INDEX "case_category_key_idx";

-- CreateIndex
CREATE INDEX "case_category_key_status_idx" ON "case"("category_key", "status");

-- CreateIndex
CREATE INDEX "case_assignee_id_status_idx" ON "case"("assignee_id", "status");

