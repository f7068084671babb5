-- AlterTable
ALTER TABLE "case" ADD COLUMN     "merged_into_id" UUID;

-- CreateTable
CREATE TABLE "case_link" (
    "case_id" UUID NOT NULL,
    "linked_case_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "created_by_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "case_link_pkey" PRIMARY KEY ("case_id","linked_case_id")
);

-- CreateIndex
CREATE INDEX "case_link_linked_case_id_idx" ON "case_link"("linked_case_id");

-- AddForeignKey
ALTER TABLE "case" ADD CONSTRAINT "case_merged_into_id_fkey" FOREIGN KEY ("merged_into_id") REFERENCES "case"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_link" ADD CONSTRAINT "case_link_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_link" ADD CONSTRAINT "case_link_linked_case_id_fkey" FOREIGN KEY ("linked_case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

