import pg from 'pg';
import { buildApp } from '../../src/app';
import { checkConfig, ConfigError, testConfig, type Config } from '../../src/config';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../src/db/drift';
import { ENV_ADMIN_URL } from '../helpers/env';
import { onRealServer } from '../helpers/db';
import { tempDir } from '../helpers/temp-dir';

// Issue #12 item 12: the configuration is validated completely before any migration runs.
const ADMIN_URL = process.env[ENV_ADMIN_URL] ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function tables(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'`);
    return rows.map((r) => r.t);
  } finally {
    await c.end();
  }
}

(onRealServer() ? describe : describe.skip)('a wrong configuration at start (fresh database)', () => {
  const made: ThrowawayDatabase[] = [];
  afterAll(async () => {
    await Promise.all(made.map((d) => d.drop()));
  });
  const fresh = async () => {
    const db = await createThrowawayDatabase(ADMIN_URL, 'saksflyt_sec_cfg');
    made.push(db);
    return db.url;
  };
  const start = (overrides: Partial<Record<keyof Config, string>>) =>
    buildApp({ config: testConfig({ DB_POOL_MAX: '1', DATA_DIR: tempDir('saksflyt-cfg-'), ...overrides }), migrate: true, logger: false });

  it.each([
    ['production without OIDC_ISSUER', { NODE_ENV: 'production' }, /OIDC_ISSUER: required in production/],
    ['OIDC_ISSUER without OIDC_AUDIENCE', { NODE_ENV: 'production', OIDC_ISSUER: 'https://auth.dataporten.no' }, /OIDC_AUDIENCE/],
    [
      'an http issuer in production',
      { NODE_ENV: 'production', OIDC_ISSUER: 'http://127.0.0.1:9', OIDC_AUDIENCE: 'x' },
      /OIDC_ISSUER: must be an https URL/,
    ],
    ['an issuer that cannot be discovered', { OIDC_ISSUER: 'http://127.0.0.1:9', OIDC_AUDIENCE: 'x' }, /fetch failed|ECONNREFUSED|discovery/],
    ['an unknown TIMEZONE', { TIMEZONE: 'Mars/Olympus' }, /TIMEZONE/],
  ] as const)('fails on %s before any migration runs', async (_what, overrides, message) => {
    const url = await fresh();
    await expect(start({ ...overrides, DATABASE_URL: url })).rejects.toThrow(message);
    expect(await tables(url)).toEqual([]);
  });

  it('migrates a fresh database when the configuration is right', async () => {
    const url = await fresh();
    const app = await start({ DATABASE_URL: url });
    await app.close();
    expect(await tables(url)).toContain('_prisma_migrations');
  });
});

describe('checkConfig', () => {
  const check =
    (overrides: Partial<Record<keyof Config, string>>, externalVerifier = false) =>
    () =>
      checkConfig(testConfig(overrides), { externalVerifier });

  it.each([
    [{ NODE_ENV: 'production' }, 'OIDC_ISSUER:'],
    [{ NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example.org' }, 'OIDC_AUDIENCE:'],
    [{ NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example.org', OIDC_AUDIENCE: 'a', OIDC_JWKS_URL: 'http://idp/jwks' }, 'OIDC_JWKS_URL:'],
    [{ TIMEZONE: 'Nowhere/Else' }, 'TIMEZONE:'],
    [{ WEBHOOK_BACKOFF_BASE_MS: '5000', WEBHOOK_BACKOFF_MAX_MS: '1000' }, 'WEBHOOK_BACKOFF_BASE_MS:'],
    [{ ATTACHMENT_TYPES: ' , ' }, 'ATTACHMENT_TYPES:'],
    [{ CORS_ORIGINS: 'https://ok.example.org, *' }, 'CORS_ORIGINS:'],
  ] as const)('refuses %j with a one-line message naming the variable', (overrides, prefix) => {
    let err: unknown;
    try {
      check(overrides)();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.startsWith(prefix)).toBe(true);
    expect((err as Error).message).not.toContain('\n');
  });

  it('accepts the defaults, a full production configuration, and production with a verifier of the caller', () => {
    expect(check({})).not.toThrow();
    expect(
      check({ NODE_ENV: 'production', OIDC_ISSUER: 'https://auth.dataporten.no', OIDC_AUDIENCE: 'https://n.feide.no/datasources/x' }),
    ).not.toThrow();
    expect(check({ NODE_ENV: 'production' }, true)).not.toThrow();
  });
});
