/**
 * Migration 20261203130224_case_sla_stale_queue on a database that has cases: the SLA rows marked
 * stale by the old column `case_sla.dirty` become marks in `case_sla_stale`, the fresh ones do not,
 * and the triggers mark by the new table afterwards (docs/decisions/sla-stale-queue.md).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR } from '../../src/db/migrator';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../src/db/drift';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MIGRATION = '20261203130224_case_sla_stale_queue';

let db: ThrowawayDatabase;
let before: string;
let c: Client;

beforeAll(async () => {
  // The migrations up to the one before it.
  before = await fs.mkdtemp(path.join(os.tmpdir(), 'saksflyt-sla-stale-'));
  for (const name of await fs.readdir(DEFAULT_MIGRATIONS_DIR)) {
    if (/^\d/.test(name) && name >= MIGRATION) continue;
    await fs.cp(path.join(DEFAULT_MIGRATIONS_DIR, name), path.join(before, name), { recursive: true });
  }
  db = await createThrowawayDatabase(ADMIN_URL, 'saksflyt_sla_stale');
  await applyMigrations({ connectionString: db.url, migrationsDir: before });
  c = new Client({ connectionString: db.url });
  await c.connect();
});

afterAll(async () => {
  await c?.end();
  await db?.drop();
  if (before) await fs.rm(before, { recursive: true, force: true });
});

const fileCase = async (n: number): Promise<string> =>
  (
    await c.query<{ id: string }>(
      `INSERT INTO "case" (id, number, category_key, team_key, subject, description, channel, filed_by_id, filed_by_role, requester_id)
       SELECT gen_random_uuid(), 'M-' || $1::int, key, default_team_key, 's', 'd', 'portal', 'ola', 'requester', 'ola'
         FROM category ORDER BY key LIMIT 1
       RETURNING id`,
      [n],
    )
  ).rows[0]!.id;

it('moves the stale rows into case_sla_stale, drops dirty, and the triggers mark by the new table', async () => {
  const stale = await fileCase(1);
  const fresh = await fileCase(2);
  await c.query('UPDATE case_sla SET dirty = false WHERE case_id = $1', [fresh]);

  await applyMigrations({ connectionString: db.url });

  const marks = async () => (await c.query<{ case_id: string }>('SELECT case_id FROM case_sla_stale ORDER BY case_id')).rows.map((r) => r.case_id);
  expect(await marks()).toEqual([stale]);
  const dirty = await c.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'case_sla' AND column_name = 'dirty'`);
  expect(dirty.rowCount).toBe(0);

  // A move of the fresh case marks it; a new filing gets its SLA row and its mark.
  await c.query(`UPDATE "case" SET status = 'ASSIGNED' WHERE id = $1`, [fresh]);
  const filed = await fileCase(3);
  expect(await marks()).toEqual([stale, fresh, filed].sort());
  expect((await c.query('SELECT 1 FROM case_sla WHERE case_id = $1', [filed])).rowCount).toBe(1);
});
