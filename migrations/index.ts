import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128010121 } from './Migration20261128010121';
import { Migration20261128013000 } from './Migration20261128013000';
import { Migration20261128014000 } from './Migration20261128014000';
import { Migration20261128015000 } from './Migration20261128015000';
import { Migration20261128016000 } from './Migration20261128016000';
import { Migration20261128017000 } from './Migration20261128017000';
import { Migration20261202010000 } from './Migration20261202010000';
import { Migration20261202015734 } from './Migration20261202015734';
import { Migration20261202022644 } from './Migration20261202022644';
import { Migration20261202030000 } from './Migration20261202030000';
import { Migration20261202090000 } from './Migration20261202090000';
import { Migration20261202103907 } from './Migration20261202103907';
import { Migration20261202141829 } from './Migration20261202141829';
import { Migration20261202181808 } from './Migration20261202181808';
import { Migration20261203071754 } from './Migration20261203071754';

/**
 * Every migration, in order. Listed here (not found by globbing) so that the compiled hub,
 * the CLI and the tests run exactly the same set. `npm run cli -- migration:create` adds new ones.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261128010121', class: Migration20261128010121 },
  { name: 'Migration20261128013000', class: Migration20261128013000 },
  { name: 'Migration20261128014000', class: Migration20261128014000 },
  { name: 'Migration20261128015000', class: Migration20261128015000 },
  { name: 'Migration20261128016000', class: Migration20261128016000 },
  { name: 'Migration20261128017000', class: Migration20261128017000 },
  { name: 'Migration20261202010000', class: Migration20261202010000 },
  { name: 'Migration20261202015734', class: Migration20261202015734 },
  { name: 'Migration20261202022644', class: Migration20261202022644 },
  { name: 'Migration20261202030000', class: Migration20261202030000 },
  { name: 'Migration20261202090000', class: Migration20261202090000 },
  { name: 'Migration20261202103907', class: Migration20261202103907 },
  { name: 'Migration20261202141829', class: Migration20261202141829 },
  { name: 'Migration20261202181808', class: Migration20261202181808 },
  { name: 'Migration20261203071754', class: Migration20261203071754 },
];
