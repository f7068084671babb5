-- One statement per command (#17): case changes read optimistically and write with one statement
-- that takes this row FOR SHARE and only acts while `epoch` is still the one the change's windows
-- were read at. Window edits bump it in their transaction (docs/decisions/one-statement-writes.md).
CREATE TABLE "window_epoch" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "epoch" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "window_epoch_pkey" PRIMARY KEY ("id")
);

INSERT INTO "window_epoch" ("id", "epoch") VALUES (1, 0);
