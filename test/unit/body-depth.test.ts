import { MAX_BODY_DEPTH, nestsDeeperThan } from '../../src/plugins/body-depth';

const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
};

describe('nestsDeeperThan', () => {
  it('accepts bodies up to the limit', () => {
    expect(nestsDeeperThan(nested(MAX_BODY_DEPTH), MAX_BODY_DEPTH)).toBe(false);
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: null }] }, MAX_BODY_DEPTH)).toBe(false);
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });

  it('finds a body one level too deep, and one far too deep without overflowing', () => {
    expect(nestsDeeperThan(nested(MAX_BODY_DEPTH + 1), MAX_BODY_DEPTH)).toBe(true);
    expect(nestsDeeperThan(nested(200_000), MAX_BODY_DEPTH)).toBe(true);
  });
});
