import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One statement of a migration as the migrator applies it: the first of its `;`-separated
 * statements that contains `marker`, without the comment lines before it. The status-changes test
 * runs the backfill again, and the benchmark's seed fills the column with the same statement.
 */
export function migrationStatement(migration: string, marker: string): string {
  const sql = readFileSync(path.join(__dirname, '../../prisma/migrations', migration, 'migration.sql'), 'utf8');
  const statement = sql
    .split(';')
    .map((s) => s.trim())
    .find((s) => s.includes(marker));
  if (!statement) throw new Error(`No statement with ${marker} in migration ${migration}`);
  return statement.replace(/^(--[^\n]*\n)*/, '');
}
