import { readdirSync } from 'node:fs';
import type pg from 'pg';
import { pgQuery, type Query } from '../db/query';
import { MIGRATIONS_DIR } from '../paths';
import { appliedMigrations } from '../repositories/health-repository';

/** Readiness: the database answers and every migration folder of this build is applied. */
export class HealthService {
  private readonly q: Query;
  private readonly expected: string[];

  constructor(pool: pg.Pool) {
    this.q = pgQuery(pool);
    this.expected = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  }

  /** The migrations of this build, and those not applied yet (throws when the database does not answer). */
  async migrations(): Promise<{ expected: number; pending: string[] }> {
    const applied = new Set(await appliedMigrations(this.q));
    return { expected: this.expected.length, pending: this.expected.filter((m) => !applied.has(m)) };
  }
}
