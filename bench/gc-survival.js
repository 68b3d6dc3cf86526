#!/usr/bin/env node
// How much of V8's young generation survives each scavenge, and how long the scavenges take, for
// a loop that reads one large text row (~24,000 characters, Vietnamese) through the pg driver,
// with or without a pause between queries, through the driver's promise or its callback; or, as a control, that decodes the same bytes with
// Buffer.toString. Issue #10's nested read at 1 connection waits for these scavenges (bench/README.md,
// "The nested read's p99 at 1 connection").
//
//   node bench/gc-survival.js --database-url postgres://… [--seconds 8] [--flags="--max-semi-space-size=1"]
//
// Runs each case in a child `node --trace-gc-nvp` and prints: requests, scavenges, the mean bytes
// that survived a scavenge (last 10) and the mean pause (ms).
'use strict';
const { spawnSync } = require('node:child_process');
const { parseArgs } = require('node:util');

if (process.argv[2] === '--child') {
  const [, , , source, pause, url, seconds] = process.argv;
  const text = "select repeat('Nguyễn Văn Đức ', 1600) as d";
  const bytes = Buffer.from('Nguyễn Văn Đức '.repeat(1600));
  (async () => {
    let client = null;
    if (source.startsWith('pg')) {
      const { Client } = require('pg');
      client = new Client({ connectionString: url });
      await client.connect();
    }
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < Number(seconds) * 1000) {
      if (client && source === 'pg-callback') {
        await new Promise((resolve, reject) => client.query({ name: 'gc_survival', text, values: [] }, (err, res) => (err ? reject(err) : resolve(res))));
      } else if (client) await client.query({ name: 'gc_survival', text, values: [] });
      else if (bytes.toString('utf8').length < 3) throw new Error('unreachable');
      if (pause === 'pause') await new Promise((r) => setTimeout(r, 5));
      else await new Promise((r) => setImmediate(r));
      n++;
    }
    console.log(`requests=${n}`);
    await client?.end();
  })();
  return;
}

const { values: o } = parseArgs({ options: { 'database-url': { type: 'string' }, seconds: { type: 'string' }, flags: { type: 'string' } } });
if (!o['database-url']) {
  console.error('usage: node bench/gc-survival.js --database-url postgres://… [--seconds 8] [--flags="…"]');
  process.exit(2);
}
const flags = (o.flags ?? '').split(' ').filter(Boolean);
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
for (const [source, pause] of [['pg', 'busy'], ['pg', 'pause'], ['pg-callback', 'pause'], ['buffer', 'pause']]) {
  const r = spawnSync(process.execPath, ['--trace-gc-nvp', ...flags, __filename, '--child', source, pause, o['database-url'], o.seconds ?? '8'], { encoding: 'utf8', cwd: __dirname });
  const lines = r.stdout.split('\n').filter((l) => l.includes('gc=s ')).slice(-10);
  const field = (l, k) => Number((new RegExp(`${k}=([0-9.]+)`).exec(l) ?? [])[1] ?? NaN);
  const requests = (/requests=(\d+)/.exec(r.stdout) ?? [])[1];
  console.log(
    `${source.padEnd(11)} ${pause.padEnd(5)} requests ${String(requests).padStart(6)}  scavenges ${String(r.stdout.split('\n').filter((l) => l.includes('gc=s ')).length).padStart(4)}` +
      `  survived ${(mean(lines.map((l) => field(l, 'new_space_survived'))) / 1e6).toFixed(2)} MB  pause ${mean(lines.map((l) => field(l, 'pause'))).toFixed(1)} ms`,
  );
}
