import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export interface FormError {
  path: string;
  message: string;
}

/** At most this many errors are answered for one filing; the rest are counted, not listed. */
const MAX_FORM_ERRORS = 20;
/** Error messages and paths are cut to this many characters (a message can quote schema values). */
const MAX_FORM_ERROR_CHARS = 200;
/** Longest `pattern` (or `patternProperties` key) a form may hold. */
const MAX_PATTERN_LENGTH = 500;
/**
 * Strings longer than this never match a form's pattern: a pattern that passes the check below
 * can still be polynomial (`\d*\d*x`), and the length bound keeps that to milliseconds.
 */
const MAX_PATTERN_INPUT = 1000;

/**
 * A regular expression engine for Ajv's `pattern`/`patternProperties`: the platform's RegExp with
 * the `u` flag, refusing (not matching) inputs longer than MAX_PATTERN_INPUT.
 */
const boundedRegExp = Object.assign(
  (pattern: string, flags: string) => {
    const re = new RegExp(pattern, flags);
    // Ajv keys its cache of compiled patterns by toString(): it must differ per pattern.
    return { test: (s: string) => s.length <= MAX_PATTERN_INPUT && re.test(s), toString: () => re.toString() };
  },
  { code: 'boundedRegExp' },
);

/**
 * Why a pattern could backtrack catastrophically, or null when it looks safe. A conservative
 * hand check (no linear-time engine is a dependency): a repeated group may hold neither a
 * quantifier nor an alternation (`(a+)+`, `(a|aa)*`: exponential), and backreferences are
 * refused (no engine matches them in linear time). It refuses some harmless patterns such as
 * `(ab|cd)+`; a form can say the same with a character class or without the repetition.
 */
function unsafePatternReason(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  // One frame per open group: whether something inside repeats or alternates.
  const stack: { quantified: boolean; alternation: boolean }[] = [{ quantified: false, alternation: false }];
  // What the next quantifier applies to: a closed group (its frame) or a single atom.
  let last: { quantified: boolean; alternation: boolean } | 'atom' | null = null;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(n) || n === 'k')) return 'a backreference';
      i++;
      if (!inClass) last = 'atom';
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        last = 'atom';
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A ']' right after '[' or '[^' is a literal inside the class.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      last = null;
      continue;
    }
    if (c === ')') {
      const frame = stack.pop();
      if (!frame || stack.length === 0) return null; // unbalanced: the compiler reports it
      const parent = stack[stack.length - 1]!;
      parent.quantified ||= frame.quantified;
      last = frame;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.alternation = true;
      last = null;
      continue;
    }
    const quantifier = /^(?:[*+?]|\{\d+(?:,\d*)?\})/.exec(pattern.slice(i))?.[0];
    if (quantifier && last !== null) {
      if (maxRepeats(quantifier) > 1 && last !== 'atom' && (last.quantified || last.alternation)) {
        return last.quantified ? 'a quantifier inside a repeated group' : 'an alternation inside a repeated group';
      }
      stack[stack.length - 1]!.quantified = true;
      i += quantifier.length - 1;
      // A lazy or possessive-looking suffix belongs to the same quantifier.
      if (pattern[i + 1] === '?') i++;
      last = null;
      continue;
    }
    last = 'atom';
  }
  return null;
}

/** The most times a quantifier lets its atom repeat. */
function maxRepeats(quantifier: string): number {
  if (quantifier === '?') return 1;
  if (quantifier === '*' || quantifier === '+') return Infinity;
  const [min, max] = quantifier.slice(1, -1).split(',');
  if (max === undefined) return Number(min);
  return max === '' ? Infinity : Number(max);
}

/** Every `pattern` and `patternProperties` key of a schema, with its JSON pointer. */
function patternsOf(node: unknown, pointer: string, out: { path: string; pattern: string }[]): void {
  if (out.length > 1000 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((v, i) => patternsOf(v, `${pointer}/${i}`, out));
    return;
  }
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key === 'pattern' && typeof value === 'string') out.push({ path: at, pattern: value });
    if (key === 'patternProperties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const p of Object.keys(value)) out.push({ path: `${at}/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`, pattern: p });
    }
    // `enum`/`const` values are data, not schemas: a "pattern" key inside them is not a keyword.
    if (key !== 'enum' && key !== 'const' && key !== 'examples' && key !== 'default') patternsOf(value, at, out);
  }
}

function cut(s: string): string {
  return s.length <= MAX_FORM_ERROR_CHARS ? s : `${s.slice(0, MAX_FORM_ERROR_CHARS - 1)}…`;
}

/**
 * Validates a case's `details` against its category's form (JSON Schema, data edited by
 * admins). Each form is compiled by an Ajv instance of its own: a form's `$id` registers the
 * schema in its instance, and with a shared instance the second compile of the same `$id` (the
 * next version of the form, or the check on save followed by the compile on filing) threw, and
 * every filing in the category answered 500. Compiled validators are cached per category version.
 */
export class FormValidator {
  private readonly cache = new Map<string, { stamp: number; fn: ValidateFunction | null }>();

  private static compile(form: object): ValidateFunction {
    const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: boundedRegExp } });
    addFormats(ajv);
    return ajv.compile(form);
  }

  /** Problems with a schema an admin submits as a form; empty when it compiles and is safe to run. */
  check(form: unknown): string[] {
    if (form === null || form === undefined) return [];
    if (typeof form !== 'object' || Array.isArray(form)) return ['form must be a JSON Schema object'];
    const patterns: { path: string; pattern: string }[] = [];
    patternsOf(form, '', patterns);
    const unsafe = patterns
      .map(({ path, pattern }) => ({ path, pattern, why: unsafePatternReason(pattern) }))
      .filter((p) => p.why !== null)
      .map((p) => cut(`unsafe pattern ${JSON.stringify(p.pattern)} at ${p.path}: ${p.why} (it could take seconds to match)`));
    if (unsafe.length > 0) return unsafe.slice(0, MAX_FORM_ERRORS);
    try {
      FormValidator.compile(form);
      return [];
    } catch (err) {
      return [cut((err as Error).message)];
    }
  }

  /**
   * Validates details; a category without a form accepts only an empty object. At most
   * MAX_FORM_ERRORS errors come back, each cut to MAX_FORM_ERROR_CHARS. A stored form that no
   * longer passes `check` (saved before the check existed) is not run: filing answers that the
   * form cannot be used until an admin corrects it.
   */
  validate(categoryKey: string, updatedAt: Date, form: unknown, details: Record<string, unknown>): FormError[] {
    if (form === null || form === undefined) {
      return Object.keys(details).length === 0 ? [] : [{ path: '', message: 'this category has no extra fields' }];
    }
    let entry = this.cache.get(categoryKey);
    if (!entry || entry.stamp !== updatedAt.getTime()) {
      entry = { stamp: updatedAt.getTime(), fn: this.check(form).length === 0 ? FormValidator.compile(form) : null };
      this.cache.set(categoryKey, entry);
    }
    if (!entry.fn) return [{ path: '', message: "this category's form cannot be used; an administrator must correct it" }];
    if (entry.fn(details)) return [];
    const errors = entry.fn.errors ?? [];
    return errors.slice(0, MAX_FORM_ERRORS).map((e) => ({ path: cut(e.instancePath), message: cut(e.message ?? 'invalid') }));
  }
}
