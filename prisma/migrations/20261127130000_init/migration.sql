-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('REGISTERED', 'ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'UPDATED_BY_USER', 'COMPLETED', 'CLOSED', 'REOPENED_BY_USER');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('portal', 'phone', 'email', 'post', 'api');

-- CreateEnum
CREATE TYPE "Visibility" AS ENUM ('public', 'internal');

-- CreateTable
CREATE TABLE "team" (
    "key" TEXT NOT NULL,
    "name_nb" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "team_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "category" (
    "key" TEXT NOT NULL,
    "name_nb" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "description" TEXT,
    "default_team_key" TEXT NOT NULL,
    "sensitive" BOOLEAN NOT NULL DEFAULT false,
    "form" JSONB,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    "retention_months" INTEGER NOT NULL DEFAULT 24,
    "first_response_hours" INTEGER NOT NULL DEFAULT 16,
    "resolution_hours" INTEGER NOT NULL DEFAULT 80,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "category_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "case" (
    "id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "status" "CaseStatus" NOT NULL DEFAULT 'REGISTERED',
    "status_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "category_key" TEXT NOT NULL,
    "team_key" TEXT NOT NULL,
    "assignee_id" TEXT,
    "subject" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "channel" "Channel" NOT NULL,
    "requester_id" TEXT,
    "requester_name" TEXT,
    "employee_number" TEXT,
    "concerns_employee" JSONB,
    "external_requester" JSONB,
    "filed_by_id" TEXT NOT NULL,
    "filed_by_role" TEXT NOT NULL,
    "last_public_reply_at" TIMESTAMPTZ(3),
    "first_response_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "anonymised_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_number_counter" (
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "case_number_counter_pkey" PRIMARY KEY ("year")
);

-- CreateTable
CREATE TABLE "case_message" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "author_id" TEXT NOT NULL,
    "author_role" TEXT NOT NULL,
    "on_behalf_of" TEXT,
    "visibility" "Visibility" NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "case_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_history" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "on_behalf_of" TEXT,
    "field" TEXT NOT NULL,
    "from_value" TEXT,
    "to_value" TEXT,
    "reason" TEXT,
    "internal" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "case_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_event" (
    "position" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "case_id" UUID,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("position")
);

-- CreateTable
CREATE TABLE "case_timer" (
    "case_id" UUID NOT NULL,
    "from_status" "CaseStatus" NOT NULL,
    "to_status" "CaseStatus" NOT NULL,
    "entered_at" TIMESTAMPTZ(3) NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "case_timer_pkey" PRIMARY KEY ("case_id")
);

-- CreateTable
CREATE TABLE "suspension_window" (
    "id" UUID NOT NULL,
    "from_date" DATE NOT NULL,
    "to_date" DATE NOT NULL,
    "reason" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suspension_window_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "attachment" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "filename" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "data" BYTEA,
    "uploaded_by_id" TEXT NOT NULL,
    "uploaded_by_role" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_log" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "actor_id" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "access_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "case_number_key" ON "case"("number");

-- CreateIndex
CREATE INDEX "case_status_created_at_id_idx" ON "case"("status", "created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "case_team_key_status_idx" ON "case"("team_key", "status");

-- CreateIndex
CREATE INDEX "case_category_key_idx" ON "case"("category_key");

-- CreateIndex
CREATE INDEX "case_assignee_id_idx" ON "case"("assignee_id");

-- CreateIndex
CREATE INDEX "case_requester_id_idx" ON "case"("requester_id");

-- CreateIndex
CREATE INDEX "case_filed_by_id_idx" ON "case"("filed_by_id");

-- CreateIndex
CREATE INDEX "case_created_at_id_idx" ON "case"("created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "case_updated_at_id_idx" ON "case"("updated_at" DESC, "id");

-- CreateIndex
CREATE INDEX "case_closed_at_idx" ON "case"("closed_at");

-- CreateIndex
CREATE INDEX "case_message_case_id_created_at_idx" ON "case_message"("case_id", "created_at");

-- CreateIndex
CREATE INDEX "case_history_case_id_id_idx" ON "case_history"("case_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "outbox_event"("id");

-- CreateIndex
CREATE INDEX "outbox_event_case_id_position_idx" ON "outbox_event"("case_id", "position");

-- CreateIndex
CREATE INDEX "case_timer_due_at_idx" ON "case_timer"("due_at");

-- CreateIndex
CREATE INDEX "attachment_case_id_idx" ON "attachment"("case_id");

-- CreateIndex
CREATE INDEX "access_log_case_id_at_idx" ON "access_log"("case_id", "at");

-- AddForeignKey
ALTER TABLE "category" ADD CONSTRAINT "category_default_team_key_fkey" FOREIGN KEY ("default_team_key") REFERENCES "team"("key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case" ADD CONSTRAINT "case_category_key_fkey" FOREIGN KEY ("category_key") REFERENCES "category"("key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case" ADD CONSTRAINT "case_team_key_fkey" FOREIGN KEY ("team_key") REFERENCES "team"("key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_message" ADD CONSTRAINT "case_message_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_history" ADD CONSTRAINT "case_history_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_timer" ADD CONSTRAINT "case_timer_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "access_log" ADD CONSTRAINT "access_log_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

