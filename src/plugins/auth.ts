import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey, type JWK } from 'jose';
import type { Config } from '../config';
import { systemClock } from '../domain/clock';
import { DomainError, isDomainError } from '../domain/errors';
import type { Principal } from '../domain/roles';
import { principalFromClaims, principalWithStaffEntry } from '../auth/principal';
import { TokenCache } from '../auth/token-cache';
import { tokenRuleViolation } from '../auth/token-rules';
import { FailureLimiter } from '../auth/failure-limiter';
import { resolveVerifier as resolveConfiguredVerifier } from '../auth/verifier';
import { StaffService } from '../services/staff-service';

declare module 'fastify' {
  interface FastifyInstance {
    /** Verifies a bearer token; throws DomainError('unauthorized'). */
    verifyToken(token: string): Promise<Principal>;
    /** Tokens accepted since start: signature checked, or reused from the verified-token cache. */
    tokenStats: { verified: number; reused: number };
    /** Refused bearer tokens per client address (429 past AUTH_FAILURE_LIMIT a minute). */
    authFailures: FailureLimiter;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Where keys come from: set by tests, else built from the configuration. */
export interface AuthOptions {
  config: Config;
  /** Overrides: a fixed issuer/audience/key set (tests). */
  verifier?: { issuer: string; audience: string; keys: JWTVerifyGetKey | { keys: JWK[] } };
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

async function resolveVerifier(app: FastifyInstance, opts: AuthOptions) {
  if (opts.verifier) {
    const k = opts.verifier.keys;
    return { issuer: opts.verifier.issuer, audience: opts.verifier.audience, keys: typeof k === 'function' ? k : createLocalJWKSet(k) };
  }
  return resolveConfiguredVerifier(opts.config, app.log);
}

/** Whether jose failed to get the key set (network, timeout, HTTP error), as opposed to rejecting the token. */
function isKeyFetchFailure(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string };
  if (e.code === 'ERR_JWKS_TIMEOUT') return true;
  if (e.name === 'TypeError' && e.message === 'fetch failed') return true;
  return e.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set HTTP response/.test(e.message ?? '');
}

/**
 * Authentication: verifies `Authorization: Bearer <JWT>` against the OIDC issuer's keys (or the
 * dev issuer outside production) and sets `request.principal`. Routes that need a caller use
 * `requirePrincipal`.
 */
async function authPlugin(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const v = await resolveVerifier(app, opts);
  const claimOpts = { rolesClaim: opts.config.ROLES_CLAIM, teamsClaim: opts.config.TEAMS_CLAIM };
  const staff = opts.config.ROLE_SOURCE === 'database' ? new StaffService(app.pool, systemClock) : null;
  const bootstrapAdmins = new Set(
    opts.config.BOOTSTRAP_ADMINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const verified = new TokenCache<{ principal: Principal; key: unknown }>(opts.config.TOKEN_CACHE_SECONDS * 1000, TOKEN_CACHE_ENTRIES);

  const rules = { clockSkewSeconds: opts.config.TOKEN_CLOCK_SKEW_SECONDS, maxLifetimeSeconds: opts.config.TOKEN_MAX_LIFETIME_SECONDS };
  const rateLimited = opts.config.RATE_LIMIT_MAX > 0 && opts.config.AUTH_FAILURE_LIMIT > 0;
  app.decorate('authFailures', new FailureLimiter(rateLimited ? opts.config.AUTH_FAILURE_LIMIT : 0, 60_000));

  const stats = { verified: 0, reused: 0 };
  app.decorate('tokenStats', stats);
  app.decorate('verifyToken', async (token: string): Promise<Principal> => {
    let fromToken = await recentlyVerified(token);
    if (fromToken) stats.reused++;
    else {
      fromToken = await verify(token);
      stats.verified++;
    }
    // Looked up on every request, so a role an admin revokes is gone on the caller's next call.
    if (!staff) return fromToken;
    return principalWithStaffEntry(fromToken, await staff.lookup(fromToken.id), bootstrapAdmins.has(fromToken.id));
  });
  app.decorateRequest('principal', null);

  /**
   * The principal of a token verified moments ago, if the key set still yields the very key that
   * verified it: a rotation or a withdrawn key (the set reloads, or no longer has the key id)
   * sends the token through full verification again, so the cache delays no refusal.
   */
  async function recentlyVerified(token: string): Promise<Principal | undefined> {
    const hit = verified.get(token);
    if (!hit) return undefined;
    try {
      const header = decodeProtectedHeader(token) as Parameters<JWTVerifyGetKey>[0];
      return (await v.keys(header, undefined as never)) === hit.key ? hit.principal : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The person directory learns who signed in (and ties cases waiting for their employee
   * number) once per verified token, not on cache reuse. A failure here is logged, not the
   * caller's: the token is good, and the next verification records them.
   */
  async function recordSignIn(principal: Principal): Promise<void> {
    try {
      await app.services.people.recordSignIn(principal);
    } catch (err) {
      app.log.warn({ err: { message: (err as Error).message }, subject: principal.id }, 'could not record the sign-in');
    }
  }

  async function verify(token: string): Promise<Principal> {
    let key: unknown;
    const keyOf: JWTVerifyGetKey = async (header, input) => (key = await v.keys(header, input));
    try {
      // exp is required: jose accepts a token without one, and such a token would never expire.
      const { payload, protectedHeader } = await jwtVerify(token, keyOf, {
        issuer: v.issuer,
        audience: v.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('no subject');
      const broken = tokenRuleViolation(protectedHeader, payload, Date.now() / 1000, rules);
      if (broken) throw Object.assign(new Error(broken), { code: broken });
      const principal = Object.freeze(principalFromClaims(payload, claimOpts));
      verified.set(token, { principal, key }, payload.exp!);
      await recordSignIn(principal);
      return principal;
    } catch (err) {
      if (isKeyFetchFailure(err)) {
        // The issuer is unreachable: the token may well be good, so the caller should retry, not log in again.
        app.log.warn({ err: { message: (err as Error).message } }, 'could not fetch the issuer keys (JWKS)');
        throw new DomainError('service-unavailable', "The identity provider's signing keys could not be fetched; retry shortly.");
      }
      throw new DomainError('unauthorized', 'The bearer token is missing, invalid or expired.', {
        reason: (err as { code?: string }).code ?? 'ERR_JWT_INVALID',
      });
    }
  }
}

/** At most this many verified tokens are kept (≈1 KiB each). */
const TOKEN_CACHE_ENTRIES = 10_000;

/**
 * Reads and verifies the bearer token; throws 401 when there is none or it fails, and 429 (before
 * verifying anything) for an address that sent too many refused tokens in the last minute.
 */
export async function authenticate(request: FastifyRequest, reply?: FastifyReply): Promise<void> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) {
    throw new DomainError('unauthorized', 'Send Authorization: Bearer <token>.', { reason: 'missing-token' });
  }
  const failures = request.server.authFailures;
  const wait = failures.retryAfter(request.ip);
  if (wait > 0) {
    void reply?.header('retry-after', String(wait));
    throw new DomainError('rate-limited', 'Too many invalid bearer tokens from this address; retry later.');
  }
  try {
    request.principal = await request.server.verifyToken(match[1]);
  } catch (err) {
    if (isDomainError(err) && err.code === 'unauthorized') failures.record(request.ip);
    throw err;
  }
}

/** The authenticated caller of a route behind `authenticate`. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('unauthorized', 'Not authenticated.');
  return request.principal;
}

export default fp(authPlugin, { name: 'auth', dependencies: ['db'], fastify: '5.x' });
