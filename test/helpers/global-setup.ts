import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '../../src/db/migrator';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { ENV_ADMIN_URL, ENV_MODE, ENV_RUN_ID, ENV_TEMPLATE, withDatabase } from './env';

const LOCAL = process.env.TEST_LOCAL_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * Finds a PostgreSQL, builds a migrated template database once, and tells the workers. Each
 * worker then clones its own database from the template (test/helpers/db.ts).
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  process.env[ENV_RUN_ID] = runId;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl && (await answers(LOCAL))) adminUrl = LOCAL;
  if (adminUrl) {
    const template = `saksflyt_t_${runId}_tpl`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${template}"`);
    } finally {
      await admin.end();
    }
    await applyMigrations({ connectionString: withDatabase(adminUrl, template) });
    process.env[ENV_ADMIN_URL] = adminUrl;
    process.env[ENV_TEMPLATE] = template;
    process.env[ENV_MODE] = 'server';
    return;
  }
  // No server: build one migrated embedded data directory as the template; each test database
  // is a copy of it served by its own embedded PostgreSQL (test/helpers/db.ts).
  const template = mkdtempSync(path.join(os.tmpdir(), 'saksflyt-test-pg-template-'));
  const embedded = await startEmbeddedPostgres({ dataDir: template, maxConnections: 4 });
  try {
    await applyMigrations({ connectionString: embedded.url });
  } finally {
    await embedded.close();
  }
  process.env[ENV_ADMIN_URL] = '';
  process.env[ENV_TEMPLATE] = template;
  process.env[ENV_MODE] = 'embedded';
}
