-- Anonymised cases used the readable marker 'anonymised' for the subject ids of the people they
-- were about, which is a valid token `sub`: whoever signed in with it found the cases again. The
-- marker is now the empty string, which no token can carry (src/domain/retention.ts). Data only.
UPDATE "case" SET "filed_by_id" = ''
 WHERE "anonymised_at" IS NOT NULL AND "filed_by_id" = 'anonymised';
UPDATE "case_message" m SET "author_id" = ''
  FROM "case" c WHERE c."id" = m."case_id" AND c."anonymised_at" IS NOT NULL AND m."author_id" = 'anonymised';
UPDATE "attachment" a SET "uploaded_by_id" = ''
  FROM "case" c WHERE c."id" = a."case_id" AND c."anonymised_at" IS NOT NULL AND a."uploaded_by_id" = 'anonymised';
UPDATE "case_history" h SET "actor_id" = ''
  FROM "case" c WHERE c."id" = h."case_id" AND c."anonymised_at" IS NOT NULL AND h."actor_id" = 'anonymised';
UPDATE "outbox_event" e SET "payload" = jsonb_set(e."payload", '{actor,id}', '""'::jsonb)
  FROM "case" c WHERE c."id" = e."case_id" AND c."anonymised_at" IS NOT NULL AND e."payload" #>> '{actor,id}' = 'anonymised';
