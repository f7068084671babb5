// `prisma generate` (npm postinstall). Prisma's CLI tries to download its native schema engine
// first, which this network forbids; generate never runs that engine, so any executable will do.
const { spawnSync } = require('node:child_process');
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.platform === 'win32' ? process.execPath : '/bin/true';
const r = spawnSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
