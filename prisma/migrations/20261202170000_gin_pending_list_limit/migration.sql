-- GIN indexes take new entries into a pending list (fastupdate) that every search through the
-- index reads in full, until a vacuum or the list passing gin_pending_list_limit (4 MB by
-- default) merges it into the index. Autovacuum visits "case" only after ~20 % of it was
-- inserted (200,000 filings at 1,000,000 cases), and every status change of a case adds its
-- entries again (a non-HOT update), so in service the lists sit near 4 MB. Measured on the
-- 1,000,000-case benchmark database after the benchmark's filings and moves (docs/search.md,
-- "Pending lists"): searches at 16 connections by case number 209–244 req/s with the default
-- and 380 with 256 kB, by employee number 98–102 against 147; filing was not slower (500–515
-- against 602 req/s). The inserting backend that passes the limit merges the list: a smaller
-- limit makes that merge smaller and more frequent.
ALTER INDEX "case_search_fields_idx" SET (gin_pending_list_limit = 256);
ALTER INDEX "case_search_messages_idx" SET (gin_pending_list_limit = 256);
ALTER INDEX "case_search_internal_idx" SET (gin_pending_list_limit = 256);
ALTER INDEX "case_tags_idx" SET (gin_pending_list_limit = 256);
ALTER INDEX "search_lexeme_lexeme_idx" SET (gin_pending_list_limit = 256);
