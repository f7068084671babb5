-- AlterTable
ALTER TABLE "case" ADD COLUMN     "cc_emails" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "language" TEXT NOT NULL DEFAULT 'nb',
ADD COLUMN     "requester_email" TEXT;

