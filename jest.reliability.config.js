const base = require('./jest.config.js');

/**
 * `npm run test:reliability`: the suites under test/reliability (conflicts, database outage, two
 * instances, bad input) at full size, one file at a time since each loads the machine on purpose.
 * A fast subset of the same suites runs in `npm test` (test/integration/reliability-fast.test.ts).
 */
module.exports = async () => ({
  ...(await base()),
  roots: ['<rootDir>/test/reliability'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 600000,
});
