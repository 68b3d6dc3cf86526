#!/usr/bin/env node
'use strict';
/**
 * Change feed benchmark (not a test): an app catching up on the feed. It fills a fresh database
 * with N change records (default 100,000) written by many short transactions, as writes leave
 * them, then reads them all with `changes(first: 500)` page after page as one client does,
 * and reports records per second, the hub's Node CPU per 1,000 records and the SQL statements per
 * page; once without `node` (what an app that only needs ids and kinds asks) and once with
 * `node { id __typename }` (each Node loaded through its type's loader).
 *
 *   node bench/feed.js [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--changes 100000]
 *                      [--first 500] [--role ANALYST] [--keep] [--out FILE]
 *
 *   --admin-url URL  a PostgreSQL server (a database to connect to for CREATE DATABASE): the script
 *                    creates a database of its own there (hub_bench_feed_<time>), starts the hub
 *                    on it (migrations, demo data), and drops it at the end unless --keep.
 *                    Default: BENCH_ADMIN_URL, else postgres://postgres@127.0.0.1:5432/postgres
 *   --changes N      change records to seed and read (default 100,000)
 *   --first N        page size (1 to 500, default 500)
 *   --role ROLE      the key reading: ANALYST or ADMIN (both see every record: no visibility check)
 *
 * It starts the hub from dist/ (as bench/run.js does: `npm run build` first).
 */
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('pg');
const { startHub, leftovers, machine, redactUrl, waitForStatsWarmup, cpuTicks, clockTicksPerSecond, gql, createKey } = require('./run');

const ROOT = path.resolve(__dirname, '..');

function options(argv) {
  const o = { adminUrl: process.env.BENCH_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres', changes: 100_000, first: 500, role: 'ANALYST', keep: false };
  for (let k = 0; k < argv.length; k++) {
    const [name, value] = [argv[k], argv[k + 1]];
    if (name === '--keep') {
      o.keep = true;
      continue;
    }
    k++;
    if (name === '--admin-url') o.adminUrl = value;
    else if (name === '--changes') o.changes = Number(value);
    else if (name === '--first') o.first = Number(value);
    else if (name === '--role') o.role = value;
    else if (name === '--out') o.out = value;
    else throw new Error(`unknown option ${name}`);
  }
  if (!Number.isInteger(o.changes) || o.changes < 1 || o.changes > 10_000_000) throw new Error('--changes must be 1 to 10,000,000');
  if (!Number.isInteger(o.first) || o.first < 1 || o.first > 500) throw new Error('--first must be 1 to 500');
  if (!['ADMIN', 'ANALYST'].includes(o.role)) throw new Error('--role must be ADMIN or ANALYST');
  return o;
}

/** Records per seeding transaction: the feed's order is by transaction, then by record. */
const PER_TRANSACTION = 100;

/**
 * N change records over the Nodes of the demo data (memberships, people, associations, forum posts,
 * consultation requests, in turn), PER_TRANSACTION per transaction: what writes leave behind, as
 * far as the feed's reads are concerned. Returns the seconds it took.
 */
async function seed(url, n) {
  const started = Date.now();
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`create temp table pool as
      select (row_number() over (order by k, id) - 1)::int as n, entity_type, id as entity_id, association_code, federation_code from (
        select 1 as k, 'Membership' as entity_type, m.id, a.code as association_code, f.code as federation_code
          from membership m join association a on a.id = m.association_id join federation f on f.id = a.federation_id
        union all select 2, 'Intellectual', i.id, null, null from intellectual i
        union all select 3, 'Association', a.id, a.code, f.code from association a join federation f on f.id = a.federation_id
        union all select 4, 'ForumPost', p.id, a.code, f.code from forum_post p join forum fo on fo.id = p.forum_id
          join federation f on f.id = fo.federation_id left join association a on a.id = p.association_id
        union all select 5, 'ConsultationRequest', r.id, null, f.code from consultation_request r join federation f on f.id = r.federation_id
      ) x`);
    const { rows } = await c.query('select count(*)::int as n from pool');
    const size = rows[0].n;
    if (!size) throw new Error('the demo data has no Nodes to point the records at');
    for (let from = 0; from < n; from += PER_TRANSACTION) {
      // One statement, one transaction (autocommit): its own xid.
      await c.query(
        `insert into change_event (entity_type, entity_id, kind, association_code, federation_code, key_id, key_label)
         select p.entity_type, p.entity_id, case when g % 10 = 0 then 'CREATED' when g % 37 = 0 then 'ENDED' else 'UPDATED' end,
                p.association_code, p.federation_code, null, 'bench feed'
         from generate_series($1::int, $2::int) g join pool p on p.n = (g * 7919) % $3::int
         order by g`,
        [from, Math.min(n, from + PER_TRANSACTION) - 1, size],
      );
    }
    await c.query('analyze change_event');
    return { seconds: (Date.now() - started) / 1000, pool: size };
  } finally {
    await c.end();
  }
}

const FIELDS = 'cursor type nodeId kind associationCode federationCode at';
const docOf = (withNode) =>
  `query($after: String, $first: Int) { changes(after: $after, first: $first) { pageInfo { endCursor hasNextPage } nodes { ${FIELDS}${withNode ? ' node { id __typename }' : ''} } } }`;

/** Reads the whole feed from the start, page after page, as one app catching up does. */
async function catchUp(hub, key, first, withNode) {
  const doc = docOf(withNode);
  const ticksPerSecond = clockTicksPerSecond();
  const cpuBefore = hub.cpuPid ? cpuTicks(hub.cpuPid) : null;
  const started = process.hrtime.bigint();
  let after = null;
  let records = 0;
  let pages = 0;
  let nodesLoaded = 0;
  const sql = new Set();
  const pageMs = [];
  for (;;) {
    const t0 = process.hrtime.bigint();
    const { data, sql: statements } = await gql(hub, key, doc, { after, first });
    pageMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const page = data.changes;
    records += page.nodes.length;
    if (withNode) nodesLoaded += page.nodes.filter((c) => c.node).length;
    pages++;
    sql.add(statements);
    after = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = hub.cpuPid ? cpuTicks(hub.cpuPid) : null;
  const cpuMs = cpuBefore !== null && cpuAfter !== null ? ((cpuAfter - cpuBefore) * 1000) / ticksPerSecond : null;
  const sorted = [...pageMs].sort((a, b) => a - b);
  return {
    withNode,
    records,
    pages,
    seconds: Math.round(seconds * 100) / 100,
    recordsPerSecond: Math.round(records / seconds),
    pageMsP50: Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10,
    pageMsMax: Math.round(sorted[sorted.length - 1] * 10) / 10,
    hubCpuMs: cpuMs === null ? null : Math.round(cpuMs),
    hubCpuMsPer1000Records: cpuMs === null ? null : Math.round((cpuMs / records) * 1000 * 10) / 10,
    sqlStatementsPerPage: [...sql].sort((a, b) => a - b),
    ...(withNode ? { nodesLoaded } : {}),
  };
}

async function main() {
  const o = options(process.argv.slice(2));
  const dbName = `hub_bench_feed_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: o.adminUrl });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  await admin.end();
  const databaseUrl = o.adminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  let hub = null;
  try {
    hub = await startHub({ databaseUrl, seedDemo: true });
    const warmup = await waitForStatsWarmup(hub.base, () => hub.child.exitCode !== null);
    const env = { ...process.env, DATABASE_URL: databaseUrl };
    const key = createKey(env, o.role, 'bench feed');
    const seeded = await seed(databaseUrl, o.changes);
    console.log(`seeded ${o.changes} change records (${o.changes / PER_TRANSACTION} transactions, over ${seeded.pool} Nodes of the demo data) in ${seeded.seconds.toFixed(1)} s`);
    // One catch-up unmeasured (the hub compiles the document, PostgreSQL reads the table into its cache), then each kind measured.
    await catchUp(hub, key, o.first, false);
    const runs = [];
    for (const withNode of [false, true]) {
      const r = await catchUp(hub, key, o.first, withNode);
      if (r.records !== o.changes) throw new Error(`read ${r.records} records, expected ${o.changes}`);
      runs.push(r);
      console.log(
        `${withNode ? 'with node  ' : 'without node'}: ${r.records} records in ${r.pages} pages, ${r.seconds} s: ${r.recordsPerSecond} records/s; ` +
          `page p50 ${r.pageMsP50} ms, max ${r.pageMsMax} ms; hub CPU ${r.hubCpuMsPer1000Records ?? 'n/a'} ms per 1,000 records; SQL per page ${r.sqlStatementsPerPage.join('/')}`,
      );
    }
    const file = o.out || path.join(ROOT, 'bench', 'results', `feed-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify(
        { machine: machine(), database: { kind: 'external', url: redactUrl(databaseUrl) }, options: { changes: o.changes, first: o.first, role: o.role }, statsWarmup: warmup.state, seed: seeded, runs, peakRssMB: Math.round(hub.peakRss() / 2 ** 20) },
        null,
        2,
      ),
    );
    console.log(`results: ${path.relative(process.cwd(), file)}`);
  } finally {
    if (hub) {
      await hub.stop();
      const left = leftovers(hub.database);
      if (left.length) console.error(`postgres processes left behind: ${left.join(' ')}`);
    }
    if (!o.keep) {
      const c = new Client({ connectionString: o.adminUrl });
      await c.connect();
      await c.query(`drop database if exists "${dbName}" with (force)`);
      await c.end();
    } else console.log(`kept database ${dbName}`);
  }
}

main().catch((e) => {
  console.error(`bench feed: ${e.message}`);
  process.exit(1);
});
