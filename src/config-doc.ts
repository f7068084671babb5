import { ConfigSchema } from './config';

/** The configuration table (docs/configuration.md), generated from the one config schema. */
export function configurationMarkdown(): string {
  const rows = Object.entries(ConfigSchema.properties).map(([name, raw]) => {
    const s = raw as { default?: string | number | boolean; description?: string; enum?: unknown[]; type?: string; pattern?: string };
    const def = s.default === undefined ? '—' : `\`${String(s.default) === '' ? '(empty)' : String(s.default)}\``;
    const kind = s.enum ? s.enum.map((v) => `\`${String(v)}\``).join(' \\| ') : (s.type ?? 'string');
    return `| \`${name}\` | ${kind} | ${def} | ${(s.description ?? '').replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Configuration',
    '',
    'Generated from `src/config.ts` by `npm run docs`; a test fails when this file is stale.',
    'Every variable is validated at boot: a wrong value stops the process with one line naming it.',
    '',
    '| variable | type | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
