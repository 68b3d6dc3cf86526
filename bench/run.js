#!/usr/bin/env node
'use strict';
/**
 * Federation Hub benchmarks (not tests): load the GraphQL API with autocannon and report, per
 * scenario, req/s, p50/p99 latency, errors, SQL statements and the hub's Node CPU per request; and
 * the hub's peak RSS. Nothing is measured while the hub's statistics warm-up runs (/readyz says).
 *
 * Usage (from the repository root, after `npm run build`):
 *
 *   node bench/run.js [--url http://host:port/graphql [--pid N]]
 *                     [--data-dir DIR | --database-url URL] [--seed-demo]
 *                     [--duration 10] [--connections 10] [--warmup 1]
 *                     [--scenario list,nested,search,stats,consultations,forumThread,forumPosting]
 *                     [--federation SYNTHETIC] [--key KEY] [--post-key KEY] [--post-rate 20]
 *                     [--label "1M people"] [--out bench/results/NAME.json]
 *
 *   --url URL           benchmark a hub that is already running (it should have EXPOSE_SQL_STATS=true);
 *                       without it, the script starts `node dist/src/main.js` itself on a free port
 *                       with EXPOSE_SQL_STATS=true, LOG_LEVEL=warn, SEED_DEMO=false, NODE_ENV=production
 *                       and the rate limits off, waits for /readyz, and stops it with SIGTERM at the end.
 *                       Either way, the first scenario waits until /readyz's statsWarmup is no longer
 *                       'running' (the statistics warm-up loads the database after start-up).
 *   --pid N             with --url: the pid of the hub's node process (`node dist/src/main.js`, not
 *                       `npm start`), on this machine, to report its CPU per request (else n/a)
 *   --data-dir DIR      the hub's embedded PostgreSQL data directory (DATA_DIR)
 *   --database-url URL  an external PostgreSQL (DATABASE_URL); the password is never printed or stored
 *                       (with neither: DATABASE_URL from the environment if set, else the hub's default .data)
 *   --seed-demo         start the hub with SEED_DEMO=true (loads the demo data into an empty database)
 *   --duration S        seconds of load per scenario (default 10)
 *   --connections N     concurrent connections (default 10)
 *   --warmup S          seconds of unrecorded load before each scenario (default 1; 0 for none)
 *   --scenario LIST     comma-separated scenarios (default: all of list,nested,search,stats,consultations,
 *                       forumThread,forumPosting)
 *   --federation CODE   the federation the stats, consultations and forum scenarios read (default SYNTHETIC)
 *   --key KEY           an API key (or BENCH_KEY) the consultations scenario sends as a Bearer token,
 *                       e.g. an ANALYST key from `npm run cli -- keys create --role ANALYST --label bench`;
 *                       without it the scenario reads as the public (panels and opinions empty);
 *                       never printed or stored in the results
 *   --post-key KEY      an ASSOCIATION key (or BENCH_POST_KEY) the forumPosting scenario posts with, for
 *                       its association's current members; without it that scenario is skipped; never
 *                       printed or stored. A hub this script starts gets FORUM_POSTS_PER_MINUTE=1000000
 *                       (the flood control still runs, it never refuses); with --url, start the hub so
 *                       --post-rate × 60 posts a minute pass
 *   --post-rate N       posts a second the forumPosting scenario sends, steadily, beside the readers
 *                       (default 20)
 *   --label TEXT        free text stored with the results, e.g. "1M people" (the data size: anonymous
 *                       callers see only public people, so the hub cannot be asked for it)
 *   --out FILE          results file (default bench/results/<ISO timestamp>.json)
 *
 * Plain CommonJS on purpose: no TypeScript, no build step. Scenarios live in SCENARIOS below.
 */

const autocannon = require('autocannon');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;
const RSS_SAMPLE_MS = 500;

/**
 * Names people type into a search box: folded (no diacritics, lower case) and unfolded, one in
 * NFD (as some keyboards send it). Rotated over the requests so the hub does not see one term only.
 */
const SEARCH_TERMS = [
  'nguyen van duc',
  'Trần Thị Hương',
  'le minh',
  'pham thi thu',
  'hoang anh tuan',
  'Đức',
  'Nguyễn Thị Hồng'.normalize('NFD'),
  'tran quoc',
  'Võ Văn',
  'huynh thi mai',
  'phan thanh',
  'vu hoang',
  'Đặng Văn Hùng',
  'bui thi lan',
  'do minh',
  'Ngô Bảo Châu',
  'duong',
  'Lý Thị',
  'thach',
  'Sơn Thị',
  'lam',
  'nguyen',
];

/** A scenario's setup cannot run here (fields not in the schema, no data, no key): reported as skipped. */
class SkipScenario extends Error {}

// ---------------------------------------------------------------------------------------------
// Forum scenarios: set-up (find the long thread, walk its pages once, find authors)

const FORUM_PAGE = 50;

/** One page of a thread's top-level posts, as a reader's app shows it. */
const THREAD_PAGE_QUERY =
  'query($id: ID!, $after: String) { node(id: $id) { ... on ForumThread { id title postCount posts(first: ' +
  FORUM_PAGE +
  ', after: $after) { pageInfo { hasNextPage endCursor } edges { node { id createdAt hidden bodyHtml authorName stance replyCount reactions { support oppose } association { code } } } } } } }';

async function graphql(url, query, variables, headers = {}) {
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    throw new BenchError(`set-up request to ${url} failed: ${e.message}`);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BenchError(`set-up request got HTTP ${res.status} and no JSON: ${text.slice(0, 300)}`);
  }
  const errors = Array.isArray(json.errors) ? json.errors : [];
  if (errors.length) {
    const message = errors.map((e) => `${e.message}${e.extensions && e.extensions.code ? ` (${e.extensions.code})` : ''}`).join('; ');
    if (errors.every((e) => e.extensions && e.extensions.code === 'GRAPHQL_VALIDATION_FAILED')) throw new SkipScenario(message);
    throw new BenchError(`set-up request answered with errors: ${message}`);
  }
  return json.data;
}

/**
 * The federation's forum thread with the most posts, and the cursors of all its pages of
 * FORUM_PAGE top-level posts, read once (not measured): the scenario's requests each read one
 * page, in turn, so the load walks the whole thread again and again.
 */
async function forumThreadSetup(url, opts) {
  const data = await graphql(
    url,
    'query($code: String!) { forums(filter: { federationCode: $code }, orderBy: ACTIVITY_DESC, first: 20) { edges { node { id status threads(orderBy: POSTS_DESC, first: 1) { edges { node { id postCount } } } } } } }',
    { code: opts.federation },
  );
  let best = null;
  for (const e of data.forums.edges) {
    for (const t of e.node.threads.edges) if (!best || t.node.postCount > best.postCount) best = { ...t.node, forumStatus: e.node.status };
  }
  if (!best) throw new SkipScenario(`no forum thread in federation ${opts.federation}: seed with \`seed --synthetic --forum-posts 10000\` or pass --federation CODE`);
  const cursors = [null];
  for (let after = null; ; ) {
    const page = await graphql(url, THREAD_PAGE_QUERY, { id: best.id, after });
    const { pageInfo } = page.node.posts;
    if (!pageInfo.hasNextPage) break;
    after = pageInfo.endCursor;
    cursors.push(after);
  }
  return { forumThread: { threadId: best.id, postCount: best.postCount, forumStatus: best.forumStatus, pages: cursors.length, cursors } };
}

/** Current members of the --post-key's association: the authors the posts rotate over. */
async function forumPostingSetup(url, opts) {
  if (!opts.postKey) throw new SkipScenario('no --post-key (or BENCH_POST_KEY): an ASSOCIATION key to post with');
  const thread = await forumThreadSetup(url, opts);
  if (thread.forumThread.forumStatus !== 'OPEN') throw new SkipScenario(`the longest thread's forum is ${thread.forumThread.forumStatus}, not OPEN: posts would be refused`);
  const data = await graphql(
    url,
    '{ viewer { role association { code members(first: 100, filter: { status: ACTIVE }) { edges { node { intellectual { id } } } } } } }',
    {},
    { authorization: `Bearer ${opts.postKey}` },
  );
  if (!data.viewer || data.viewer.role !== 'ASSOCIATION') throw new BenchError('--post-key must be an ASSOCIATION key');
  const authors = data.viewer.association.members.edges.map((e) => e.node.intellectual && e.node.intellectual.id).filter(Boolean);
  if (!authors.length) throw new BenchError(`association ${data.viewer.association.code} (--post-key) has no active member to post for`);
  return { ...thread, forumPosting: { association: data.viewer.association.code, authors } };
}

const CREATE_POST = 'mutation($input: CreatePostInput!) { createPost(input: $input) { post { id } userErrors { code message } } }';

const threadPageBodies = (opts) => opts.forumThread.cursors.map((after) => ({ query: THREAD_PAGE_QUERY, variables: { id: opts.forumThread.threadId, after } }));

/**
 * The scenarios, in the order they run. Each one is a GraphQL POST:
 *  - `bodies(opts)`: the request bodies ({ query, variables }); with more than one, every request
 *    takes the next body in turn (across all connections);
 *  - `optional`: when the probe fails with a GraphQL validation error (the fields are not in the
 *    schema yet), the scenario is reported as skipped and the run goes on;
 *  - `check(data, opts)`: optional; returns a message when the probe's answer measures nothing;
 *  - `headers(opts)`: optional extra request headers (e.g. a key, for a later `push` scenario);
 *  - `setup(url, opts)`: optional, run once before the probe (not measured); what it returns is
 *    added to `opts` (e.g. a thread's page cursors); it throws SkipScenario when the scenario cannot
 *    run on this hub (fields not in the schema, no data, no key), which reports it as skipped;
 *  - `beside(opts)`: optional, a steady load run during the measured seconds beside the scenario's
 *    own (e.g. posts while readers read): { what, rate, headers, body(), ok(text) }.
 */
const SCENARIOS = [
  {
    name: 'list',
    what: 'one page of people with their fields: a list and one batched nested lookup',
    bodies: () => [
      { query: '{ intellectuals(first: 20) { totalCount edges { node { id fullName academicTitle highestDegree fields { code } } } } }' },
    ],
  },
  {
    name: 'nested',
    what: '20 associations × 10 members × their memberships: nested connections (LATERAL batches)',
    bodies: () => [
      {
        query:
          '{ associations(first: 20) { edges { node { code members(first: 10) { edges { node { role intellectual { fullName memberships { edges { node { association { code } } } } } } } } } } } }',
      },
    ],
  },
  {
    name: 'search',
    what: 'diacritic-insensitive name search, rotating over folded and unfolded names',
    optional: true,
    bodies: () =>
      SEARCH_TERMS.map((q) => ({
        query: 'query($q: String!) { intellectuals(filter: { search: $q }, first: 20) { edges { node { fullName } } } }',
        variables: { q },
      })),
  },
  {
    name: 'stats',
    what: "one federation's statistics (counts and breakdowns over all its people)",
    optional: true,
    bodies: (opts) => [
      {
        query:
          'query($code: String!) { federation(code: $code) { stats { associationCount activeMembers distinctPeople peopleByAssociation { key count } peopleByField { key label count } peopleByDegree { key count } peopleByAcademicTitle { key count } peopleByGender { key count } peopleByBirthDecade { key count } associationsByField { key count } newMembershipsByYear { key count } } } }',
        variables: { code: opts.federation },
      },
    ],
    check: (data, opts) => (data && data.federation ? null : `no federation with code ${opts.federation}: pass --federation CODE`),
  },
  {
    name: 'consultations',
    what: "20 consultation requests of one federation, earliest due first, each with its lead association, documents → sections, panel → intellectual and first 5 opinions → association",
    optional: true,
    bodies: (opts) => [
      {
        query:
          'query($code: String!) { consultationRequests(filter: { federationCode: $code }, orderBy: DUE_ASC, first: 20) { totalCount edges { node { id title kind status receivedOn dueOn overdue leadAssociation { code name } documents { title sections { number heading } } panel { role intellectual { fullName } } opinions(first: 5) { edges { node { stance association { code } } } } } } } }',
        variables: { code: opts.federation },
      },
    ],
    // The panel and the opinions are the inside of a request: anonymous callers get them empty.
    headers: (opts) => (opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
    check: (data, opts) =>
      data && data.consultationRequests && data.consultationRequests.edges.length > 0
        ? null
        : `no consultation requests visible in federation ${opts.federation}: seed with \`seed --synthetic\` (--requests) or pass --federation CODE`,
  },
  {
    name: 'forumThread',
    what: `a long forum thread read page by page: ForumThread.posts(first: ${FORUM_PAGE}, after) with each post's HTML body, author name, stance, reply count, reactions and association; the requests take the thread's pages in turn`,
    optional: true,
    setup: forumThreadSetup,
    bodies: threadPageBodies,
    check: (data) => (data && data.node && data.node.posts.edges.length > 0 ? null : 'the thread page came back empty'),
  },
  {
    name: 'forumPosting',
    what: 'forumThread\'s readers while an association app posts to the same thread at a steady rate (createPost, --post-rate a second)',
    optional: true,
    setup: forumPostingSetup,
    bodies: threadPageBodies,
    check: (data) => (data && data.node && data.node.posts.edges.length > 0 ? null : 'the thread page came back empty'),
    /** The load run beside the readers: steady posts, authors in turn, a body of its own each. */
    beside: (opts) => {
      let n = 0;
      const { authors } = opts.forumPosting;
      return {
        what: 'createPost',
        rate: opts.postRate,
        headers: { authorization: `Bearer ${opts.postKey}` },
        body: () => {
          n++;
          const body = `Ý kiến thử tải số ${n} (bench/run.js, ${new Date().toISOString()}): đề nghị làm rõ lộ trình cho hợp tác xã ở Cần Thơ.`;
          return JSON.stringify({ query: CREATE_POST, variables: { input: { threadId: opts.forumThread.threadId, authorId: authors[n % authors.length], body } } });
        },
        // A userError (FORUM_CLOSED, NOT_A_MEMBER…) is a failed post too.
        ok: (text) => !/"errors"\s*:\s*\[/.test(text) && /"userErrors"\s*:\s*\[\]/.test(text),
      };
    },
  },
];

class UsageError extends Error {}
class BenchError extends Error {}

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      pid: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      'seed-demo': { type: 'boolean', default: false },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '1' },
      scenario: { type: 'string' },
      federation: { type: 'string', default: 'SYNTHETIC' },
      key: { type: 'string' },
      'post-key': { type: 'string' },
      'post-rate': { type: 'string', default: '20' },
      label: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true };

  const int = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${values[name]}"`);
    return n;
  };
  const names = SCENARIOS.map((s) => s.name);
  const scenarios = values.scenario
    ? values.scenario.split(',').map((s) => s.trim()).filter(Boolean)
    : names;
  for (const s of scenarios) if (!names.includes(s)) throw new UsageError(`unknown scenario "${s}" (known: ${names.join(', ')})`);
  if (!scenarios.length) throw new UsageError('--scenario names no scenario');

  if (values['data-dir'] && values['database-url']) throw new UsageError('give --data-dir or --database-url, not both');
  if (values.url && (values['data-dir'] || values['database-url'] || values['seed-demo'])) {
    throw new UsageError('--url benchmarks a running hub: --data-dir, --database-url and --seed-demo only apply when this script starts the hub');
  }
  let url = null;
  if (values.url) {
    try {
      url = new URL(values.url);
    } catch {
      throw new UsageError(`--url is not a URL: ${values.url}`);
    }
    if (!/^https?:$/.test(url.protocol)) throw new UsageError('--url must be an http:// or https:// URL');
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  }
  if (values.pid !== undefined && !values.url) {
    throw new UsageError('--pid names the process of a running hub (--url): a hub this script starts is measured anyway');
  }
  const databaseUrl = values['database-url'] || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new UsageError('--database-url must be a postgres:// or postgresql:// URL');

  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return {
    help: false,
    url: url ? url.toString() : null,
    pid: values.pid !== undefined ? int('pid', 1) : null,
    dataDir: values['data-dir'] ? path.resolve(values['data-dir']) : null,
    databaseUrl,
    seedDemo: values['seed-demo'],
    duration: int('duration', 1),
    connections: int('connections', 1),
    warmup: int('warmup', 0),
    scenarios,
    federation: values.federation,
    key: values.key || process.env.BENCH_KEY || null,
    postKey: values['post-key'] || process.env.BENCH_POST_KEY || null,
    postRate: int('post-rate', 1),
    label: values.label ?? null,
    out: values.out ? path.resolve(values.out) : path.join(ROOT, 'bench', 'results', `${stamp}.json`),
  };
}

function usage() {
  const text = fs.readFileSync(__filename, 'utf8');
  const doc = text.slice(text.indexOf('/**'), text.indexOf('*/') + 2);
  return doc
    .split('\n')
    .slice(1, -1)
    .map((l) => l.replace(/^ \* ?/, ''))
    .join('\n');
}

/** A database URL without its password (in the userinfo or a `password=` parameter). */
function redactUrl(raw) {
  if (!raw) return raw;
  try {
    const u = new URL(raw);
    u.password = '';
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.delete(key);
    return u.toString();
  } catch {
    return raw.replace(/\/\/([^:/@]*):[^@]*@/, '//$1@').replace(/([?&][^=&]*pass[^=&]*=)[^&]*/gi, '$1');
  }
}

// ---------------------------------------------------------------------------------------------
// The hub process

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `VmRSS` or `VmHWM` of a process in bytes, or null when it is gone. */
function procMemory(pid, field) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times (`getconf CLK_TCK`; 100 if it cannot say). */
function clockTicksPerSecond() {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(n) && n > 0) return n;
  } catch {
    /* no getconf */
  }
  return 100;
}

/** User + system CPU time of a process (all its threads, not its children) in clock ticks, or null when it is gone. */
function cpuTicks(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 is the command name in parentheses and may hold spaces: split after the last ')',
  // where fields[0] is field 3, so utime (field 14) and stime (field 15) are fields[11] and [12].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks : null;
}

/** A process's argv from /proc, or null when it cannot be read (gone, or not on this machine). */
function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

/**
 * Why `pid` is not the hub's own node process, or null when it is. The CPU of a wrapper (`npm
 * start`, a shell) is not the hub's: npm runs the hub as its child, and a child's CPU is not in
 * the parent's utime/stime.
 */
function notHubProcess(pid) {
  const argv = commandLine(pid);
  if (!argv) return `there is no process ${pid} on this machine (/proc/${pid} cannot be read)`;
  const shown = argv.join(' ');
  if (!argv.length || !/^node(js)?$/.test(path.basename(argv[0]))) {
    return `process ${pid} runs \`${shown}\`, not node: give the pid of the hub's \`node dist/src/main.js\` (not of npm or a shell)`;
  }
  if (!argv.slice(1).some((a) => /(^|\/)main\.[cm]?[jt]s$/.test(a))) return `process ${pid} runs \`${shown}\`, not the hub's main.js`;
  return null;
}

/** Pids of live processes whose command line mentions `needle`. */
function processesMentioning(needle) {
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function startHub(opts) {
  if (!fs.existsSync(MAIN)) throw new BenchError(`${path.relative(process.cwd(), MAIN)} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    EXPOSE_SQL_STATS: 'true',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    SEED_DEMO: opts.seedDemo ? 'true' : 'false',
    // One client sending as fast as it can is what a benchmark is, and what the rate limits stop:
    // they are off here (test/rate-limit.test.ts covers them).
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
    RATE_LIMIT_KEYED_PER_MINUTE: '0',
    RATE_LIMIT_INTROSPECTION_PER_MINUTE: '0',
    // The forum's flood control stays on (its cost is part of a post) but never refuses the bench's posts.
    FORUM_POSTS_PER_MINUTE: '1000000',
  };
  let database;
  if (opts.databaseUrl) {
    env.DATABASE_URL = opts.databaseUrl;
    database = { kind: 'external', url: redactUrl(opts.databaseUrl) };
  } else if (opts.dataDir) {
    env.DATABASE_URL = '';
    env.DATA_DIR = opts.dataDir;
    database = { kind: 'embedded', dataDir: opts.dataDir };
  } else if (process.env.DATABASE_URL && process.env.DATABASE_URL.trim()) {
    database = { kind: 'external', url: redactUrl(process.env.DATABASE_URL.trim()), from: 'DATABASE_URL in the environment' };
  } else {
    database = { kind: 'embedded', dataDir: path.resolve(ROOT, process.env.DATA_DIR || '.data') };
  }

  let output = '';
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (d) => {
    output = (output + d.toString()).slice(-16_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // If this script dies unexpectedly, do not leave the hub (and its PostgreSQL) behind.
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', onExit);

  let peakRss = 0;
  const sample = () => {
    const rss = procMemory(child.pid, 'VmRSS');
    if (rss && rss > peakRss) peakRss = rss;
  };
  const sampler = setInterval(sample, RSS_SAMPLE_MS);
  sample();

  // The CPU read is that of child.pid: node itself (spawned directly, no npm or shell in between).
  const argv = commandLine(child.pid);
  const cpuPid = argv && argv[0] === process.execPath && argv[1] === MAIN ? child.pid : null;

  const hub = {
    child,
    cpuPid,
    graphqlUrl: `http://127.0.0.1:${port}/graphql`,
    base: `http://127.0.0.1:${port}`,
    database,
    output: () => output,
    /** Peak RSS in bytes: the max of VmHWM now and the VmRSS samples. */
    peakRss() {
      sample();
      const hwm = procMemory(child.pid, 'VmHWM');
      return Math.max(peakRss, hwm || 0);
    },
    async stop() {
      clearInterval(sampler);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => {
        console.error(`the hub did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM: killing it`);
        child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(t);
      process.off('exit', onExit);
      return result;
    },
  };

  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      clearInterval(sampler);
      process.off('exit', onExit);
      throw new BenchError(`the hub exited before it was ready (code ${child.exitCode}, signal ${child.signalCode}):\n${output.trim()}`);
    }
    try {
      const r = await fetch(`${hub.base}/readyz`, { signal: AbortSignal.timeout(5000) });
      if (r.status === 200) return hub;
    } catch {
      /* not listening yet */
    }
    if (interrupted || Date.now() > until) {
      await hub.stop();
      if (interrupted) throw new BenchError('interrupted while the hub was starting');
      throw new BenchError(`the hub was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output.trim()}`);
    }
    await sleep(200);
  }
}

/**
 * Waits, after the hub is ready, until /readyz's `statsWarmup` is no longer 'running': the hub fills
 * its statistics cache in the background after start-up, which on large data loads PostgreSQL for
 * tens of seconds, and a scenario run meanwhile would measure that too. Returns the state seen
 * (null when /readyz does not report it: an older hub) and how long it waited. `gone()` tells when
 * the hub this script started has exited (no use waiting then).
 */
async function waitForStatsWarmup(base, gone = () => false) {
  const started = Date.now();
  const until = started + READY_TIMEOUT_MS;
  let sawRunning = false;
  let last = 'no answer';
  for (;;) {
    if (interrupted) throw new BenchError('interrupted while waiting for the statistics warm-up');
    if (gone()) throw new BenchError('the hub exited while the script waited for its statistics warm-up');
    try {
      const r = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) });
      const text = await r.text();
      if (r.status === 404) return { state: null, why: `no /readyz at ${base} (404)`, sawRunning, waitedMs: Date.now() - started };
      if (r.status === 200) {
        let body = null;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON: no state */
        }
        const state = body && typeof body.statsWarmup === 'string' ? body.statsWarmup : null;
        if (state !== 'running') return { state, why: state ? null : "/readyz's answer has no statsWarmup (an older hub)", sawRunning, waitedMs: Date.now() - started };
        if (!sawRunning) console.log(`statistics warm-up running: waiting for it to end (up to ${READY_TIMEOUT_MS / 1000} s) …`);
        sawRunning = true;
        last = 'statsWarmup running';
      } else {
        // With --url the hub may still be starting (503); a hub under the warm-up's load may also miss the readiness check's 2 s.
        last = `HTTP ${r.status} ${text.slice(0, 200)}`;
      }
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > until) {
      throw new BenchError(`the hub's statistics warm-up was not over within ${READY_TIMEOUT_MS / 1000} s (last /readyz: ${last}); measuring now would measure it too`);
    }
    await sleep(500);
  }
}

function warmupLine(w) {
  const waited = `${(w.waitedMs / 1000).toFixed(1)} s`;
  if (w.state === null) return `statistics warm-up: not waited for, ${w.why}; it may still be loading the database`;
  if (w.sawRunning) return `statistics warm-up: waited ${waited} for it to end (${w.state})`;
  const notes = { off: ' (the statistics cache is off: none runs)', failed: " (see the hub's log; the stats scenario may compute cold)" };
  return `statistics warm-up: ${w.state}${notes[w.state] || ''}, waited ${waited}`;
}

/** After the hub stopped: PostgreSQL processes still using its data directory (should be none). */
function leftovers(database) {
  if (database.kind !== 'embedded') return [];
  const needles = [database.dataDir];
  try {
    const real = fs.realpathSync(path.join(database.dataDir, 'pg'));
    if (!real.startsWith(database.dataDir)) needles.push(real);
  } catch {
    /* no pg directory */
  }
  // PostgreSQL's own processes only: the command that started this script (`timeout …`, a shell)
  // names the data directory too, and is no leftover.
  const isPostgres = (pid) => /^postgres\b/.test(path.basename((commandLine(pid) || [''])[0]));
  return [...new Set(needles.flatMap(processesMentioning))].filter(isPostgres);
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const SQL_HEADER = 'x-sql-statements';

function headerValue(headers, name) {
  for (const [k, v] of Object.entries(headers || {})) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

/** One request outside the load: the answer must have no `errors`; returns its SQL statement count. */
async function probe(url, scenario, opts) {
  const body = scenario.bodies(opts)[0];
  const started = process.hrtime.bigint();
  let res;
  let text;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(scenario.headers ? scenario.headers(opts) : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    text = await res.text();
  } catch (e) {
    throw new BenchError(`${scenario.name}: the probe request to ${url} failed: ${e.message}`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BenchError(`${scenario.name}: the probe got HTTP ${res.status} and no JSON: ${text.slice(0, 500)}`);
  }
  const errors = Array.isArray(json.errors) ? json.errors : [];
  if (errors.length) {
    const message = errors.map((e) => `${e.message}${e.extensions && e.extensions.code ? ` (${e.extensions.code})` : ''}`).join('; ');
    const validation = errors.every((e) => e.extensions && e.extensions.code === 'GRAPHQL_VALIDATION_FAILED');
    if (scenario.optional && validation) return { skipped: message };
    throw new BenchError(`${scenario.name}: the probe answered with errors (HTTP ${res.status}): ${message}`);
  }
  if (!res.ok) throw new BenchError(`${scenario.name}: the probe got HTTP ${res.status}: ${text.slice(0, 500)}`);
  const problem = scenario.check ? scenario.check(json.data, opts) : null;
  if (problem) throw new BenchError(`${scenario.name}: ${problem}`);
  const header = res.headers.get(SQL_HEADER);
  return { ms, sqlStatements: header === null ? null : Number(header), bytes: Buffer.byteLength(text) };
}

let current = null; // the running autocannon instance, stopped on Ctrl-C
let interrupted = false;

function load(url, scenario, opts, seconds) {
  const bodies = scenario.bodies(opts).map((b) => JSON.stringify(b));
  const sql = { count: 0, sum: 0, min: Infinity, max: -Infinity };
  let next = 0;
  const request = {
    method: 'POST',
    body: bodies[0],
    onResponse: (_status, _body, _context, headers) => {
      const v = headerValue(headers, SQL_HEADER);
      if (v === undefined) return;
      const n = Number(v);
      sql.count++;
      sql.sum += n;
      if (n < sql.min) sql.min = n;
      if (n > sql.max) sql.max = n;
    },
  };
  if (bodies.length > 1) {
    request.setupRequest = (req) => {
      req.body = bodies[next++ % bodies.length];
      return req;
    };
  }
  return new Promise((resolve, reject) => {
    current = autocannon(
      {
        url,
        connections: opts.connections,
        duration: seconds,
        headers: { 'content-type': 'application/json', ...(scenario.headers ? scenario.headers(opts) : {}) },
        requests: [request],
        // A GraphQL error comes back with HTTP 200: count such answers as mismatches.
        verifyBody: (body) => !/"errors"\s*:\s*\[/.test(String(body)),
      },
      (err, result) => {
        current = null;
        if (err) return reject(err);
        resolve({ result, sql: sql.count ? { mean: sql.sum / sql.count, min: sql.min, max: sql.max, samples: sql.count } : null });
      },
    );
  });
}

let currentBeside = null; // the load run beside a scenario's (forumPosting's posts), stopped on Ctrl-C too

/**
 * A steady load beside a scenario's own (e.g. posts while readers read): `side.rate` requests a
 * second over all its connections (autocannon's overallRate), each with a body of its own.
 */
function besideLoad(url, side, seconds) {
  return new Promise((resolve, reject) => {
    currentBeside = autocannon(
      {
        url,
        connections: Math.max(1, Math.min(4, side.rate)),
        overallRate: side.rate,
        duration: seconds,
        headers: { 'content-type': 'application/json', ...side.headers },
        requests: [
          {
            method: 'POST',
            body: side.body(),
            setupRequest: (req) => {
              req.body = side.body();
              return req;
            },
          },
        ],
        verifyBody: (body) => side.ok(String(body)),
      },
      (err, r) => {
        currentBeside = null;
        if (err) return reject(err);
        resolve({
          what: side.what,
          targetPerSecond: side.rate,
          requests: r.requests.total,
          requestsPerSecond: { mean: r.requests.average, min: r.requests.min, max: r.requests.max },
          latencyMs: { mean: r.latency.average, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
          // errors: connection errors and timeouts; failed: answers with GraphQL errors or userErrors.
          errors: r.errors,
          timeouts: r.timeouts,
          non2xx: r.non2xx,
          failed: r.mismatches,
        });
      },
    );
  });
}

/** `cpu`: { pid, ticksPerSecond } of the hub's node process, or null when it cannot be read. */
async function runScenario(url, scenario, baseOpts, cpu) {
  let opts = baseOpts;
  if (scenario.setup) {
    try {
      opts = { ...baseOpts, ...(await scenario.setup(url, baseOpts)) };
    } catch (e) {
      if (e instanceof SkipScenario) return { name: scenario.name, status: 'skipped', reason: e.message };
      throw e;
    }
  }
  const p = await probe(url, scenario, opts);
  if (p.skipped) return { name: scenario.name, status: 'skipped', reason: p.skipped };
  if (opts.warmup > 0) await load(url, scenario, opts, opts.warmup);
  if (interrupted) throw new BenchError('interrupted');
  // The hub's CPU over the measured load only (not the set-up, the probe nor the warm-up).
  const side = scenario.beside ? scenario.beside(opts) : null;
  const before = cpu ? cpuTicks(cpu.pid) : null;
  const [{ result: r, sql }, beside] = await Promise.all([load(url, scenario, opts, opts.duration), side ? besideLoad(url, side, opts.duration) : null]);
  const after = cpu ? cpuTicks(cpu.pid) : null;
  if (interrupted) throw new BenchError('interrupted');
  const cpuMs = before !== null && after !== null ? ((after - before) * 1000) / cpu.ticksPerSecond : null;
  // With a load beside, the CPU is shared out over every request answered (reads and posts).
  const answered = r.requests.total + (beside ? beside.requests : 0);
  return {
    name: scenario.name,
    status: 'ok',
    requests: r.requests.total,
    durationSeconds: r.duration,
    requestsPerSecond: { mean: r.requests.average, stddev: r.requests.stddev, min: r.requests.min, max: r.requests.max },
    latencyMs: { mean: r.latency.average, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    graphqlErrors: r.mismatches,
    statusCodes: r.statusCodeStats,
    sqlStatements: { probe: p.sqlStatements, load: sql },
    cpuMs,
    cpuMsPerRequest: cpuMs !== null && answered > 0 ? round(cpuMs / answered, 3) : null,
    probe: { ms: round(p.ms, 1), bytes: p.bytes },
    ...(opts.forumThread ? { thread: { postCount: opts.forumThread.postCount, pages: opts.forumThread.pages, pageSize: FORUM_PAGE } } : {}),
    ...(beside ? { beside } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function round(n, digits = 1) {
  if (n === null || n === undefined || !Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function sqlCell(s) {
  if (!s) return 'n/a';
  const { probe: p, load: l } = s;
  if (p === null && !l) return 'n/a (no header)';
  if (l && (l.min !== p || l.max !== p)) return `${p ?? '?'} (${l.min}–${l.max})`;
  return String(p);
}

function table(rows) {
  const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors/non-2xx', 'SQL/req', 'CPU ms/req'];
  const lines = rows.flatMap((s) => [
    s.status === 'skipped'
      ? [s.name, `skipped: ${s.reason}`]
      : [
          s.name,
          round(s.requestsPerSecond.mean, 1).toFixed(1),
          String(s.latencyMs.p50),
          String(s.latencyMs.p99),
          `${s.errors + s.graphqlErrors}/${s.non2xx}`,
          sqlCell(s.sqlStatements),
          s.cpuMsPerRequest === null ? 'n/a' : s.cpuMsPerRequest.toFixed(2),
        ],
    ...(s.beside
      ? [
          [
            `  + ${s.beside.what} (${s.beside.targetPerSecond}/s)`,
            round(s.beside.requestsPerSecond.mean, 1).toFixed(1),
            String(s.beside.latencyMs.p50),
            String(s.beside.latencyMs.p99),
            `${s.beside.errors + s.beside.failed}/${s.beside.non2xx}`,
            '',
            '(shared)',
          ],
        ]
      : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.filter((l) => l.length > 2).map((l) => String(l[i]).length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map((l) => (l.length === 2 ? `${l[0].padEnd(widths[0])}  ${l[1]}` : fmt(l)))].join('\n');
}

function machine() {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpuModel: cpus.length ? cpus[0].model.trim() : 'unknown',
    cpuCount: cpus.length,
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError || e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      console.error(`bench: ${e.message}\n\n${usage()}`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    console.log(usage());
    return 0;
  }

  const onSignal = (sig) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${sig}: stopping`);
    if (current) current.stop();
    if (currentBeside) currentBeside.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date().toISOString();
  let hub = null;
  let database;
  let url = opts.url;
  let cpuPid = null;
  if (url) {
    database = { kind: 'unknown (a running hub, --url)' };
    console.log(`benchmarking the running hub at ${redactUrl(url)}`);
    if (opts.pid !== null) {
      const why = notHubProcess(opts.pid);
      if (why) throw new BenchError(`--pid ${opts.pid}: ${why}`);
      cpuPid = opts.pid;
    }
  } else {
    const where = opts.databaseUrl ? redactUrl(opts.databaseUrl) : opts.dataDir ? `DATA_DIR ${opts.dataDir}` : 'the default database';
    console.log(`starting the hub (node dist/src/main.js) on ${where} …`);
    const t0 = Date.now();
    hub = await startHub(opts);
    url = hub.graphqlUrl;
    database = hub.database;
    console.log(`hub ready at ${url} after ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${hub.child.pid})`);
    cpuPid = hub.cpuPid;
    if (cpuPid === null) console.error(`WARNING: pid ${hub.child.pid} is not \`${process.execPath} ${MAIN}\` (${(commandLine(hub.child.pid) || []).join(' ')}): CPU not measured`);
  }
  const cpu = cpuPid === null ? null : { pid: cpuPid, ticksPerSecond: clockTicksPerSecond() };
  console.log(
    cpu
      ? `CPU per request: the hub's node process (pid ${cpu.pid}), /proc/${cpu.pid}/stat utime+stime at ${cpu.ticksPerSecond} ticks/s`
      : hub
        ? 'CPU per request: n/a (see the warning above)'
        : 'CPU per request: n/a (a hub this script did not start: give --pid N to measure it)',
  );
  console.log(
    `${opts.scenarios.length} scenario(s), ${opts.duration} s each (+${opts.warmup} s warm-up), ${opts.connections} connections` +
      (opts.label ? `, data: ${opts.label}` : ''),
  );

  const results = [];
  let failure = null;
  let peakRssBytes = null;
  let warmup = null;
  let inScenario = false;
  try {
    warmup = await waitForStatsWarmup(new URL(url).origin, () => Boolean(hub) && (hub.child.exitCode !== null || hub.child.signalCode !== null));
    console.log(warmupLine(warmup));
    for (const name of opts.scenarios) {
      if (interrupted) throw new BenchError('interrupted');
      const scenario = SCENARIOS.find((s) => s.name === name);
      process.stdout.write(`  ${name} … `);
      inScenario = true;
      const r = await runScenario(url, scenario, opts, cpu);
      inScenario = false;
      results.push(r);
      console.log(r.status === 'skipped' ? `skipped: ${r.reason}` : `${round(r.requestsPerSecond.mean)} req/s`);
    }
  } catch (e) {
    failure = e;
    if (inScenario) console.log('failed');
  } finally {
    if (hub) {
      peakRssBytes = hub.peakRss();
      const { code, signal } = await hub.stop();
      if (code !== 0) console.error(`the hub exited with code ${code}${signal ? ` (signal ${signal})` : ''}:\n${hub.output().trim()}`);
      const left = leftovers(hub.database);
      if (left.length) console.error(`WARNING: processes still use the data directory after the hub stopped: ${left.join(', ')}`);
    }
  }
  if (failure) throw failure;

  const peakRssMB = peakRssBytes ? round(peakRssBytes / 2 ** 20, 1) : null;
  console.log(`\n${table(results)}\n`);
  console.log(
    peakRssMB !== null ? `hub peak RSS: ${peakRssMB} MB` : 'hub peak RSS: not measured (the hub was not started by this script)',
  );

  const report = {
    tool: 'bench/run.js',
    startedAt,
    finishedAt: new Date().toISOString(),
    label: opts.label,
    machine: machine(),
    options: {
      url: opts.url ? redactUrl(opts.url) : null,
      pid: opts.pid,
      dataDir: opts.dataDir,
      databaseUrl: opts.databaseUrl ? redactUrl(opts.databaseUrl) : null,
      seedDemo: opts.seedDemo,
      duration: opts.duration,
      warmup: opts.warmup,
      connections: opts.connections,
      scenarios: opts.scenarios,
      federation: opts.federation,
      // Whether the consultations scenario read with a key (the key itself is never stored).
      key: Boolean(opts.key),
      // Whether forumPosting had a key to post with (never the key), and its rate.
      postKey: Boolean(opts.postKey),
      postRate: opts.postRate,
    },
    hub: {
      startedByScript: Boolean(hub),
      graphqlUrl: redactUrl(url),
      database,
      peakRssMB,
      // CPU: utime+stime of this pid only (not PostgreSQL); null when not measured.
      cpu: cpu ? { pid: cpu.pid, clockTicksPerSecond: cpu.ticksPerSecond } : null,
      statsWarmup: { state: warmup.state, waitedSeconds: round(warmup.waitedMs / 1000, 1), waited: warmup.sawRunning },
    },
    scenarios: results,
  };
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  const shown = path.relative(process.cwd(), opts.out);
  console.log(`results: ${shown && !shown.startsWith('..') ? shown : opts.out}`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`bench: ${e instanceof BenchError ? e.message : e && e.stack ? e.stack : e}`);
      process.exit(1);
    },
  );
}

/** One GraphQL request to a started hub with a key: its data and SQL statement count; GraphQL errors throw. */
async function gql(hub, key, query, variables) {
  const res = await fetch(hub.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return { data: body.data, sql: Number(res.headers.get('x-sql-statements')) };
}

/** A new API key from the command line (`env`: the hub's DATABASE_URL or DATA_DIR): the key's text. */
function createKey(env, role, label) {
  return execFileSync(process.execPath, [path.join(ROOT, 'dist/src/cli/index.js'), 'keys', 'create', '--role', role, '--label', label], { env, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
}

/** A new association in the hub's first federation, through createAssociation (an ADMIN key): its code. */
async function createBenchAssociation(hub, adminKey, prefix) {
  const feds = await gql(hub, adminKey, '{ federations(first: 1) { edges { node { code } } } }');
  const federationCode = feds.data.federations.edges[0].node.code;
  const code = `${prefix}-${Date.now().toString(36).toUpperCase()}`;
  await gql(hub, adminKey, 'mutation($i: CreateAssociationInput!) { createAssociation(input: $i) { userErrors { message } } }', {
    i: { code, name: `Hội đo hiệu năng ${code}`, federationCode, fields: ['1.2'] },
  });
  return code;
}

module.exports = { gql, createKey, createBenchAssociation, SCENARIOS, runScenario, SEARCH_TERMS, redactUrl, parseOptions, startHub, leftovers, machine, waitForStatsWarmup, cpuTicks, clockTicksPerSecond, notHubProcess, BenchError };
