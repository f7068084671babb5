import { choiceKey, choiceLabelProblems } from '../../../src/domain/choice-labels';

const label = (s: string) => ({ nb: `${s} (nb)`, en: s });

describe('choiceLabelProblems (labels of enum values)', () => {
  it('accepts a form without choice lists, and one whose every value has {nb, en}', () => {
    expect(choiceLabelProblems(null)).toEqual([]);
    expect(choiceLabelProblems({ type: 'object', properties: { a: { type: 'string' } } })).toEqual([]);
    expect(
      choiceLabelProblems({
        type: 'object',
        properties: { size: { enum: ['s', 'm'], 'x-enum-labels': { s: label('Small'), m: label('Medium') } } },
      }),
    ).toEqual([]);
  });

  it('keys a non-string value by its JSON text', () => {
    expect(choiceKey(1)).toBe('1');
    expect(choiceKey(null)).toBe('null');
    expect(choiceLabelProblems({ enum: [1, true, null], 'x-enum-labels': { 1: label('One'), true: label('Yes'), null: label('None') } })).toEqual([]);
    expect(choiceLabelProblems({ enum: [1, 2], 'x-enum-labels': { 1: label('One') } })).toEqual([
      { path: '/x-enum-labels', message: 'no label for the value "2"' },
    ]);
  });

  it('does not take a label from the object prototype for a value such as "constructor"', () => {
    expect(choiceLabelProblems({ enum: ['constructor'], 'x-enum-labels': {} })).toEqual([
      { path: '/x-enum-labels', message: 'no label for the value "constructor"' },
    ]);
  });

  it('walks subschemas only: a property named enum is a field, not a choice list', () => {
    expect(choiceLabelProblems({ type: 'object', properties: { enum: { type: 'string' } } })).toEqual([]);
    expect(choiceLabelProblems({ anyOf: [{ enum: ['a'] }] })).toEqual([
      { path: '/anyOf/0/x-enum-labels', message: expect.stringMatching(/needs a label/) },
    ]);
    expect(choiceLabelProblems({ $defs: { 'a/b': { enum: ['x'] } } })[0]!.path).toBe('/$defs/a~1b/x-enum-labels');
  });

  it('refuses labels without an enum, and labels that are not {nb, en}', () => {
    expect(choiceLabelProblems({ type: 'string', 'x-enum-labels': {} })).toEqual([
      { path: '/x-enum-labels', message: 'x-enum-labels belongs next to an enum' },
    ]);
    expect(choiceLabelProblems({ enum: ['a'], 'x-enum-labels': { a: 'A' } })[0]!.message).toBe('must be an object {nb, en}');
    expect(choiceLabelProblems({ enum: ['a'], 'x-enum-labels': { a: { nb: 'x'.repeat(201), en: 'A' } } })[0]!.message).toMatch(/longer than 200/);
  });

  it('answers at most 20 problems', () => {
    const values = Array.from({ length: 50 }, (_, i) => `v${i}`);
    expect(choiceLabelProblems({ enum: values, 'x-enum-labels': {} })).toHaveLength(20);
  });
});
