import fs from 'node:fs';
import path from 'node:path';
import {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  parse,
  print,
  validate,
} from 'graphql';
import { buildSchema } from '../src/schema';
import { selectionsWithoutId } from './support/contract';
import { createKey, uniq } from './factories';
import { startTestHub, TestHub } from './support/harness';

/**
 * schema/operations/: the operations the frontend and the association apps use (codegen.ts types
 * them). Each is valid against the schema the code builds, named, and selects `id` on every
 * object that has one; together they cover every root field (every mutation, query and
 * subscription); a few run for real against a hub.
 */

const schema: GraphQLSchema = buildSchema();
const DIR = path.join(__dirname, '..', 'schema', 'operations');

function graphqlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? graphqlFiles(path.join(dir, e.name)) : e.name.endsWith('.graphql') ? [path.join(dir, e.name)] : []))
    .sort();
}

const files = graphqlFiles(DIR).map((file) => ({ name: path.relative(DIR, file), doc: parse(fs.readFileSync(file, 'utf8')) }));
const operations = files.flatMap((f) => f.doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION).map((op) => ({ file: f.name, op, doc: f.doc })));

/** Root fields an operation selects (inline fragments on the root type included). */
function rootFields(op: OperationDefinitionNode): string[] {
  const names: string[] = [];
  const walk = (sels: OperationDefinitionNode['selectionSet']['selections']) => {
    for (const s of sels) {
      if (s.kind === Kind.FIELD) names.push(s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet.selections);
    }
  };
  walk(op.selectionSet.selections);
  return names;
}

/** The document to send for one named operation: it and the fragments of its file. */
function documentOf(name: string): string {
  const found = operations.find((o) => o.op.name?.value === name);
  if (!found) throw new Error(`no operation ${name} in schema/operations/`);
  const fragments = found.doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  return print({ kind: Kind.DOCUMENT, definitions: [found.op, ...fragments] } as DocumentNode);
}

describe('schema/operations/', () => {
  it('holds operation files', () => {
    expect(files.length).toBeGreaterThan(5);
    expect(operations.length).toBeGreaterThan(40);
  });

  it('every file is valid against the schema the code builds', () => {
    const offences = files.flatMap((f) => validate(schema, f.doc).map((e) => `${f.name}: ${e.message}`));
    expect(offences).toEqual([]);
  });

  it('every operation is named, and names (of operations and of fragments) are unique across files', () => {
    const offences: string[] = [];
    const seen = new Map<string, string>();
    for (const f of files) {
      for (const d of f.doc.definitions) {
        if (d.kind !== Kind.OPERATION_DEFINITION && d.kind !== Kind.FRAGMENT_DEFINITION) continue;
        const name = d.name?.value;
        if (!name) {
          offences.push(`${f.name}: an unnamed ${d.kind === Kind.OPERATION_DEFINITION ? d.operation : 'definition'}`);
          continue;
        }
        if (seen.has(name)) offences.push(`${name}: in ${seen.get(name)} and ${f.name}`);
        seen.set(name, f.name);
      }
    }
    expect(offences).toEqual([]);
  });

  it('select `id` on every object that has one (what normalised client caches key by)', () => {
    const offences: string[] = [];
    for (const f of files) offences.push(...selectionsWithoutId(schema, f.doc).map((o) => `${f.name}: ${o}`));
    expect(offences).toEqual([]);
  });

  it('cover every mutation of the schema (each Mutation field has an operation)', () => {
    const covered = new Set(operations.filter((o) => o.op.operation === 'mutation').flatMap((o) => rootFields(o.op)));
    const missing = Object.keys(schema.getMutationType()?.getFields() ?? {}).filter((m) => !covered.has(m));
    expect(missing).toEqual([]);
  });

  it('cover every query field of the schema', () => {
    const covered = new Set(operations.filter((o) => o.op.operation === 'query').flatMap((o) => rootFields(o.op)));
    const missing = Object.keys(schema.getQueryType()?.getFields() ?? {}).filter((q) => !covered.has(q));
    expect(missing).toEqual([]);
  });

  it('cover every subscription field of the schema', () => {
    const covered = new Set(operations.filter((o) => o.op.operation === 'subscription').flatMap((o) => rootFields(o.op)));
    const missing = Object.keys(schema.getSubscriptionType()?.getFields() ?? {}).filter((q) => !covered.has(q));
    expect(missing).toEqual([]);
  });

  it("cover the root fields of the README's examples", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
    for (const m of readme.matchAll(/"query":\s*("(?:[^"\\]|\\.)*")/g)) examples.push(JSON.parse(m[1]) as string);
    const covered = new Set(operations.flatMap((o) => rootFields(o.op).map((f) => `${o.op.operation} ${f}`)));
    const missing = examples.flatMap((e) =>
      parse(e)
        .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
        .flatMap((op) => rootFields(op).map((f) => `${op.operation} ${f}`)),
    ).filter((f) => !covered.has(f));
    expect(missing).toEqual([]);
  });
});

describe('schema/operations/ against a hub', () => {
  let t: TestHub;
  let admin: Record<string, string>;
  beforeAll(async () => {
    t = await startTestHub();
    admin = (await createKey(t.em(), 'ADMIN')).headers;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ADMIN creates a federation and an association, pushes members; the reads show them, paged', async () => {
    const fed = uniq('OPS');
    const created = await t.data<any>(documentOf('CreateFederation'), { input: { code: fed, name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Thử Nghiệm', level: 'PROVINCIAL', foundedOn: '1995-03-20' } }, admin);
    expect(created.createFederation.userErrors).toEqual([]);
    expect(created.createFederation.federation).toMatchObject({ code: fed, level: 'PROVINCIAL', foundedOn: '1995-03-20', status: 'ACTIVE' });

    const codes = [uniq('AS'), uniq('AS'), uniq('AS')];
    for (const code of codes) {
      const a = await t.data<any>(documentOf('CreateAssociation'), { input: { code, federationCode: fed, name: `Hội thử nghiệm ${code}`, fields: ['3.2'] } }, admin);
      expect(a.createAssociation.userErrors).toEqual([]);
    }

    const push = await t.data<any>(
      documentOf('UpsertMembers'),
      {
        input: {
          associationCode: codes[0],
          idempotencyKey: uniq('sync'),
          members: [
            { externalId: 'HV-1', fullName: 'Nguyễn Văn Đức', email: 'duc@example.org', birthDate: '1979-05-17', degree: 'TS', academicTitle: 'PGS', fields: ['3.2'], role: 'MEMBER', publicProfile: true },
            { externalId: 'HV-2', fullName: 'Trần Thị Hoa', degree: 'THS', fields: ['3.2'], role: 'PRESIDENT', publicProfile: true },
          ],
        },
      },
      admin,
    );
    expect(push.upsertMembers).toMatchObject({ created: 2, updated: 0, unchanged: 0, userErrors: [] });

    const overview = await t.data<any>(documentOf('FederationOverview'), { code: fed });
    expect(overview.federation.associations.totalCount).toBe(3);
    const withMembers = overview.federation.associations.edges.find((e: any) => e.node.code === codes[0]);
    expect(withMembers.node.members.totalCount).toBe(2);

    // Paging: two pages of the federation's associations make the whole list, without repeats.
    const page1 = await t.data<any>(documentOf('Associations'), { first: 2, filter: { federationCode: fed }, orderBy: 'CODE' });
    expect(page1.associations.pageInfo.hasNextPage).toBe(true);
    const page2 = await t.data<any>(documentOf('Associations'), { first: 2, after: page1.associations.pageInfo.endCursor, filter: { federationCode: fed }, orderBy: 'CODE' });
    expect(page2.associations.pageInfo.hasNextPage).toBe(false);
    expect([...page1.associations.edges, ...page2.associations.edges].map((e: any) => e.node.code)).toEqual([...codes].sort());

    // Search, without diacritics.
    const found = await t.data<any>(documentOf('SearchIntellectuals'), { search: 'nguyen van duc', associationCode: codes[0] });
    expect(found.intellectuals.edges.map((e: any) => e.node.fullName)).toEqual(['Nguyễn Văn Đức']);

    // node(id) on what the push wrote.
    const node = await t.data<any>(documentOf('Node'), { id: push.upsertMembers.results[0].membershipId }, admin);
    expect(node.node).toMatchObject({ __typename: 'Membership', externalId: 'HV-1', association: { code: codes[0] } });

    // Statistics: exact for ADMIN.
    const stats = await t.data<any>(documentOf('AssociationStats'), { code: codes[0] }, admin);
    expect(stats.association.stats).toMatchObject({ disclosureControl: 'NONE', activeMembers: 2, distinctPeople: 2 });
  });

  it('viewer tells whose key it is', async () => {
    expect((await t.data<any>(documentOf('Viewer'), {}, admin)).viewer).toMatchObject({ role: 'ADMIN', association: null });
    expect((await t.data<any>(documentOf('Viewer'))).viewer).toBeNull();
  });
});
