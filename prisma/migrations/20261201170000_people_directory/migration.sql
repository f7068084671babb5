-- CreateTable
CREATE TABLE "person" (
    "subject" TEXT NOT NULL,
    "name" TEXT,
    "employee_number" TEXT,
    "email" TEXT,
    "roles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "teams" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_pkey" PRIMARY KEY ("subject")
);

-- CreateTable
CREATE TABLE "requester_match" (
    "case_id" UUID NOT NULL,
    "employee_number" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "requester_match_pkey" PRIMARY KEY ("case_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "person_employee_number_key" ON "person"("employee_number");

-- CreateIndex
CREATE INDEX "requester_match_employee_number_idx" ON "requester_match"("employee_number");

