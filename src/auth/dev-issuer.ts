import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';

/** The dev issuer's identity; tokens it signs are valid only outside production. */
export const DEV_ISSUER = 'urn:saksflyt:dev-issuer';
export const DEV_AUDIENCE = 'saksflyt';
const ALG = 'ES256';

export interface DevIssuer {
  publicJwk: JWK;
  sign(claims: JWTPayload & { sub: string }, ttlSeconds?: number): Promise<string>;
}

/**
 * Loads the dev signing key from `<dataDir>/dev-issuer.jwk.json`, creating it on first start, so
 * that `npm run token` and the running service agree without sharing a secret by hand.
 */
export async function loadDevIssuer(dataDir: string): Promise<DevIssuer> {
  const file = path.resolve(dataDir, 'dev-issuer.jwk.json');
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair(ALG, { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), alg: ALG, kid: `dev-${Date.now().toString(36)}` };
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  return devIssuerFromJwk(privateJwk);
}

/** A dev issuer around a private JWK (tests make their own). */
async function devIssuerFromJwk(privateJwk: JWK): Promise<DevIssuer> {
  const key = await importJWK(privateJwk, ALG);
  const { d: _d, ...publicJwk } = privateJwk;
  return {
    publicJwk,
    sign: (claims, ttlSeconds = 8 * 3600) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: ALG, kid: privateJwk.kid })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
  };
}

/** A fresh in-memory dev issuer. */
export async function newDevIssuer(kid = `test-${Math.random().toString(36).slice(2)}`): Promise<DevIssuer> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  return devIssuerFromJwk({ ...(await exportJWK(privateKey)), alg: ALG, kid });
}
