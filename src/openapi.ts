import { buildApp } from './app';
import { testConfig } from './config';

/**
 * The OpenAPI document the code produces. Builds the app without touching a database (the pool
 * and Prisma connect lazily and nothing queries) and with a throwaway token verifier.
 */
export async function generateOpenApi(): Promise<string> {
  const app = await buildApp({
    config: testConfig({ DATABASE_URL: 'postgresql://openapi@127.0.0.1:1/none', NODE_ENV: 'production' }),
    migrate: false,
    verifier: { issuer: 'urn:openapi', audience: 'openapi', keys: { keys: [] } },
    logger: false,
  });
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
