#!/usr/bin/env node
'use strict';
/**
 * Push benchmark (not a test): how long `upsertMembers` takes for a full push of N members
 * (default 5,000, the most one call carries), fresh (every row creates a person and a membership)
 * and unchanged (the same rows again: every row compared, nothing written), and rows/s.
 * Target: under 2 s each on the embedded database.
 *
 *   node bench/push.js [--data-dir DIR | --database-url URL] [--rows 5000] [--rounds 3] [--out FILE]
 *
 * It starts the hub from dist/ (as bench/run.js does), creates an ADMIN key with the CLI, creates
 * a fresh association to push into (createAssociation), then runs the rounds and prints the median.
 */
const fs = require('node:fs');
const path = require('node:path');
const { startHub, leftovers, machine, redactUrl, gql, createKey, createBenchAssociation } = require('./run');

const ROOT = path.resolve(__dirname, '..');

function options(argv) {
  const o = { rows: 5000, rounds: 3 };
  for (let k = 0; k < argv.length; k += 2) {
    const [name, value] = [argv[k], argv[k + 1]];
    if (name === '--data-dir') o.dataDir = path.resolve(value);
    else if (name === '--database-url') o.databaseUrl = value;
    else if (name === '--rows') o.rows = Number(value);
    else if (name === '--rounds') o.rounds = Number(value);
    else if (name === '--out') o.out = value;
    else throw new Error(`unknown option ${name}`);
  }
  if (!Number.isInteger(o.rows) || o.rows < 1 || o.rows > 5000) throw new Error('--rows must be 1 to 5000');
  return o;
}

const GIVEN = ['An', 'Anh', 'Ánh', 'Bình', 'Cường', 'Dũng', 'Duy', 'Đức', 'Hà', 'Hương', 'Khánh', 'Linh', 'Minh', 'Nam', 'Ngọc', 'Phương', 'Quân', 'Thảo', 'Trang', 'Tuấn'];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Thạch'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Ngọc', 'Thanh', 'Quốc', 'Thu'];

function members(round, n) {
  return Array.from({ length: n }, (_, k) => ({
    externalId: `B${round}-${String(k).padStart(5, '0')}`,
    fullName: `${FAMILY[k % FAMILY.length]} ${MIDDLE[(k >> 3) % MIDDLE.length]} ${GIVEN[(k * 7) % GIVEN.length]}`,
    email: `hv${round}.${k}@example.org`,
    phone: `09${String(10_000_000 + k).slice(-8)}`,
    birthDate: `19${50 + (k % 50)}-0${1 + (k % 9)}-1${k % 10}`,
    gender: k % 2 ? 'FEMALE' : 'MALE',
    degree: ['TS', 'THS', 'KS', 'CN', 'BS'][k % 5],
    academicTitle: k % 50 === 0 ? 'PGS' : 'NONE',
    fields: [['3.2'], ['2.1', '2.2'], ['1.2'], ['5.2'], ['4.1']][k % 5],
    workplace: 'Trường Đại học Cần Thơ',
    position: 'Giảng viên',
    memberNumber: `M-${k}`,
    joinedOn: `20${10 + (k % 15)}-06-01`,
    role: 'MEMBER',
    publicProfile: k % 3 === 0,
  }));
}

const PUSH = `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created updated unchanged userErrors { code field message } } }`;

async function timedPush(hub, key, code, round, rows, idem) {
  const started = process.hrtime.bigint();
  const { data, sql } = await gql(hub, key, PUSH, { input: { associationCode: code, idempotencyKey: idem, members: rows } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const r = data.upsertMembers;
  if (r.userErrors.length) throw new Error(`push refused: ${JSON.stringify(r.userErrors.slice(0, 3))}`);
  return { ms, sql, created: r.created, updated: r.updated, unchanged: r.unchanged, rowsPerSecond: Math.round((rows.length / ms) * 1000) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const o = options(process.argv.slice(2));
  const hub = await startHub({ dataDir: o.dataDir, databaseUrl: o.databaseUrl, seedDemo: true });
  try {
    const env = { ...process.env, DATABASE_URL: o.databaseUrl || '', ...(o.dataDir ? { DATA_DIR: o.dataDir } : {}) };
    const key = createKey(env, 'ADMIN', 'bench push');
    const code = await createBenchAssociation(hub, key, 'BENCH');
    const fresh = [];
    const unchanged = [];
    for (let round = 0; round < o.rounds; round++) {
      const rows = members(round, o.rows);
      const f = await timedPush(hub, key, code, round, rows, `bench-${code}-${round}-fresh`);
      if (f.created !== rows.length) throw new Error(`expected ${rows.length} created, got ${f.created}`);
      const u = await timedPush(hub, key, code, round, rows, `bench-${code}-${round}-again`);
      if (u.unchanged !== rows.length) throw new Error(`expected ${rows.length} unchanged, got ${u.unchanged}`);
      fresh.push(f);
      unchanged.push(u);
      console.log(`round ${round + 1}: fresh ${f.ms.toFixed(0)} ms (${f.rowsPerSecond} rows/s, ${f.sql} SQL), unchanged ${u.ms.toFixed(0)} ms (${u.rowsPerSecond} rows/s, ${u.sql} SQL)`);
    }
    const summary = {
      rows: o.rows,
      fresh: { medianMs: Math.round(median(fresh.map((r) => r.ms))), rowsPerSecond: median(fresh.map((r) => r.rowsPerSecond)), sqlStatements: fresh[0].sql },
      unchanged: { medianMs: Math.round(median(unchanged.map((r) => r.ms))), rowsPerSecond: median(unchanged.map((r) => r.rowsPerSecond)), sqlStatements: unchanged[0].sql },
      peakRssMB: Math.round(hub.peakRss() / 2 ** 20),
    };
    console.log(`median of ${o.rounds}: fresh ${summary.fresh.medianMs} ms (${summary.fresh.rowsPerSecond} rows/s), unchanged ${summary.unchanged.medianMs} ms (${summary.unchanged.rowsPerSecond} rows/s); hub peak RSS ${summary.peakRssMB} MB`);
    const file = o.out || path.join(ROOT, 'bench', 'results', `push-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ machine: machine(), database: hub.database.url ? { kind: 'external', url: redactUrl(hub.database.url) } : hub.database, summary, rounds: { fresh, unchanged } }, null, 2));
    console.log(`results: ${path.relative(process.cwd(), file)}`);
  } finally {
    await hub.stop();
    const left = leftovers(hub.database);
    if (left.length) console.error(`postgres processes left behind: ${left.join(' ')}`);
  }
}

main().catch((e) => {
  console.error(`bench push: ${e.message}`);
  process.exit(1);
});
