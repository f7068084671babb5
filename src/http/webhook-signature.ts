import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature of a webhook delivery (docs/webhooks.md). */
export const SIGNATURE_HEADER = 'saksflyt-signature';

/** Receivers should refuse deliveries signed longer ago (or further ahead) than this. */
const REPLAY_WINDOW_SECONDS = 300;

/** HMAC-SHA256 over `${timestamp}.${body}` in lowercase hex. */
function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The value of the `Saksflyt-Signature` header for a body sent at `timestamp`:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Signing the timestamp with the body
 * lets receivers refuse replays of an old delivery.
 */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * Verifies a delivery as a receiver should: the header parses, one `v1` matches the body in
 * constant time, and `t` lies within `toleranceSeconds` of `nowSeconds`. Several `v1` entries
 * are accepted so a sender may sign with an old and a new secret while rotating.
 */
export function verifySignature(
  header: string | undefined,
  secret: string,
  body: string,
  nowSeconds: number,
  toleranceSeconds: number = REPLAY_WINDOW_SECONDS,
): { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'expired' } {
  if (!header) return { ok: false, reason: 'malformed' };
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)) signatures.push(v);
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  if (!signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected))) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, timestamp };
}
