#!/usr/bin/env node
'use strict';
/**
 * Subscription fan-out benchmark (not a test): S subscribers of `changed` on one hub (default 500,
 * each on a WebSocket connection of its own), P pushes (default 20) of one member into the
 * association they follow, and how long each change takes to reach every subscriber: p50, p99
 * and max over the S × P deliveries.
 *
 *   node bench/fanout.js [--data-dir DIR | --database-url URL] [--subscribers 500] [--pushes 20] [--keys 20] [--out FILE]
 *
 * Two scenarios, one after the other, on the same hub:
 *   public  every subscriber without a key: one policy check per push for all of them;
 *   keyed   the subscribers spread over --keys ANALYST keys: one policy check per push and key.
 *
 * The delay of a delivery is measured from the moment the push's HTTP response reached this
 * script: the hub publishes a write's changes right after its commit and before it answers, so
 * the commit is a little earlier (the delay is then a lower bound by that much; it can be negative
 * when a subscriber hears of the change before the writer hears its answer). The time from
 * sending the push (its write included) is reported too. Subscribers, pushes and the hub share
 * the machine's CPUs: the delays include the subscribers' own JSON parsing.
 *
 * It starts the hub from dist/ (as bench/run.js does) with SUBSCRIPTIONS_PER_KEY raised to let
 * the public scenario's 500 subscribers (one address) in, makes an ADMIN key and the ANALYST keys
 * with the CLI, and a fresh association with `createAssociation`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const WebSocket = require('ws');
const { createClient } = require('graphql-ws');
const { startHub, leftovers, machine, redactUrl, gql, createKey, createBenchAssociation } = require('./run');

const ROOT = path.resolve(__dirname, '..');

function options(argv) {
  const o = { subscribers: 500, pushes: 20, keys: 20 };
  for (let k = 0; k < argv.length; k += 2) {
    const [name, value] = [argv[k], argv[k + 1]];
    if (name === '--data-dir') o.dataDir = path.resolve(value);
    else if (name === '--database-url') o.databaseUrl = value;
    else if (name === '--subscribers') o.subscribers = Number(value);
    else if (name === '--pushes') o.pushes = Number(value);
    else if (name === '--keys') o.keys = Number(value);
    else if (name === '--out') o.out = value;
    else throw new Error(`unknown option ${name}`);
  }
  if (!Number.isInteger(o.subscribers) || o.subscribers < 1 || o.subscribers > 10_000) throw new Error('--subscribers must be 1 to 10000');
  if (!Number.isInteger(o.pushes) || o.pushes < 1) throw new Error('--pushes must be a positive integer');
  if (!Number.isInteger(o.keys) || o.keys < 1 || o.keys > o.subscribers) throw new Error('--keys must be 1 to --subscribers');
  return o;
}

const CHANGED = `subscription Changed($filter: ChangeFilter) {
  changed(filter: $filter) { cursor type kind nodeId at node { id ... on Membership { externalId } } }
}`;
const PUSH = `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created userErrors { message } } }`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()` or `ms` passed; true when done. */
async function until(done, ms) {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

async function scenario(name, hub, admin, code, opts, keyOf) {
  const wsUrl = hub.graphqlUrl.replace(/^http/, 'ws');
  /** Per subscriber: the externalIds it has heard, and when. */
  const heard = Array.from({ length: opts.subscribers }, () => new Map());
  const clients = [];
  const errors = [];
  for (let i = 0; i < opts.subscribers; i++) {
    const key = keyOf(i);
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: key ? { authorization: `Bearer ${key}` } : {}, retryAttempts: 0, lazy: false, onNonLazyError: (e) => errors.push(e) });
    clients.push(client);
    client.subscribe(
      { query: CHANGED, variables: { filter: { associationCode: code, types: ['MEMBERSHIP'] } } },
      {
        next: (r) => {
          const at = performance.now();
          const id = r.data && r.data.changed && r.data.changed.node && r.data.changed.node.externalId;
          if (id && !heard[i].has(id)) heard[i].set(id, at);
          if (r.errors) errors.push(r.errors);
        },
        error: (e) => errors.push(e),
        complete: () => {},
      },
    );
  }
  const push = async (externalId) => {
    const sent = performance.now();
    const { data } = await gql(hub, admin, PUSH, { input: { associationCode: code, idempotencyKey: `fanout-${externalId}`, members: [{ externalId, fullName: 'Nguyễn Văn Đo', publicProfile: true }] } });
    if (data.upsertMembers.userErrors.length || data.upsertMembers.created !== 1) throw new Error(`push refused: ${JSON.stringify(data)}`);
    return { sent, answered: performance.now() };
  };
  const heardBy = (id) => heard.filter((h) => h.has(id)).length;

  // Warm-up: pushes until every subscriber has heard one (they are then all subscribed).
  const connectStart = performance.now();
  for (let w = 0; ; w++) {
    const id = `${name}-warm-${w}-${Date.now().toString(36)}`;
    await push(id);
    if (await until(() => heardBy(id) === opts.subscribers, 2_000)) break;
    if (w >= 30) throw new Error(`only ${heardBy(id)} of ${opts.subscribers} subscribers heard a push after ${w + 1} tries; errors: ${JSON.stringify(errors.slice(0, 3))}`);
  }
  const readyMs = performance.now() - connectStart;

  const fromAnswer = [];
  const fromSent = [];
  const writeMs = [];
  let missing = 0;
  for (let p = 0; p < opts.pushes; p++) {
    const id = `${name}-${p}-${Date.now().toString(36)}`;
    const { sent, answered } = await push(id);
    writeMs.push(answered - sent);
    if (!(await until(() => heardBy(id) === opts.subscribers, 30_000))) missing += opts.subscribers - heardBy(id);
    for (const h of heard) {
      const at = h.get(id);
      if (at === undefined) continue;
      fromAnswer.push(at - answered);
      fromSent.push(at - sent);
    }
    await sleep(50);
  }
  await Promise.all(clients.map((c) => c.dispose()));
  const r = (n) => Math.round(n * 10) / 10;
  const summary = {
    scenario: name,
    subscribers: opts.subscribers,
    distinctViewers: name === 'public' ? 1 : opts.keys,
    pushes: opts.pushes,
    deliveries: fromAnswer.length,
    missing,
    errors: errors.length,
    allSubscribedAfterMs: Math.round(readyMs),
    delayAfterAnswerMs: { p50: r(percentile(fromAnswer, 50)), p99: r(percentile(fromAnswer, 99)), max: r(Math.max(...fromAnswer)) },
    delayAfterSendMs: { p50: r(percentile(fromSent, 50)), p99: r(percentile(fromSent, 99)), max: r(Math.max(...fromSent)) },
    pushMs: { p50: r(percentile(writeMs, 50)), max: r(Math.max(...writeMs)) },
  };
  console.log(
    `${name}: ${summary.deliveries} deliveries to ${opts.subscribers} subscribers (${summary.distinctViewers} viewer${summary.distinctViewers > 1 ? 's' : ''}), ${missing} missing, ${summary.errors} errors; ` +
      `delay after the push's answer p50 ${summary.delayAfterAnswerMs.p50} ms, p99 ${summary.delayAfterAnswerMs.p99} ms, max ${summary.delayAfterAnswerMs.max} ms; ` +
      `after sending it p50 ${summary.delayAfterSendMs.p50} ms, max ${summary.delayAfterSendMs.max} ms; the push itself p50 ${summary.pushMs.p50} ms`,
  );
  return summary;
}

async function main() {
  const o = options(process.argv.slice(2));
  // The public scenario's subscribers all come from 127.0.0.1: one address, one SUBSCRIPTIONS_PER_KEY bucket.
  process.env.SUBSCRIPTIONS_PER_KEY = String(Math.max(o.subscribers, 100));
  const hub = await startHub({ dataDir: o.dataDir, databaseUrl: o.databaseUrl, seedDemo: true });
  try {
    const env = { ...process.env, DATABASE_URL: o.databaseUrl || '', ...(o.dataDir ? { DATA_DIR: o.dataDir } : {}) };
    const admin = createKey(env, 'ADMIN', 'bench fanout');
    const keys = [];
    for (let k = 0; k < o.keys; k++) keys.push(createKey(env, 'ANALYST', `bench fanout ${k}`));
    const code = await createBenchAssociation(hub, admin, 'FANOUT');
    const results = [];
    results.push(await scenario('public', hub, admin, code, o, () => null));
    results.push(await scenario('keyed', hub, admin, code, o, (i) => keys[i % keys.length]));
    const file = o.out || path.join(ROOT, 'bench', 'results', `fanout-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ machine: machine(), database: hub.database.url ? { kind: 'external', url: redactUrl(hub.database.url) } : hub.database, peakRssMB: Math.round(hub.peakRss() / 2 ** 20), results }, null, 2),
    );
    console.log(`hub peak RSS ${Math.round(hub.peakRss() / 2 ** 20)} MB; results: ${path.relative(process.cwd(), file)}`);
  } finally {
    await hub.stop();
    const left = leftovers(hub.database);
    if (left.length) console.error(`postgres processes left behind: ${left.join(' ')}`);
  }
}

main().catch((e) => {
  console.error(`bench fanout: ${e.stack || e.message}`);
  process.exit(1);
});
