/**
 * Labels of a form's choice values (#16.10, docs/reference-data.md "Form fields in nb and en").
 * A category's form is JSON Schema; a field with `enum` carries the annotation `x-enum-labels`:
 * one `{nb, en}` label per value, keyed by the value. Validators ignore the annotation (the form
 * compiler is not strict): a case stores the value the requester submits, never a label.
 */

/** The annotation next to `enum`. */
const CHOICE_LABELS = 'x-enum-labels';

/** Longest label, as for the other short labels (LocalizedLabelSchema). */
const MAX_LABEL = 200;
/** At most this many problems are answered for one form. */
const MAX_PROBLEMS = 20;

export interface ChoiceLabelProblem {
  /** JSON pointer inside the form. */
  path: string;
  message: string;
}

/** The key of an enum value in `x-enum-labels`: a string itself, any other value its JSON text (`1`, `true`, `null`). */
export function choiceKey(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Keywords whose value is one subschema, an array of them, or a map of name → subschema. */
const ONE_SCHEMA = [
  'not',
  'if',
  'then',
  'else',
  'additionalProperties',
  'additionalItems',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contains',
  'propertyNames',
  'items',
];
const SCHEMA_ARRAYS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'];
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies'];

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const quote = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 59)}…` : s);

/**
 * What is wrong with the choice labels of a form an admin saves, empty when nothing: every value
 * of every `enum` needs a label with a non-empty `nb` and `en` (and nothing else), and a label for
 * a value the enum does not hold is refused (a renamed value would keep a stale label). Only
 * subschemas are walked (properties, items, allOf, …), so a field named `enum` is not a list.
 */
export function choiceLabelProblems(form: unknown): ChoiceLabelProblem[] {
  const out: ChoiceLabelProblem[] = [];
  walk(form, '', out, 0);
  return out.slice(0, MAX_PROBLEMS);
}

function walk(node: unknown, pointer: string, out: ChoiceLabelProblem[], depth: number): void {
  if (!isObject(node) || out.length >= MAX_PROBLEMS || depth > 64) return;
  checkNode(node, pointer, out);
  for (const key of ONE_SCHEMA) if (isObject(node[key])) walk(node[key], `${pointer}/${key}`, out, depth + 1);
  for (const key of SCHEMA_ARRAYS) {
    const list = node[key];
    if (Array.isArray(list)) list.forEach((s, i) => walk(s, `${pointer}/${key}/${i}`, out, depth + 1));
  }
  for (const key of SCHEMA_MAPS) {
    const map = node[key];
    if (isObject(map)) for (const [name, s] of Object.entries(map)) walk(s, `${pointer}/${key}/${escapePointer(name)}`, out, depth + 1);
  }
}

function checkNode(node: Record<string, unknown>, pointer: string, out: ChoiceLabelProblem[]): void {
  const at = `${pointer}/${CHOICE_LABELS}`;
  const values = node.enum;
  const labels = node[CHOICE_LABELS];
  if (!Array.isArray(values)) {
    if (labels !== undefined) out.push({ path: at, message: `${CHOICE_LABELS} belongs next to an enum` });
    return;
  }
  if (values.length === 0) return;
  if (!isObject(labels)) {
    out.push({ path: at, message: `every enum value needs a label {nb, en}: add ${CHOICE_LABELS}` });
    return;
  }
  const keys = new Set(values.map(choiceKey));
  for (const key of keys) {
    if (!Object.hasOwn(labels, key)) {
      out.push({ path: at, message: `no label for the value ${quote(key)}` });
      continue;
    }
    const why = labelProblem(labels[key]);
    if (why) out.push({ path: `${at}/${escapePointer(key)}`, message: why });
  }
  for (const key of Object.keys(labels)) {
    if (!keys.has(key)) out.push({ path: `${at}/${escapePointer(key)}`, message: `a label for ${quote(key)}, which is not a value of the enum` });
  }
}

/** Why a label is not `{nb, en}` with two non-empty texts, or null when it is. */
function labelProblem(label: unknown): string | null {
  if (!isObject(label)) return 'must be an object {nb, en}';
  for (const lang of ['nb', 'en'] as const) {
    const text = label[lang];
    if (typeof text !== 'string' || text.trim() === '') return `needs a non-empty ${lang} text`;
    if (text.length > MAX_LABEL) return `${lang} is longer than ${MAX_LABEL} characters`;
  }
  const extra = Object.keys(label).filter((k) => k !== 'nb' && k !== 'en');
  return extra.length > 0 ? `has members other than nb and en: ${extra.slice(0, 3).map(quote).join(', ')}` : null;
}
