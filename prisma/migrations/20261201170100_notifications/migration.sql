-- CreateEnum
CREATE TYPE "NotificationState" AS ENUM ('pending', 'sent', 'failed');

-- CreateTable
CREATE TABLE "notification_cursor" (
    "id" INTEGER NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "notification_cursor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_delivery" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "case_id" UUID NOT NULL,
    "event_id" UUID,
    "kind" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "state" "NotificationState" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "locked_until" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_template" (
    "kind" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_template_pkey" PRIMARY KEY ("kind","language")
);

-- CreateIndex
CREATE INDEX "notification_delivery_case_id_id_idx" ON "notification_delivery"("case_id", "id");

-- CreateIndex
CREATE INDEX "notification_delivery_state_next_attempt_at_idx" ON "notification_delivery"("state", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "notification_delivery_key_recipient_key" ON "notification_delivery"("key", "recipient");


-- Seed: the loop starts at the outbox as it is now, so events written before the feature are not mailed.
INSERT INTO "notification_cursor" ("id", "position") SELECT 1, coalesce(max("position"), 0) FROM "outbox_event";

-- Seed: default templates (admins edit them through PUT /v1/notification-templates/{kind}/{language}).
-- The subject gets "[Sak <number>] " put in front when sent, so replies thread.
INSERT INTO "notification_template" ("kind", "language", "subject", "body", "updated_at") VALUES
('filed', 'nb', 'Vi har mottatt saken din',
 E'Hei,\n\nVi har mottatt saken din og gitt den saksnummer {{caseNumber}}.\n\nEmne: {{subject}}\n\nDu kan følge saken her: {{link}}\nSvar på denne e-posten for å legge til informasjon i saken.\n\nVennlig hilsen\nLønns- og HR-senteret', now()),
('filed', 'en', 'We have received your case',
 E'Hello,\n\nWe have received your case and given it the number {{caseNumber}}.\n\nSubject: {{subject}}\n\nFollow the case here: {{link}}\nReply to this e-mail to add information to the case.\n\nKind regards\nThe payroll and HR service centre', now()),
('reply', 'nb', 'Nytt svar i saken din',
 E'Hei,\n\nDu har fått et svar i sak {{caseNumber}} ({{subject}}):\n\n{{reply}}\n\nSe saken her: {{link}}\n\nVennlig hilsen\nLønns- og HR-senteret', now()),
('reply', 'en', 'New reply on your case',
 E'Hello,\n\nThere is a reply on case {{caseNumber}} ({{subject}}):\n\n{{reply}}\n\nSee the case here: {{link}}\n\nKind regards\nThe payroll and HR service centre', now()),
('waiting', 'nb', 'Vi venter på svar fra deg',
 E'Hei,\n\nSak {{caseNumber}} ({{subject}}) venter på svar fra deg.\n\n{{reply}}\n\nSvar innen {{dueDate}}. Hører vi ikke fra deg, blir saken fullført av seg selv den dagen.\n\nSvar her: {{link}}\n\nVennlig hilsen\nLønns- og HR-senteret', now()),
('waiting', 'en', 'We are waiting for your answer',
 E'Hello,\n\nCase {{caseNumber}} ({{subject}}) is waiting for your answer.\n\n{{reply}}\n\nPlease answer by {{dueDate}}. If we do not hear from you, the case completes by itself on that day.\n\nAnswer here: {{link}}\n\nKind regards\nThe payroll and HR service centre', now()),
('reminder', 'nb', 'Påminnelse: vi venter på svar fra deg',
 E'Hei,\n\nSak {{caseNumber}} ({{subject}}) venter fortsatt på svar fra deg. Uten svar blir den fullført {{dueDate}}.\n\nSvar her: {{link}}\n\nVennlig hilsen\nLønns- og HR-senteret', now()),
('reminder', 'en', 'Reminder: we are waiting for your answer',
 E'Hello,\n\nCase {{caseNumber}} ({{subject}}) is still waiting for your answer. Without one it completes on {{dueDate}}.\n\nAnswer here: {{link}}\n\nKind regards\nThe payroll and HR service centre', now()),
('completed', 'nb', 'Saken din er fullført',
 E'Hei,\n\nSak {{caseNumber}} ({{subject}}) er fullført.\n\n{{reply}}\n\nEr du ikke fornøyd, kan du svare på saken før {{dueDate}}, så åpner vi den igjen. Etter det blir saken lukket.\n\nSe saken her: {{link}}\n\nVennlig hilsen\nLønns- og HR-senteret', now()),
('completed', 'en', 'Your case is completed',
 E'Hello,\n\nCase {{caseNumber}} ({{subject}}) is completed.\n\n{{reply}}\n\nIf you are not satisfied, answer on the case before {{dueDate}} and we will open it again. After that the case is closed.\n\nSee the case here: {{link}}\n\nKind regards\nThe payroll and HR service centre', now()),
('reopened', 'nb', 'Saken din er åpnet igjen',
 E'Hei,\n\nSak {{caseNumber}} ({{subject}}) er åpnet igjen, og status er nå «{{statusLabel}}».\n\nSe saken her: {{link}}\n\nVennlig hilsen\nLønns- og HR-senteret', now()),
('reopened', 'en', 'Your case was reopened',
 E'Hello,\n\nCase {{caseNumber}} ({{subject}}) was reopened; its status is now "{{statusLabel}}".\n\nSee the case here: {{link}}\n\nKind regards\nThe payroll and HR service centre', now()),
('closed', 'nb', 'Saken din er lukket',
 E'Hei,\n\nSak {{caseNumber}} ({{subject}}) er lukket.\n\nHar du et nytt spørsmål, kan du opprette en ny sak: {{link}}\n\nVennlig hilsen\nLønns- og HR-senteret', now()),
('closed', 'en', 'Your case is closed',
 E'Hello,\n\nCase {{caseNumber}} ({{subject}}) is closed.\n\nIf you have a new question, you can file a new case: {{link}}\n\nKind regards\nThe payroll and HR service centre', now()),
('sensitive', 'nb', 'Nytt i saken din',
 E'Hei,\n\nDet er noe nytt i sak {{caseNumber}}. Logg inn for å se det: {{link}}\n\nVennlig hilsen\nLønns- og HR-senteret', now()),
('sensitive', 'en', 'News on your case',
 E'Hello,\n\nThere is something new on case {{caseNumber}}. Sign in to see it: {{link}}\n\nKind regards\nThe payroll and HR service centre', now());
