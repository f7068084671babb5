/**
 * Server settings of every connection of the service's pool, sent at connect (libpq `options`):
 * no JIT compilation (it cost a search 100–400 ms and saves nothing on the service's short
 * statements, docs/search.md), no parallel workers (decision record no-parallel-query.md), and a
 * plan for every execution of a named prepared statement, made for its values (decision record
 * prepared-statements.md: a name saves the parsing, never a plan fitted to other values).
 * bench/explain-list.ts connects with the same, so its plans are the service's.
 */
export const POOL_OPTIONS = '-c jit=off -c max_parallel_workers_per_gather=0 -c plan_cache_mode=force_custom_plan';
