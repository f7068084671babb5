-- The categories' epoch (#17, docs/decisions/category-facts.md): one row, bumped in the
-- transaction of every change to "category" by a statement trigger, so no writer (the admin API,
-- a seed, an operator's SQL) can forget it. A list page reads its categories' facts (sensitive,
-- service-level targets) from a copy the service holds, and the page's statement returns this
-- epoch: a copy older than the page's snapshot is read again before it is used.
CREATE TABLE "category_epoch" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "epoch" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "category_epoch_pkey" PRIMARY KEY ("id")
);

INSERT INTO "category_epoch" ("id", "epoch") VALUES (1, 0);

CREATE FUNCTION category_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE category_epoch SET epoch = epoch + 1 WHERE id = 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER category_epoch_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "category"
  FOR EACH STATEMENT EXECUTE FUNCTION category_epoch_bump();
