import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, printHubSchema } from '../src/schema';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType, isUnionType } from 'graphql';
import { openOrm } from '../src/db/database';
import { createTestDatabase } from './support/db';

describe('the schema contract', () => {
  it('schema/schema.graphql is what the code builds (run `npm run schema` and commit)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', 'schema', 'schema.graphql'), 'utf8');
    expect(committed).toBe(printHubSchema());
  });

  it('describes every type, field, argument and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(buildSchema().getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          if ('args' in field) for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
      if (isScalarType(type) || isUnionType(type)) continue;
    }
    // Built-in scalars come described by graphql-js.
    expect(missing).toEqual([]);
  });
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
