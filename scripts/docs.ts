// Regenerates the docs that derive from code (npm run docs): docs/configuration.md.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { configurationMarkdown } from '../src/config-doc';

const root = path.resolve(__dirname, '..');
writeFileSync(path.join(root, 'docs', 'configuration.md'), configurationMarkdown());
process.stdout.write('wrote docs/configuration.md\n');
