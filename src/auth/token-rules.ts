import type { JWTPayload, ProtectedHeaderParameters } from 'jose';

/** What a verified token must also satisfy, beyond signature, issuer, audience, exp and nbf. */
export interface TokenRules {
  /** How far in the future `iat` may lie (the issuer's clock may run a little ahead). */
  clockSkewSeconds: number;
  /** Longest lifetime accepted: `exp - iat` (or `exp - now` for a token without `iat`). */
  maxLifetimeSeconds: number;
}

/**
 * `typ` values of a JWT access token: RFC 7519's `JWT` and RFC 9068's `at+jwt` (media types
 * compare without the `application/` prefix and case-insensitively, RFC 7515 §4.1.9). A token
 * without `typ` is accepted: most OIDC providers leave it out. Anything else (an ID token typed
 * `id_token+jwt`, a logout token, a DPoP proof) is a token for another purpose.
 */
const ACCEPTED_TYP = new Set(['jwt', 'at+jwt']);

/**
 * The rule a verified token breaks, as the `reason` of the 401, or null when it keeps them all.
 * A token issued in the future (beyond the skew) or living longer than the maximum is refused:
 * such a token is a stolen signing key's or a misconfigured issuer's, and the cache of verified
 * tokens would otherwise keep honouring it.
 */
export function tokenRuleViolation(
  header: Pick<ProtectedHeaderParameters, 'typ'>,
  payload: Pick<JWTPayload, 'iat' | 'exp'>,
  nowSeconds: number,
  rules: TokenRules,
): string | null {
  if (header.typ !== undefined) {
    const typ = String(header.typ)
      .toLowerCase()
      .replace(/^application\//, '');
    if (!ACCEPTED_TYP.has(typ)) return 'typ-not-allowed';
  }
  if (payload.iat !== undefined) {
    if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) return 'iat-invalid';
    if (payload.iat > nowSeconds + rules.clockSkewSeconds) return 'iat-in-future';
  }
  if (typeof payload.exp === 'number') {
    const from = typeof payload.iat === 'number' ? payload.iat : nowSeconds;
    if (payload.exp - from > rules.maxLifetimeSeconds) return 'lifetime-too-long';
  }
  return null;
}
