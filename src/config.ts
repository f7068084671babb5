import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The service's configuration: one TypeBox schema of the environment, validated at boot. This
 * module is the only reader of process.env; everything else receives a `Config`.
 */
export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Enum(['development', 'test', 'production'], {
    default: 'development',
    description: 'production disables the dev token issuer and the timers asOf override',
  }),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'interface to listen on (0.0.0.0 in containers)' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'port to listen on (0: any free port)' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'pino level; JSON lines, pretty only on a terminal',
  }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL server; unset: an embedded one under DATA_DIR' })),
  DATA_DIR: Type.String({ default: './data', minLength: 1, description: 'embedded database (DATA_DIR/pg) and the dev signing key' }),
  DB_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200, description: 'connections (1 on the embedded database)' }),
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({
    default: 5000,
    minimum: 0,
    description: 'longest a statement of a request or background run may take before PostgreSQL cancels it (503); 0 turns it off',
  }),
  DB_REPORT_STATEMENT_TIMEOUT_MS: Type.Integer({
    default: 60000,
    minimum: 0,
    description: 'the same for the statements of GET /v1/reports/*; 0 turns it off',
  }),
  REPORT_MAX_DAYS: Type.Integer({ default: 366, minimum: 1, description: 'longest period [from, to) a report may cover (400 above)' }),
  EXPENSIVE_CONCURRENCY_PER_IDENTITY: Type.Integer({
    default: 2,
    minimum: 1,
    description: 'expensive requests (list with q, reports) one identity may have in flight on one instance; more answer 429',
  }),
  BODY_LIMIT: Type.Integer({ default: 1048576, minimum: 1024, description: 'largest JSON body in bytes (413 above)' }),
  ATTACHMENT_MAX_BYTES: Type.Integer({ default: 10485760, minimum: 1, description: 'largest attachment in bytes (413 above)' }),
  CSV_MAX_ROWS: Type.Integer({
    default: 100000,
    minimum: 1,
    maximum: 1000000,
    description: 'most rows a CSV export of GET /v1/cases writes (Accept: text/csv); narrow the filter for more',
  }),
  ATTACHMENTS_PER_CASE: Type.Integer({ default: 50, minimum: 1, description: 'files a case may hold (413 above)' }),
  ATTACHMENT_BYTES_PER_CASE: Type.Integer({ default: 52428800, minimum: 1, description: 'bytes of files a case may hold (413 above)' }),
  ATTACHMENT_UPLOADS_PER_HOUR: Type.Integer({
    default: 20,
    minimum: 0,
    description: 'uploads one identity may make per hour on one instance (429 above); 0 disables',
  }),
  ATTACHMENT_TYPES: Type.String({
    default: 'application/pdf,image/png,image/jpeg,text/plain,application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    description: 'comma-separated content types accepted as attachments',
  }),
  INBOUND_MAIL_MAX_BYTES: Type.Integer({
    default: 26214400,
    minimum: 1024,
    description: 'largest raw message POST /v1/inbound-mail accepts, in bytes (413 above)',
  }),
  OIDC_ISSUER: Type.Optional(Type.String({ minLength: 1, description: 'token issuer (Feide); unset: dev issuer outside production' })),
  OIDC_AUDIENCE: Type.Optional(Type.String({ minLength: 1, description: 'required with OIDC_ISSUER: the aud tokens must carry' })),
  OIDC_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'default: discovered from the issuer' })),
  ROLES_CLAIM: Type.String({ default: 'roles', description: 'token claim holding the roles' }),
  TEAMS_CLAIM: Type.String({ default: 'teams', description: 'token claim holding the operator teams' }),
  OIDC_JWKS_COOLDOWN_MS: Type.Integer({
    default: 30000,
    minimum: 0,
    description: 'least time between JWKS refetches when a token names an unknown key (rotation)',
  }),
  TOKEN_CACHE_SECONDS: Type.Integer({
    default: 30,
    minimum: 0,
    maximum: 300,
    description: 'how long a verified bearer token is reused without checking its signature again (never past its exp); 0 turns it off',
  }),
  TOKEN_MAX_LIFETIME_SECONDS: Type.Integer({
    default: 86400,
    minimum: 60,
    description: 'longest bearer-token lifetime accepted (exp - iat); a longer-lived token is refused (401)',
  }),
  TOKEN_CLOCK_SKEW_SECONDS: Type.Integer({
    default: 60,
    minimum: 0,
    maximum: 600,
    description: "how far a token's iat may lie in the future (the issuer's clock running ahead)",
  }),
  AUTH_FAILURE_LIMIT: Type.Integer({
    default: 60,
    minimum: 0,
    description: 'refused bearer tokens per minute per client address before its requests get 429; 0 (or RATE_LIMIT_MAX=0) disables',
  }),
  ROLE_SOURCE: Type.Enum(['token', 'database'], {
    default: 'token',
    description: 'token: roles/teams from ROLES_CLAIM/TEAMS_CLAIM; database: from staff_member rows admins manage',
  }),
  BOOTSTRAP_ADMINS: Type.String({
    default: '',
    description: 'comma-separated subjects that are admins with ROLE_SOURCE=database (to create the first staff rows)',
  }),
  TIMEZONE: Type.String({ default: 'Europe/Oslo', description: 'zone of calendar days, windows and working hours' }),
  WAITING_DAYS: Type.Integer({ default: 10, minimum: 1, description: 'WAITING_FOR_USER → COMPLETED after these days' }),
  COMPLETED_DAYS: Type.Integer({ default: 10, minimum: 1, description: 'COMPLETED → CLOSED after these days' }),
  SHUTDOWN_GRACE_MS: Type.Integer({
    default: 20000,
    minimum: 1000,
    description:
      'on SIGTERM/SIGINT, time to finish in-flight requests and background runs before the exit is forced; a background run is waited for at most half of it',
  }),
  TIMER_INTERVAL_MS: Type.Integer({ default: 30000, minimum: 0, description: '0 disables the background timer loop' }),
  TIMER_BATCH_SIZE: Type.Integer({
    default: 500,
    minimum: 1,
    maximum: 10000,
    description: 'timers fired per transaction; a batch keeps its cases locked until it commits',
  }),
  TIMER_SWEEP_WORKERS: Type.Integer({
    default: 2,
    minimum: 1,
    maximum: 16,
    description: 'batches one sweep runs at once (each on its own connection); Node plans one batch while the database writes another',
  }),
  SLA_INTERVAL_MS: Type.Integer({ default: 60000, minimum: 0, description: 'SLA sweep (stale due times, breaches) every this many ms; 0 disables' }),
  SLA_BATCH_SIZE: Type.Integer({ default: 500, minimum: 1, maximum: 10000 }),
  METRICS_ENABLED: Type.Boolean({ default: true, description: 'GET /metrics (Prometheus); restrict it at the network' }),
  METRICS_REFRESH_MS: Type.Integer({
    default: 15000,
    minimum: 0,
    description: 'the database gauges of /metrics are recomputed this often (a scrape reads the last values); 0 never reads them',
  }),
  METRICS_ARCHIVE_REFRESH_MS: Type.Integer({
    default: 300000,
    minimum: 0,
    description:
      'saksflyt_cases of the archive statuses (COMPLETED, CLOSED: a count over every case that ended) is recomputed at most this often, at a refresh; 0: at every refresh',
  }),
  RETENTION_INTERVAL_MS: Type.Integer({
    default: 86400000,
    minimum: 0,
    description:
      'how often closed cases past their retention are anonymised; 0 disables the loop (and the search word list cleanup, which runs every minute while retention is on)',
  }),
  RETENTION_BATCH_SIZE: Type.Integer({ default: 50, minimum: 1, maximum: 10000, description: 'cases anonymised per transaction' }),
  RATE_LIMIT_MAX: Type.Integer({ default: 600, minimum: 0, description: 'requests per minute per identity; 0 disables' }),
  CORS_ORIGINS: Type.String({ default: '', description: 'comma-separated origins; empty: CORS off' }),
  TRUST_PROXY: Type.Boolean({ default: false }),
  IDEMPOTENCY_TTL_HOURS: Type.Integer({ default: 24, minimum: 1, description: 'Idempotency-Key answers are replayed for this long' }),
  IDEMPOTENCY_WAIT_MS: Type.Integer({
    default: 10000,
    minimum: 0,
    description: 'how long a retry waits for the first request with its key to finish before 409',
  }),
  IDEMPOTENCY_PURGE_INTERVAL_MS: Type.Integer({
    default: 600000,
    minimum: 0,
    description: 'expired Idempotency-Key answers (full response bodies) are deleted every this many ms; 0 disables the loop',
  }),
  WEBHOOK_INTERVAL_MS: Type.Integer({ default: 5000, minimum: 0, description: '0 disables the background webhook delivery loop' }),
  WEBHOOK_BATCH_SIZE: Type.Integer({ default: 50, minimum: 1, maximum: 1000, description: 'deliveries claimed per round' }),
  WEBHOOK_MAX_FAILURES: Type.Integer({ default: 10, minimum: 1, description: 'consecutive failed attempts that disable a subscription' }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100, description: 'per delivery attempt' }),
  WEBHOOK_BACKOFF_BASE_MS: Type.Integer({ default: 10000, minimum: 1, description: 'first retry delay; doubles per attempt, with jitter' }),
  WEBHOOK_BACKOFF_MAX_MS: Type.Integer({ default: 3600000, minimum: 1, description: 'longest retry delay' }),
  WEBHOOK_ALLOW_HOSTS: Type.String({
    default: '',
    pattern: '^[0-9A-Za-z.:/_,\\s-]*$',
    description:
      'comma-separated host names, IP addresses and CIDR ranges webhooks may reach although they are loopback, private, link-local or otherwise internal (tests, development); empty: none',
  }),
  SMTP_URL: Type.Optional(
    Type.String({
      pattern: '^smtps?://',
      description: 'SMTP server for notification mails, e.g. smtp://127.0.0.1:2525; unset: mails are written to DATA_DIR/mail',
    }),
  ),
  MAIL_FROM: Type.String({
    default: 'Saksflyt <saksflyt@localhost>',
    minLength: 3,
    description: 'sender of notification mails; mail intake ignores mail from it',
  }),
  PUBLIC_CASE_URL: Type.String({
    default: 'http://localhost:3000/cases/',
    pattern: '^https?://',
    description: 'link to a case in mails: this URL followed by the case id',
  }),
  NOTIFICATION_INTERVAL_MS: Type.Integer({
    default: 2000,
    minimum: 0,
    description: 'notification mails are queued and sent every this many ms; 0 disables the loop',
  }),
  REMINDER_DAYS_BEFORE: Type.Integer({
    default: 3,
    minimum: 0,
    description: 'days before a wait for the requester completes by itself that they get a reminder; 0: no reminders',
  }),
  NOTIFICATION_MAX_ATTEMPTS: Type.Integer({
    default: 20,
    minimum: 1,
    description: 'attempts at a mail before it fails for good (an SMTP 5xx answer fails it at once)',
  }),
  NOTIFICATION_BACKOFF_BASE_MS: Type.Integer({
    default: 10000,
    minimum: 1,
    description: 'first retry delay of a mail; doubles per attempt, with jitter',
  }),
  NOTIFICATION_BACKOFF_MAX_MS: Type.Integer({ default: 900000, minimum: 1, description: 'longest retry delay of a mail' }),
});

export type Config = Static<typeof ConfigSchema>;

/** A configuration value that is wrong; the message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The rules that span variables or need more than a type: everything a start needs to know about
 * the configuration, checked before anything touches the database (buildApp runs it first, so a
 * production start without an issuer no longer migrates and then exits). `externalVerifier`: the
 * caller supplies its own token verifier (tests, the OpenAPI generator), so the OIDC rules do not
 * apply.
 */
export function checkConfig(config: Config, opts: { externalVerifier?: boolean } = {}): void {
  const production = config.NODE_ENV === 'production';
  if (!opts.externalVerifier) {
    if (config.OIDC_ISSUER) {
      if (!config.OIDC_AUDIENCE) throw new ConfigError('OIDC_AUDIENCE: required when OIDC_ISSUER is set');
      if (production && !config.OIDC_ISSUER.startsWith('https://')) {
        throw new ConfigError(`OIDC_ISSUER: must be an https URL in production (got ${config.OIDC_ISSUER})`);
      }
      if (production && config.OIDC_JWKS_URL && !config.OIDC_JWKS_URL.startsWith('https://')) {
        throw new ConfigError(`OIDC_JWKS_URL: keys must come over https in production (got ${config.OIDC_JWKS_URL})`);
      }
    } else if (production) {
      throw new ConfigError('OIDC_ISSUER: required in production (the dev issuer never runs there)');
    }
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.TIMEZONE });
  } catch {
    throw new ConfigError(`TIMEZONE: not a time zone (got ${JSON.stringify(config.TIMEZONE)})`);
  }
  if (config.WEBHOOK_BACKOFF_BASE_MS > config.WEBHOOK_BACKOFF_MAX_MS) {
    throw new ConfigError(`WEBHOOK_BACKOFF_BASE_MS: must not exceed WEBHOOK_BACKOFF_MAX_MS (got ${config.WEBHOOK_BACKOFF_BASE_MS})`);
  }
  if (config.NOTIFICATION_BACKOFF_BASE_MS > config.NOTIFICATION_BACKOFF_MAX_MS) {
    throw new ConfigError(`NOTIFICATION_BACKOFF_BASE_MS: must not exceed NOTIFICATION_BACKOFF_MAX_MS (got ${config.NOTIFICATION_BACKOFF_BASE_MS})`);
  }
  if (!config.ATTACHMENT_TYPES.split(',').some((s) => s.trim() !== '')) {
    throw new ConfigError('ATTACHMENT_TYPES: must list at least one content type');
  }
  for (const origin of config.CORS_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin (scheme://host[:port])`);
    }
  }
}

/**
 * Reads the configuration from an environment (process.env by default), converted and checked
 * against the schema. The rules across variables are `checkConfig`'s, which buildApp runs first.
 */
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
  return converted;
}

/** A configuration for tests and tools: defaults plus overrides, validated the same way. */
export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TIMER_INTERVAL_MS: '0',
    SLA_INTERVAL_MS: '0',
    RETENTION_INTERVAL_MS: '0',
    WEBHOOK_INTERVAL_MS: '0',
    IDEMPOTENCY_PURGE_INTERVAL_MS: '0',
    NOTIFICATION_INTERVAL_MS: '0',
    ...overrides,
  });
}
