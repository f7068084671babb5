-- AlterTable
ALTER TABLE "webhook_subscription" ADD COLUMN     "include_sensitive" BOOLEAN NOT NULL DEFAULT false;


-- The delivery log used to show the system error of a failed connection (ECONNREFUSED, host
-- names, ports of internal hosts). It now shows generic errors only; old rows are brought in line.
UPDATE "webhook_attempt" SET "error" = 'connection failed'
 WHERE "error" IS NOT NULL AND "error" NOT IN ('timeout', 'refused by policy', 'connection failed', 'event no longer in the outbox; skipped')
   AND "error" NOT LIKE 'HTTP ___';
UPDATE "webhook_delivery" SET "last_error" = 'connection failed'
 WHERE "last_error" IS NOT NULL AND "last_error" NOT IN ('timeout', 'refused by policy', 'connection failed', 'event no longer in the outbox; skipped')
   AND "last_error" NOT LIKE 'HTTP ___';
UPDATE "webhook_subscription" SET "disabled_reason" = regexp_replace("disabled_reason", '\(last: .*\)$', '(last: connection failed)')
 WHERE "disabled_reason" ~ '\(last: .*\)$'
   AND "disabled_reason" !~ '\(last: (timeout|refused by policy|connection failed|HTTP \d{3})\)$';
