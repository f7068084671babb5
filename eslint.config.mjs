// ESLint with type information (typescript-eslint 8). Besides the usual checks it states the
// layers of docs/architecture.md as import rules, so a layer violation fails `.ci/run`:
//   - src/domain is pure: no plugins, services, repositories, db, routes, http, generated
//     Prisma client, fastify, pg or node I/O;
//   - routes reach the database only through services;
//   - SQL is written in src/repositories and src/db only.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node's CommonJS globals, for the few .js/.cjs files (jest configs, postinstall, bench preload). */
const commonJsGlobals = {
  require: 'readonly',
  module: 'writable',
  exports: 'writable',
  __dirname: 'readonly',
  __filename: 'readonly',
  process: 'readonly',
  console: 'readonly',
  Buffer: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
};

/** Matches a relative import of one of the given top-level folders of src/ (any depth of `../`). */
const srcFolder = (...folders) => `^\\.{1,2}/(?:\\.\\./)*(?:src/)?(?:${folders.join('|')})(?:/|$)`;

const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
];

// SQL statements written as string or template literals (`SELECT …`, `INSERT INTO …`); case-
// sensitive, so prose such as "Update the case" does not match.
const SQL_TEXT = '/^\\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|WITH|CREATE|ALTER|DROP|LOCK|TRUNCATE)\\s/';
const RAW_SQL_MESSAGE = 'SQL belongs in src/repositories (or src/db): call a repository function instead.';

const rawSqlRules = [
  {
    selector: 'MemberExpression[property.name=/^\\$(queryRaw|executeRaw|queryRawUnsafe|executeRawUnsafe|transaction)$/]',
    message: `Prisma raw SQL and $transaction: ${RAW_SQL_MESSAGE}`,
  },
  {
    selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query']",
    message: `.query() on a pool or client: ${RAW_SQL_MESSAGE}`,
  },
  { selector: `Literal[value=${SQL_TEXT}]`, message: RAW_SQL_MESSAGE },
  { selector: `TemplateElement[value.raw=${SQL_TEXT}]`, message: RAW_SQL_MESSAGE },
];

export default tseslint.config(
  {
    ignores: ['dist/', 'data/', 'coverage/', 'node_modules/', 'src/generated/', 'test/client/schema.d.ts', 'test/client/generated/', 'openapi/'],
  },
  eslint.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['prisma.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // The promise rules are the reason for type information: an unawaited write or a promise
      // handed to a callback that ignores it loses errors and ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Pragmatic: pg rows, JSON bodies and test fixtures are `any` by nature here; the schemas
      // (TypeBox) check them at the edges instead.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Style, not safety: an async function without await (an interface's async method, a
      // callback returning another promise) is fine here.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: commonJsGlobals },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Jest's expect(mock.method) and async callbacks passed to describe-level helpers.
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  // ---- Layers ----
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: srcFolder('plugins', 'services', 'repositories', 'db', 'routes', 'http', 'generated'),
              message: 'src/domain is pure: it imports no plugins, services, repositories, db, routes, http or Prisma client.',
            },
            {
              regex: '^(fastify|fastify-plugin|@fastify/.*|pg|pg-.*|@prisma/.*|prisma)$',
              message: 'src/domain is pure: no fastify, pg or Prisma.',
            },
            {
              regex: `^(node:)?(${NODE_IO.join('|')})$`,
              message: 'src/domain is pure: no node I/O; take what you need as an argument.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/domain is pure: configuration comes in as an argument (src/config.ts reads the environment).' },
      ],
    },
  },
  {
    files: ['src/routes/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: srcFolder('repositories', 'db', 'generated'),
              message: 'Routes stay thin: reach the database through a service, not repositories, db or the Prisma client.',
            },
            { regex: '^(pg|@prisma/.*)$', message: 'Routes stay thin: no pg or Prisma in a route.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/services/**/*.ts', 'src/routes/**/*.ts', 'src/plugins/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...rawSqlRules] },
  },
);
