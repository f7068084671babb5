/**
 * Server settings of every connection of the service's pool, sent at connect (libpq `options`):
 * no JIT compilation (it cost a search 100–400 ms and saves nothing on the service's short
 * statements, docs/search.md) and no parallel workers (decision record no-parallel-query.md).
 * Named prepared statements keep PostgreSQL's default plan cache (decision record
 * prepared-statements.md: only texts whose plan does not depend on their values are named).
 * bench/explain-list.ts connects with the same, so its plans are the service's.
 */
export const POOL_OPTIONS = '-c jit=off -c max_parallel_workers_per_gather=0';
