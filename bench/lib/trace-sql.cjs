// Preloaded into the service by the benchmark (node --require): counts the SQL statements the
// service sends, so the report can show round trips per request. Recording is off until SIGWINCH
// turns it on (a signal close-with-grace leaves alone and that is ignored by default); the next
// SIGWINCH turns it off and writes what was recorded to BENCH_TRACE_FILE. While off, the cost is
// one boolean test per statement.
//
// Each statement is marked with whether an HTTP request sent it: every 'request' event of an
// http.Server runs inside an AsyncLocalStorage context, which follows the request's promises
// down to pg's query call. Statements outside one (background loops: notifications, metrics
// refresh, purges) are recorded as `background`, so they do not count as a request's. The
// context is used only while recording (on Node 20 it enables promise hooks, which cost every
// promise of the process), so measurements outside a trace run without it.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const { AsyncLocalStorage } = require('node:async_hooks');
const pg = require('pg');

const file = process.env.BENCH_TRACE_FILE;
if (file) {
  let recording = false;
  let statements = [];
  const inRequest = new AsyncLocalStorage();
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function emitInContext(event, ...args) {
    if (recording && event === 'request') return inRequest.run(true, () => emit.call(this, event, ...args));
    return emit.call(this, event, ...args);
  };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function tracedQuery(config, ...rest) {
    if (recording) {
      const text = typeof config === 'string' ? config : config && config.text;
      statements.push({
        sql: String(text || '')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 300),
        request: inRequest.getStore() === true,
      });
    }
    return original.call(this, config, ...rest);
  };
  process.on('SIGWINCH', () => {
    if (recording) {
      fs.writeFileSync(file, JSON.stringify(statements));
      // Off again: the context's promise hooks cost every promise of the service while enabled.
      inRequest.disable();
    }
    recording = !recording;
    statements = [];
  });
}
