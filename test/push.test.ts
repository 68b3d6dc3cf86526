import { createAssociation, createFederation, createKey } from './factories';
import { startTestHub, TestHub } from './support/harness';
import { todayInVietnam } from '../src/common/validate';
import { loadConfig } from '../src/config';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';

/**
 * upsertMembers and endMemberships: what a push does (create, update, keep, clear, reactivate,
 * leave alone), that any invalid row writes nothing at all, the 5,000-row limit, NFC names,
 * calendar dates under any time zone, and the Vietnamese order of the pushed members.
 */

let t: TestHub;
let admin: { id: number; headers: Record<string, string> };
let federation: Federation;

beforeAll(async () => {
  t = await startTestHub();
  admin = await createKey(t.em(), 'ADMIN');
  federation = await createFederation(t.em());
});
afterAll(() => t.close());

const UPSERT = `mutation($input: UpsertMembersInput!) {
  upsertMembers(input: $input) { created updated unchanged results { externalId intellectualId membershipId outcome } userErrors { code field message } } }`;
const END = `mutation($input: EndMembershipsInput!) {
  endMemberships(input: $input) { ended results { externalId intellectualId membershipId outcome } userErrors { code field message } } }`;
const PERSON = `query($id: ID!) { node(id: $id) { ... on Intellectual {
  fullName email phone birthDate gender highestDegree academicTitle fields { code } workplace position publicProfile version
  memberships(first: 10) { edges { node { externalId memberNumber joinedOn leftOn status role endReason association { code } } } } } } }`;

type Row = Record<string, unknown>;
interface PushPayload {
  created: number;
  updated: number;
  unchanged: number;
  results: { externalId: string; intellectualId: string; membershipId: string; outcome: string }[];
  userErrors: { code: string; field: string[]; message: string }[];
}

let seq = 0;
const idemKey = () => `push-test-${process.pid}-${Date.now()}-${seq++}`;

async function sql<T = Row>(query: string, params: unknown[] = []): Promise<T[]> {
  return t.orm.em.getConnection().execute(query, params);
}

/** Row counts of the tables a push writes to. */
async function counts(): Promise<{ intellectual: number; membership: number; audit_event: number }> {
  const [r] = await sql<{ intellectual: number; membership: number; audit_event: number }>(
    `select (select count(*) from intellectual)::int as intellectual, (select count(*) from membership)::int as membership,
            (select count(*) from audit_event)::int as audit_event`,
  );
  return r;
}

/** Everything stored about an association's members, versions and timestamps included. */
async function stored(associationId: number): Promise<Row[]> {
  return sql(
    `select m.external_id, m.member_number, m.joined_on, m.left_on, m.status, m.role, m.end_reason, m.given_name as m_given_name,
            m.full_name as m_full_name, m.updated_at as m_updated_at,
            i.id as i_id, i.full_name, i.given_name, i.email, i.phone, i.birth_date, i.gender, i.highest_degree, i.academic_title,
            i.fields, i.workplace, i.position, i.public_profile, i.version, i.updated_at
     from membership m join intellectual i on i.id = m.intellectual_id where m.association_id = ? order by m.external_id`,
    [associationId],
  );
}

async function newAssociation(): Promise<Association> {
  return createAssociation(t.em(), federation);
}

async function push(associationCode: string, members: Row[], opts: { headers?: Record<string, string>; key?: string } = {}): Promise<PushPayload> {
  const r = await t.gql<{ upsertMembers: PushPayload }>(UPSERT, { input: { associationCode, idempotencyKey: opts.key ?? idemKey(), members } }, opts.headers ?? admin.headers);
  if (r.body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(r.body.errors)}`);
  return r.body.data!.upsertMembers;
}

async function end(input: Row, headers = admin.headers) {
  const r = await t.gql<{ endMemberships: { ended: number; results: PushPayload['results']; userErrors: PushPayload['userErrors'] } }>(END, { input }, headers);
  if (r.body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(r.body.errors)}`);
  return r.body.data!.endMemberships;
}

async function person(id: string, headers = admin.headers): Promise<any> {
  return (await t.data<any>(PERSON, { id }, headers)).node;
}

const FULL: Row = {
  externalId: 'HV-001',
  fullName: 'Nguyễn Văn Đức',
  email: 'Duc.Nguyen@Example.VN',
  phone: '+84 912 345 678',
  birthDate: '1975-03-02',
  gender: 'MALE',
  degree: 'TS',
  academicTitle: 'PGS',
  fields: ['3.2', '1.2'],
  workplace: 'Bệnh viện Đa khoa tỉnh Sóc Trăng',
  position: 'Trưởng khoa',
  memberNumber: 'YH-0001',
  joinedOn: '2019-05-01',
  role: 'EXECUTIVE',
  publicProfile: true,
};

describe('upsertMembers: what a push does', () => {
  it('creates a person and a membership per new row, with every field, results in input order', async () => {
    const a = await newAssociation();
    const before = await counts();
    const res = await push(a.code, [FULL, { externalId: 'HV-002', fullName: 'Trần Thị Ánh' }]);
    expect(res.userErrors).toEqual([]);
    expect(res).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    expect(res.results.map((r) => [r.externalId, r.outcome])).toEqual([
      ['HV-001', 'CREATED'],
      ['HV-002', 'CREATED'],
    ]);
    const after = await counts();
    expect(after.intellectual - before.intellectual).toBe(2);
    expect(after.membership - before.membership).toBe(2);
    expect(after.audit_event - before.audit_event).toBe(4); // a person and a membership each

    const p = await person(res.results[0].intellectualId);
    expect(p).toMatchObject({
      fullName: 'Nguyễn Văn Đức',
      email: 'duc.nguyen@example.vn',
      phone: '+84 912 345 678',
      birthDate: '1975-03-02',
      gender: 'MALE',
      highestDegree: 'TS',
      academicTitle: 'PGS',
      fields: [{ code: '3.2' }, { code: '1.2' }],
      workplace: 'Bệnh viện Đa khoa tỉnh Sóc Trăng',
      position: 'Trưởng khoa',
      publicProfile: true,
      version: 1,
    });
    expect(p.memberships.edges.map((e: any) => e.node)).toEqual([
      { externalId: 'HV-001', memberNumber: 'YH-0001', joinedOn: '2019-05-01', leftOn: null, status: 'ACTIVE', role: 'EXECUTIVE', endReason: null, association: { code: a.code } },
    ]);
    // Defaults for a row that gives only a name.
    const q = await person(res.results[1].intellectualId);
    expect(q).toMatchObject({ fullName: 'Trần Thị Ánh', email: null, gender: 'UNDISCLOSED', highestDegree: null, academicTitle: 'NONE', fields: [], publicProfile: false });
    expect(q.memberships.edges[0].node).toMatchObject({ externalId: 'HV-002', role: 'MEMBER', status: 'ACTIVE', memberNumber: null, joinedOn: null });
    // The membership id of the result is the membership's global id.
    const m = await t.data<any>(`query($id: ID!) { node(id: $id) { ... on Membership { externalId } } }`, { id: res.results[1].membershipId }, admin.headers);
    expect(m.node).toEqual({ externalId: 'HV-002' });
  });

  it('an identical push changes nothing: every row UNCHANGED, no version, timestamp or audit event moves', async () => {
    const a = await newAssociation();
    const rows = [FULL, { ...FULL, externalId: 'HV-002', fullName: 'Trần Thị Ánh', email: null, memberNumber: 'YH-0002' }];
    const first = await push(a.code, rows);
    expect(first.created).toBe(2);
    const snapshot = await stored(a.id);
    const before = await counts();
    // The same values written differently (case of the e-mail, blanks, NFD) are the same values.
    const again = await push(a.code, [{ ...rows[0], email: 'DUC.NGUYEN@example.vn', fullName: '  Nguyễn  Văn Đức '.normalize('NFD') }, rows[1]]);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, userErrors: [] });
    expect(again.results.map((r) => r.outcome)).toEqual(['UNCHANGED', 'UNCHANGED']);
    expect(again.results.map((r) => r.intellectualId)).toEqual(first.results.map((r) => r.intellectualId));
    expect(await counts()).toEqual(before);
    expect(await stored(a.id)).toEqual(snapshot);
  });

  it('an omitted field keeps its value; null clears it (optional enums fall back to their defaults)', async () => {
    const a = await newAssociation();
    const [created] = (await push(a.code, [FULL])).results;
    // Only the workplace changes: everything omitted stays.
    const r1 = await push(a.code, [{ externalId: 'HV-001', workplace: 'Trường Đại học Cần Thơ' }]);
    expect(r1).toMatchObject({ updated: 1, unchanged: 0, created: 0 });
    expect(r1.results[0]).toMatchObject({ outcome: 'UPDATED', intellectualId: created.intellectualId, membershipId: created.membershipId });
    let p = await person(created.intellectualId);
    expect(p).toMatchObject({ ...{ fullName: 'Nguyễn Văn Đức', email: 'duc.nguyen@example.vn', phone: '+84 912 345 678', birthDate: '1975-03-02' }, workplace: 'Trường Đại học Cần Thơ', position: 'Trưởng khoa', gender: 'MALE', version: 2 });
    expect(p.memberships.edges[0].node).toMatchObject({ memberNumber: 'YH-0001', joinedOn: '2019-05-01', role: 'EXECUTIVE' });

    // null clears every clearable field; enums with a default go back to it.
    const r2 = await push(a.code, [
      { externalId: 'HV-001', email: null, phone: null, birthDate: null, gender: null, degree: null, academicTitle: null, fields: null, workplace: null, position: null, memberNumber: null, joinedOn: null, role: null, publicProfile: null },
    ]);
    expect(r2.results[0].outcome).toBe('UPDATED');
    p = await person(created.intellectualId);
    expect(p).toMatchObject({ fullName: 'Nguyễn Văn Đức', email: null, phone: null, birthDate: null, gender: 'UNDISCLOSED', highestDegree: null, academicTitle: 'NONE', fields: [], workplace: null, position: null, publicProfile: false });
    expect(p.memberships.edges[0].node).toMatchObject({ memberNumber: null, joinedOn: null, role: 'MEMBER', status: 'ACTIVE' });
    const [row] = await stored(a.id);
    expect(row).toMatchObject({ email: null, phone: null, birth_date: null, fields: [] });

    // Blank strings count as null.
    await push(a.code, [{ externalId: 'HV-001', workplace: 'X' }]);
    await push(a.code, [{ externalId: 'HV-001', workplace: '   ' }]);
    expect((await person(created.intellectualId)).workplace).toBeNull();
  });

  it('members absent from a push are untouched', async () => {
    const a = await newAssociation();
    await push(a.code, [FULL, { externalId: 'HV-002', fullName: 'Trần Thị Ánh' }, { externalId: 'HV-003', fullName: 'Lê Văn An' }]);
    const [s1, s2, s3] = await stored(a.id);
    const res = await push(a.code, [{ externalId: 'HV-002', position: 'Thư ký' }]);
    expect(res).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const [n1, n2, n3] = await stored(a.id);
    expect(n1).toEqual(s1);
    expect(n3).toEqual(s3);
    expect(n2).toMatchObject({ position: 'Thư ký', version: Number(s2.version) + 1, status: 'ACTIVE' });
    expect((await sql(`select count(*)::int as n from membership where association_id = ? and status = 'ACTIVE'`, [a.id]))[0].n).toBe(3);
  });

  it('keys on (association, externalId): the same person pushed by two associations is two records', async () => {
    const a = await newAssociation();
    const b = await newAssociation();
    const ra = await push(a.code, [FULL]);
    const rb = await push(b.code, [FULL]);
    expect(ra.results[0].outcome).toBe('CREATED');
    expect(rb.results[0].outcome).toBe('CREATED'); // not UNCHANGED: b's key is its own
    expect(rb.results[0].intellectualId).not.toBe(ra.results[0].intellectualId);
    // A change from b leaves a's record alone.
    await push(b.code, [{ externalId: 'HV-001', workplace: 'Viện Pasteur' }]);
    expect((await person(ra.results[0].intellectualId)).workplace).toBe(FULL.workplace);
    expect((await person(rb.results[0].intellectualId)).workplace).toBe('Viện Pasteur');
    const people = await sql(`select distinct intellectual_id from membership where association_id in (?, ?)`, [a.id, b.id]);
    expect(people).toHaveLength(2);
  });

  it('a new name moves the copy kept on the membership too', async () => {
    const a = await newAssociation();
    await push(a.code, [{ externalId: 'HV-1', fullName: 'Nguyễn Văn Đức' }]);
    await push(a.code, [{ externalId: 'HV-1', fullName: 'Nguyễn Văn Bình' }]);
    const [row] = await stored(a.id);
    expect(row).toMatchObject({ full_name: 'Nguyễn Văn Bình', given_name: 'Bình', m_full_name: 'Nguyễn Văn Bình', m_given_name: 'Bình' });
  });

  it('who may push: ADMIN and the association’s own key; others are refused and write nothing', async () => {
    const a = await newAssociation();
    const other = await newAssociation();
    const own = await createKey(t.em(), 'ASSOCIATION', a);
    const foreign = await createKey(t.em(), 'ASSOCIATION', other);
    const analyst = await createKey(t.em(), 'ANALYST');
    expect((await push(a.code, [{ externalId: 'X-1', fullName: 'Lê Văn An' }], { headers: own.headers })).created).toBe(1);

    const before = await counts();
    const input = { associationCode: a.code, idempotencyKey: idemKey(), members: [{ externalId: 'X-2', fullName: 'Lê Văn Bình' }] };
    for (const [headers, status, code] of [
      [foreign.headers, 403, 'FORBIDDEN'],
      [analyst.headers, 403, 'FORBIDDEN'],
      [{}, 401, 'UNAUTHENTICATED'],
    ] as const) {
      const r = await t.gql(UPSERT, { input }, headers);
      expect(r.status).toBe(status);
      expect(r.body.errors![0].extensions!.code).toBe(code);
    }
    // An association key learns nothing about codes that do not exist.
    const unknown = await t.gql(UPSERT, { input: { ...input, associationCode: 'NO-SUCH-ASSOC' } }, own.headers);
    expect(unknown.body.errors![0].extensions!.code).toBe('FORBIDDEN');
    // ADMIN is told the association does not exist.
    const r = await t.gql<any>(UPSERT, { input: { ...input, associationCode: 'NO-SUCH-ASSOC' } }, admin.headers);
    expect(r.body.data.upsertMembers.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['associationCode'] })]);
    expect(await counts()).toEqual(before);
  });
});

describe('upsertMembers: all or nothing', () => {
  /** Twenty valid rows (ten of them updates of existing members) with one bad row at index 17. */
  async function refusedPush(bad: Row, expected: { code: string; field: string[] }) {
    const a = await newAssociation();
    const existing = Array.from({ length: 10 }, (_, k) => ({ externalId: `E-${k}`, fullName: `Phạm Văn Cũ${k}`, email: `cu${k}@example.vn` }));
    await push(a.code, existing);
    const snapshot = await stored(a.id);
    const before = await counts();

    const rows: Row[] = [
      ...existing.map((r) => ({ ...r, workplace: 'Nơi mới' })), // would update
      ...Array.from({ length: 10 }, (_, k) => ({ externalId: `N-${k}`, fullName: `Võ Thị Mới${k}` })), // would create
    ];
    rows.splice(17, 0, { externalId: 'BAD-17', fullName: 'Đinh Văn Sai', ...bad });
    const res = await push(a.code, rows);
    expect(res.userErrors).toEqual([expect.objectContaining(expected)]);
    expect(res.userErrors[0].message.length).toBeGreaterThan(5);
    expect(res).toMatchObject({ created: 0, updated: 0, unchanged: 0, results: [] });
    expect(await counts()).toEqual(before);
    expect(await stored(a.id)).toEqual(snapshot);
  }

  it.each<[string, Row, string, string[]]>([
    ['a bad e-mail', { email: 'duc@@example' }, 'INVALID_EMAIL', ['members', '17', 'email']],
    ['an e-mail with a space', { email: 'duc nguyen@example.vn' }, 'INVALID_EMAIL', ['members', '17', 'email']],
    ['a bad phone', { phone: '12-34' }, 'INVALID_PHONE', ['members', '17', 'phone']],
    ['a phone with letters', { phone: '0912 345 ABC' }, 'INVALID_PHONE', ['members', '17', 'phone']],
    ['a future birth date', { birthDate: '2999-01-01' }, 'FUTURE_DATE', ['members', '17', 'birthDate']],
    ['an impossible birth date', { birthDate: '1981-02-29' }, 'INVALID_DATE', ['members', '17', 'birthDate']],
    ['a birth date not written YYYY-MM-DD', { birthDate: '02/03/1975' }, 'INVALID_DATE', ['members', '17', 'birthDate']],
    ['a future joining date', { joinedOn: '2999-12-31' }, 'FUTURE_DATE', ['members', '17', 'joinedOn']],
    ['an empty name', { fullName: '' }, 'REQUIRED', ['members', '17', 'fullName']],
    ['a blank name', { fullName: '   ' }, 'REQUIRED', ['members', '17', 'fullName']],
    ['a null name', { fullName: null }, 'REQUIRED', ['members', '17', 'fullName']],
    ['no name for a new member', { fullName: undefined }, 'REQUIRED', ['members', '17', 'fullName']],
    ['a name over 200 characters', { fullName: 'Nguyễn '.repeat(40) }, 'TOO_LONG', ['members', '17', 'fullName']],
    ['an unknown gender', { gender: 'M' }, 'UNKNOWN_ENUM_VALUE', ['members', '17', 'gender']],
    ['an unknown degree', { degree: 'PHD' }, 'UNKNOWN_ENUM_VALUE', ['members', '17', 'degree']],
    ['an unknown academic title', { academicTitle: 'PROF' }, 'UNKNOWN_ENUM_VALUE', ['members', '17', 'academicTitle']],
    ['an unknown role', { role: 'CHAIR' }, 'UNKNOWN_ENUM_VALUE', ['members', '17', 'role']],
    ['an unknown field code', { fields: ['3.2', '9.9'] }, 'UNKNOWN_FIELD_CODE', ['members', '17', 'fields', '1']],
    ['a missing externalId', { externalId: null }, 'REQUIRED', ['members', '17', 'externalId']],
    ['an externalId over 100 characters', { externalId: 'x'.repeat(101) }, 'TOO_LONG', ['members', '17', 'externalId']],
    ['an externalId already in the push', { externalId: 'N-3' }, 'DUPLICATE', ['members', '17', 'externalId']],
  ])('%s: refused with its path, nothing written', async (_what, bad, code, field) => {
    await refusedPush(bad, { code, field });
  });

  it('a duplicate externalId is reported at its second occurrence, naming the first', async () => {
    const a = await newAssociation();
    const before = await counts();
    const res = await push(a.code, [
      { externalId: 'D-1', fullName: 'Lê Văn An' },
      { externalId: 'D-2', fullName: 'Lê Văn Bình' },
      { externalId: 'D-1', fullName: 'Lê Văn Chi' },
    ]);
    expect(res.userErrors).toEqual([{ code: 'DUPLICATE', field: ['members', '2', 'externalId'], message: expect.stringContaining('members[0]') }]);
    expect(await counts()).toEqual(before);
  });

  it('lists every problem of every row at once', async () => {
    const a = await newAssociation();
    const before = await counts();
    const res = await push(a.code, [
      { externalId: 'OK-0', fullName: 'Lê Văn An' },
      { externalId: 'B-1', fullName: 'Lê Văn Bình', email: 'not-an-email', phone: 'call me', birthDate: '2999-01-01' },
      { externalId: 'B-2', fullName: '', gender: 'X', degree: 'Y', academicTitle: 'Z', role: 'W', fields: ['0.0'] },
      { externalId: 'OK-0', fullName: 'Lê Văn Chi' },
    ]);
    const got = res.userErrors.map((e) => [e.code, e.field.join('.')]);
    expect(got).toEqual(
      expect.arrayContaining([
        ['INVALID_EMAIL', 'members.1.email'],
        ['INVALID_PHONE', 'members.1.phone'],
        ['FUTURE_DATE', 'members.1.birthDate'],
        ['REQUIRED', 'members.2.fullName'],
        ['UNKNOWN_ENUM_VALUE', 'members.2.gender'],
        ['UNKNOWN_ENUM_VALUE', 'members.2.degree'],
        ['UNKNOWN_ENUM_VALUE', 'members.2.academicTitle'],
        ['UNKNOWN_ENUM_VALUE', 'members.2.role'],
        ['UNKNOWN_FIELD_CODE', 'members.2.fields.0'],
        ['DUPLICATE', 'members.3.externalId'],
      ]),
    );
    expect(got).toHaveLength(10);
    // Indexes come back as strings.
    for (const e of res.userErrors) for (const part of e.field) expect(typeof part).toBe('string');
    expect(await counts()).toEqual(before);
  });

  it('an invalid idempotency key is refused before anything is written', async () => {
    const a = await newAssociation();
    const before = await counts();
    const res = await push(a.code, [{ externalId: 'I-1', fullName: 'Lê Văn An' }], { key: 'has spaces and ü' });
    expect(res.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['idempotencyKey'] })]);
    expect(await counts()).toEqual(before);
  });
});

describe('upsertMembers: 5,000 rows per call', () => {
  const big = (n: number, prefix: string): Row[] =>
    Array.from({ length: n }, (_, k) => ({
      externalId: `${prefix}-${String(k).padStart(5, '0')}`,
      fullName: `Nguyễn Thị Hội Viên ${k}`,
      email: `hv${k}@hoi.example.vn`,
      phone: `0912${String(k).padStart(6, '0')}`,
      birthDate: `19${50 + (k % 50)}-0${1 + (k % 9)}-1${k % 10}`,
      gender: k % 2 ? 'FEMALE' : 'MALE',
      degree: ['TS', 'THS', 'CN', 'KS'][k % 4],
      academicTitle: k % 50 === 0 ? 'PGS' : 'NONE',
      fields: [['3.2'], ['1.2', '2.1'], []][k % 3],
      workplace: 'Trường Đại học Cần Thơ',
      position: 'Giảng viên',
      memberNumber: `HV-${k}`,
      joinedOn: '2020-01-15',
      role: 'MEMBER',
      publicProfile: k % 3 === 0,
    }));

  it('5,000 rows are written in one call, and pushed again change nothing', async () => {
    const a = await newAssociation();
    const rows = big(5000, 'BIG');
    const before = await counts();

    // The same push twice (new idempotency keys): what it answered and how many SQL statements it took.
    const send = async () => {
      const started = performance.now();
      const r = await t.gql<{ upsertMembers: PushPayload }>(UPSERT, { input: { associationCode: a.code, idempotencyKey: idemKey(), members: rows } }, admin.headers);
      if (r.body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(r.body.errors)}`);
      return { payload: r.body.data!.upsertMembers, sql: r.sql, ms: performance.now() - started };
    };
    const fresh = await send();
    const first = fresh.payload;
    expect(first.userErrors).toEqual([]);
    expect(first).toMatchObject({ created: 5000, updated: 0, unchanged: 0 });
    expect(first.results).toHaveLength(5000);
    expect(first.results[4321].externalId).toBe('BIG-04321');
    const mid = await counts();
    expect(mid.intellectual - before.intellectual).toBe(5000);
    expect(mid.membership - before.membership).toBe(5000);
    expect(mid.audit_event - before.audit_event).toBe(10000);

    const unchanged = await send();
    expect(unchanged.payload).toMatchObject({ created: 0, updated: 0, unchanged: 5000, userErrors: [] });
    expect(await counts()).toEqual(mid);
    // eslint-disable-next-line no-console
    console.log(`5,000-row push: fresh ${Math.round(fresh.ms)} ms in ${fresh.sql} statements, unchanged ${Math.round(unchanged.ms)} ms in ${unchanged.sql} statements`);
    // Written in bulk, whatever the machine's speed: a few statements, not one or more per row.
    expect(fresh.sql).toBeLessThan(50);
    expect(unchanged.sql).toBeLessThan(50);
  });

  it('5,000 rows with every field at its maximum length (about 15 MiB of JSON) fit the default body limit and are written', async () => {
    const a = await newAssociation();
    // The most bytes a character of Vietnamese text takes in UTF-8 (ệ: 3), at every field's maximum length.
    const long = (n: number) => `Đức ${'ệ'.repeat(n - 4)}`;
    const fields = ['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', ...Array.from({ length: 11 }, (_, i) => `2.${i + 1}`), '3.1', '3.2'];
    const rows = Array.from({ length: 5000 }, (_, k) => ({
      externalId: `MAX-${String(k).padStart(4, '0')}-${'x'.repeat(91)}`,
      fullName: `${long(195)} ${String(k).padStart(4, '0')}`,
      email: `${'a'.repeat(59)}${String(k).padStart(5, '0')}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.vn`,
      phone: '+84 (0) 912-345-678',
      birthDate: '1970-01-01',
      gender: 'UNDISCLOSED',
      degree: 'TSKH',
      academicTitle: 'PGS',
      fields,
      workplace: long(300),
      position: long(300),
      memberNumber: `${'M'.repeat(45)}${String(k).padStart(5, '0')}`,
      joinedOn: '2020-01-01',
      role: 'SECRETARY_GENERAL',
      publicProfile: true,
    }));
    const body = JSON.stringify({ query: UPSERT, variables: { input: { associationCode: a.code, idempotencyKey: idemKey(), members: rows } } });
    expect(Buffer.byteLength(body)).toBeGreaterThan(14 * 1024 * 1024);
    expect(Buffer.byteLength(body)).toBeLessThan(loadConfig({ NODE_ENV: 'test' }).limits.bodyLimitBytes);
    const res = await push(a.code, rows);
    expect(res.userErrors).toEqual([]);
    expect(res.created).toBe(5000);
  });

  it('5,001 rows are refused with TOO_MANY_ROWS and nothing is written', async () => {
    const a = await newAssociation();
    const before = await counts();
    const rows = Array.from({ length: 5001 }, (_, k) => ({ externalId: `T-${k}`, fullName: `Lê Văn Thừa ${k}` }));
    const res = await push(a.code, rows);
    expect(res.userErrors).toEqual([expect.objectContaining({ code: 'TOO_MANY_ROWS', field: ['members'] })]);
    expect(res.results).toEqual([]);
    expect(await counts()).toEqual(before);
  });
});

describe('names and dates', () => {
  it('stores pushed names in NFC and answers NFC (an NFD push of the same name is UNCHANGED)', async () => {
    const a = await newAssociation();
    const nfc = 'Nguyễn Văn Đức';
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    const res = await push(a.code, [{ externalId: 'NFC-1', fullName: nfd, workplace: 'Trường Đại học Y Dược Cần Thơ'.normalize('NFD') }]);
    const p = await person(res.results[0].intellectualId);
    expect(p.fullName).toBe(nfc);
    expect(p.workplace).toBe('Trường Đại học Y Dược Cần Thơ'.normalize('NFC'));
    const [row] = await stored(a.id);
    expect(row).toMatchObject({ full_name: nfc, given_name: 'Đức', m_full_name: nfc, m_given_name: 'Đức' });
    // Found by its NFC spelling.
    const found = await t.data<any>(`query($f: IntellectualFilter) { intellectuals(filter: $f) { edges { node { fullName } } } }`, { f: { associationCode: a.code, search: 'Nguyễn Văn Đức' } }, admin.headers);
    expect(found.intellectuals.edges.map((e: any) => e.node.fullName)).toEqual([nfc]);
    expect((await push(a.code, [{ externalId: 'NFC-1', fullName: nfc }])).results[0].outcome).toBe('UNCHANGED');
  });

  it('calendar dates come back as pushed under any time zone', async () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'Pacific/Pago_Pago', 'Asia/Ho_Chi_Minh', 'UTC']) {
        process.env.TZ = tz;
        const a = await newAssociation();
        const res = await push(a.code, [{ externalId: `TZ-${tz}`, fullName: 'Lê Thị Nhuận', birthDate: '1980-02-29', joinedOn: '2000-01-01' }]);
        expect(res.userErrors).toEqual([]);
        const p = await person(res.results[0].intellectualId);
        expect([tz, p.birthDate, p.memberships.edges[0].node.joinedOn]).toEqual([tz, '1980-02-29', '2000-01-01']);
        const [row] = await sql(`select birth_date::text as b from intellectual where id = (select intellectual_id from membership where association_id = ?)`, [a.id]);
        expect(row.b).toBe('1980-02-29');
        const ended = await end({ associationCode: a.code, externalIds: [`TZ-${tz}`], leftOn: '2001-12-31' });
        expect(ended.ended).toBe(1);
        expect((await person(res.results[0].intellectualId)).memberships.edges[0].node.leftOn).toBe('2001-12-31');
        // Re-admitted (a joinedOn after the day it left): the person's dates are untouched.
        const again = await push(a.code, [{ externalId: `TZ-${tz}`, birthDate: '1980-02-29', joinedOn: '2002-01-01' }]);
        expect(again.results[0].outcome).toBe('UPDATED');
        const [person2] = await stored(a.id);
        expect(person2).toMatchObject({ birth_date: '1980-02-29', joined_on: '2002-01-01', version: 1 });
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('Association.members lists pushed members in Vietnamese name order, and follows renames', async () => {
    const a = await newAssociation();
    const names = ['Nguyễn Văn Đức', 'Trần Thị Ánh', 'Võ Văn Dũng', 'Lê Văn An', 'Hồ Thị Ân', 'Phạm Văn Bình', 'Đặng An', 'Bùi Thị Ánh'];
    // Two pushes, in no particular order, NFD for some.
    await push(a.code, names.slice(0, 4).map((n, k) => ({ externalId: `VN-${k}`, fullName: k % 2 ? n.normalize('NFD') : n, publicProfile: true })));
    await push(a.code, names.slice(4).map((n, k) => ({ externalId: `VN-${k + 4}`, fullName: n, publicProfile: k % 2 === 0 })));
    const MEMBERS = `query($code: String!) { association(code: $code) { members(first: 100) { totalCount edges { node { intellectual { fullName } } } } } }`;
    const order = async () => (await t.data<any>(MEMBERS, { code: a.code }, admin.headers)).association.members.edges.map((e: any) => e.node.intellectual.fullName);
    // Given name first (An < Ánh < Ân < Bình < Dũng < Đức), then full name (Bùi < Trần, Đặng < Lê).
    expect(await order()).toEqual(['Đặng An', 'Lê Văn An', 'Bùi Thị Ánh', 'Trần Thị Ánh', 'Hồ Thị Ân', 'Phạm Văn Bình', 'Võ Văn Dũng', 'Nguyễn Văn Đức']);
    await push(a.code, [{ externalId: 'VN-0', fullName: 'Nguyễn Văn Ba' }]);
    expect(await order()).toEqual(['Đặng An', 'Lê Văn An', 'Bùi Thị Ánh', 'Trần Thị Ánh', 'Hồ Thị Ân', 'Nguyễn Văn Ba', 'Phạm Văn Bình', 'Võ Văn Dũng']);
  });
});

describe('endMemberships', () => {
  async function seeded() {
    const a = await newAssociation();
    const res = await push(a.code, [
      { externalId: 'M-1', fullName: 'Lê Văn An', joinedOn: '2015-06-01' },
      { externalId: 'M-2', fullName: 'Trần Thị Ánh', joinedOn: '2018-01-01' },
      { externalId: 'M-3', fullName: 'Phạm Văn Bình' },
    ]);
    return { a, ids: Object.fromEntries(res.results.map((r) => [r.externalId, r])) };
  }

  it('ends memberships and keeps them with status ENDED, leftOn and endReason; the person stays', async () => {
    const { a, ids } = await seeded();
    const before = await counts();
    const res = await end({ associationCode: a.code, externalIds: ['M-2', 'M-1'], leftOn: '2024-12-31', reason: 'Chuyển công tác' });
    expect(res.userErrors).toEqual([]);
    expect(res.ended).toBe(2);
    expect(res.results).toEqual([
      { externalId: 'M-2', intellectualId: ids['M-2'].intellectualId, membershipId: ids['M-2'].membershipId, outcome: 'ENDED' },
      { externalId: 'M-1', intellectualId: ids['M-1'].intellectualId, membershipId: ids['M-1'].membershipId, outcome: 'ENDED' },
    ]);
    const after = await counts();
    expect(after).toEqual({ ...before, audit_event: before.audit_event + 2 });
    const rows = await stored(a.id);
    expect(rows.map((r) => [r.external_id, r.status, r.left_on, r.end_reason])).toEqual([
      ['M-1', 'ENDED', '2024-12-31', 'Chuyển công tác'],
      ['M-2', 'ENDED', '2024-12-31', 'Chuyển công tác'],
      ['M-3', 'ACTIVE', null, null],
    ]);
    const m = (await person(ids['M-1'].intellectualId)).memberships.edges[0].node;
    expect(m).toMatchObject({ status: 'ENDED', leftOn: '2024-12-31', endReason: 'Chuyển công tác', joinedOn: '2015-06-01' });
    const ended = await t.data<any>(`query($code: String!) { association(code: $code) { members(filter: { status: ENDED }) { totalCount } } }`, { code: a.code }, admin.headers);
    expect(ended.association.members.totalCount).toBe(2);

    // Ending again is ALREADY_ENDED and writes nothing (the first date and reason stay).
    const again = await end({ associationCode: a.code, externalIds: ['M-1'], leftOn: '2025-01-01', reason: 'khác' });
    expect(again).toMatchObject({ ended: 0, userErrors: [], results: [expect.objectContaining({ outcome: 'ALREADY_ENDED' })] });
    expect(await counts()).toEqual(after);
    expect((await stored(a.id))[0]).toMatchObject({ left_on: '2024-12-31', end_reason: 'Chuyển công tác' });
  });

  it('leftOn defaults to today in Vietnam', async () => {
    const { a } = await seeded();
    await end({ associationCode: a.code, externalIds: ['M-3'] });
    const row = (await stored(a.id)).find((r) => r.external_id === 'M-3')!;
    expect(row).toMatchObject({ status: 'ENDED', left_on: todayInVietnam(), end_reason: null });
  });

  it('an ended member pushed again with a joinedOn after the day it left is re-admitted (UPDATED), its end cleared, with a REACTIVATE audit event', async () => {
    const { a, ids } = await seeded();
    await end({ associationCode: a.code, externalIds: ['M-1'], leftOn: '2023-03-03', reason: 'Nghỉ hưu' });
    const res = await push(a.code, [{ externalId: 'M-1', fullName: 'Lê Văn An', joinedOn: '2024-01-15' }]);
    expect(res).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    expect(res.results[0]).toMatchObject({ outcome: 'UPDATED', intellectualId: ids['M-1'].intellectualId, membershipId: ids['M-1'].membershipId });
    const row = (await stored(a.id)).find((r) => r.external_id === 'M-1')!;
    expect(row).toMatchObject({ status: 'ACTIVE', left_on: null, end_reason: null, joined_on: '2024-01-15' });
    const [ev] = await sql(`select action, changes from audit_event where entity_type = 'Membership' and association_code = ? order by id desc limit 1`, [a.code]);
    expect(ev.action).toBe('REACTIVATE');
    expect(ev.changes).toEqual({
      status: { old: 'ENDED', new: 'ACTIVE' },
      joinedOn: { old: '2015-06-01', new: '2024-01-15' },
      leftOn: { old: '2023-03-03', new: null },
      endReason: { old: 'Nghỉ hưu', new: null },
    });
    expect((await sql(`select count(*)::int as n from membership where association_id = ? and external_id = 'M-1'`, [a.id]))[0].n).toBe(1);
  });

  it.each<[string, Row, string, string[]]>([
    ['an unknown externalId', { externalIds: ['M-1', 'NOPE'] }, 'NOT_FOUND', ['externalIds', '1']],
    ['a duplicate externalId', { externalIds: ['M-1', 'M-2', 'M-1'] }, 'DUPLICATE', ['externalIds', '2']],
    ['an empty list', { externalIds: [] }, 'REQUIRED', ['externalIds']],
    ['a blank externalId', { externalIds: ['M-1', ' '] }, 'REQUIRED', ['externalIds', '1']],
    ['a future leftOn', { externalIds: ['M-1'], leftOn: '2999-01-01' }, 'FUTURE_DATE', ['leftOn']],
    ['a malformed leftOn', { externalIds: ['M-1'], leftOn: '2024-13-01' }, 'INVALID_DATE', ['leftOn']],
    ['a leftOn before the member joined', { externalIds: ['M-1', 'M-2'], leftOn: '2016-01-01' }, 'INVALID_DATE', ['leftOn']],
    ['a reason over 500 characters', { externalIds: ['M-1'], reason: 'x'.repeat(501) }, 'TOO_LONG', ['reason']],
    ['more than 5,000 externalIds', { externalIds: Array.from({ length: 5001 }, (_, k) => `Z-${k}`) }, 'TOO_MANY_ROWS', ['externalIds']],
  ])('%s: refused, nothing ended', async (_what, input, code, field) => {
    const { a } = await seeded();
    const snapshot = await stored(a.id);
    const before = await counts();
    const res = await end({ associationCode: a.code, ...input });
    expect(res.userErrors).toEqual([expect.objectContaining({ code, field })]);
    expect(res).toMatchObject({ ended: 0, results: [] });
    expect(await counts()).toEqual(before);
    expect(await stored(a.id)).toEqual(snapshot);
  });

  it('only ADMIN and the association’s own key may end memberships', async () => {
    const { a } = await seeded();
    const other = await newAssociation();
    const before = await counts();
    const input = { associationCode: a.code, externalIds: ['M-1'] };
    const foreign = await t.gql(END, { input }, (await createKey(t.em(), 'ASSOCIATION', other)).headers);
    expect([foreign.status, foreign.body.errors![0].extensions!.code]).toEqual([403, 'FORBIDDEN']);
    const anon = await t.gql(END, { input });
    expect([anon.status, anon.body.errors![0].extensions!.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(await counts()).toEqual(before);
    const own = await end(input, (await createKey(t.em(), 'ASSOCIATION', a)).headers);
    expect(own.ended).toBe(1);
  });
});
