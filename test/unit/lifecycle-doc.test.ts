import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lifecycleMarkdown } from '../../scripts/lifecycle-doc';
import { STATUSES } from '../../src/domain/statuses';

describe('docs/lifecycle.md', () => {
  it('matches the graph in src/domain (run npx tsx scripts/lifecycle-doc.ts)', () => {
    const committed = readFileSync(path.join(__dirname, '../../docs/lifecycle.md'), 'utf8');
    expect(committed).toBe(lifecycleMarkdown());
  });

  it('draws every status in the diagram', () => {
    const mermaid = lifecycleMarkdown().split('```mermaid')[1] ?? '';
    for (const s of STATUSES) expect(mermaid).toContain(` ${s} `);
  });
});
