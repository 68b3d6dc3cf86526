import crypto from 'node:crypto';
import { Client } from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { GqlResponse, startTestHub, TestHub } from './support/harness';
import { Degree } from '../src/modules/intellectual/intellectual.enums';
import { Association } from '../src/modules/association/association.entity';
import { Intellectual } from '../src/modules/intellectual/intellectual.entity';
import { ApiKeyService } from '../src/modules/key/api-key.service';
import { KEY_LISTENER_APPLICATION } from '../src/modules/key/key-listener';
import { loadConfig } from '../src/config';

/**
 * API keys, roles and personal data, through the GraphQL schema over HTTP:
 *
 * | who                 | reads                                                        | writes                                   |
 * |---------------------|--------------------------------------------------------------|------------------------------------------|
 * | PUBLIC (no key)     | federations, associations, stats, public profiles            | nothing (401)                            |
 * | ANALYST             | everything except personal data and keys                     | nothing (403)                            |
 * | ASSOCIATION (bound) | as public, plus its own members with their personal data     | its own association and its memberships  |
 * | ADMIN               | everything, the audit log included                           | everything                               |
 */

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

type Headers = Record<string, string>;
const ANONYMOUS: Headers = {};

// --- the data each test builds ------------------------------------------------------------------

interface World {
  a: Association;
  b: Association;
  c: Association;
  /** Public profile, member of A. */
  hong: Intellectual;
  /** Not public, member of A only. */
  binh: Intellectual;
  /** Not public, member of A and of B. */
  dung: Intellectual;
  /** Public profile, member of B. */
  em: Intellectual;
  /** Not public, member of B only. */
  cuc: Intellectual;
}

const PERSONAL = {
  hong: { email: 'hong.nguyenthi@example.org', phone: '0912 345 678', birthDate: '1980-05-17' },
  binh: { email: 'binh.tranvan@example.org', phone: '0987 654 321', birthDate: '1975-11-02' },
  dung: { email: 'dung.phamquoc@example.org', phone: '0903 111 222', birthDate: '1968-01-30' },
  em: { email: 'em.dangvan@example.org', phone: '0934 222 333', birthDate: '1991-09-09' },
  cuc: { email: 'cuc.lethi@example.org', phone: '0977 444 555', birthDate: '1985-02-28' },
};

/** Three associations of one federation; A and B share a non-public member; C has nobody. */
async function world(): Promise<World> {
  const em = t.em();
  const f = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Hậu Giang' });
  const a = await createAssociation(em, f, { code: uniq('YHOC'), name: 'Hội Y học Hậu Giang' });
  const b = await createAssociation(em, f, { code: uniq('DUOC'), name: 'Hội Dược học Hậu Giang', fields: ['3.1'] });
  const c = await createAssociation(em, f, { code: uniq('TIN'), name: 'Hội Tin học Hậu Giang', fields: ['1.2'] });
  const hong = await createIntellectual(em, { fullName: 'Nguyễn Thị Hồng', publicProfile: true, ...PERSONAL.hong });
  const binh = await createIntellectual(em, { fullName: 'Trần Văn Bình', publicProfile: false, ...PERSONAL.binh });
  const dung = await createIntellectual(em, { fullName: 'Phạm Quốc Dũng', publicProfile: false, ...PERSONAL.dung });
  const emP = await createIntellectual(em, { fullName: 'Đặng Văn Em', publicProfile: true, ...PERSONAL.em });
  const cuc = await createIntellectual(em, { fullName: 'Lê Thị Cúc', publicProfile: false, ...PERSONAL.cuc });
  await createMembership(em, hong, a);
  await createMembership(em, binh, a);
  await createMembership(em, dung, a);
  await createMembership(em, dung, b);
  await createMembership(em, emP, b);
  await createMembership(em, cuc, b);
  return { a, b, c, hong, binh, dung, em: emP, cuc };
}

// --- queries ------------------------------------------------------------------------------------

const PEOPLE = `query($code: String!) { intellectuals(first: 100, filter: { associationCode: $code }) {
  totalCount edges { node { id fullName publicProfile email phone birthDate } } } }`;

const MEMBERS = `query($code: String!) { association(code: $code) { members(first: 100) {
  totalCount edges { node { id intellectual { id fullName email phone birthDate } } } } } }`;

const AUDIT = `query($code: String) { auditEvents(first: 50, filter: { associationCode: $code }) {
  totalCount edges { node { keyLabel keyId associationCode entityType action changes } } } }`;

const UPSERT = `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created userErrors { code } } }`;

const VIEWER = `{ viewer { role keyLabel association { code name } } }`;

const NODE = `query($id: ID!) { node(id: $id) { id __typename
  ... on Intellectual { fullName email phone birthDate }
  ... on Membership { intellectual { fullName email } association { code } } } }`;

const PUBLIC_READS = `query($f: String!, $a: String!) {
  federation(code: $f) { code name stats { associationCount activeMembers distinctPeople } }
  association(code: $a) { code name stats { activeMembers } }
  associations(first: 10, filter: { federationCode: $f }) { totalCount } }`;

interface PersonRow {
  id: string;
  fullName: string;
  publicProfile: boolean;
  email: string | null;
  phone: string | null;
  birthDate: string | null;
}

async function people(code: string, headers: Headers): Promise<{ totalCount: number; byName: Map<string, PersonRow> }> {
  const d = await t.data<any>(PEOPLE, { code }, headers);
  const rows: PersonRow[] = d.intellectuals.edges.map((e: any) => e.node);
  return { totalCount: d.intellectuals.totalCount, byName: new Map(rows.map((r) => [r.fullName, r])) };
}

const sortedNames = (m: Map<string, unknown>) => [...m.keys()].sort((x, y) => x.localeCompare(y, 'vi'));
const names = (...list: Intellectual[]) => list.map((p) => p.fullName).sort((x, y) => x.localeCompare(y, 'vi'));
const personal = (r: { email: string | null; phone: string | null; birthDate: string | null } | undefined) => r && { email: r.email, phone: r.phone, birthDate: r.birthDate };
const NO_PERSONAL = { email: null, phone: null, birthDate: null };

function upsertInput(associationCode: string, fullName: string) {
  return { input: { associationCode, idempotencyKey: uniq('push'), members: [{ externalId: uniq('HV'), fullName }] } };
}

/** The single GraphQL error of a refused request, with its HTTP status. */
function refusal(r: GqlResponse): { status: number; code: string | undefined; message: string } {
  expect(r.body.errors).toHaveLength(1);
  return { status: r.status, code: r.body.errors![0].extensions?.code, message: r.body.errors![0].message };
}

async function keyFor(em: EntityManager, role: 'ADMIN' | 'ANALYST' | 'ASSOCIATION', label: string, association?: Association) {
  const k = await new ApiKeyService(em).create({ role, label, associationCode: association?.code ?? null });
  return { ...k, headers: { authorization: `Bearer ${k.key}` } as Headers };
}

/** Members of an association as ADMIN sees them (to check that a refused write wrote nothing). */
async function memberCount(code: string, admin: Headers): Promise<number> {
  return (await t.data<any>(MEMBERS, { code }, admin)).association.members.totalCount;
}

// --- one test per row of the roles table ----------------------------------------------------------

describe('roles', () => {
  it('PUBLIC (no key): reads federations, associations, stats and public profiles only, no personal data; no audit log; writes nothing (401)', async () => {
    const w = await world();
    const admin = (await createKey(t.em(), 'ADMIN')).headers;

    const reads = await t.gql<any>(PUBLIC_READS, { f: w.a.federation.code, a: w.a.code });
    expect(reads.status).toBe(200);
    expect(reads.body.errors).toBeUndefined();
    // Statistics are protected (README "Statistics"): associations counted exactly, people and
    // memberships rounded to a multiple of 5 by fixed random rounding, 0 to 4 suppressed.
    const pubStats = reads.body.data.federation.stats;
    expect(pubStats.associationCount).toBe(3);
    expect(pubStats.distinctPeople).toBe(5);
    expect([5, 10]).toContain(pubStats.activeMembers);
    expect(reads.body.data.association).toMatchObject({ code: w.a.code, name: 'Hội Y học Hậu Giang' });
    expect([null, 5]).toContain(reads.body.data.association.stats.activeMembers);
    expect(reads.body.data.associations.totalCount).toBe(3);

    // Of A's three people only the one with a public profile; of B's three, only the public one.
    const inA = await people(w.a.code, ANONYMOUS);
    expect(inA.totalCount).toBe(1);
    expect(sortedNames(inA.byName)).toEqual(names(w.hong));
    expect(personal(inA.byName.get(w.hong.fullName))).toEqual(NO_PERSONAL);
    const inB = await people(w.b.code, ANONYMOUS);
    expect(inB.totalCount).toBe(1);
    expect(sortedNames(inB.byName)).toEqual(names(w.em));
    expect(personal(inB.byName.get(w.em.fullName))).toEqual(NO_PERSONAL);

    // An association's member list agrees: public people only, its count too.
    const members = (await t.data<any>(MEMBERS, { code: w.a.code })).association.members;
    expect(members.totalCount).toBe(1);
    expect(members.edges.map((e: any) => e.node.intellectual)).toEqual([expect.objectContaining({ fullName: w.hong.fullName, ...NO_PERSONAL })]);

    const audit = refusal(await t.gql(AUDIT, { code: w.a.code }));
    expect(audit).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(audit.message).toMatch(/Bearer/);

    const write = await t.gql(UPSERT, upsertInput(w.a.code, 'Hoàng Văn Khách'));
    expect(refusal(write)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(write.body.data ?? null).toBeNull();
    expect(await memberCount(w.a.code, admin)).toBe(3);
  });

  it('ANALYST: reads every person, public or not, but no personal data and no audit log (403); writes nothing (403)', async () => {
    const w = await world();
    const admin = (await createKey(t.em(), 'ADMIN')).headers;
    const analyst = (await createKey(t.em(), 'ANALYST')).headers;

    const reads = await t.gql<any>(PUBLIC_READS, { f: w.a.federation.code, a: w.a.code }, analyst);
    expect(reads.body.errors).toBeUndefined();
    expect(reads.body.data.federation.stats).toEqual({ associationCount: 3, activeMembers: 6, distinctPeople: 5 });

    const inA = await people(w.a.code, analyst);
    expect(inA.totalCount).toBe(3);
    expect(sortedNames(inA.byName)).toEqual(names(w.hong, w.binh, w.dung));
    expect([...inA.byName.values()].filter((p) => !p.publicProfile)).toHaveLength(2);
    for (const p of inA.byName.values()) expect(personal(p)).toEqual(NO_PERSONAL);
    const inB = await people(w.b.code, analyst);
    expect(inB.totalCount).toBe(3);
    expect(sortedNames(inB.byName)).toEqual(names(w.em, w.cuc, w.dung));
    for (const p of inB.byName.values()) expect(personal(p)).toEqual(NO_PERSONAL);

    const members = (await t.data<any>(MEMBERS, { code: w.b.code }, analyst)).association.members;
    expect(members.totalCount).toBe(3);
    for (const e of members.edges) expect(personal(e.node.intellectual)).toEqual(NO_PERSONAL);

    const audit = refusal(await t.gql(AUDIT, { code: w.a.code }, analyst));
    expect(audit).toMatchObject({ status: 403, code: 'FORBIDDEN' });

    const write = await t.gql(UPSERT, upsertInput(w.a.code, 'Hoàng Văn Khách'), analyst);
    expect(refusal(write)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await memberCount(w.a.code, admin)).toBe(3);

    const fed = await t.gql(
      `mutation($input: CreateFederationInput!) { createFederation(input: $input) { federation { code } userErrors { code } } }`,
      { input: { code: uniq('FED'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Bạc Liêu', level: 'PROVINCIAL' } },
      analyst,
    );
    expect(refusal(fed)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it("ASSOCIATION: reads as the public plus all of its own members with their personal data; writes only its own association and memberships", async () => {
    const w = await world();
    const admin = (await createKey(t.em(), 'ADMIN')).headers;
    const ownA = (await createKey(t.em(), 'ASSOCIATION', w.a)).headers;

    const reads = await t.gql<any>(PUBLIC_READS, { f: w.a.federation.code, a: w.b.code }, ownA);
    expect(reads.body.errors).toBeUndefined();
    expect(reads.body.data.association.code).toBe(w.b.code);

    // Its own association: everyone (public or not), with personal data.
    const inA = await people(w.a.code, ownA);
    expect(inA.totalCount).toBe(3);
    expect(sortedNames(inA.byName)).toEqual(names(w.hong, w.binh, w.dung));
    expect(personal(inA.byName.get(w.hong.fullName))).toEqual(PERSONAL.hong);
    expect(personal(inA.byName.get(w.binh.fullName))).toEqual(PERSONAL.binh);
    expect(personal(inA.byName.get(w.dung.fullName))).toEqual(PERSONAL.dung);

    // Another association: its public people (without personal data), plus the shared member of A
    // (with A's right to that person's personal data); B's non-public member stays hidden.
    const inB = await people(w.b.code, ownA);
    expect(inB.totalCount).toBe(2);
    expect(sortedNames(inB.byName)).toEqual(names(w.em, w.dung));
    expect(personal(inB.byName.get(w.em.fullName))).toEqual(NO_PERSONAL);
    expect(personal(inB.byName.get(w.dung.fullName))).toEqual(PERSONAL.dung);

    // The audit log: what concerns its own association only (B's events are not listed).
    const audit = await t.gql<any>(AUDIT, { code: w.a.code }, ownA);
    expect(audit.status).toBe(200);
    expect(audit.body.errors).toBeUndefined();
    const otherAudit = await t.gql<any>(AUDIT, { code: w.b.code }, ownA);
    expect(otherAudit.body.data.auditEvents.edges).toEqual([]);

    // Writes to its own association's members succeed.
    const own = await t.gql<any>(UPSERT, upsertInput(w.a.code, 'Hoàng Văn Khải'), ownA);
    expect(own.status).toBe(200);
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data.upsertMembers).toEqual({ created: 1, userErrors: [] });
    expect(await memberCount(w.a.code, admin)).toBe(4);

    // …and to its own profile.
    const version = (await t.data<any>(`query($c: String!) { association(code: $c) { version } }`, { c: w.a.code }, ownA)).association.version;
    const UPDATE = `mutation($input: UpdateAssociationProfileInput!) { updateAssociationProfile(input: $input) { association { name } userErrors { code } } }`;
    const profile = await t.gql<any>(UPDATE, { input: { code: w.a.code, expectedVersion: version, name: 'Hội Y học tỉnh Hậu Giang' } }, ownA);
    expect(profile.body.errors).toBeUndefined();
    expect(profile.body.data.updateAssociationProfile).toEqual({ association: { name: 'Hội Y học tỉnh Hậu Giang' }, userErrors: [] });

    // Another association's members or profile: 403, nothing written.
    const other = await t.gql(UPSERT, upsertInput(w.b.code, 'Hoàng Văn Khải'), ownA);
    expect(refusal(other)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await memberCount(w.b.code, admin)).toBe(3);
    const otherVersion = (await t.data<any>(`query($c: String!) { association(code: $c) { version } }`, { c: w.b.code })).association.version;
    const otherProfile = await t.gql(UPDATE, { input: { code: w.b.code, expectedVersion: otherVersion, name: 'Hội bị chiếm' } }, ownA);
    expect(refusal(otherProfile)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await t.data<any>(`query($c: String!) { association(code: $c) { name } }`, { c: w.b.code })).association.name).toBe('Hội Dược học Hậu Giang');

    // An unknown code is refused the same way (a key does not learn which codes exist).
    expect(refusal(await t.gql(UPSERT, upsertInput(uniq('KHONGCO'), 'Hoàng Văn Khải'), ownA))).toMatchObject({ status: 403, code: 'FORBIDDEN' });

    // Federation-wide writes are ADMIN's.
    const fed = await t.gql(
      `mutation($input: CreateFederationInput!) { createFederation(input: $input) { federation { code } userErrors { code } } }`,
      { input: { code: uniq('FED'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Bạc Liêu', level: 'PROVINCIAL' } },
      ownA,
    );
    expect(refusal(fed)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('ADMIN: reads everyone with personal data and the audit log; writes to any association', async () => {
    const w = await world();
    const admin = await keyFor(t.em(), 'ADMIN', `Quản trị viên ${uniq('K')}`);

    for (const [code, list] of [
      [w.a.code, [w.hong, w.binh, w.dung]],
      [w.b.code, [w.em, w.cuc, w.dung]],
    ] as const) {
      const r = await people(code, admin.headers);
      expect(r.totalCount).toBe(3);
      expect(sortedNames(r.byName)).toEqual(names(...list));
    }
    const all = await people(w.a.code, admin.headers);
    expect(personal(all.byName.get(w.binh.fullName))).toEqual(PERSONAL.binh);

    // Writes to any association, and the audit log shows who made them (personal data masked).
    for (const code of [w.a.code, w.b.code, w.c.code]) {
      const r = await t.gql<any>(UPSERT, upsertInput(code, 'Vũ Thị Lan'), admin.headers);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.upsertMembers).toEqual({ created: 1, userErrors: [] });
    }
    const push = await t.gql<any>(
      UPSERT,
      { input: { associationCode: w.c.code, idempotencyKey: uniq('push'), members: [{ externalId: 'TIN-001', fullName: 'Ngô Bảo Châu', email: 'chau.ngo@example.org' }] } },
      admin.headers,
    );
    expect(push.body.data.upsertMembers.created).toBe(1);

    const audit = await t.gql<any>(AUDIT, { code: w.c.code }, admin.headers);
    expect(audit.status).toBe(200);
    expect(audit.body.errors).toBeUndefined();
    const events = audit.body.data.auditEvents.edges.map((e: any) => e.node);
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const e of events) expect(e).toMatchObject({ keyLabel: admin.label, keyId: String(admin.id), associationCode: w.c.code });
    const chau = events.find((e: any) => e.entityType === 'INTELLECTUAL' && e.changes.fullName?.new === 'Ngô Bảo Châu');
    expect(chau).toBeDefined();
    expect(chau.changes.email).toEqual({ old: null, new: '[masked]' });
    expect(JSON.stringify(events)).not.toContain('chau.ngo@example.org');
  });
});

// --- personal data -------------------------------------------------------------------------------

describe('personal data (email, phone, birth date)', () => {
  it('is visible to ADMIN for everyone', async () => {
    const w = await world();
    const admin = (await createKey(t.em(), 'ADMIN')).headers;
    const inA = await people(w.a.code, admin);
    const inB = await people(w.b.code, admin);
    expect(personal(inA.byName.get(w.hong.fullName))).toEqual(PERSONAL.hong);
    expect(personal(inA.byName.get(w.binh.fullName))).toEqual(PERSONAL.binh);
    expect(personal(inA.byName.get(w.dung.fullName))).toEqual(PERSONAL.dung);
    expect(personal(inB.byName.get(w.em.fullName))).toEqual(PERSONAL.em);
    expect(personal(inB.byName.get(w.cuc.fullName))).toEqual(PERSONAL.cuc);
  });

  it("is visible to an association the person belongs to through node(id), but another association's records of a non-public person stay that association's", async () => {
    const w = await world();
    const admin = (await createKey(t.em(), 'ADMIN')).headers;
    const ownA = (await createKey(t.em(), 'ASSOCIATION', w.a)).headers;

    // B's member list as A's key reads it: only public profiles (Phạm Quốc Dũng is in A and B,
    // without a public profile: his membership in B is B's record, as it is to the public).
    const members = (await t.data<any>(MEMBERS, { code: w.b.code }, ownA)).association.members;
    const byName = new Map<string, any>(members.edges.map((e: any) => [e.node.intellectual.fullName, e.node]));
    expect(members.totalCount).toBe(1);
    expect(sortedNames(byName)).toEqual(names(w.em));
    expect(personal(byName.get(w.em.fullName).intellectual)).toEqual(NO_PERSONAL);

    // Through node(id) of the person and of the membership in B.
    const ids = new Map<string, PersonRow>((await people(w.b.code, admin)).byName);
    const dungId = ids.get(w.dung.fullName)!.id;
    const node = await t.data<any>(NODE, { id: dungId }, ownA);
    expect(node.node).toMatchObject({ id: dungId, __typename: 'Intellectual', fullName: w.dung.fullName, ...PERSONAL.dung });
    const membershipInB = (await t.data<any>(MEMBERS, { code: w.b.code }, admin)).association.members.edges.find(
      (e: any) => e.node.intellectual.fullName === w.dung.fullName,
    ).node.id;
    expect((await t.data<any>(NODE, { id: membershipInB }, ownA)).node).toBeNull();

    // B's key sees Dũng's personal data too (B is also one of his associations).
    const ownB = (await createKey(t.em(), 'ASSOCIATION', w.b)).headers;
    expect((await t.data<any>(NODE, { id: dungId }, ownB)).node).toMatchObject(PERSONAL.dung);
  });

  it("is null for an ANALYST, for another association's key and for the public", async () => {
    const w = await world();
    const admin = (await createKey(t.em(), 'ADMIN')).headers;
    const ids = (await people(w.a.code, admin)).byName;
    const hongId = ids.get(w.hong.fullName)!.id; // public profile, member of A
    const binhId = ids.get(w.binh.fullName)!.id; // not public, member of A

    const analyst = (await createKey(t.em(), 'ANALYST')).headers;
    const ownB = (await createKey(t.em(), 'ASSOCIATION', w.b)).headers;
    const ownC = (await createKey(t.em(), 'ASSOCIATION', w.c)).headers;

    for (const [who, headers] of [
      ['ANALYST', analyst],
      ["B's key", ownB],
      ["C's key", ownC],
      ['the public', ANONYMOUS],
    ] as const) {
      // Through the list, the member list and node(id).
      const list = await people(w.a.code, headers);
      expect({ who, data: personal(list.byName.get(w.hong.fullName)) }).toEqual({ who, data: NO_PERSONAL });
      // (Phạm Quốc Dũng is a member of B too: B's key sees his personal data, and only his.)
      const members = (await t.data<any>(MEMBERS, { code: w.a.code }, headers)).association.members.edges;
      expect(members.length).toBeGreaterThan(0);
      for (const e of members) {
        const expected = who === "B's key" && e.node.intellectual.fullName === w.dung.fullName ? PERSONAL.dung : NO_PERSONAL;
        expect({ who, name: e.node.intellectual.fullName, data: personal(e.node.intellectual) }).toEqual({ who, name: e.node.intellectual.fullName, data: expected });
      }
      const node = (await t.data<any>(NODE, { id: hongId }, headers)).node;
      expect({ who, node }).toEqual({ who, node: expect.objectContaining({ fullName: w.hong.fullName, ...NO_PERSONAL }) });
    }
    // An ANALYST sees the non-public person, still without personal data.
    expect((await t.data<any>(NODE, { id: binhId }, analyst)).node).toMatchObject({ fullName: w.binh.fullName, ...NO_PERSONAL });
    // The data is there all along: ADMIN sees it.
    expect((await t.data<any>(NODE, { id: hongId }, admin)).node).toMatchObject(PERSONAL.hong);
  });
});

// --- documents with several root fields, some refused -------------------------------------------

describe('a document some of whose root fields are refused', () => {
  const TWO_PUSHES = `mutation($first: UpsertMembersInput!, $second: UpsertMembersInput!) {
    first: upsertMembers(input: $first) { created userErrors { code } }
    second: upsertMembers(input: $second) { created userErrors { code } } }`;

  it('answers what executed: a first mutation that committed keeps its payload (200) when a second is refused (FORBIDDEN at its path)', async () => {
    const w = await world();
    const admin = (await createKey(t.em(), 'ADMIN')).headers;
    const ownA = (await createKey(t.em(), 'ASSOCIATION', w.a)).headers;

    const r = await t.gql<any>(TWO_PUSHES, { first: upsertInput(w.a.code, 'Hoàng Văn Trước').input, second: upsertInput(w.b.code, 'Hoàng Văn Sau').input }, ownA);
    expect(r.status).toBe(200);
    expect(r.headers.get('www-authenticate')).toBeNull();
    expect(r.body.data).toEqual({ first: { created: 1, userErrors: [] }, second: null });
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors![0]).toMatchObject({ path: ['second'], extensions: { code: 'FORBIDDEN' } });
    // The first was written, the second not.
    expect(await memberCount(w.a.code, admin)).toBe(4);
    expect(await memberCount(w.b.code, admin)).toBe(3);

    // The other way round: the refused one first, then one that runs (serial execution goes on).
    const back = await t.gql<any>(TWO_PUSHES, { first: upsertInput(w.b.code, 'Hoàng Văn Trước').input, second: upsertInput(w.a.code, 'Hoàng Văn Sau').input }, ownA);
    expect(back.status).toBe(200);
    expect(back.body.data).toEqual({ first: null, second: { created: 1, userErrors: [] } });
    expect(back.body.errors!.map((e) => [e.path, e.extensions?.code])).toEqual([[['first'], 'FORBIDDEN']]);
    expect(await memberCount(w.a.code, admin)).toBe(5);
    expect(await memberCount(w.b.code, admin)).toBe(3);
  });

  it('keeps 401/403 and data null when every root field is refused: the request was refused as a whole', async () => {
    const w = await world();
    const admin = (await createKey(t.em(), 'ADMIN')).headers;
    const ownA = (await createKey(t.em(), 'ASSOCIATION', w.a)).headers;
    const analyst = (await createKey(t.em(), 'ANALYST')).headers;
    const pushes = { first: upsertInput(w.b.code, 'Hoàng Văn Một').input, second: upsertInput(w.c.code, 'Hoàng Văn Hai').input };

    const anonymous = await t.gql<any>(TWO_PUSHES, pushes);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anonymous.body.data ?? null).toBeNull();
    expect(anonymous.body.errors!.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['first'], 'UNAUTHENTICATED'],
      [['second'], 'UNAUTHENTICATED'],
    ]);
    const other = await t.gql<any>(TWO_PUSHES, pushes, ownA);
    expect(other.status).toBe(403);
    expect(other.body.data ?? null).toBeNull();
    expect(other.body.errors).toHaveLength(2);
    const reading = await t.gql<any>(`{ one: auditEvents(first: 1) { totalCount } two: auditEvents(first: 2) { totalCount } }`, {}, analyst);
    expect([reading.status, reading.body.data ?? null, reading.body.errors?.length]).toEqual([403, null, 2]);
    expect(await memberCount(w.b.code, admin)).toBe(3);
    expect(await memberCount(w.c.code, admin)).toBe(0);
  });

  it('answers the fields a key may read beside one it may not (200, the refused one null with its error)', async () => {
    const w = await world();
    const analyst = (await createKey(t.em(), 'ANALYST')).headers;
    const q = `query($code: String!) { viewer { role } association(code: $code) { code } auditEvents(first: 1) { totalCount } }`;
    const r = await t.gql<any>(q, { code: w.a.code }, analyst);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ viewer: { role: 'ANALYST' }, association: { code: w.a.code }, auditEvents: null });
    expect(r.body.errors!.map((e) => [e.path, e.extensions?.code])).toEqual([[['auditEvents'], 'FORBIDDEN']]);

    // Anonymous: the public part is answered, the audit log refused; no WWW-Authenticate on a 200.
    const anon = await t.gql<any>(`{ federations(first: 1) { totalCount } auditEvents(first: 1) { totalCount } }`);
    expect(anon.status).toBe(200);
    expect(anon.headers.get('www-authenticate')).toBeNull();
    expect(anon.body.data.federations.totalCount).toBeGreaterThan(0);
    expect(anon.body.data.auditEvents).toBeNull();
    expect(anon.body.errors!.map((e) => [e.path, e.extensions?.code])).toEqual([[['auditEvents'], 'UNAUTHENTICATED']]);

    // A null that is an answer (no association has this code) is an answer too.
    const unknown = await t.gql<any>(`{ association(code: "KHONG-CO-HOI-NAY") { code } auditEvents(first: 1) { totalCount } }`, {}, analyst);
    expect(unknown.status).toBe(200);
    expect(unknown.body.data).toEqual({ association: null, auditEvents: null });
    expect(unknown.body.errors).toHaveLength(1);
  });
});

// --- viewer ------------------------------------------------------------------------------------

describe('viewer', () => {
  it("answers the caller's role, association and key label for each role, and null for anonymous callers", async () => {
    const w = await world();
    const em = t.em();
    const admin = await keyFor(em, 'ADMIN', 'Khóa quản trị của Liên hiệp');
    const analyst = await keyFor(em, 'ANALYST', 'Nhóm phân tích số liệu');
    const assoc = await keyFor(em, 'ASSOCIATION', 'Phần mềm hội viên – Hội Y học', w.a);

    expect(await t.data(VIEWER, {}, admin.headers)).toEqual({ viewer: { role: 'ADMIN', keyLabel: 'Khóa quản trị của Liên hiệp', association: null } });
    expect(await t.data(VIEWER, {}, analyst.headers)).toEqual({ viewer: { role: 'ANALYST', keyLabel: 'Nhóm phân tích số liệu', association: null } });
    expect(await t.data(VIEWER, {}, assoc.headers)).toEqual({
      viewer: { role: 'ASSOCIATION', keyLabel: 'Phần mềm hội viên – Hội Y học', association: { code: w.a.code, name: 'Hội Y học Hậu Giang' } },
    });
    const anon = await t.gql(VIEWER);
    expect(anon.status).toBe(200);
    expect(anon.body).toEqual({ data: { viewer: null } });
  });
});

// --- authentication failures -------------------------------------------------------------------

describe('authentication', () => {
  const PUBLIC_QUERY = `{ federations(first: 1) { totalCount } }`;

  async function expect401(headers: Headers) {
    const r = await t.gql(PUBLIC_QUERY, {}, headers);
    expect({ header: headers.authorization, status: r.status }).toEqual({ header: headers.authorization, status: 401 });
    expect(r.body.data ?? null).toBeNull();
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
    return r.body.errors![0].message;
  }

  it('refuses a malformed Authorization header with 401 UNAUTHENTICATED, even for a public query', async () => {
    const { key } = await createKey(t.em(), 'ADMIN');
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Token ${key}`, `${key}`, 'Bearer abc', `Bearer ${key} extra`, `Bearer ${key}!`, `Bearer ${'a'.repeat(201)}`, `Bearer "${key}"`]) {
      const message = await expect401({ authorization: header });
      expect(message).toMatch(/Bearer/);
    }
    // Without any header the same query is answered (anonymously).
    expect((await t.gql(PUBLIC_QUERY)).status).toBe(200);
  });

  it('refuses an unknown key with 401 UNAUTHENTICATED', async () => {
    const unknown = `fh_${crypto.randomBytes(32).toString('base64url')}`;
    expect(await expect401({ authorization: `Bearer ${unknown}` })).toMatch(/Unknown or revoked/);
    // A real key with one character changed is unknown too.
    const { key } = await createKey(t.em(), 'ANALYST');
    const altered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    await expect401({ authorization: `Bearer ${altered}` });
  });

  it('refuses a revoked key with 401 UNAUTHENTICATED from the next request on', async () => {
    const w = await world();
    const k = await createKey(t.em(), 'ASSOCIATION', w.a);
    const before = await t.gql<any>(VIEWER, {}, k.headers);
    expect(before.status).toBe(200);
    expect(before.body.data.viewer.role).toBe('ASSOCIATION');

    expect(await new ApiKeyService(t.em()).revoke(k.id)).toBe(true);
    // The key was answered from this hub's cache: the revocation reaches it by the database's
    // notification (sent at the commit). Wait for that state, not for a time.
    await t.hub.keys.heard(k.id);
    expect(await expect401(k.headers)).toMatch(/Unknown or revoked/);
    // Writes and the viewer query are refused alike.
    const write = await t.gql(UPSERT, upsertInput(w.a.code, 'Hoàng Văn Khải'), k.headers);
    expect(refusal(write)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect((await t.gql(VIEWER, {}, k.headers)).status).toBe(401);
    // Other keys keep working.
    expect((await t.gql(VIEWER, {}, (await createKey(t.em(), 'ANALYST')).headers)).status).toBe(200);
  });
});

// --- the cache of accepted keys --------------------------------------------------------------------

describe('the cache of accepted keys (API_KEY_CACHE_SECONDS, revocations by LISTEN/NOTIFY)', () => {
  const sql = <T = Record<string, unknown>>(hub: TestHub, text: string, params: unknown[] = []) => hub.orm.em.getConnection().execute<T[]>(text, params);
  const viewerOf = async (hub: TestHub, headers: Headers) => {
    const r = await hub.gql<any>(VIEWER, {}, headers);
    return { status: r.status, role: r.body.data?.viewer?.role ?? null, code: r.body.errors?.[0]?.extensions?.code ?? null };
  };

  it('answers a key accepted once from the cache on the next requests, with the same viewer', async () => {
    const w = await world();
    const k = await createKey(t.em(), 'ASSOCIATION', w.a);
    const first = await t.gql<any>(VIEWER, {}, k.headers);
    expect(first.status).toBe(200);
    const before = t.hub.keys.stats();
    expect(before.listening).toBe(true);
    for (let i = 0; i < 3; i++) expect(await t.gql<any>(VIEWER, {}, k.headers)).toMatchObject({ status: 200, body: first.body });
    const after = t.hub.keys.stats();
    // Three requests, three hits: none of them looked the key up in the database.
    expect({ hits: after.hits - before.hits, misses: after.misses - before.misses }).toEqual({ hits: 3, misses: 0 });
    // Refusals are never cached: an unknown key is looked up every time.
    const unknown = { authorization: `Bearer fh_${crypto.randomBytes(32).toString('base64url')}` };
    for (let i = 0; i < 2; i++) expect(await viewerOf(t, unknown)).toEqual({ status: 401, role: null, code: 'UNAUTHENTICATED' });
    const end = t.hub.keys.stats();
    expect({ hits: end.hits - after.hits, misses: end.misses - after.misses }).toEqual({ hits: 0, misses: 2 });
    // A malformed header is refused before any lookup, cached or not.
    expect(await viewerOf(t, { authorization: `Token ${k.key}` })).toEqual({ status: 401, role: null, code: 'UNAUTHENTICATED' });
    expect(t.hub.keys.stats()).toMatchObject({ hits: end.hits, misses: end.misses });
  });

  it('hears changes made by plain SQL: a revocation, a role change, a deletion; other payloads are ignored', async () => {
    const revoked = await createKey(t.em(), 'ANALYST');
    const promoted = await createKey(t.em(), 'ANALYST');
    const deleted = await createKey(t.em(), 'ANALYST');
    for (const k of [revoked, promoted, deleted]) {
      for (let i = 0; i < 2; i++) expect(await viewerOf(t, k.headers)).toEqual({ status: 200, role: 'ANALYST', code: null });
    }
    const hits = t.hub.keys.stats().hits;

    // Notifications that carry no key id change nothing (and the listener stays up). A last one
    // with a key id, sent after them, tells when they have been processed.
    const marker = 2_000_000_000;
    const client = new Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query('begin');
      for (const payload of ['', 'abc', '-1', '1.5', `${revoked.id} `, String(marker)]) await client.query(`select pg_notify('api_key_changed', $1)`, [payload]);
      await client.query('commit');
    } finally {
      await client.end();
    }
    await t.hub.keys.heard(marker);
    expect(t.hub.keys.stats().listening).toBe(true);
    for (const k of [revoked, promoted, deleted]) expect(await viewerOf(t, k.headers)).toEqual({ status: 200, role: 'ANALYST', code: null });
    expect(t.hub.keys.stats().hits).toBe(hits + 3);

    await sql(t, `update api_key set revoked_at = now() where id = ?`, [revoked.id]);
    await sql(t, `update api_key set role = 'ADMIN' where id = ?`, [promoted.id]);
    await sql(t, `delete from api_key where id = ?`, [deleted.id]);
    await Promise.all([revoked, promoted, deleted].map((k) => t.hub.keys.heard(k.id)));
    expect(await viewerOf(t, revoked.headers)).toEqual({ status: 401, role: null, code: 'UNAUTHENTICATED' });
    expect(await viewerOf(t, promoted.headers)).toEqual({ status: 200, role: 'ADMIN', code: null });
    expect(await viewerOf(t, deleted.headers)).toEqual({ status: 401, role: null, code: 'UNAUTHENTICATED' });
  });

  it('API_KEY_CACHE_SECONDS: 60 by default, 0 turns the cache off, anything else is refused', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).apiKeyCacheSeconds).toBe(60);
    expect(loadConfig({ NODE_ENV: 'production' }).apiKeyCacheSeconds).toBe(60);
    expect(loadConfig({ NODE_ENV: 'test', API_KEY_CACHE_SECONDS: '0' }).apiKeyCacheSeconds).toBe(0);
    expect(loadConfig({ NODE_ENV: 'test', API_KEY_CACHE_SECONDS: '3600' }).apiKeyCacheSeconds).toBe(3600);
    for (const bad of ['-1', '1.5', 'soon', '86401']) {
      expect(() => loadConfig({ NODE_ENV: 'test', API_KEY_CACHE_SECONDS: bad })).toThrow(/API_KEY_CACHE_SECONDS must be an integer from 0 to 86400/);
    }
  });

  describe('on a hub of its own', () => {
    const hubs: TestHub[] = [];
    afterAll(() => Promise.all(hubs.map((h) => h.close())));

    it('while its listener is down, authenticates every request in the database (a revocation it cannot hear is refused at once); once back, caches again', async () => {
      // The listener's reconnection waits for this gate while the test holds it.
      let hold: Promise<void> | null = null;
      let release = () => {};
      const own = await startTestHub({}, { beforeKeyListenerConnect: () => hold ?? Promise.resolve() });
      hubs.push(own);
      await own.hub.keys.whenListening(true);
      const k = await createKey(own.em(), 'ANALYST');
      const other = await createKey(own.em(), 'ADMIN');
      for (const key of [k, other]) for (let i = 0; i < 2; i++) expect(await viewerOf(own, key.headers)).toMatchObject({ status: 200 });
      expect(own.hub.keys.stats()).toMatchObject({ listening: true, entries: 2 });

      hold = new Promise((resolve) => (release = resolve));
      const killed = await sql<{ ok: boolean }>(
        own,
        `select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = current_database() and application_name = ?`,
        [KEY_LISTENER_APPLICATION],
      );
      expect(killed).toEqual([{ ok: true }]);
      await own.hub.keys.whenListening(false);
      // From the loss on, nothing is cached and nothing is served from memory.
      expect(own.hub.keys.stats()).toMatchObject({ listening: false, entries: 0 });

      // Revoked while nobody listens: the notification is lost, and the next request is refused all the same.
      await sql(own, `update api_key set revoked_at = now() where id = ?`, [k.id]);
      expect(await viewerOf(own, k.headers)).toEqual({ status: 401, role: null, code: 'UNAUTHENTICATED' });
      const down = own.hub.keys.stats();
      for (let i = 0; i < 3; i++) expect(await viewerOf(own, other.headers)).toEqual({ status: 200, role: 'ADMIN', code: null });
      expect(own.hub.keys.stats()).toMatchObject({ listening: false, entries: 0, hits: down.hits, misses: down.misses + 3 });

      hold = null;
      release();
      await own.hub.keys.whenListening(true);
      for (let i = 0; i < 3; i++) expect(await viewerOf(own, other.headers)).toEqual({ status: 200, role: 'ADMIN', code: null });
      const up = own.hub.keys.stats();
      expect({ hits: up.hits - down.hits, misses: up.misses - down.misses - 3 }).toEqual({ hits: 2, misses: 1 });
      await sql(own, `update api_key set revoked_at = now() where id = ?`, [other.id]);
      await own.hub.keys.heard(other.id);
      expect(await viewerOf(own, other.headers)).toEqual({ status: 401, role: null, code: 'UNAUTHENTICATED' });
      expect(await viewerOf(own, k.headers)).toEqual({ status: 401, role: null, code: 'UNAUTHENTICATED' });
    });

    it('with API_KEY_CACHE_SECONDS=0, looks every key up and opens no listening connection', async () => {
      const off = await startTestHub({ API_KEY_CACHE_SECONDS: '0' });
      hubs.push(off);
      const k = await createKey(off.em(), 'ANALYST');
      for (let i = 0; i < 3; i++) expect(await viewerOf(off, k.headers)).toEqual({ status: 200, role: 'ANALYST', code: null });
      expect(off.hub.keys.stats()).toEqual({ hits: 0, misses: 3, entries: 0, listening: false });
      const listeners = await sql(off, `select pid from pg_stat_activity where datname = current_database() and application_name = ?`, [KEY_LISTENER_APPLICATION]);
      expect(listeners).toEqual([]);
      await new ApiKeyService(off.em()).revoke(k.id);
      await off.hub.keys.heard(k.id); // nothing to hear: at once
      expect(await viewerOf(off, k.headers)).toEqual({ status: 401, role: null, code: 'UNAUTHENTICATED' });
    });

    it('forgets a key after API_KEY_CACHE_SECONDS and looks it up again', async () => {
      const short = await startTestHub({ API_KEY_CACHE_SECONDS: '1' });
      hubs.push(short);
      const k = await createKey(short.em(), 'ANALYST');
      expect(await viewerOf(short, k.headers)).toMatchObject({ status: 200 });
      const stored = short.hub.keys.stats();
      // At least the lifetime later (longer on a busy machine only makes it surer).
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await viewerOf(short, k.headers)).toMatchObject({ status: 200 });
      expect(short.hub.keys.stats()).toMatchObject({ hits: stored.hits, misses: stored.misses + 1 });
    });
  });
});

// --- how keys are stored -----------------------------------------------------------------------

describe('key storage', () => {
  // Times as epoch milliseconds (the raw connection answers timestamps as text).
  const rowsOf = (id: number) =>
    t.orm.em
      .getConnection()
      .execute<Record<string, unknown>[]>(
        `select *, (extract(epoch from created_at) * 1000)::float8 as created_ms, (extract(epoch from last_used_at) * 1000)::float8 as last_used_ms,
                (extract(epoch from revoked_at) * 1000)::float8 as revoked_ms
         from api_key where id = ?`,
        [id],
      );

  it('keys are random (at least 128 bits), stored only as their SHA-256, with label and creation time', async () => {
    const em = t.em();
    const one = await keyFor(em, 'ANALYST', 'Khóa thử lưu trữ');
    const two = await keyFor(em, 'ANALYST', 'Khóa thử lưu trữ');
    for (const k of [one, two]) {
      const m = /^fh_([A-Za-z0-9_-]+)$/.exec(k.key);
      expect(m).not.toBeNull();
      expect(m![1].length * 6).toBeGreaterThanOrEqual(128);
    }
    expect(one.key).not.toBe(two.key);

    const [row] = await rowsOf(one.id);
    expect(row).toBeDefined();
    expect(row.hash).toBe(crypto.createHash('sha256').update(one.key, 'utf8').digest('hex'));
    expect(row.label).toBe('Khóa thử lưu trữ');
    expect(row.role).toBe('ANALYST');
    expect(Math.abs(Date.now() - Number(row.created_ms))).toBeLessThan(60_000);
    expect(row.revoked_at).toBeNull();
    expect(row.last_used_at).toBeNull();
    // No column holds the key (a short prefix to recognise it is fine; the key is not).
    for (const [column, value] of Object.entries(row)) {
      expect({ column, holdsKey: value !== null && String(value).includes(one.key) }).toEqual({ column, holdsKey: false });
    }
    // Nor does any other row or column of the table.
    const all = await t.orm.em.getConnection().execute<Record<string, unknown>[]>('select * from api_key');
    expect(JSON.stringify(all)).not.toContain(one.key);
    expect(JSON.stringify(all)).not.toContain(one.key.slice(3));
  });

  it('records the last use', async () => {
    const k = await createKey(t.em(), 'ANALYST');
    const [before] = await rowsOf(k.id);
    expect(before.last_used_at).toBeNull();
    const start = Date.now();
    expect((await t.gql(VIEWER, {}, k.headers)).status).toBe(200);
    const [after] = await rowsOf(k.id);
    expect(after.last_used_at).not.toBeNull();
    expect(Math.abs(Number(after.last_used_ms) - start)).toBeLessThan(60_000);
  });

  it('revoking records the time and keeps the row', async () => {
    const k = await createKey(t.em(), 'ADMIN');
    await new ApiKeyService(t.em()).revoke(k.id);
    const [row] = await rowsOf(k.id);
    expect(row).toBeDefined();
    expect(Math.abs(Date.now() - Number(row.revoked_ms))).toBeLessThan(60_000);
  });
});

// --- node(id) ----------------------------------------------------------------------------------

describe('node(id) of a person without a public profile', () => {
  it("is null for the public and for another association's key, visible to an ANALYST and to the person's own association", async () => {
    const w = await world();
    const admin = (await createKey(t.em(), 'ADMIN')).headers;
    const adminView = (await t.data<any>(MEMBERS, { code: w.a.code }, admin)).association.members.edges.map((e: any) => e.node);
    const binh = adminView.find((m: any) => m.intellectual.fullName === w.binh.fullName);
    const personId: string = binh.intellectual.id;
    const membershipId: string = binh.id;

    const ownA = (await createKey(t.em(), 'ASSOCIATION', w.a)).headers;
    const ownB = (await createKey(t.em(), 'ASSOCIATION', w.b)).headers;
    const analyst = (await createKey(t.em(), 'ANALYST')).headers;

    for (const [who, headers] of [
      ['the public', ANONYMOUS],
      ["B's key", ownB],
    ] as const) {
      for (const id of [personId, membershipId]) {
        const r = await t.gql<any>(NODE, { id }, headers);
        expect({ who, status: r.status, errors: r.body.errors, data: r.body.data }).toEqual({ who, status: 200, errors: undefined, data: { node: null } });
      }
    }
    // As if it did not exist: the same answer as for an id nobody has.
    const missing = Buffer.from(`Intellectual:${w.cuc.id + 1_000_000}`, 'utf8').toString('base64url');
    expect((await t.gql<any>(NODE, { id: missing })).body).toEqual({ data: { node: null } });

    const asAnalyst = await t.data<any>(NODE, { id: personId }, analyst);
    expect(asAnalyst.node).toMatchObject({ id: personId, fullName: w.binh.fullName, ...NO_PERSONAL });
    expect((await t.data<any>(NODE, { id: membershipId }, analyst)).node).toMatchObject({ __typename: 'Membership', association: { code: w.a.code } });

    const asOwn = await t.data<any>(NODE, { id: personId }, ownA);
    expect(asOwn.node).toMatchObject({ id: personId, fullName: w.binh.fullName, ...PERSONAL.binh });
    expect((await t.data<any>(NODE, { id: membershipId }, ownA)).node).toMatchObject({ __typename: 'Membership', intellectual: { fullName: w.binh.fullName, email: PERSONAL.binh.email } });
  });
});

// --- public statistics ----------------------------------------------------------------------------

describe('statistics for the public', () => {
  it('round every count of people to a multiple of 5 and suppress those that round to 0, listing every degree; no merged OTHER group; ANALYST and ADMIN see exact counts', async () => {
    const em = t.em();
    const f = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Kiên Giang' });
    const a = await createAssociation(em, f, { name: 'Hội Kỹ sư Kiên Giang', fields: ['2.1'] });
    const plan: [Degree, string[]][] = [
      [Degree.TS, ['Nguyễn Văn An', 'Trần Thị Bích', 'Lê Hoàng Cường', 'Phạm Thị Duyên', 'Huỳnh Văn Giàu', 'Võ Thị Hương']],
      [Degree.THS, ['Đỗ Minh Khôi', 'Bùi Thị Loan']],
      [Degree.KS, ['Dương Văn Mạnh']],
    ];
    for (const [degree, list] of plan) {
      for (const fullName of list) await createMembership(em, await createIntellectual(em, { fullName, highestDegree: degree, publicProfile: fullName !== 'Bùi Thị Loan' }), a);
    }
    const Q = `query($c: String!) { federation(code: $c) { stats { disclosureControl distinctPeople distinctPeopleSuppressed peopleByDegree { key label count suppressed } } } }`;

    const pub = (await t.data<any>(Q, { c: f.code })).federation.stats;
    expect(pub.disclosureControl).toBe('ROUNDED_BASE_5_SUPPRESSED_UNDER_5');
    expect([5, 10]).toContain(pub.distinctPeople);
    expect(pub.distinctPeopleSuppressed).toBe(false);
    const byKey = new Map<string, any>(pub.peopleByDegree.map((b: any) => [b.key, b]));
    // Every degree and UNKNOWN, each once: no group is missing, none is a merged "OTHER" of small groups
    // (Degree.OTHER is the real degree, here empty, so suppressed).
    expect([...byKey.keys()].sort()).toEqual([...Object.values(Degree), 'UNKNOWN'].sort());
    expect(pub.peopleByDegree).toHaveLength(byKey.size);
    expect([5, 10]).toContain(byKey.get('TS').count);
    for (const key of ['THS', 'KS']) expect([null, 5]).toContain(byKey.get(key).count);
    for (const key of ['TSKH', 'CKII', 'CKI', 'BS', 'DS', 'CN', 'OTHER', 'UNKNOWN']) expect(byKey.get(key)).toEqual({ key, label: null, count: null, suppressed: true });
    for (const b of pub.peopleByDegree) expect(b.suppressed).toBe(b.count === null);
    // Shown groups first, largest first; suppressed ones after.
    const shown = pub.peopleByDegree.filter((b: any) => !b.suppressed).map((b: any) => b.count);
    expect(shown).toEqual([...shown].sort((x: number, y: number) => y - x));
    expect(pub.peopleByDegree.slice(shown.length).every((b: any) => b.suppressed)).toBe(true);

    const analyst = (await createKey(t.em(), 'ANALYST')).headers;
    const full = (await t.data<any>(Q, { c: f.code }, analyst)).federation.stats;
    expect(full).toMatchObject({ disclosureControl: 'NONE', distinctPeople: 9, distinctPeopleSuppressed: false });
    expect(full.peopleByDegree.map((b: any) => [b.key, b.count, b.suppressed])).toEqual([
      ['TS', 6, false],
      ['THS', 2, false],
      ['KS', 1, false],
    ]);
    const admin = (await createKey(t.em(), 'ADMIN')).headers;
    expect((await t.data<any>(Q, { c: f.code }, admin)).federation.stats).toEqual(full);
  });
});

describe('decisions beyond the roles table', () => {
  it('an association key gets protected statistics, like the public', async () => {
    const em = t.em();
    const f = await createFederation(em);
    const a = await createAssociation(em, f);
    const b = await createAssociation(em, f);
    for (let k = 0; k < 5; k++) await createMembership(em, await createIntellectual(em, { fullName: `Lý Văn Số${k}`, highestDegree: Degree.TS }), a);
    await createMembership(em, await createIntellectual(em, { fullName: 'Kim Thị Ẩn', highestDegree: Degree.KS, publicProfile: false }), b);
    const q = `query($c: String!) { federation(code: $c) { stats { disclosureControl peopleByDegree { key count } } } }`;
    const asA = (await t.data<any>(q, { c: f.code }, (await createKey(em, 'ASSOCIATION', a)).headers)).federation.stats;
    expect(asA.disclosureControl).toBe('ROUNDED_BASE_5_SUPPRESSED_UNDER_5');
    const shownA = Object.fromEntries(asA.peopleByDegree.filter((x: any) => x.count !== null).map((x: any) => [x.key, x.count]));
    // 5 TS always round to 5; the one KS of another association shows as 5 or not at all, never as 1.
    expect([{ TS: 5 }, { TS: 5, KS: 5 }]).toContainEqual(shownA);
    expect(asA.peopleByDegree).toHaveLength(Object.values(Degree).length + 1);
    const asAnalyst = (await t.data<any>(q, { c: f.code }, (await createKey(em, 'ANALYST')).headers)).federation.stats;
    expect(asAnalyst).toEqual({
      disclosureControl: 'NONE',
      peopleByDegree: [
        { key: 'TS', count: 5 },
        { key: 'KS', count: 1 },
      ],
    });
  });

  it('an association sees no more of a non-public former member than the public does', async () => {
    const em = t.em();
    const f = await createFederation(em);
    const a = await createAssociation(em, f);
    const person = await createIntellectual(em, { fullName: 'Triệu Thị Hoa', email: 'hoa@example.org', publicProfile: false });
    await createMembership(em, person, a, { status: 'ENDED' as never, leftOn: '2024-05-01' });
    const r = await t.gql<any>(`query($id: ID!) { node(id: $id) { ... on Intellectual { fullName email } } }`, { id: person.globalId }, (await createKey(em, 'ASSOCIATION', a)).headers);
    expect(r.body.data.node).toBeNull();
  });

  it('accepts the bearer scheme in any case, and a 401 says how to authenticate', async () => {
    const k = await createKey(t.em(), 'ANALYST');
    const lower = await t.gql<any>('{ viewer { role } }', undefined, { authorization: `bearer ${k.key}` });
    expect(lower.body.data.viewer).toEqual({ role: 'ANALYST' });
    const bad = await t.gql('{ viewer { role } }', undefined, { authorization: 'Bearer fh_doesnotexist000' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});
