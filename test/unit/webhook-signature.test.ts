import { signatureHeader, verifySignature } from '../../src/http/webhook-signature';
import { retryDelayMs } from '../../src/domain/events';

describe('webhook signatures', () => {
  const body = '{"id":"e1","type":"case.created"}';
  const t = 1_741_597_200;

  it('verifies a signature made with the secret, within the replay window', () => {
    const header = signatureHeader('s3cret-s3cret-s3cret', t, body);
    expect(header).toMatch(/^t=1741597200,v1=[0-9a-f]{64}$/);
    expect(verifySignature(header, 's3cret-s3cret-s3cret', body, t + 299)).toEqual({ ok: true, timestamp: t });
  });

  it('refuses another secret, another body, a moved timestamp, and a stale delivery', () => {
    const header = signatureHeader('s3cret-s3cret-s3cret', t, body);
    expect(verifySignature(header, 'other-other-other', body, t)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(header, 's3cret-s3cret-s3cret', `${body} `, t)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(header.replace(`t=${t}`, `t=${t + 60}`), 's3cret-s3cret-s3cret', body, t)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(header, 's3cret-s3cret-s3cret', body, t + 301)).toEqual({ ok: false, reason: 'expired' });
    expect(verifySignature('v1=abc', 's3cret-s3cret-s3cret', body, t)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(undefined, 's3cret-s3cret-s3cret', body, t)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts any of several v1 entries (secret rotation)', () => {
    const old = signatureHeader('old-secret-old-secret', t, body);
    const current = signatureHeader('new-secret-new-secret', t, body).split(',')[1];
    expect(verifySignature(`${old},${current}`, 'new-secret-new-secret', body, t).ok).toBe(true);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base up to the cap, half of it jitter', () => {
    expect(retryDelayMs(1, 1000, 60_000, 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 60_000, 1)).toBe(1000);
    expect(retryDelayMs(3, 1000, 60_000, 1)).toBe(4000);
    expect(retryDelayMs(3, 1000, 60_000, 0)).toBe(2000);
    expect(retryDelayMs(20, 1000, 60_000, 1)).toBe(60_000);
    expect(retryDelayMs(1000, 1000, 60_000, 0.5)).toBe(45_000);
  });
});
