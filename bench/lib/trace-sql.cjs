// Preloaded into the service by the benchmark (node --require): counts the SQL statements the
// service sends, so the report can show round trips per request next to the floor's. Recording
// is off until SIGWINCH turns it on (a signal close-with-grace leaves alone and that is
// ignored by default); the next SIGWINCH turns it off and writes what was recorded
// to BENCH_TRACE_FILE. While off, the cost is one boolean test per statement.
'use strict';
const fs = require('node:fs');
const pg = require('pg');

const file = process.env.BENCH_TRACE_FILE;
if (file) {
  let recording = false;
  let statements = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function tracedQuery(config, ...rest) {
    if (recording) {
      const text = typeof config === 'string' ? config : config && config.text;
      statements.push(
        String(text || '')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 300),
      );
    }
    return original.call(this, config, ...rest);
  };
  process.on('SIGWINCH', () => {
    if (recording) fs.writeFileSync(file, JSON.stringify(statements));
    recording = !recording;
    statements = [];
  });
}
