import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { migrate, seedIfEmpty } from '../db/database';
import { PROJECT_ROOT } from '../paths';
import { printHubSchema } from '../schema';
import { withCliDatabase } from './database';

const HELP = `Federation Hub command line: npm run cli -- <command>

Commands:
  migrate            apply pending database migrations
  seed               load the demo data (only into a database without federations)
  schema             write schema/schema.graphql from the code
  migration:create   (developers) write a migration for the entity changes and list it in migrations/index.ts
  help               this text

The database: DATABASE_URL when set; otherwise the embedded database in DATA_DIR (default .data),
through the running hub when there is one, or started for the length of the command.`;

const log = (m: string) => console.error(m);

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
      index = index.replace(/(\nexport const migrationsList)/, `import { ${className} } from './${name}';\n$1`);
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
      const applied = await withCliDatabase(config, (orm, url) => migrate(orm, url), log);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      return 0;
    }
    case 'seed': {
      const config = loadConfig();
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
