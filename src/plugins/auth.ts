import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey, type JWK } from 'jose';
import type { Config } from '../config';
import { DomainError } from '../domain/errors';
import type { Principal } from '../domain/roles';
import { DEV_AUDIENCE, DEV_ISSUER, loadDevIssuer } from '../auth/dev-issuer';
import { principalFromClaims } from '../auth/principal';

declare module 'fastify' {
  interface FastifyInstance {
    /** Verifies a bearer token; throws DomainError('unauthorized'). */
    verifyToken(token: string): Promise<Principal>;
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
  const { config } = opts;
  if (opts.verifier) {
    const k = opts.verifier.keys;
    return { issuer: opts.verifier.issuer, audience: opts.verifier.audience, keys: typeof k === 'function' ? k : createLocalJWKSet(k) };
  }
  if (config.OIDC_ISSUER) {
    if (!config.OIDC_AUDIENCE) throw new Error('OIDC_AUDIENCE: required when OIDC_ISSUER is set');
    const issuer = config.OIDC_ISSUER;
    let jwksUrl = config.OIDC_JWKS_URL;
    if (!jwksUrl) {
      const res = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
      if (!res.ok) throw new Error(`OIDC_ISSUER: discovery failed with HTTP ${res.status}`);
      jwksUrl = ((await res.json()) as { jwks_uri?: string }).jwks_uri;
      if (!jwksUrl) throw new Error('OIDC_ISSUER: discovery document has no jwks_uri');
    }
    // jose caches the key set and refetches it when a token names an unknown key (rotation).
    return { issuer, audience: config.OIDC_AUDIENCE, keys: createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000 }) };
  }
  if (config.NODE_ENV === 'production') {
    throw new Error('OIDC_ISSUER: required in production (the dev issuer never runs there)');
  }
  const dev = await loadDevIssuer(config.DATA_DIR);
  app.log.warn({ issuer: DEV_ISSUER }, 'no OIDC_ISSUER: using the dev token issuer (npm run token)');
  return { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, keys: createLocalJWKSet({ keys: [dev.publicJwk] }) };
}

/**
 * Authentication: verifies `Authorization: Bearer <JWT>` against the OIDC issuer's keys (or the
 * dev issuer outside production) and sets `request.principal`. Routes that need a caller use
 * `requirePrincipal`.
 */
async function authPlugin(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const v = await resolveVerifier(app, opts);
  const claimOpts = { rolesClaim: opts.config.ROLES_CLAIM, teamsClaim: opts.config.TEAMS_CLAIM };

  app.decorate('verifyToken', async (token: string): Promise<Principal> => {
    try {
      const { payload } = await jwtVerify(token, v.keys, { issuer: v.issuer, audience: v.audience, algorithms: ALGORITHMS });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('no subject');
      return principalFromClaims(payload, claimOpts);
    } catch (err) {
      throw new DomainError('unauthorized', 'The bearer token is missing, invalid or expired.', {
        reason: (err as { code?: string }).code ?? 'ERR_JWT_INVALID',
      });
    }
  });
  app.decorateRequest('principal', null);
}

/** Reads and verifies the bearer token; throws 401 when there is none or it fails. */
export async function authenticate(request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) {
    throw new DomainError('unauthorized', 'Send Authorization: Bearer <token>.', { reason: 'missing-token' });
  }
  request.principal = await request.server.verifyToken(match[1]);
}

/** The authenticated caller of a route behind `authenticate`. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('unauthorized', 'Not authenticated.');
  return request.principal;
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x' });
