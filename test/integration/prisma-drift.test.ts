/**
 * Fails when prisma/schema.prisma and prisma/migrations disagree, i.e. when
 * someone edits the schema without writing the migration (or the reverse).
 * Prisma 6.19's `migrate diff` replays the migrations into a throw-away shadow
 * database on the test server (TEST_DATABASE_URL, else 127.0.0.1:5432) and
 * compares the result with the schema; see docs/decisions/schema-drift.md.
 *
 * To fix a failure: write the missing migration SQL (the summary in the
 * failure says what differs), or revert the schema edit.
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkSchemaDrift, DEFAULT_MIGRATIONS_DIR, DEFAULT_SCHEMA_PATH, toPrisma6Schema } from '../../src/db/drift';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const drift = (schemaPath: string, migrationsDir: string) => checkSchemaDrift({ schemaPath, migrationsDir, adminUrl });

const FIXTURE_SCHEMA = `// A Prisma 7 schema: no url in the datasource, the new generator.
generator client {
  provider     = "prisma-client"
  output       = "../src/generated/prisma"
  moduleFormat = "cjs"
}

datasource db {
  provider = "postgresql"
}

enum Colour {
  red
  green
}

model Widget {
  id        Int      @id @default(autoincrement())
  name      String   @unique
  colour    Colour?
  createdAt DateTime @default(now()) @map("created_at")

  @@map("widget")
}
`;

// What \`prisma migrate dev\` would have written for FIXTURE_SCHEMA.
const FIXTURE_MIGRATION = `-- CreateEnum
CREATE TYPE "Colour" AS ENUM ('red', 'green');

-- CreateTable
CREATE TABLE "widget" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "colour" "Colour",
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "widget_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "widget_name_key" ON "widget"("name");
`;

const EXTRA_MODEL = `
model DriftProbe {
  id Int @id
}
`;

let tmp: string;
let fixtureMigrations: string;

async function writeFile(file: string, text: string): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  return file;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'saksflyt-drift-test-'));
  fixtureMigrations = path.join(tmp, 'migrations');
  await writeFile(path.join(fixtureMigrations, 'migration_lock.toml'), 'provider = "postgresql"\n');
  await writeFile(path.join(fixtureMigrations, '20240101000000_init', 'migration.sql'), FIXTURE_MIGRATION);
});

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('toPrisma6Schema', () => {
  test('drops generators and gives the datasource the url Prisma 6 requires', () => {
    const out = toPrisma6Schema(FIXTURE_SCHEMA);
    expect(out).not.toMatch(/^generator\s+\w+\s*\{/m);
    expect(out).toMatch(/datasource db \{\n {2}url = env\("[A-Z0-9_]+"\)\n {2}provider = "postgresql"\n\}/);
    expect(out).toContain('model Widget {');
  });

  test('replaces a url that is already there', () => {
    const out = toPrisma6Schema('datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n');
    expect(out.match(/url\s*=/g)).toHaveLength(1);
    expect(out).not.toContain('env("DATABASE_URL")');
  });

  test('rejects a schema without a datasource', () => {
    expect(() => toPrisma6Schema('model A {\n  id Int @id\n}\n')).toThrow(/datasource/);
  });
});

describe('drift check on a fixture (shows the check can pass and fail)', () => {
  test('schema and migrations in step: no drift', async () => {
    const schema = await writeFile(path.join(tmp, 'same', 'schema.prisma'), FIXTURE_SCHEMA);
    expect(await drift(schema, fixtureMigrations)).toEqual({ drift: false, summary: 'No difference detected.' });
  }, 60_000);

  test('a column added to the schema only: drift', async () => {
    const schema = await writeFile(
      path.join(tmp, 'column', 'schema.prisma'),
      FIXTURE_SCHEMA.replace('  colour    Colour?\n', '  colour    Colour?\n  weight    Int?\n'),
    );
    const res = await drift(schema, fixtureMigrations);
    expect(res.drift).toBe(true);
    expect(res.summary).toMatch(/Added column `weight`/);
  }, 60_000);

  test('a model added to the schema only: drift', async () => {
    const schema = await writeFile(path.join(tmp, 'model', 'schema.prisma'), FIXTURE_SCHEMA + EXTRA_MODEL);
    const res = await drift(schema, fixtureMigrations);
    expect(res.drift).toBe(true);
    expect(res.summary).toMatch(/Added tables[\s\S]*DriftProbe/);
  }, 60_000);

  test('a broken migration is an error, not "no drift"', async () => {
    const broken = path.join(tmp, 'broken-migrations');
    await writeFile(path.join(broken, 'migration_lock.toml'), 'provider = "postgresql"\n');
    await writeFile(path.join(broken, '20240101000000_init', 'migration.sql'), 'CREATE TABLE "widget" (;\n');
    const schema = await writeFile(path.join(tmp, 'broken', 'schema.prisma'), FIXTURE_SCHEMA);
    await expect(drift(schema, broken)).rejects.toThrow(/migrate diff failed[\s\S]*20240101000000_init/);
  }, 60_000);
});

const haveRealSchema = existsSync(DEFAULT_SCHEMA_PATH) && existsSync(DEFAULT_MIGRATIONS_DIR);

(haveRealSchema ? describe : describe.skip)('prisma/schema.prisma against prisma/migrations', () => {
  test('no drift', async () => {
    // On failure the summary below is what Prisma would put in the missing migration.
    expect(await drift(DEFAULT_SCHEMA_PATH, DEFAULT_MIGRATIONS_DIR)).toEqual({
      drift: false,
      summary: 'No difference detected.',
    });
  }, 60_000);

  test('the same check reports drift for a copy of the schema with one more model', async () => {
    const schema = await writeFile(
      path.join(tmp, 'real-plus-model', 'schema.prisma'),
      (await fs.readFile(DEFAULT_SCHEMA_PATH, 'utf8')) + EXTRA_MODEL,
    );
    const res = await drift(schema, DEFAULT_MIGRATIONS_DIR);
    expect(res.drift).toBe(true);
    expect(res.summary).toMatch(/DriftProbe/);
  }, 60_000);

  test('and for the schema against an empty migration history', async () => {
    const empty = path.join(tmp, 'real-empty-history');
    await fs.mkdir(empty, { recursive: true });
    await fs.copyFile(path.join(DEFAULT_MIGRATIONS_DIR, 'migration_lock.toml'), path.join(empty, 'migration_lock.toml'));
    const res = await drift(DEFAULT_SCHEMA_PATH, empty);
    expect(res.drift).toBe(true);
    expect(res.summary).toMatch(/Added tables/);
  }, 60_000);
});
