-- CreateTable
CREATE TABLE "inbound_mail" (
    "id" UUID NOT NULL,
    "message_id" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "case_id" UUID,
    "reason" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inbound_mail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "inbound_mail_message_id_key" ON "inbound_mail"("message_id");

