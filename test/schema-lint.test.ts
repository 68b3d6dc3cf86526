import fs from 'node:fs';
import path from 'node:path';
import {
  getNamedType,
  GraphQLNamedType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  parse,
  validate,
} from 'graphql';
import { buildSchema } from '../src/schema';
import { selectionsWithoutId } from './support/contract';

/**
 * The house rules of the contract, checked on the schema the code builds (graphql-js's schema
 * API, no database). Each rule collects every offence, so a failure lists all of them at once.
 * The frontend team reads the schema as documentation and generates a typed client from it:
 * names follow one style, every object a normalised cache can key has a Node id, and everything
 * is described.
 */

const schema: GraphQLSchema = buildSchema();
/** Named types of our own: no introspection types, no built-in scalars. */
const types: GraphQLNamedType[] = Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__') && !(isScalarType(t) && isSpecifiedScalarType(t)));
const objects = types.filter(isObjectType);
const inputs = types.filter(isInputObjectType);
const enums = types.filter(isEnumType);
const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});

const PASCAL = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL = /^[a-z][A-Za-z0-9]*$/;
const SCREAMING_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
/** Types that wrap or report on nodes and have no identity of their own. */
const WRAPPER = /(Connection|Edge|Payload)$|^PageInfo$/;

const typeString = (t: unknown) => String(t);

describe('schema lint: ids', () => {
  it('every object type with an `id` has `id: ID!` and implements Node, so `node(id:)` and client caches can key it', () => {
    const offences: string[] = [];
    for (const t of objects) {
      const id = t.getFields().id;
      if (!id) continue;
      if (typeString(id.type) !== 'ID!') offences.push(`${t.name}.id is ${typeString(id.type)}, not ID!`);
      if (!t.getInterfaces().some((i) => i.name === 'Node')) offences.push(`${t.name} has an id but does not implement Node`);
    }
    expect(offences).toEqual([]);
  });

  it('Node is the interface of global ids', () => {
    const node = schema.getType('Node');
    expect(isInterfaceType(node) && typeString(node.getFields().id?.type)).toBe('ID!');
  });

  it('connections, edges, payloads and PageInfo have no id (they are not objects of their own)', () => {
    expect(objects.filter((t) => WRAPPER.test(t.name) && 'id' in t.getFields()).map((t) => t.name)).toEqual([]);
  });

  it('global ids are typed ID and named `id` or `…Id`; other `…Id` fields are listed here with what they hold', () => {
    const NOT_GLOBAL: Record<string, string> = {
      'Membership.externalId': "the association's own id for its member",
      'PushResult.externalId': "the association's own id for its member",
      'AuditEvent.requestId': "the hub's id of the request that wrote (its X-Request-Id response header)",
      'AuditEvent.clientRequestId': 'the X-Request-Id the caller sent with that request',
    };
    const offences: string[] = [];
    for (const t of [...objects, ...types.filter(isInterfaceType)]) {
      for (const f of Object.values(t.getFields())) {
        const named = getNamedType(f.type).name;
        if (named === 'ID' && f.name !== 'id' && !f.name.endsWith('Id')) offences.push(`${t.name}.${f.name}: ID, but not named id or …Id`);
        if (named !== 'ID' && f.name.endsWith('Id') && !NOT_GLOBAL[`${t.name}.${f.name}`]) offences.push(`${t.name}.${f.name}: named …Id but typed ${named}`);
      }
    }
    expect(offences).toEqual([]);
  });
});

describe('schema lint: names', () => {
  it('type names are PascalCase', () => {
    expect(types.filter((t) => !PASCAL.test(t.name)).map((t) => t.name)).toEqual([]);
  });

  it('field, argument and input field names are camelCase', () => {
    const offences: string[] = [];
    for (const t of [...objects, ...types.filter(isInterfaceType)]) {
      for (const f of Object.values(t.getFields())) {
        if (!CAMEL.test(f.name)) offences.push(`${t.name}.${f.name}`);
        for (const a of f.args) if (!CAMEL.test(a.name)) offences.push(`${t.name}.${f.name}(${a.name})`);
      }
    }
    for (const t of inputs) for (const f of Object.values(t.getFields())) if (!CAMEL.test(f.name)) offences.push(`${t.name}.${f.name}`);
    expect(offences).toEqual([]);
  });

  it('enum values are SCREAMING_SNAKE_CASE', () => {
    const offences = enums.flatMap((e) => e.getValues().filter((v) => !SCREAMING_SNAKE.test(v.name)).map((v) => `${e.name}.${v.name}`));
    expect(offences).toEqual([]);
  });

  it('input types are named for their use: `…Filter` for `filter` arguments, `…Input` for everything else', () => {
    // Args classes (paging, order, filter) are arguments, not input types: they never show here.
    const asFilter = new Set<string>();
    const elsewhere = new Set<string>();
    const argumentsOf = [...objects, ...types.filter(isInterfaceType)].flatMap((t) => Object.values(t.getFields()).flatMap((f) => f.args));
    for (const a of argumentsOf) {
      const named = getNamedType(a.type);
      if (isInputObjectType(named)) (a.name === 'filter' ? asFilter : elsewhere).add(named.name);
    }
    for (const t of inputs) for (const f of Object.values(t.getFields())) if (isInputObjectType(getNamedType(f.type))) elsewhere.add(getNamedType(f.type).name);
    const offences: string[] = [];
    for (const t of inputs) {
      const filter = asFilter.has(t.name);
      if (filter && elsewhere.has(t.name)) offences.push(`${t.name}: used both as a filter and as an input`);
      else if (filter && !t.name.endsWith('Filter')) offences.push(`${t.name}: a filter, not named …Filter`);
      else if (!filter && !t.name.endsWith('Input')) offences.push(`${t.name}: not a filter, not named …Input`);
      if (!filter && !elsewhere.has(t.name)) offences.push(`${t.name}: used nowhere`);
    }
    expect(offences).toEqual([]);
  });

  // Payloads are nullable (src/schema.ts): one refused mutation must not null the payloads of the
  // mutations of the same document that ran before it.
  it('mutations take one `input: <Mutation>Input!` and return a nullable `…Payload` with userErrors; only mutations return payloads', () => {
    const offences: string[] = [];
    const payloads = new Set<string>();
    for (const m of mutations) {
      const wanted = `${m.name[0].toUpperCase()}${m.name.slice(1)}Input!`;
      if (m.args.length !== 1 || m.args[0].name !== 'input' || typeString(m.args[0].type) !== wanted) {
        offences.push(`${m.name}(${m.args.map((a) => `${a.name}: ${typeString(a.type)}`).join(', ')}): want (input: ${wanted})`);
      }
      const out = getNamedType(m.type);
      payloads.add(out.name);
      if (isNonNullType(m.type) || !isObjectType(out) || !out.name.endsWith('Payload')) offences.push(`${m.name}: returns ${typeString(m.type)}, want a nullable …Payload`);
      else if (typeString(out.getFields().userErrors?.type) !== '[UserError!]!') offences.push(`${out.name}: no userErrors: [UserError!]!`);
    }
    for (const t of objects) if (t.name.endsWith('Payload') && !payloads.has(t.name)) offences.push(`${t.name}: a payload no mutation returns`);
    expect(offences).toEqual([]);
  });

  /**
   * Bare lists the consultation contract names (consultation-spec): each is small by the domain
   * (a request's documents, contributors and panel; a person's seats on panels), read whole; and
   * the forum contract's (forum-spec): the posts a recommendation cites (at most 100, publishSynthesis);
   * and the governance contract's (gov-spec, issue 14): a federation's congresses and terms (one per
   * five years), a term's four bodies and its representation gaps (at most its member associations),
   * a body's seats and the seats held on one date (tens), a person's seats, a congress's
   * resolutions (at most 100, createCongress). Delegates (up to thousands) are a connection.
   */
  const BOUNDED_LISTS = new Set([
    'ConsultationRequest.documents',
    'ConsultationRequest.contributingAssociations',
    'ConsultationRequest.panel',
    'Intellectual.panelSeats',
    'ForumRecommendation.citedPosts',
    'Federation.congresses',
    'Federation.terms',
    'Intellectual.offices',
    'Congress.resolutions',
    'Term.bodies',
    'Term.representationGaps',
    'GoverningBody.seats',
    'Query.officeHolders',
  ]);

  it('lists of Node objects are connections (paged, counted), never bare lists', () => {
    const offences: string[] = [];
    for (const t of objects) {
      if (WRAPPER.test(t.name)) continue;
      for (const f of Object.values(t.getFields())) {
        if (BOUNDED_LISTS.has(`${t.name}.${f.name}`)) continue;
        const inner = isNonNullType(f.type) ? f.type.ofType : f.type;
        const named = getNamedType(f.type);
        if (isListType(inner) && isObjectType(named) && named.getInterfaces().some((i) => i.name === 'Node')) offences.push(`${t.name}.${f.name}: ${typeString(f.type)}`);
      }
    }
    expect(offences).toEqual([]);
  });
});

describe('schema lint: descriptions', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    const missing: string[] = [];
    for (const type of types) {
      if (!type.description?.trim()) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
          if ('args' in field) for (const arg of field.args) if (!arg.description?.trim()) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) for (const v of type.getValues()) if (!v.description?.trim()) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });

  it('descriptions are sentences: a capital letter, a digit, a quote or a camelCase name first, a full stop (or closing quote/bracket) last', () => {
    const offences: string[] = [];
    const check = (where: string, d: string | null | undefined) => {
      if (!d) return; // the test above reports it
      const text = d.trim();
      if (!/^[\p{Lu}0-9"`([]/u.test(text) && !/^[a-z]+[A-Z]/.test(text)) offences.push(`${where}: starts with ${JSON.stringify(text.slice(0, 20))}`);
      if (!/[.?!)"`]$/.test(text)) offences.push(`${where}: ends with ${JSON.stringify(text.slice(-20))}`);
    };
    for (const type of types) {
      if (isScalarType(type)) continue; // graphql-scalars' own words
      check(type.name, type.description);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          check(`${type.name}.${field.name}`, field.description);
          if ('args' in field) for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg.description);
        }
      }
      if (isEnumType(type)) for (const v of type.getValues()) check(`${type.name}.${v.name}`, v.description);
    }
    expect(offences).toEqual([]);
  });
});

describe('README examples', () => {
  /** The GraphQL documents of the README: ```graphql blocks, and the "query" strings of JSON bodies in shell examples. */
  function examples(): string[] {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const docs = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
    for (const m of readme.matchAll(/"query":\s*("(?:[^"\\]|\\.)*")/g)) docs.push(JSON.parse(m[1]) as string);
    return docs;
  }

  it('are there to check', () => {
    expect(examples().length).toBeGreaterThanOrEqual(2);
  });

  it('are valid against the schema and select `id` on every object that has one', () => {
    const offences: string[] = [];
    for (const doc of examples()) {
      const ast = parse(doc);
      for (const e of validate(schema, ast)) offences.push(`${e.message} in ${doc.slice(0, 60)}`);
      offences.push(...selectionsWithoutId(schema, ast));
    }
    expect(offences).toEqual([]);
  });
});
