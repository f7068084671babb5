import { TokenCache } from '../../../src/auth/token-cache';

describe('TokenCache', () => {
  let now = 1_000_000;
  const clock = () => now;
  const farExp = 10_000_000; // seconds: far beyond every ttl here

  it('returns what was kept for the exact token until the ttl passes', () => {
    const c = new TokenCache<string>(30_000, 10, clock);
    c.set('a.b.c', 'ola', farExp);
    expect(c.get('a.b.c')).toBe('ola');
    expect(c.get('a.b.d')).toBeUndefined();
    now += 29_999;
    expect(c.get('a.b.c')).toBe('ola');
    now += 1;
    expect(c.get('a.b.c')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('never keeps a token past its exp, nor an expired one', () => {
    const c = new TokenCache<string>(30_000, 10, clock);
    c.set('soon', 'kari', (now + 5_000) / 1000);
    now += 4_999;
    expect(c.get('soon')).toBe('kari');
    now += 1;
    expect(c.get('soon')).toBeUndefined();
    c.set('gone', 'per', (now - 1) / 1000);
    expect(c.get('gone')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('drops the oldest entry when full', () => {
    const c = new TokenCache<number>(30_000, 2, clock);
    c.set('t1', 1, farExp);
    c.set('t2', 2, farExp);
    c.set('t3', 3, farExp);
    expect([c.get('t1'), c.get('t2'), c.get('t3')]).toEqual([undefined, 2, 3]);
    expect(c.size).toBe(2);
  });

  it('keeps nothing when the ttl is 0', () => {
    const c = new TokenCache<string>(0, 10, clock);
    expect(c.enabled).toBe(false);
    c.set('a.b.c', 'ola', farExp);
    expect(c.get('a.b.c')).toBeUndefined();
  });
});
