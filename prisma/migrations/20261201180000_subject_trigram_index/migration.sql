-- Subject search (GET /v1/cases?q=) is `subject ILIKE '%term%'`, which no b-tree can serve: without
-- this index every search read the whole case table, and a dozen concurrent searches over 300k
-- cases slowed everyone else's requests a hundredfold. A trigram GIN index answers ILIKE with a
-- leading wildcard for terms of three characters or more. The index is declared in schema.prisma
-- too (ops: raw("gin_trgm_ops")); the extension is not (that needs a preview feature), and the
-- drift check ignores extensions it is not told about (docs/decisions/schema-drift.md).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS "case_subject_trgm_idx" ON "case" USING gin ("subject" gin_trgm_ops);
