import { Client } from 'pg';
import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { startTestHub, TestHub } from './support/harness';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';
import type { Intellectual } from '../src/modules/intellectual/intellectual.entity';

/**
 * Issue 16, as a hostile association app would try it: a person who belongs to two associations
 * is one record, which neither may rewrite on its own; an ended member does not come back (with
 * personal data) by being pushed again; and member pages never point at a person a concurrent
 * push has just hidden.
 */

let t: TestHub;
let federation: Federation;
let admin: { id: number; headers: Record<string, string> };

beforeAll(async () => {
  t = await startTestHub();
  federation = await createFederation(t.em());
  admin = await createKey(t.em(), 'ADMIN');
});
afterAll(() => t.close());

const UPSERT = `mutation($input: UpsertMembersInput!) {
  upsertMembers(input: $input) { created updated unchanged results { externalId outcome } userErrors { code field message } } }`;
const END = `mutation($input: EndMembershipsInput!) { endMemberships(input: $input) { ended userErrors { code field } } }`;
const PERSON = `query($id: ID!) { node(id: $id) { ... on Intellectual { fullName email phone birthDate publicProfile workplace } } }`;

async function sql<T = Record<string, any>>(query: string, params: unknown[] = []): Promise<T[]> {
  return t.orm.em.getConnection().execute(query, params);
}
const auditCount = async () => (await sql<{ n: number }>(`select count(*)::int as n from audit_event`))[0].n;

async function push(code: string, members: Record<string, unknown>[], headers: Record<string, string>) {
  const r = await t.gql<any>(UPSERT, { input: { associationCode: code, idempotencyKey: uniq('k'), members } }, headers);
  expect(r.body.errors).toBeUndefined();
  return r.body.data.upsertMembers;
}

interface Shared {
  a: Association;
  b: Association;
  person: Intellectual;
  keyA: Record<string, string>;
  keyB: Record<string, string>;
}

/** Nguyễn Thị Đức Hạnh, member of A (HV-0001) and of B (DH-77), no public profile. */
async function sharedPerson(): Promise<Shared> {
  const em = t.em();
  const a = await createAssociation(em, federation, { name: 'Hội Nông nghiệp' });
  const b = await createAssociation(em, federation, { name: 'Hội Dược học' });
  const person = await createIntellectual(em, {
    fullName: 'Nguyễn Thị Đức Hạnh',
    email: 'hanh@example.vn',
    phone: '0909 123 456',
    birthDate: '1975-03-08',
    workplace: 'Trường Đại học Cần Thơ',
    publicProfile: false,
  });
  await createMembership(em, person, a, { externalId: 'HV-0001' });
  await createMembership(em, person, b, { externalId: 'DH-77' });
  return { a, b, person, keyA: (await createKey(em, 'ASSOCIATION', a)).headers, keyB: (await createKey(em, 'ASSOCIATION', b)).headers };
}

describe("one association cannot change another association's member", () => {
  it("the attack of the report: B pushes another e-mail, consent and name for a shared person: PERSON_SHARED per field, nothing written", async () => {
    const { person, b, keyA, keyB } = await sharedPerson();
    const before = await auditCount();
    const r = await push(b.code, [{ externalId: 'DH-77', email: 'attacker@evil.example', publicProfile: true, fullName: 'Nguyễn Thị Đức Hạnh (edited by B)' }], keyB);
    expect(r.userErrors.map((e: any) => [e.code, e.field])).toEqual([
      ['PERSON_SHARED', ['members', '0', 'fullName']],
      ['PERSON_SHARED', ['members', '0', 'email']],
      ['PERSON_SHARED', ['members', '0', 'publicProfile']],
    ]);
    expect(r.updated).toBe(0);
    expect(await auditCount()).toBe(before);
    // A still reads what it knew; the public still does not see the person.
    expect((await t.data<any>(PERSON, { id: person.globalId }, keyA)).node).toMatchObject({ fullName: 'Nguyễn Thị Đức Hạnh', email: 'hanh@example.vn', publicProfile: false });
    expect((await t.data<any>(PERSON, { id: person.globalId })).node).toBeNull();
  });

  it("B changes its own membership freely, may withdraw consent, and repeats the person's values without error", async () => {
    const { person, a, b, keyA, keyB } = await sharedPerson();
    const same = await push(b.code, [{ externalId: 'DH-77', fullName: 'Nguyễn Thị Đức Hạnh', email: 'hanh@example.vn', role: 'EXECUTIVE', memberNumber: 'DH-0077' }], keyB);
    expect(same).toMatchObject({ updated: 1, userErrors: [] });
    // Neither association switches consent on alone (ADMIN may, e.g. on the person's written consent);
    // withdrawing it through either is allowed (it protects the person).
    expect((await push(a.code, [{ externalId: 'HV-0001', publicProfile: true }], keyA)).userErrors.map((e: any) => e.code)).toEqual(['PERSON_SHARED']);
    expect(await push(a.code, [{ externalId: 'HV-0001', publicProfile: true }], admin.headers)).toMatchObject({ updated: 1, userErrors: [] });
    expect((await t.data<any>(PERSON, { id: person.globalId })).node).toMatchObject({ fullName: 'Nguyễn Thị Đức Hạnh', email: null });
    expect(await push(b.code, [{ externalId: 'DH-77', publicProfile: false }], keyB)).toMatchObject({ updated: 1, userErrors: [] });
    expect((await t.data<any>(PERSON, { id: person.globalId })).node).toBeNull();
  });

  it('ADMIN may change a shared person; the audit event is visible to both associations, not to a third', async () => {
    const { person, b, keyA, keyB } = await sharedPerson();
    const c = await createAssociation(t.em(), federation, { name: 'Hội Tin học' });
    const keyC = (await createKey(t.em(), 'ASSOCIATION', c)).headers;
    expect(await push(b.code, [{ externalId: 'DH-77', workplace: 'Viện Lúa Đồng bằng sông Cửu Long' }], admin.headers)).toMatchObject({ updated: 1, userErrors: [] });
    const Q = `{ auditEvents(first: 20) { edges { node { entityType entityId action associationCode changes } } } }`;
    const about = (r: any) => r.body.data.auditEvents.edges.map((e: any) => e.node).filter((n: any) => n.entityId === person.globalId);
    for (const key of [keyA, keyB]) {
      const events = about(await t.gql<any>(Q, undefined, key));
      expect(events).toEqual([expect.objectContaining({ entityType: 'INTELLECTUAL', action: 'UPDATE', associationCode: b.code })]);
      expect(events[0].changes.workplace).toEqual({ old: 'Trường Đại học Cần Thơ', new: 'Viện Lúa Đồng bằng sông Cửu Long' });
    }
    expect(about(await t.gql<any>(Q, undefined, keyC))).toEqual([]);
  });
});

describe('re-pushing an ended member', () => {
  it("the attack of the report: A ends HV-0041, pushes { externalId } again: MEMBERSHIP_ENDED, nothing changes, no personal data comes back", async () => {
    const em = t.em();
    const a = await createAssociation(em, federation, { name: 'Hội Y học' });
    const other = await createAssociation(em, federation, { name: 'Hội Điều dưỡng' });
    const keyA = (await createKey(em, 'ASSOCIATION', a)).headers;
    const person = await createIntellectual(em, { fullName: 'Hồ Văn Minh', email: 'minh@example.vn', birthDate: '1980-01-02', publicProfile: false });
    await createMembership(em, person, a, { externalId: 'HV-0041', joinedOn: '2010-01-01' });
    await createMembership(em, person, other, { externalId: 'DD-9' });
    expect((await t.gql<any>(END, { input: { associationCode: a.code, externalIds: ['HV-0041'], leftOn: '2024-05-01' } }, keyA)).body.data.endMemberships.ended).toBe(1);
    expect((await t.data<any>(PERSON, { id: person.globalId }, keyA)).node).toBeNull();

    const before = await auditCount();
    const again = await push(a.code, [{ externalId: 'HV-0041' }], keyA);
    expect(again.userErrors.map((e: any) => [e.code, e.field])).toEqual([['MEMBERSHIP_ENDED', ['members', '0', 'joinedOn']]]);
    expect(await auditCount()).toBe(before);
    expect((await sql(`select status from membership where association_id = ? and external_id = 'HV-0041'`, [a.id]))[0].status).toBe('ENDED');
    expect((await t.data<any>(PERSON, { id: person.globalId }, keyA)).node).toBeNull();
    // A joinedOn on or before the day it left is not a re-admission either.
    expect((await push(a.code, [{ externalId: 'HV-0041', joinedOn: '2024-05-01' }], keyA)).userErrors[0].code).toBe('MEMBERSHIP_ENDED');

    // Nor does a former association see the person's other memberships or list them.
    const list = await t.data<any>(`query($code: String!) { intellectuals(filter: { associationCode: $code }) { totalCount } }`, { code: a.code }, keyA);
    expect(list.intellectuals.totalCount).toBe(0);
    const members = await t.data<any>(`query($code: String!) { association(code: $code) { members { totalCount } } }`, { code: a.code }, keyA);
    expect(members.association.members.totalCount).toBe(0);
  });

  it('re-admission is explicit: a joinedOn after the day it left brings the member (and A’s right to the personal data) back', async () => {
    const em = t.em();
    const a = await createAssociation(em, federation, { name: 'Hội Hóa học' });
    const keyA = (await createKey(em, 'ASSOCIATION', a)).headers;
    const person = await createIntellectual(em, { fullName: 'Lê Thị Thu Đông', email: 'dong@example.vn', publicProfile: false });
    await createMembership(em, person, a, { externalId: 'HH-1', status: 'ENDED' as never, leftOn: '2022-12-31', joinedOn: '2015-01-01' });
    const r = await push(a.code, [{ externalId: 'HH-1', joinedOn: '2024-03-01' }], keyA);
    expect(r).toMatchObject({ updated: 1, userErrors: [] });
    expect((await t.data<any>(PERSON, { id: person.globalId }, keyA)).node).toMatchObject({ fullName: 'Lê Thị Thu Đông', email: 'dong@example.vn' });
  });
});

describe('reads while pushes change consent', () => {
  const MEMBERS = `query($code: String!) { association(code: $code) { members(first: 50) { edges { node { id intellectual { id fullName } } } } } }`;

  it('a members page brings its people in the same statement (no second read that a concurrent change could miss)', async () => {
    const em = t.em();
    const a = await createAssociation(em, federation);
    for (let k = 0; k < 6; k++) {
      const p = await createIntellectual(em, { fullName: `Trần Văn Đức ${k}`, publicProfile: true });
      await createMembership(em, p, a, { externalId: `S-${k}` });
    }
    const withPeople = await t.gql<any>(MEMBERS, { code: a.code });
    const withoutPeople = await t.gql<any>(`query($code: String!) { association(code: $code) { members(first: 50) { edges { node { id } } } } }`, { code: a.code });
    expect(withPeople.body.data.association.members.edges).toHaveLength(6);
    expect(withPeople.sql).toBe(withoutPeople.sql);
  });

  it('public readers of a member page never get an error while consent flips concurrently', async () => {
    const em = t.em();
    const a = await createAssociation(em, federation);
    const rows = Array.from({ length: 10 }, (_, k) => ({ externalId: `F-${k}`, fullName: `Phạm Thị Hồng ${k}`, publicProfile: true }));
    expect((await push(a.code, rows, admin.headers)).created).toBe(10);
    const flips = (async () => {
      for (let i = 0; i < 30; i++) await push(a.code, rows.map((r) => ({ externalId: r.externalId, publicProfile: i % 2 === 1 })), admin.headers);
    })();
    const reads = (async () => {
      const errors: unknown[] = [];
      for (let i = 0; i < 60; i++) {
        const r = await t.gql<any>(MEMBERS, { code: a.code });
        if (r.body.errors) errors.push(r.body.errors);
        for (const e of r.body.data?.association?.members?.edges ?? []) expect(e.node.intellectual.fullName).toMatch(/^Phạm Thị Hồng/);
      }
      return errors;
    })();
    const [, errors] = await Promise.all([flips, reads]);
    expect(errors).toEqual([]);
  });
});

describe('a dissolution racing a push', () => {
  it('a push checked before the association was dissolved, and waiting for its lock, is refused once it gets it', async () => {
    const em = t.em();
    const a = await createAssociation(em, federation, { name: 'Hội Khoa học Kinh tế' });
    const keyA = (await createKey(em, 'ASSOCIATION', a)).headers;
    const holder = new Client({ connectionString: t.db.url });
    await holder.connect();
    try {
      // Another write to the association holds its lock.
      await holder.query(`select pg_advisory_lock(hashtext('federation-hub:association'), $1)`, [a.id]);
      const pushing = t.gql<any>(UPSERT, { input: { associationCode: a.code, idempotencyKey: uniq('race'), members: [{ externalId: 'KT-1', fullName: 'Đinh Công Tráng' }] } }, keyA);
      // Wait until the push (checked: not dissolved) waits for the lock.
      for (let i = 0; i < 600; i++) {
        const [w] = await sql<{ n: number }>(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%pg_advisory_xact_lock%'`);
        if (w.n > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await holder.query(`update association set status = 'DISSOLVED' where id = $1`, [a.id]); // the dissolution commits meanwhile
      await holder.query(`select pg_advisory_unlock(hashtext('federation-hub:association'), $1)`, [a.id]);
      const r = await pushing;
      expect(r.body.data.upsertMembers.userErrors.map((e: any) => e.code)).toEqual(['INVALID_STATE']);
      expect((await sql(`select count(*)::int as n from membership where association_id = ?`, [a.id]))[0].n).toBe(0);
    } finally {
      await holder.end();
    }
  });
});
