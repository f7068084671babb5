import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
  if (process.env[ENV_MODE] === 'embedded') return startEmbeddedCopy();
  const adminUrl = process.env[ENV_ADMIN_URL];
  if (!adminUrl) throw new Error('test database not set up: run through jest (globalSetup)');
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

/**
 * The embedded fallback: a copy of the migrated template data directory, served by its own
 * embedded PostgreSQL in a child process, so every test app has its own database as on a server.
 */
async function startEmbeddedCopy(): Promise<{ url: string; drop(): Promise<void> }> {
  const template = process.env[ENV_TEMPLATE];
  if (!template) throw new Error('embedded template not set up: run through jest (globalSetup)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'saksflyt-test-pg-'));
  await cp(template, dir, { recursive: true });
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'embedded-child.ts'), dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    void exited.then(() => reject(new Error('embedded PostgreSQL for a test database exited early')));
  });
  return {
    url,
    drop: async () => {
      child.stdin.end();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
