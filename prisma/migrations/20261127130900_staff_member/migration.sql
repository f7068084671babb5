-- CreateTable
CREATE TABLE "staff_member" (
    "subject" TEXT NOT NULL,
    "name" TEXT,
    "roles" TEXT[],
    "teams" TEXT[],
    "updated_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staff_member_pkey" PRIMARY KEY ("subject")
);

