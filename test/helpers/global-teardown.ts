import { rm } from 'node:fs/promises';
import pg from 'pg';
import { ENV_ADMIN_URL, ENV_MODE, ENV_RUN_ID, ENV_TEMPLATE } from './env';

/** Drops every database this run created (or the embedded template directory). */
export default async function globalTeardown(): Promise<void> {
  if (process.env[ENV_MODE] === 'embedded') {
    const template = process.env[ENV_TEMPLATE];
    if (template) await rm(template, { recursive: true, force: true });
    return;
  }
  const adminUrl = process.env[ENV_ADMIN_URL];
  const runId = process.env[ENV_RUN_ID];
  if (!adminUrl || !runId) return;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`saksflyt_t_${runId}_%`]);
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
