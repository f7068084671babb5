-- CreateEnum
CREATE TYPE "SlaKind" AS ENUM ('first_response', 'resolution');

-- CreateTable
CREATE TABLE "service_hours" (
    "weekday" INTEGER NOT NULL,
    "opens" TEXT NOT NULL,
    "closes" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "service_hours_pkey" PRIMARY KEY ("weekday")
);

-- CreateTable
CREATE TABLE "closed_day" (
    "date" DATE NOT NULL,
    "reason" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "closed_day_pkey" PRIMARY KEY ("date")
);

-- CreateTable
CREATE TABLE "contact_channel" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name_nb" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "description_nb" TEXT,
    "description_en" TEXT,
    "hours" JSONB,
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_channel_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "case_sla" (
    "case_id" UUID NOT NULL,
    "dirty" BOOLEAN NOT NULL DEFAULT true,
    "first_response_watch_at" TIMESTAMPTZ(3),
    "resolution_watch_at" TIMESTAMPTZ(3),
    "first_response_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "first_response_ms" BIGINT,
    "resolution_ms" BIGINT,
    "first_response_breached" BOOLEAN NOT NULL DEFAULT false,
    "resolution_breached" BOOLEAN NOT NULL DEFAULT false,
    "refreshed_at" TIMESTAMPTZ(3),

    CONSTRAINT "case_sla_pkey" PRIMARY KEY ("case_id")
);

-- CreateTable
CREATE TABLE "sla_breach" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "kind" "SlaKind" NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "detected_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sla_breach_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "case_sla_dirty_idx" ON "case_sla"("dirty");

-- CreateIndex
CREATE INDEX "case_sla_first_response_watch_at_idx" ON "case_sla"("first_response_watch_at");

-- CreateIndex
CREATE INDEX "case_sla_resolution_watch_at_idx" ON "case_sla"("resolution_watch_at");

-- CreateIndex
CREATE INDEX "sla_breach_detected_at_idx" ON "sla_breach"("detected_at");

-- CreateIndex
CREATE UNIQUE INDEX "sla_breach_case_id_kind_key" ON "sla_breach"("case_id", "kind");

-- AddForeignKey
ALTER TABLE "case_sla" ADD CONSTRAINT "case_sla_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sla_breach" ADD CONSTRAINT "sla_breach_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The SLA state of a case goes stale in the transaction of the change that moves its targets
-- (filing, a status change, the first public reply, a new category, new targets on the
-- category); the SLA sweep recomputes stale rows (src/services/sla-service.ts). A trigger keeps
-- the case use cases unaware of service levels and cannot be forgotten by a new write path.
CREATE FUNCTION "case_sla_mark_dirty"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "case_sla" ("case_id", "dirty") VALUES (NEW."id", true)
  ON CONFLICT ("case_id") DO UPDATE SET "dirty" = true WHERE NOT "case_sla"."dirty";
  RETURN NULL;
END
$$;

CREATE TRIGGER "case_sla_on_insert" AFTER INSERT ON "case"
  FOR EACH ROW EXECUTE FUNCTION "case_sla_mark_dirty"();

CREATE TRIGGER "case_sla_on_update" AFTER UPDATE OF "status", "first_response_at", "category_key" ON "case"
  FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status"
        OR OLD."first_response_at" IS DISTINCT FROM NEW."first_response_at"
        OR OLD."category_key" IS DISTINCT FROM NEW."category_key")
  EXECUTE FUNCTION "case_sla_mark_dirty"();

-- New targets on a category move the due times of its cases that are not yet fully measured.
CREATE FUNCTION "category_sla_mark_dirty"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "case_sla" s SET "dirty" = true
  FROM "case" c
  WHERE c."id" = s."case_id" AND c."category_key" = NEW."key" AND NOT s."dirty"
    AND (s."first_response_ms" IS NULL OR s."resolution_ms" IS NULL);
  RETURN NULL;
END
$$;

CREATE TRIGGER "category_sla_on_update" AFTER UPDATE OF "first_response_hours", "resolution_hours" ON "category"
  FOR EACH ROW
  WHEN (OLD."first_response_hours" IS DISTINCT FROM NEW."first_response_hours"
        OR OLD."resolution_hours" IS DISTINCT FROM NEW."resolution_hours")
  EXECUTE FUNCTION "category_sla_mark_dirty"();

-- Cases filed before this migration.
INSERT INTO "case_sla" ("case_id") SELECT "id" FROM "case" ON CONFLICT DO NOTHING;

-- Seed: case handling Mon–Fri 08:00–16:00 (the service agreement); public holidays are computed.
INSERT INTO "service_hours" ("weekday", "opens", "closes") VALUES
  (1, '08:00', '16:00'), (2, '08:00', '16:00'), (3, '08:00', '16:00'), (4, '08:00', '16:00'), (5, '08:00', '16:00');

-- Seed: the contact channels of seed/tjenestesenteret.txt ("Kontakt", "Telefon", "E-post", "Post").
INSERT INTO "contact_channel" ("key", "kind", "name_nb", "name_en", "address", "description_nb", "description_en", "hours", "sort_order") VALUES
  ('portal', 'portal', 'NTNU Hjelp', 'NTNU Help', 'https://hjelp.ntnu.no',
   'Send oss en henvendelse i NTNU Hjelp. Du må ha Feide-bruker fra NTNU; bruker du riktig kontaktskjema, kommer du raskere fram til rett fagperson.',
   'File a case in NTNU Help. You need an NTNU Feide account; the right contact form gets you to the right specialist faster.',
   NULL, 10),
  ('phone', 'phone', 'Brukerstøtte telefon', 'Phone support', '73 41 31 40',
   'Åpen mandag til fredag kl. 10.00–14.00. Ha ditt ansattnummer klart når du ringer oss.',
   'Open Monday to Friday 10:00–14:00. Have your employee number ready when you call.',
   '[{"weekday":1,"start":"10:00","end":"14:00"},{"weekday":2,"start":"10:00","end":"14:00"},{"weekday":3,"start":"10:00","end":"14:00"},{"weekday":4,"start":"10:00","end":"14:00"},{"weekday":5,"start":"10:00","end":"14:00"}]',
   20),
  ('email', 'email', 'E-post', 'E-mail', 'lonnhr@hr-hms.ntnu.no',
   'Eksterne uten Feide-bruker kan kontakte oss per e-post.',
   'External people without a Feide account can reach us by e-mail.',
   NULL, 30),
  ('post', 'post', 'Post', 'Post', 'NTNUs internpost, eller HR- og HMS-avdelingens adresse',
   'Fysisk post kan sendes til Tjenestesenteret med NTNUs internpost, eller til HR- og HMS-avdelingen sin adresse.',
   'Physical mail can be sent to the service centre by NTNU internal post, or to the HR and HSE department''s address.',
   NULL, 40);
