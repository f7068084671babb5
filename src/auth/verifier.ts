import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { ConfigError, type Config } from '../config';
import { DEV_AUDIENCE, DEV_ISSUER, loadDevIssuer } from './dev-issuer';

/** Whom tokens must come from, and where their keys are. */
export interface Verifier {
  issuer: string;
  audience: string;
  keys: JWTVerifyGetKey;
}

/**
 * The token verifier the configuration names: the OIDC issuer's key set (discovered from the
 * issuer unless OIDC_JWKS_URL is set), or outside production the dev issuer's key under
 * DATA_DIR. buildApp calls it before the database plugin, so an issuer that cannot be discovered
 * stops the start before any migration runs. The static rules (issuer required in production,
 * https, audience) are `checkConfig`'s and have run already.
 */
export async function resolveVerifier(config: Config, log: { warn(obj: object, msg: string): void }): Promise<Verifier> {
  if (config.OIDC_ISSUER) {
    const issuer = config.OIDC_ISSUER;
    if (!config.OIDC_AUDIENCE) throw new ConfigError('OIDC_AUDIENCE: required when OIDC_ISSUER is set');
    const audience = config.OIDC_AUDIENCE;
    let jwksUrl = config.OIDC_JWKS_URL;
    if (!jwksUrl) {
      const res = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
      if (!res.ok) throw new ConfigError(`OIDC_ISSUER: discovery failed with HTTP ${res.status}`);
      const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
      // OpenID Connect Discovery §4.3: a document naming another issuer must not be used.
      if (doc.issuer !== issuer) throw new ConfigError(`OIDC_ISSUER: discovery document names issuer ${JSON.stringify(doc.issuer)}`);
      jwksUrl = doc.jwks_uri;
      if (!jwksUrl) throw new ConfigError('OIDC_ISSUER: discovery document has no jwks_uri');
    }
    if (config.NODE_ENV === 'production' && !jwksUrl.startsWith('https://')) {
      throw new ConfigError(`OIDC_JWKS_URL: keys must come over https in production (got ${jwksUrl})`);
    }
    // jose caches the key set and refetches it when a token names an unknown key (rotation),
    // at most once per cooldown so a flood of bad kids cannot hammer the issuer.
    const keys = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: config.OIDC_JWKS_COOLDOWN_MS });
    return { issuer, audience, keys };
  }
  if (config.NODE_ENV === 'production') {
    throw new ConfigError('OIDC_ISSUER: required in production (the dev issuer never runs there)');
  }
  const dev = await loadDevIssuer(config.DATA_DIR);
  log.warn({ issuer: DEV_ISSUER }, 'no OIDC_ISSUER: using the dev token issuer (npm run token)');
  return { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, keys: createLocalJWKSet({ keys: [dev.publicJwk] }) };
}
