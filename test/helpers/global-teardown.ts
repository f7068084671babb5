import pg from 'pg';
import { ENV_ADMIN_URL, ENV_MODE, ENV_RUN_ID } from './env';

/** Drops every database this run created; stops the embedded server if one was started. */
export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __saksflytEmbedded?: { close(): Promise<void> } }).__saksflytEmbedded;
  if (process.env[ENV_MODE] === 'embedded') {
    await embedded?.close();
    return;
  }
  const adminUrl = process.env[ENV_ADMIN_URL];
  const runId = process.env[ENV_RUN_ID];
  if (!adminUrl || !runId) return;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`saksflyt_t_${runId}_%`],
    );
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
