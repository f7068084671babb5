/** What the readiness check asks the database. */
import type { Query } from '../db/query';

/** Names of the migrations recorded as applied (finished, not rolled back). */
export async function appliedMigrations(q: Query): Promise<string[]> {
  const rows = await q<{ migration_name: string }>(
    'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  return rows.map((r) => r.migration_name);
}
