-- #16 points 7, 8 and 10 (docs/reference-data.md): notices and FAQ links shown before filing,
-- forms handled by the leader, and Norwegian texts next to the English ones.

-- Categories: who handles the form (the centre, or the person's leader with guidance where to go),
-- and a Norwegian description next to `description` (English, kept as it was).
ALTER TABLE "category" ADD COLUMN "description_nb" TEXT,
  ADD COLUMN "handled_by" TEXT NOT NULL DEFAULT 'centre',
  ADD COLUMN "guidance_nb" TEXT,
  ADD COLUMN "guidance_en" TEXT;

-- Notices and FAQ links: nb/en title and text, an https link, the categories they concern
-- (empty: all), and an active period [active_from, active_until) (NULL: open).
CREATE TABLE "notice" (
    "id" UUID NOT NULL,
    "title_nb" TEXT NOT NULL,
    "title_en" TEXT NOT NULL,
    "text_nb" TEXT NOT NULL,
    "text_en" TEXT NOT NULL,
    "link" TEXT,
    "category_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "active_from" TIMESTAMPTZ(3),
    "active_until" TIMESTAMPTZ(3),
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notice_pkey" PRIMARY KEY ("id")
);

-- The two pointers of the seed page ("Spørsmål om lønnstrekk etter streik?", "Spørsmål om
-- feriepenger?"). The links go to the centre's wiki page; admins replace them with the exact
-- articles' addresses.
INSERT INTO "notice" ("id", "title_nb", "title_en", "text_nb", "text_en", "link", "category_keys", "sort_order") VALUES
  ('5b1c7d8e-0000-4000-8000-00000000a001',
   'Spørsmål om lønnstrekk etter streik?', 'Questions about pay deductions after the strike?',
   'Se Innsida-meldingen med informasjon om lønnstrekk etter streiken før du sender en sak.',
   'Read the Innsida notice on pay deductions after the strike before you file a case.',
   'https://i.ntnu.no/wiki/-/wiki/Norsk/Tjenestesenteret', ARRAY['salary'], 10),
  ('5b1c7d8e-0000-4000-8000-00000000a002',
   'Spørsmål om feriepenger?', 'Questions about holiday pay?',
   'Se svar på ofte stilte spørsmål om feriepenger før du sender en sak.',
   'See the answers to frequently asked questions about holiday pay before you file a case.',
   'https://i.ntnu.no/wiki/-/wiki/Norsk/Tjenestesenteret', ARRAY['vacation', 'salary'], 20);

-- Norwegian descriptions of the seeded categories (only where an admin has not changed them).
UPDATE "category" SET "description_nb" = 'Ledere melder endringer i arbeidsforhold her.'
  WHERE "key" = 'employment' AND "description" = 'Leaders file changes of employment here.';
UPDATE "category" SET "description_nb" = 'Inneholder helseopplysninger: bare synlig for teamet som eier saken.'
  WHERE "key" IN ('sickness', 'parental-leave') AND "description" = 'Holds health data: visible only to the owning team.';
UPDATE "category" SET "description_nb" = 'Også spørsmål om feriepenger.'
  WHERE "key" = 'vacation' AND "description" = 'Including holiday-pay questions.';
UPDATE "category" SET "description_nb" = 'Forslag til forbedringer.'
  WHERE "key" = 'feedback' AND "description" = 'Improvement suggestions.';
UPDATE "category" SET "description_nb" = 'Alt annet.'
  WHERE "key" = 'general' AND "description" = 'Anything else.';

-- Forms that go straight to the leader ("Se hvilke skjema som går direkte til din leder"): the
-- vacation application and the self-certified sick leave are approved by the leader in the
-- self-service portal (Selvbetjeningsportalen / DFØ-appen). They are listed so a front end can
-- route people there; filing them at the centre is refused with this guidance.
INSERT INTO "category" ("key", "name_nb", "name_en", "description", "description_nb", "default_team_key", "sensitive",
                        "sort_order", "form", "handled_by", "guidance_nb", "guidance_en") VALUES
  ('vacation-application', 'Søknad om ferie', 'Vacation application',
   'Applying for vacation days: approved by your leader.', 'Søknad om feriedager: godkjennes av din leder.',
   'time', false, 120, NULL, 'leader',
   'Søknad om ferie sendes til din leder i Selvbetjeningsportalen (eller DFØ-appen), ikke til Tjenestesenteret. Har du spørsmål om ferie eller feriepenger, bruk skjemaet Ferie.',
   'Vacation is applied for to your leader in the self-service portal (Selvbetjeningsportalen, or the DFØ app), not to the service centre. For questions about vacation or holiday pay, use the Vacation form.'),
  ('self-certified-sick-leave', 'Egenmelding', 'Self-certified sick leave',
   'Reporting self-certified sick leave: goes to your leader.', 'Registrering av egenmelding: går til din leder.',
   'absence', true, 130, NULL, 'leader',
   'Egenmelding registreres i Selvbetjeningsportalen (eller DFØ-appen) og går direkte til din leder, ikke til Tjenestesenteret. Har du spørsmål om sykdom og sykepenger, bruk skjemaet Sykdom.',
   'Self-certified sick leave is registered in the self-service portal (Selvbetjeningsportalen, or the DFØ app) and goes straight to your leader, not to the service centre. For questions about sickness and sick pay, use the Sickness form.');

-- Form field titles in nb and en: each field keeps `title` (English, as before) and gains
-- `x-title` {nb, en} (an annotation JSON Schema validators ignore). Only unchanged seed forms.
UPDATE "category" SET "form" = '{"type":"object","additionalProperties":false,"properties":{"travelDate":{"type":"string","format":"date","title":"Travel date","x-title":{"nb":"Reisedato","en":"Travel date"}},"destination":{"type":"string","maxLength":200,"title":"Destination","x-title":{"nb":"Reisemål","en":"Destination"}},"claimNumber":{"type":"string","maxLength":50,"title":"Claim number","x-title":{"nb":"Reiseregningsnummer","en":"Claim number"}}}}'::jsonb
  WHERE "key" = 'travel-expense' AND "form" = '{"type":"object","additionalProperties":false,"properties":{"travelDate":{"type":"string","format":"date","title":"Travel date"},"destination":{"type":"string","maxLength":200,"title":"Destination"},"claimNumber":{"type":"string","maxLength":50,"title":"Claim number"}}}'::jsonb;
UPDATE "category" SET "form" = '{"type":"object","additionalProperties":false,"properties":{"period":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}$","title":"Month (YYYY-MM)","x-title":{"nb":"Måned (ÅÅÅÅ-MM)","en":"Month (YYYY-MM)"}}}}'::jsonb
  WHERE "key" = 'working-hours' AND "form" = '{"type":"object","additionalProperties":false,"properties":{"period":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}$","title":"Month (YYYY-MM)"}}}'::jsonb;
UPDATE "category" SET "form" = '{"type":"object","additionalProperties":false,"properties":{"period":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}$","title":"Pay month (YYYY-MM)","x-title":{"nb":"Lønnsmåned (ÅÅÅÅ-MM)","en":"Pay month (YYYY-MM)"}},"topic":{"type":"string","enum":["payslip","deduction","overtime","tax","other"],"title":"Topic","x-title":{"nb":"Tema","en":"Topic"}}}}'::jsonb
  WHERE "key" = 'salary' AND "form" = '{"type":"object","additionalProperties":false,"properties":{"period":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}$","title":"Pay month (YYYY-MM)"},"topic":{"type":"string","enum":["payslip","deduction","overtime","tax","other"],"title":"Topic"}}}'::jsonb;
UPDATE "category" SET "form" = '{"type":"object","additionalProperties":false,"properties":{"changeType":{"type":"string","enum":["new","extension","position-change","percentage-change","termination","other"],"title":"Kind of change","x-title":{"nb":"Type endring","en":"Kind of change"}},"effectiveDate":{"type":"string","format":"date","title":"Effective from","x-title":{"nb":"Gjelder fra","en":"Effective from"}}}}'::jsonb
  WHERE "key" = 'employment' AND "form" = '{"type":"object","additionalProperties":false,"properties":{"changeType":{"type":"string","enum":["new","extension","position-change","percentage-change","termination","other"],"title":"Kind of change"},"effectiveDate":{"type":"string","format":"date","title":"Effective from"}}}'::jsonb;
UPDATE "category" SET "form" = '{"type":"object","additionalProperties":false,"properties":{"from":{"type":"string","format":"date","title":"From","x-title":{"nb":"Fra","en":"From"}},"to":{"type":"string","format":"date","title":"To","x-title":{"nb":"Til","en":"To"}}}}'::jsonb
  WHERE "key" = 'sickness' AND "form" = '{"type":"object","additionalProperties":false,"properties":{"from":{"type":"string","format":"date","title":"From"},"to":{"type":"string","format":"date","title":"To"}}}'::jsonb;
UPDATE "category" SET "form" = '{"type":"object","additionalProperties":false,"properties":{"year":{"type":"integer","minimum":2000,"maximum":2100,"title":"Vacation year","x-title":{"nb":"Ferieår","en":"Vacation year"}},"holidayPay":{"type":"boolean","title":"About holiday pay","x-title":{"nb":"Gjelder feriepenger","en":"About holiday pay"}}}}'::jsonb
  WHERE "key" = 'vacation' AND "form" = '{"type":"object","additionalProperties":false,"properties":{"year":{"type":"integer","minimum":2000,"maximum":2100,"title":"Vacation year"},"holidayPay":{"type":"boolean","title":"About holiday pay"}}}'::jsonb;
UPDATE "category" SET "form" = '{"type":"object","additionalProperties":false,"properties":{"from":{"type":"string","format":"date","title":"From","x-title":{"nb":"Fra","en":"From"}},"to":{"type":"string","format":"date","title":"To","x-title":{"nb":"Til","en":"To"}}}}'::jsonb
  WHERE "key" = 'parental-leave' AND "form" = '{"type":"object","additionalProperties":false,"properties":{"from":{"type":"string","format":"date","title":"From"},"to":{"type":"string","format":"date","title":"To"}}}'::jsonb;
UPDATE "category" SET "form" = '{"type":"object","additionalProperties":false,"properties":{"from":{"type":"string","format":"date","title":"From","x-title":{"nb":"Fra","en":"From"}},"to":{"type":"string","format":"date","title":"To","x-title":{"nb":"Til","en":"To"}},"paid":{"type":"boolean","title":"Paid leave","x-title":{"nb":"Permisjon med lønn","en":"Paid leave"}}}}'::jsonb
  WHERE "key" = 'leave' AND "form" = '{"type":"object","additionalProperties":false,"properties":{"from":{"type":"string","format":"date","title":"From"},"to":{"type":"string","format":"date","title":"To"},"paid":{"type":"boolean","title":"Paid leave"}}}'::jsonb;
