import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The service's configuration: one TypeBox schema of the environment, validated at boot. This
 * module is the only reader of process.env; everything else receives a `Config`.
 */
export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
    description: 'production disables the dev token issuer and the timers asOf override',
  }),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'interface to listen on (0.0.0.0 in containers)' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL server; unset: an embedded one under DATA_DIR' }),
  ),
  DATA_DIR: Type.String({ default: './data', minLength: 1, description: 'embedded database, dev signing key, attachments' }),
  DB_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200, description: 'connections (1 on the embedded database)' }),
  BODY_LIMIT: Type.Integer({ default: 1048576, minimum: 1024, description: 'largest JSON body in bytes (413 above)' }),
  ATTACHMENT_MAX_BYTES: Type.Integer({ default: 10485760, minimum: 1 }),
  ATTACHMENT_TYPES: Type.String({
    default: 'application/pdf,image/png,image/jpeg,text/plain,application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    description: 'comma-separated content types accepted as attachments',
  }),
  OIDC_ISSUER: Type.Optional(Type.String({ minLength: 1, description: 'token issuer (Feide); unset: dev issuer outside production' })),
  OIDC_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'default: discovered from the issuer' })),
  ROLES_CLAIM: Type.String({ default: 'roles', description: 'token claim holding the roles' }),
  TEAMS_CLAIM: Type.String({ default: 'teams', description: 'token claim holding the operator teams' }),
  TIMEZONE: Type.String({ default: 'Europe/Oslo' }),
  WAITING_DAYS: Type.Integer({ default: 10, minimum: 1, description: 'WAITING_FOR_USER → COMPLETED after these days' }),
  COMPLETED_DAYS: Type.Integer({ default: 10, minimum: 1, description: 'COMPLETED → CLOSED after these days' }),
  TIMER_INTERVAL_MS: Type.Integer({ default: 30000, minimum: 0, description: '0 disables the background timer loop' }),
  TIMER_BATCH_SIZE: Type.Integer({ default: 100, minimum: 1, maximum: 10000 }),
  RATE_LIMIT_MAX: Type.Integer({ default: 600, minimum: 0, description: 'requests per minute per identity; 0 disables' }),
  CORS_ORIGINS: Type.String({ default: '', description: 'comma-separated origins; empty: CORS off' }),
  TRUST_PROXY: Type.Boolean({ default: false }),
});

export type Config = Static<typeof ConfigSchema>;

/** A configuration value that is wrong; the message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration from an environment (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  const converted = Value.Convert(ConfigSchema, withDefaults);
  if (!Value.Check(ConfigSchema, converted)) {
    const first = Value.Errors(ConfigSchema, converted)[0];
    const name = first?.instancePath.replace(/^\//, '') || 'environment';
    throw new ConfigError(`${name}: ${first?.message ?? 'invalid'} (got ${JSON.stringify(env[name] ?? null)})`);
  }
  return converted as Config;
}

/** A configuration for tests and tools: defaults plus overrides, validated the same way. */
export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TIMER_INTERVAL_MS: '0', ...overrides });
}
