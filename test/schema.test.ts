import fs from 'node:fs';
import path from 'node:path';
import { printHubSchema } from '../src/schema';
import { openOrm } from '../src/db/database';
import { createTestDatabase } from './support/db';

describe('the schema contract', () => {
  it('schema/schema.graphql is what the code builds (run `npm run schema` and commit)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', 'schema', 'schema.graphql'), 'utf8');
    expect(committed).toBe(printHubSchema());
  });
  // The house rules (names, ids, descriptions) are checked in schema-lint.test.ts.
});

describe('entities and migrations', () => {
  it('agree: a fresh database migrated to the latest needs no further change', async () => {
    const db = await createTestDatabase();
    const orm = await openOrm(db.url, 2);
    try {
      const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
      expect(diff.trim()).toBe('');
    } finally {
      await orm.close(true);
      await db.drop();
    }
  });
});
