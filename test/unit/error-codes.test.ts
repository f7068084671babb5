import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../../src/domain/errors';
import { PROBLEM_SCHEMAS } from '../../src/schemas/problems';

const SRC = path.resolve(__dirname, '../../src');
/** Where codes are defined or described, not produced. */
const CATALOGUES = new Set(['domain/errors.ts', 'http/problems.ts', 'schemas/problems.ts', 'http/openapi-problems.ts']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'generated') return [];
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** #14 point 6: the document types every code's problem, so each code must be one the service can answer. */
describe('the error codes', () => {
  const code = sources(SRC)
    .filter((f) => !CATALOGUES.has(path.relative(SRC, f).split(path.sep).join('/')))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');

  it.each(Object.keys(ERROR_CODES))('%s is produced somewhere in src (a throw, a problem() call or a status mapping)', (c) => {
    expect(code).toMatch(new RegExp(`['"]${c.replace(/-/g, '\\-')}['"]`));
  });

  it('each has its typed problem schema, closed, with `code` as a constant', () => {
    for (const c of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
      const s = PROBLEM_SCHEMAS[c] as unknown as { additionalProperties: boolean; properties: { code: { const: string } } };
      expect(s.additionalProperties).toBe(false);
      expect(s.properties.code.const).toBe(c);
    }
  });
});
