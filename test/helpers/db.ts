import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ENV_ADMIN_URL, ENV_MODE, ENV_RUN_ID, ENV_TEMPLATE, withDatabase } from './env';

/** Whether tests run on a real server (concurrency tests need one). */
export function onRealServer(): boolean {
  return process.env[ENV_MODE] === 'server';
}

/**
 * A fresh, migrated database cloned from the run's template (a real server), or the shared
 * embedded one. `drop()` removes it; global teardown removes any left behind.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env[ENV_ADMIN_URL];
  if (!adminUrl) throw new Error('test database not set up: run through jest (globalSetup)');
  if (!onRealServer()) return { url: adminUrl, drop: async () => undefined };
  const name = `saksflyt_t_${process.env[ENV_RUN_ID]}_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${process.env[ENV_TEMPLATE]}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
