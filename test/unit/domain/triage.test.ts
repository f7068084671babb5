import { DomainError } from '../../../src/domain/errors';
import { filingPriority, normaliseTags, targetsFor } from '../../../src/domain/triage';

describe('normaliseTags', () => {
  it('trims, collapses whitespace, lower-cases, composes (NFC), deduplicates and sorts', () => {
    expect(normaliseTags([' B ', 'a', 'A', 'A\u030A', '\u00C5', 'x   y'])).toEqual(['a', 'b', 'x y', '\u00E5']);
  });

  it.each([[''], ['   '], ['a,b'], ['-lead'], ['x'.repeat(41)], ['nul\u0000'], ['<b>']])('refuses %j', (tag) => {
    expect(() => normaliseTags([tag])).toThrow(DomainError);
  });

  it('refuses more than 20 distinct tags, but counts duplicates once', () => {
    expect(() => normaliseTags(Array.from({ length: 21 }, (_, i) => `t${i}`))).toThrow(/at most 20/);
    expect(normaliseTags([...Array.from({ length: 20 }, (_, i) => `t${i}`), 'T0', ' t1 '])).toHaveLength(20);
  });

  it('names where the bad tag is', () => {
    try {
      normaliseTags(['ok', 'a,b'], { in: 'querystring', path: '/tag' });
      throw new Error('not refused');
    } catch (e) {
      expect((e as DomainError).extras.errors).toEqual([{ in: 'querystring', path: '/tag/1', message: 'invalid tag' }]);
    }
  });
});

describe('targetsFor', () => {
  const base = { firstResponseHours: 16, resolutionHours: 80 };
  it('shortens by the priority override, never lengthens', () => {
    const o = { urgent: { firstResponseHours: 2, resolutionHours: 8 }, low: { resolutionHours: 200 } };
    expect(targetsFor(base, o, 'urgent')).toEqual({ firstResponseHours: 2, resolutionHours: 8 });
    expect(targetsFor(base, o, 'low')).toEqual(base);
    expect(targetsFor(base, o, 'normal')).toEqual(base);
    expect(targetsFor(base, null, 'urgent')).toEqual(base);
    expect(targetsFor(base, { high: { firstResponseHours: 0 } }, 'high')).toEqual(base);
  });
});

describe('filingPriority', () => {
  it('defaults to normal; staff choose; anyone else is refused', () => {
    expect(filingPriority(false, undefined)).toBe('normal');
    expect(filingPriority(true, 'urgent')).toBe('urgent');
    expect(() => filingPriority(false, 'urgent')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });
});
