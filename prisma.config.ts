// Prisma 7 reads the datasource URL from here, not from schema.prisma. Only the CLI uses it
// (generate needs none); the app builds its own adapter from src/config.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/saksflyt' },
});
