#!/usr/bin/env node
'use strict';
/**
 * Heavy queries beside light ones (not a test): starts N heavy queries at once (node cost
 * 240,100, about 35,000 objects each) and, while they run, sends light queries one after the
 * other, reporting the light queries' latency and each heavy query's time and status.
 *
 * Usage, against a running hub with a key (heavy queries read e-mail: ADMIN or ANALYST):
 *
 *   BENCH_KEY=fh_… node bench/mixed.js [--url http://127.0.0.1:4000/graphql] [--heavy 6] [--seconds 8]
 *
 * Plain CommonJS on purpose: no TypeScript, no build step.
 */
const { parseArgs } = require('node:util');

const { values } = parseArgs({
  options: { url: { type: 'string', default: 'http://127.0.0.1:4000/graphql' }, heavy: { type: 'string', default: '6' }, seconds: { type: 'string', default: '8' } },
});
const key = process.env.BENCH_KEY;
if (!key) {
  console.error('Set BENCH_KEY to an ADMIN or ANALYST key (npm run cli -- keys create --role ANALYST --label bench).');
  process.exit(2);
}
const HEAVY = '{ associations(first: 100) { edges { node { members(first: 100) { edges { node { intellectual { fullName email memberships(first: 23) { edges { node { association { code } } } } } } } } } } } }';
const LIGHT = '{ federation(code: "SYNTHETIC") { name } scienceField(code: "2.3") { labelVi } }';

async function post(query) {
  const started = Date.now();
  const res = await fetch(values.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query }) });
  await res.text();
  return { ms: Date.now() - started, status: res.status };
}

(async () => {
  const t0 = Date.now();
  const heavy = Array.from({ length: Number(values.heavy) }, () => post(HEAVY));
  const light = [];
  while (Date.now() - t0 < Number(values.seconds) * 1000) {
    light.push(await post(LIGHT));
    await new Promise((r) => setTimeout(r, 100));
  }
  const done = await Promise.all(heavy);
  const ms = light.map((l) => l.ms).sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.floor(ms.length * q))];
  console.log(`light: ${ms.length} answered in ${values.seconds} s; p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${ms[ms.length - 1]} ms`);
  console.log(`heavy: ${done.map((h) => `${h.status} in ${h.ms} ms`).join(', ')}`);
})();
