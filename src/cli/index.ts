import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { migrate, seedIfEmpty } from '../db/database';
import { seedSynthetic } from '../db/seed/synthetic';
import { PROJECT_ROOT } from '../paths';
import { printHubSchema } from '../schema';
import { withCliDatabase } from './database';
import { KEYS_HELP, parseKeysCommand, runKeysCommand } from './keys';
import { UsageError } from './usage';
import { progressBar } from './progress';

const HELP = `Federation Hub command line: npm run cli -- <command>

Commands:
  migrate            apply pending database migrations
  seed               load the demo data (only into a database without federations)
  seed --synthetic [--intellectuals N] [--associations M] [--requests R] [--opinions O] [--forum-posts P] [--seed S]
                     load invented data at scale into a new federation SYNTHETIC: N people
                     (default 10000, at most 5000000) in M associations (default 50, at most
                     10000), with their memberships; R consultation requests (default 10000, at
                     most 1000000; 0 for none) with documents, history, assignments, panels and
                     reports, and up to O opinions on them (default 200000, at most 10000000);
                     an OPEN forum whose first thread holds P posts (default 0: no forum; at most
                     1000000), beside 19 threads of 10 posts;
                     the same seed (default 1) gives the same data. Refused when SYNTHETIC
                     exists. Progress on stderr.
${KEYS_HELP}
  schema             write schema/schema.graphql from the code
  migration:create   (developers) write a migration for the entity changes and list it in migrations/index.ts
  help               this text

The database: DATABASE_URL when set; otherwise the embedded database in DATA_DIR (default .data),
through the running hub when there is one, or started for the length of the command.`;

const log = (m: string) => console.error(m);


interface SyntheticArgs {
  intellectuals: number;
  associations: number;
  requests: number;
  opinions: number;
  forumPosts: number;
  seed: number;
}

/** Options of `seed --synthetic`: default, smallest and largest value (all whole numbers). */
const SYNTHETIC_OPTIONS: Record<string, { key: keyof SyntheticArgs; def: number; min: number; max: number }> = {
  '--intellectuals': { key: 'intellectuals', def: 10_000, min: 1, max: 5_000_000 },
  '--associations': { key: 'associations', def: 50, min: 1, max: 10_000 },
  '--requests': { key: 'requests', def: 10_000, min: 0, max: 1_000_000 },
  '--opinions': { key: 'opinions', def: 200_000, min: 0, max: 10_000_000 },
  '--forum-posts': { key: 'forumPosts', def: 0, min: 0, max: 1_000_000 },
  '--seed': { key: 'seed', def: 1, min: 1, max: 4_294_967_295 }, // the PRNG takes a 32-bit seed
};

/** Parses the arguments after `seed`: null for the plain demo seed, else the synthetic options. */
function parseSeedArgs(args: string[]): SyntheticArgs | null {
  let synthetic = false;
  const raw = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--synthetic') {
      synthetic = true;
      continue;
    }
    // --name value or --name=value
    const m = /^(--[a-z-]+)(?:=(.*))?$/u.exec(arg);
    if (!m || !(m[1]! in SYNTHETIC_OPTIONS)) throw new UsageError(`unknown argument "${arg}" for seed`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`${m[1]} needs a value`);
    raw.set(m[1]!, value);
  }
  if (!synthetic) {
    // A typo in "--synthetic" must not quietly load the demo data instead.
    if (raw.size > 0) throw new UsageError(`${[...raw.keys()][0]} goes with seed --synthetic`);
    return null;
  }
  const parsed: SyntheticArgs = { intellectuals: 0, associations: 0, requests: 0, opinions: 0, forumPosts: 0, seed: 0 };
  for (const [name, { key, def, min, max }] of Object.entries(SYNTHETIC_OPTIONS)) {
    const value = raw.get(name);
    if (value === undefined) {
      parsed[key] = def;
      continue;
    }
    const n = /^\d+$/u.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new UsageError(`${name} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, got "${value}"`);
    parsed[key] = n;
  }
  return parsed;
}

/** Phases of `seed --synthetic` whose items are rows (a rate in rows/s means something for them). */
const ROW_PHASES = new Set(['associations', 'intellectuals', 'memberships']);

async function seedCommand(args: string[]): Promise<number> {
  const synthetic = parseSeedArgs(args);
  const config = loadConfig();
  if (!synthetic) {
    const seeded = await withCliDatabase(
      config,
      async (orm, url) => {
        await migrate(orm, url);
        return seedIfEmpty(orm, url);
      },
      log,
    );
    console.log(seeded ? 'Demo data loaded.' : 'The database already holds federations: demo data not loaded.');
    return 0;
  }
  const bar = progressBar(process.stderr, { rowPhases: ROW_PHASES });
  try {
    const r = await withCliDatabase(
      config,
      async (orm, url) => {
        await migrate(orm, url, bar.update);
        return seedSynthetic(url, { ...synthetic, progress: bar.update });
      },
      log,
    );
    bar.end();
    const n = (v: number) => v.toLocaleString('en-US');
    console.log(
      `Synthetic data loaded (seed ${synthetic.seed}): federation ${r.federationCode}, ${n(r.associations)} associations, ` +
        `${n(r.intellectuals)} intellectuals, ${n(r.memberships)} memberships, ${n(r.consultationRequests)} consultation requests, ${n(r.opinions)} opinions` +
        `${r.forumPosts ? `, ${n(r.forumPosts)} forum posts` : ''} in ${r.seconds.toFixed(1)} s.`,
    );
    return 0;
  } finally {
    bar.end();
  }
}

async function createMigration(): Promise<void> {
  const config = loadConfig();
  await withCliDatabase(
    config,
    async (orm, url) => {
      await migrate(orm, url);
      const result = await orm.getMigrator().createMigration(path.join(PROJECT_ROOT, 'migrations'));
      if (!result.fileName) {
        console.log('No changes: entities and migrations agree.');
        return;
      }
      const name = result.fileName.replace(/\.ts$/, '');
      const className = /export class (\w+)/.exec(result.code)?.[1];
      const indexFile = path.join(PROJECT_ROOT, 'migrations', 'index.ts');
      let index = fs.readFileSync(indexFile, 'utf8');
      // The import goes after the last one (not before `export const`, which has its doc comment above it).
      const lines = index.split('\n');
      const lastImport = lines.reduce((last, line, k) => (line.startsWith('import ') ? k : last), -1);
      lines.splice(lastImport + 1, 0, `import { ${className} } from './${name}';`);
      index = lines.join('\n');
      index = index.replace(/\];\s*$/, `  { name: '${name}', class: ${className} },\n];\n`).replace('[\n  {', '[\n  {');
      fs.writeFileSync(indexFile, index);
      console.log(`Wrote migrations/${result.fileName} and listed it in migrations/index.ts`);
    },
    log,
  );
}

async function run(args: string[]): Promise<number> {
  const [command] = args;
  switch (command) {
    case 'migrate': {
      const config = loadConfig();
      const bar = progressBar();
      try {
        const applied = await withCliDatabase(config, (orm, url) => migrate(orm, url, bar.update), log);
        bar.end();
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      } finally {
        bar.end();
      }
      return 0;
    }
    case 'seed':
      try {
        return await seedCommand(args.slice(1));
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        console.error(`Error: ${e.message}\nUsage: npm run cli -- seed [--synthetic [--intellectuals N] [--associations M] [--requests R] [--opinions O] [--forum-posts P] [--seed S]]`);
        return 2;
      }
    case 'keys':
      try {
        const action = parseKeysCommand(args.slice(1)); // usage errors before any database is opened
        const config = loadConfig();
        return await withCliDatabase(config, (orm) => runKeysCommand(orm, action, (line) => console.log(line)), log);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        console.error(`Error: ${e.message}\n${KEYS_HELP}`);
        return 2;
      }
    case 'schema': {
      const file = path.join(PROJECT_ROOT, 'schema', 'schema.graphql');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, printHubSchema());
      console.log(`Wrote ${path.relative(process.cwd(), file) || file}`);
      return 0;
    }
    case 'migration:create':
      await createMigration();
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return 0;
    default:
      console.error(`Unknown command "${command}".\n\n${HELP}`);
      return 2;
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof ConfigError ? `Configuration error: ${e.message}` : `Error: ${(e as Error).message}`);
    process.exit(1);
  },
);
