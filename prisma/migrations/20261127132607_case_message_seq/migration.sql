-- AlterTable
ALTER TABLE "case_message" ADD COLUMN     "seq" BIGSERIAL NOT NULL;

