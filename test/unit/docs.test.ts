import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configurationMarkdown } from '../../src/config-doc';

describe('generated docs', () => {
  it('docs/configuration.md matches src/config.ts (run npm run docs)', () => {
    const committed = readFileSync(path.join(__dirname, '../../docs/configuration.md'), 'utf8');
    expect(committed).toBe(configurationMarkdown());
  });
});
