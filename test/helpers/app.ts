import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp } from '../../src/app';
import { testConfig, type Config } from '../../src/config';
import { DEV_AUDIENCE, DEV_ISSUER, newDevIssuer, type DevIssuer } from '../../src/auth/dev-issuer';
import { FixedClock } from '../../src/domain/clock';
import type { Role, Scope } from '../../src/domain/roles';
import { createTestDatabase, onRealServer } from './db';
import { formatViolation, installContractCheck, type ContractViolation } from './contract';

export const TEST_ISSUER = DEV_ISSUER;
export const TEST_AUDIENCE = DEV_AUDIENCE;

export interface Who {
  sub: string;
  roles?: Role[];
  teams?: string[];
  name?: string;
  employeeNumber?: string;
  scope?: Scope[];
}

export interface TestApp {
  app: FastifyInstance;
  url: string;
  clock: FixedClock;
  issuer: DevIssuer;
  /** A signed bearer header for a person or client. */
  auth(who: Who): Promise<{ authorization: string }>;
  /** Responses of this app that the OpenAPI document does not allow (test/helpers/contract.ts). */
  contractViolations: ContractViolation[];
  /** Closes the app and drops its database; fails when a response broke the contract. */
  close(): Promise<void>;
}

let sharedIssuer: Promise<DevIssuer> | null = null;

/** One issuer per worker: tokens are real signed JWTs verified through the normal path. */
export function testIssuer(): Promise<DevIssuer> {
  sharedIssuer ??= newDevIssuer('test-key-1');
  return sharedIssuer;
}

/**
 * An app on a fresh database (its own, on a real server), with a pinned clock and a test
 * token issuer. Close it in afterAll.
 */
export async function createTestApp(
  opts: {
    config?: Partial<Record<keyof Config, string>>;
    clock?: FixedClock;
    databaseUrl?: string;
    /** Logger options (default off); a test chasing a 500 turns it on. */
    logger?: FastifyServerOptions['logger'];
    /** false: no response contract check (only for tests that send what no contract allows). */
    contract?: boolean;
  } = {},
): Promise<TestApp> {
  const db = opts.databaseUrl ? { url: opts.databaseUrl, drop: async () => undefined } : await createTestDatabase();
  const clock = opts.clock ?? new FixedClock('2025-03-03T09:00:00Z');
  const issuer = await testIssuer();
  const config = testConfig({ DATABASE_URL: db.url, DB_POOL_MAX: onRealServer() ? '10' : '1', ...opts.config });
  const violations: ContractViolation[] = [];
  const app = await buildApp({
    config,
    clock: clock,
    migrate: false,
    verifier: { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: { keys: [issuer.publicJwk] } },
    logger: opts.logger ?? false,
    ...(opts.contract === false ? {} : { instrument: (a: FastifyInstance) => installContractCheck(a, violations) }),
  });
  return {
    app,
    url: db.url,
    clock,
    issuer,
    auth: async (who) => {
      const token = await signFor(issuer, who);
      await signInStaff(app, who);
      return { authorization: `Bearer ${token}` };
    },
    contractViolations: violations,
    close: async () => {
      await app.close();
      await db.drop();
      if (violations.length > 0) {
        throw new Error(`Responses that break the OpenAPI document:\n${violations.map(formatViolation).join('\n')}`);
      }
    },
  };
}

export async function signFor(issuer: DevIssuer, who: Who): Promise<string> {
  return issuer.sign({
    sub: who.sub,
    roles: who.roles ?? ['requester'],
    teams: who.teams ?? [],
    ...(who.name ? { name: who.name } : {}),
    ...(who.employeeNumber ? { employee_number: who.employeeNumber } : {}),
    ...(who.scope ? { scope: who.scope.join(' ') } : {}),
  });
}

/**
 * Records an operator or admin in the staff directory as their first sign-in would, so tests
 * may assign cases to them before they have sent a request (assignees must be known staff).
 * Requesters are left to sign in through their own requests.
 */
async function signInStaff(app: FastifyInstance, who: Who): Promise<void> {
  const roles = who.roles ?? ['requester'];
  if (!roles.includes('operator') && !roles.includes('admin')) return;
  await app.services.people.recordSignIn({
    id: who.sub,
    name: who.name ?? null,
    roles,
    teams: who.teams ?? [],
    employeeNumber: who.employeeNumber ?? null,
    scopes: who.scope ?? [],
  });
}
