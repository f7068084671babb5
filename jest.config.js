const pg = require('pg');

// The local server the tests use when TEST_DATABASE_URL is not set (overridable to prove the
// embedded fallback: TEST_LOCAL_URL=postgresql://nobody@127.0.0.1:1/x npm test).
const LOCAL_TEST_SERVER = process.env.TEST_LOCAL_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

// With no PostgreSQL server the tests share one embedded database (PGlite, one session at a
// time): run the files one after another then.
async function serverAnswers() {
  if (process.env.TEST_DATABASE_URL) return true;
  const c = new pg.Client({ connectionString: LOCAL_TEST_SERVER, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** @type {() => Promise<import('jest').Config>} */
module.exports = async () => ({
  ...((await serverAnswers()) ? {} : { maxWorkers: 1 }),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The slow fault, load and fuzz suites run with `npm run test:reliability` (jest.reliability.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/reliability/'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // typebox 1.x, cookie 2 (used by inject()) and content-disposition 3 are ESM-only.
  transformIgnorePatterns: ['/node_modules/(?!(typebox|content-disposition|cookie|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // The generated client (test/client/generated) imports its own .ts files as ./x.gen.js.
  moduleNameMapper: { '^(\\.{1,2}/.*(?:\\.gen|client/index))\\.js$': '$1' },
  setupFilesAfterEnv: ['<rootDir>/test/helpers/contract-setup.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 30000,
});
