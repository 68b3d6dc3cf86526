import { createAssociation, createFederation, createIntellectual, createKey } from './factories';
import { createPolicyDocument } from './factories/consultation';
import { startTestHub, TestHub } from './support/harness';
import { fromGlobalId, toGlobalId } from '../src/common/node-id';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';
import type { Intellectual } from '../src/modules/intellectual/intellectual.entity';

/**
 * The ADMIN writes of the governance module through the schema over HTTP: congresses (and the
 * term they open), delegates in bulk (all or nothing, with row paths), terms, seats and every
 * rule with its code, stale versions, idempotent retries, concurrent writers, who may call what
 * and the audit log. The read side (Congress.term, Seat.holder…) belongs to the reads module:
 * what hangs off a record is checked in SQL.
 */

let t: TestHub;
type Key = { id: number; key: string; headers: Record<string, string> };
type Row = Record<string, any>;
let admin: Key;
let analyst: Key;
let other: Federation; // another federation, with its own association
let foreign: Association;
const people: Intellectual[] = [];
const NAMES = ['Nguyễn Văn Đức', 'Trần Thị Lan', 'Lê Hoàng Minh', 'Phạm Thị Ngọc Ánh', 'Võ Quốc Việt', 'Đặng Thị Thu Hà', 'Huỳnh Đức Thắng', 'Bùi Thị Phượng'];

beforeAll(async () => {
  t = await startTestHub();
  const em = t.em();
  admin = await createKey(em, 'ADMIN');
  analyst = await createKey(em, 'ANALYST');
  other = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Hậu Giang' } as never);
  foreign = await createAssociation(em, other, { name: 'Hội Y học tỉnh Hậu Giang' } as never);
  for (const fullName of NAMES) people.push(await createIntellectual(em, { fullName } as never));
});
afterAll(() => t.close());

const ERRORS = 'userErrors { code field message }';
const CONGRESS = 'congress { id ordinal name startsOn endsOn place description demo }';
const TERM = 'term { id startsOn endsOn }';
const SEAT = 'seat { id office filledBy decision { number date issuer } startsOn endsOn endReason endNote version }';
const MUTATIONS: Record<string, [input: string, payload: string]> = {
  createCongress: ['CreateCongressInput', `{ ${CONGRESS} ${TERM} ${ERRORS} }`],
  addDelegates: ['AddDelegatesInput', `{ congress { id } added ${ERRORS} }`],
  createTerm: ['CreateTermInput', `{ ${TERM} ${ERRORS} }`],
  addSeat: ['AddSeatInput', `{ ${SEAT} ${ERRORS} }`],
  endSeat: ['EndSeatInput', `{ ${SEAT} ${ERRORS} }`],
  updateSeat: ['UpdateSeatInput', `{ ${SEAT} ${ERRORS} }`],
};
const doc = (name: string) => `mutation($input: ${MUTATIONS[name][0]}!) { ${name}(input: $input) ${MUTATIONS[name][1]} }`;

async function m(name: string, input: Row, headers: Record<string, string> = admin.headers): Promise<Row> {
  const r = await t.gql<any>(doc(name), { input }, headers);
  if (r.body.errors) throw new Error(`${name}: GraphQL errors: ${JSON.stringify(r.body.errors)}`);
  return r.body.data[name];
}

async function ok(name: string, input: Row): Promise<Row> {
  const payload = await m(name, input);
  expect({ name, userErrors: payload.userErrors }).toEqual({ name, userErrors: [] });
  return payload;
}

const codes = (payload: Row) => payload.userErrors.map((e: Row) => `${e.code} ${e.field.join('.')}`);

async function sql<T = Row>(query: string, params: unknown[] = []): Promise<T[]> {
  return t.orm.em.getConnection().execute(query, params);
}

const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
const gid = (type: string, id: number) => toGlobalId(type, id);
const person = (i: Intellectual) => gid('Intellectual', i.id);

/** Row counts of every table the module writes, and of the audit log. */
async function counts(): Promise<Row> {
  const tables = ['congress', 'congress_delegate', 'congress_resolution', 'term', 'governing_body', 'seat', 'audit_event', 'idempotency_record'];
  const [r] = await sql(`select ${tables.map((x) => `(select count(*) from ${x})::int as ${x}`).join(', ')}, (select coalesce(sum(version), 0)::int from seat) as seat_versions`);
  return r;
}

async function auditOf(entityType: string, id: string | number): Promise<Row[]> {
  return sql(`select * from audit_event where entity_type = ? and entity_id = ? order by id`, [entityType, typeof id === 'number' ? id : dbId(id)]);
}

/** A federation of its own for a test, with two member associations. */
async function federationWithMembers(): Promise<{ f: Federation; a: Association; b: Association }> {
  const em = t.em();
  const f = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng' } as never);
  const a = await createAssociation(em, f, { name: 'Hội Nông nghiệp tỉnh Sóc Trăng' } as never);
  const b = await createAssociation(em, f, { name: 'Hội Tin học tỉnh Sóc Trăng' } as never);
  return { f, a, b };
}

/** The four body ids of a term, by kind. */
async function bodies(termId: string): Promise<Record<string, string>> {
  const rows = await sql<{ id: number; kind: string }>(`select id, kind from governing_body where term_id = ?`, [dbId(termId)]);
  return Object.fromEntries(rows.map((r) => [r.kind, gid('GoverningBody', r.id)]));
}

/** A federation with a term 2020-10-15 … 2025-10-14 (congress II) and its bodies. */
async function withTerm(): Promise<{ f: Federation; a: Association; b: Association; termId: string; body: Record<string, string> }> {
  const x = await federationWithMembers();
  const r = await ok('createCongress', { federationCode: x.f.code, ordinal: 2, name: 'Đại hội đại biểu lần thứ II', startsOn: '2020-10-15', endsOn: '2020-10-16' });
  return { ...x, termId: r.term.id, body: await bodies(r.term.id) };
}

const ec = (body: Record<string, string>, who: Intellectual, extra: Row = {}) => ({ bodyId: body.EXECUTIVE_COMMITTEE, intellectualId: person(who), office: 'MEMBER', filledBy: 'ELECTED_BY_CONGRESS', ...extra });

describe('createCongress', () => {
  it('records the congress, its resolutions and the five-year term it opens with its four bodies; audited', async () => {
    const { f } = await federationWithMembers();
    const { document } = await createPolicyDocument(t.em(), { title: 'Nghị quyết Đại hội', sections: [{ number: '1', text: 'Phương hướng nhiệm kỳ 2020-2025.' }] });
    const r = await ok('createCongress', {
      federationCode: f.code,
      ordinal: 3,
      name: '  Đại hội đại biểu Liên hiệp các Hội KH&KT Sóc Trăng lần thứ III ',
      startsOn: '2020-10-15',
      endsOn: '2020-10-16',
      place: 'Hội trường Ủy ban nhân dân tỉnh Sóc Trăng',
      resolutions: [
        { policyDocumentId: gid('PolicyDocument', document.id) },
        { title: 'Nghị quyết về công tác tư vấn, phản biện', url: 'https://soctrang.vn/nghi-quyet', adoptedOn: '2020-10-16' },
      ],
    });
    expect(r.congress).toMatchObject({ ordinal: 3, name: 'Đại hội đại biểu Liên hiệp các Hội KH&KT Sóc Trăng lần thứ III', startsOn: '2020-10-15', endsOn: '2020-10-16', demo: false });
    expect(r.term).toMatchObject({ startsOn: '2020-10-15', endsOn: '2025-10-14' });
    const [term] = await sql(`select * from term where id = ?`, [dbId(r.term.id)]);
    expect(Number(term.congress_id)).toBe(dbId(r.congress.id));
    expect(Object.keys(await bodies(r.term.id)).sort()).toEqual(['EXECUTIVE_COMMITTEE', 'INSPECTION_COMMITTEE', 'STANDING_BOARD', 'STANDING_COMMITTEE']);
    const res = await sql(`select position, policy_document_id, title, url, adopted_on from congress_resolution where congress_id = ? order by position`, [dbId(r.congress.id)]);
    expect(res.map((x) => [x.position, x.policy_document_id, x.title, x.adopted_on])).toEqual([
      [1, document.id, null, null],
      [2, null, 'Nghị quyết về công tác tư vấn, phản biện', '2020-10-16'],
    ]);
    expect((await auditOf('Congress', r.congress.id)).map((e) => e.action)).toEqual(['CREATE']);
    expect((await auditOf('Term', r.term.id)).map((e) => e.action)).toEqual(['CREATE']);
  });

  it('termYears sets the length (29 February → 28 February); openTerm false records no term', async () => {
    const { f } = await federationWithMembers();
    const r = await ok('createCongress', { federationCode: f.code, ordinal: 1, name: 'Đại hội lần thứ I', startsOn: '2004-02-29', endsOn: '2004-02-29', termYears: 3 });
    expect(r.term).toMatchObject({ startsOn: '2004-02-29', endsOn: '2007-02-28' });
    const before = await counts();
    const s = await ok('createCongress', { federationCode: f.code, ordinal: 2, name: 'Đại hội bất thường', startsOn: '2005-06-01', endsOn: '2005-06-01', openTerm: false });
    expect(s.term).toBeNull();
    expect((await counts()).term).toBe(before.term);
  });

  it('refuses, writing nothing: unknown federation, taken ordinal, overlapping term, bad dates, years, resolutions', async () => {
    const { f } = await federationWithMembers();
    await ok('createCongress', { federationCode: f.code, ordinal: 1, name: 'Đại hội lần thứ I', startsOn: '2015-09-10', endsOn: '2015-09-11' });
    const before = await counts();
    const base = { federationCode: f.code, name: 'Đại hội lần thứ II', startsOn: '2019-01-01', endsOn: '2019-01-02' };
    expect(codes(await m('createCongress', { ...base, federationCode: 'KHONG-CO', ordinal: 2 }))).toEqual(['NOT_FOUND federationCode']);
    expect(codes(await m('createCongress', { ...base, ordinal: 1 }))).toEqual(['ALREADY_EXISTS ordinal']);
    expect(codes(await m('createCongress', { ...base, ordinal: 0 }))).toEqual(['INVALID ordinal']);
    // 2019-01-01 falls inside term I (2015-09-10 … 2020-09-09).
    const overlap = await m('createCongress', { ...base, ordinal: 2 });
    expect(codes(overlap)).toEqual(['TERMS_OVERLAP startsOn']);
    expect(overlap.userErrors[0].message).toContain('2015-09-10');
    expect(codes(await m('createCongress', { ...base, ordinal: 2, startsOn: '2020-09-01', endsOn: '2020-08-31', termYears: 11, name: ' ' }))).toEqual([
      'REQUIRED name',
      'INVALID_DATE endsOn',
      'INVALID termYears',
    ]);
    expect(
      codes(
        await m('createCongress', {
          ...base,
          ordinal: 2,
          startsOn: '2021-01-01',
          endsOn: '2021-01-01',
          resolutions: [{ url: 'https://x.vn' }, { policyDocumentId: gid('PolicyDocument', 999999) }, { title: 'Nghị quyết', url: 'ftp://x' }],
        }),
      ),
    ).toEqual(['REQUIRED resolutions.0.title', 'INVALID_URL resolutions.2.url', 'NOT_FOUND resolutions.1.policyDocumentId']);
    expect(await counts()).toEqual(before);
  });

  it('is idempotent: the same key and input answers the first response and records one congress', async () => {
    const { f } = await federationWithMembers();
    const input = { federationCode: f.code, ordinal: 1, name: 'Đại hội lần thứ I', startsOn: '2010-05-20', endsOn: '2010-05-21', idempotencyKey: `dh-${f.code}` };
    const first = await ok('createCongress', input);
    const before = await counts();
    const again = await ok('createCongress', input);
    expect(again).toEqual(first);
    expect(await counts()).toEqual(before);
    const reused = await m('createCongress', { ...input, ordinal: 2 });
    expect(codes(reused)).toEqual(['IDEMPOTENCY_KEY_REUSED idempotencyKey']);
  });
});

describe('addDelegates', () => {
  it('adds every row, with Vietnamese names, the association and the kind; audited with the counts', async () => {
    const { f, a, b } = await federationWithMembers();
    const c = await ok('createCongress', { federationCode: f.code, ordinal: 1, name: 'Đại hội lần thứ I', startsOn: '2010-05-20', endsOn: '2010-05-20', openTerm: false });
    const r = await ok('addDelegates', {
      congressId: c.congress.id,
      delegates: [
        { intellectualId: person(people[0]), associationCode: a.code, kind: 'ELECTED' },
        { intellectualId: person(people[1]), associationCode: b.code, kind: 'EX_OFFICIO' },
        { intellectualId: ` ${person(people[2])} `, kind: 'INVITED' },
      ],
    });
    expect(r).toMatchObject({ congress: { id: c.congress.id }, added: 3 });
    const rows = await sql(
      `select i.full_name, a.code, d.kind from congress_delegate d join intellectual i on i.id = d.intellectual_id left join association a on a.id = d.association_id where d.congress_id = ? order by d.id`,
      [dbId(c.congress.id)],
    );
    expect(rows.map((x) => [x.full_name, x.code, x.kind])).toEqual([
      ['Nguyễn Văn Đức', a.code, 'ELECTED'],
      ['Trần Thị Lan', b.code, 'EX_OFFICIO'],
      ['Lê Hoàng Minh', null, 'INVITED'],
    ]);
    const [event] = await auditOf('Congress', c.congress.id).then((e) => e.filter((x) => x.action === 'DELEGATES_ADDED'));
    expect(event.changes).toEqual({ delegates: { old: 0, new: 3 } });
    // Again, one person already a delegate: an error on that row; nothing added.
    const again = await m('addDelegates', { congressId: c.congress.id, delegates: [{ intellectualId: person(people[3]), kind: 'ELECTED' }, { intellectualId: person(people[0]), kind: 'ELECTED' }] });
    expect(codes(again)).toEqual(['ALREADY_EXISTS delegates.1.intellectualId']);
    expect(again.added).toBe(0);
  });

  it('1,000 rows with two bad: nothing written, two errors with their row paths', async () => {
    const { f, a } = await federationWithMembers();
    const c = await ok('createCongress', { federationCode: f.code, ordinal: 1, name: 'Đại hội lần thứ I', startsOn: '2010-05-20', endsOn: '2010-05-20', openTerm: false });
    const em = t.em();
    const crowd: Intellectual[] = [];
    const knex = em.getKnex();
    const ids: { id: number }[] = await knex('intellectual')
      .insert(Array.from({ length: 999 }, (_, k) => ({ full_name: `Nguyễn Thị Biểu ${k + 1}`, given_name: `${k + 1}`, public_profile: true, fields: ['3.2'] })))
      .returning('id');
    for (const { id } of ids) crowd.push({ id } as Intellectual);
    const rows = crowd.map((p) => ({ intellectualId: person(p), associationCode: a.code, kind: 'ELECTED' }));
    rows.push({ intellectualId: person(crowd[5]), associationCode: a.code, kind: 'ELECTED' }); // the 1,000th: row 5 again
    rows[17] = { ...rows[17], associationCode: foreign.code }; // another federation's association
    const before = await counts();
    const r = await m('addDelegates', { congressId: c.congress.id, delegates: rows });
    expect(r.added).toBe(0);
    expect(r.userErrors.map((e: Row) => [e.code, e.field])).toEqual([
      ['INVALID', ['delegates', '17', 'associationCode']],
      ['DUPLICATE', ['delegates', '999', 'intellectualId']],
    ]);
    expect(await counts()).toEqual(before);
    // Fixed, the 1,000 go in at once.
    rows[17] = { ...rows[17], associationCode: a.code };
    rows[999] = { intellectualId: person(people[0]), associationCode: a.code, kind: 'ELECTED' };
    expect((await ok('addDelegates', { congressId: c.congress.id, delegates: rows })).added).toBe(1000);
    expect((await sql(`select count(*)::int as n from congress_delegate where congress_id = ?`, [dbId(c.congress.id)]))[0].n).toBe(1000);
  });

  it('refuses bad rows each at its path: unknown person, bad id, unknown kind, unknown association, empty; unknown congress; too many', async () => {
    const { f } = await federationWithMembers();
    const c = await ok('createCongress', { federationCode: f.code, ordinal: 1, name: 'Đại hội lần thứ I', startsOn: '2010-05-20', endsOn: '2010-05-20', openTerm: false });
    const r = await m('addDelegates', {
      congressId: c.congress.id,
      delegates: [
        { intellectualId: gid('Intellectual', 99999999), kind: 'ELECTED' },
        { intellectualId: 'abc', kind: 'VOTED' },
        { intellectualId: person(people[4]), associationCode: 'KHONG-CO', kind: 'ELECTED' },
        { intellectualId: '', kind: '' },
      ],
    });
    expect(codes(r)).toEqual([
      'NOT_FOUND delegates.1.intellectualId',
      'UNKNOWN_ENUM_VALUE delegates.1.kind',
      'REQUIRED delegates.3.intellectualId',
      'REQUIRED delegates.3.kind',
      'NOT_FOUND delegates.0.intellectualId',
      'NOT_FOUND delegates.2.associationCode',
    ]);
    expect(codes(await m('addDelegates', { congressId: gid('Congress', 99999999), delegates: [{ intellectualId: person(people[0]), kind: 'ELECTED' }] }))).toEqual(['NOT_FOUND congressId']);
    expect(codes(await m('addDelegates', { congressId: c.congress.id, delegates: [] }))).toEqual(['REQUIRED delegates']);
    const many = Array.from({ length: 1001 }, () => ({ intellectualId: person(people[0]), kind: 'ELECTED' }));
    expect(codes(await m('addDelegates', { congressId: c.congress.id, delegates: many }))).toEqual(['TOO_MANY_ROWS delegates']);
  });
});

describe('createTerm', () => {
  it('records a term (five years by default) with its four bodies, for a congress without one; audited', async () => {
    const { f } = await federationWithMembers();
    const c = await ok('createCongress', { federationCode: f.code, ordinal: 1, name: 'Đại hội lần thứ I', startsOn: '2010-05-20', endsOn: '2010-05-20', openTerm: false });
    const r = await ok('createTerm', { federationCode: f.code, congressId: c.congress.id, startsOn: '2010-05-20' });
    expect(r.term).toMatchObject({ startsOn: '2010-05-20', endsOn: '2015-05-19' });
    expect(Object.keys(await bodies(r.term.id))).toHaveLength(4);
    expect((await auditOf('Term', r.term.id)).map((e) => e.action)).toEqual(['CREATE']);
    // The next term may start the day after; one sharing a day may not.
    await ok('createTerm', { federationCode: f.code, startsOn: '2015-05-20', endsOn: '2020-05-19' });
    const elsewhere = await ok('createCongress', { federationCode: other.code, ordinal: 90, name: 'Đại hội Hậu Giang', startsOn: '2030-01-01', endsOn: '2030-01-01', openTerm: false });
    const before = await counts();
    expect(codes(await m('createTerm', { federationCode: f.code, startsOn: '2005-05-20', endsOn: '2010-05-20' }))).toEqual(['TERMS_OVERLAP startsOn']);
    expect(codes(await m('createTerm', { federationCode: f.code, congressId: c.congress.id, startsOn: '2030-01-01' }))).toEqual(['ALREADY_EXISTS congressId']);
    expect(codes(await m('createTerm', { federationCode: f.code, congressId: elsewhere.congress.id, startsOn: '2030-01-01' }))).toEqual(['INVALID congressId']);
    expect(codes(await m('createTerm', { federationCode: f.code, startsOn: '2031-01-01', endsOn: '2030-01-01' }))).toEqual(['INVALID_DATE endsOn']);
    expect(await counts()).toEqual(before);
  });
});

describe('addSeat', () => {
  it('adds seats: elected by the congress, by a body, appointed by a decision; audited', async () => {
    const { a, termId, body } = await withTerm();
    const s1 = await ok('addSeat', ec(body, people[0], { office: 'PRESIDENT', associationCode: a.code }));
    expect(s1.seat).toMatchObject({ office: 'PRESIDENT', filledBy: 'ELECTED_BY_CONGRESS', startsOn: '2020-10-15', endsOn: null, version: 1, decision: null });
    const [row] = await sql(`select * from seat where id = ?`, [dbId(s1.seat.id)]);
    expect([Number(row.term_id), Number(row.federation_id), Number(row.association_id)]).toEqual([dbId(termId), expect.any(Number), a.id]);
    const s2 = await ok('addSeat', { bodyId: body.STANDING_COMMITTEE, intellectualId: person(people[0]), office: 'PRESIDENT', filledBy: 'ELECTED_BY_BODY', electedByBodyId: body.EXECUTIVE_COMMITTEE });
    expect(s2.seat.filledBy).toBe('ELECTED_BY_BODY');
    const s3 = await ok('addSeat', {
      bodyId: body.STANDING_BOARD,
      intellectualId: person(people[1]),
      office: 'CHIEF_OF_OFFICE',
      filledBy: 'APPOINTED',
      decision: { number: '15/QĐ-LHH', date: '2021-03-01', issuer: 'Ban Thường vụ' },
      startsOn: '2021-03-01',
    });
    expect(s3.seat).toMatchObject({ decision: { number: '15/QĐ-LHH', date: '2021-03-01', issuer: 'Ban Thường vụ' }, startsOn: '2021-03-01' });
    const [event] = await auditOf('Seat', s3.seat.id);
    expect(event.action).toBe('CREATE');
    expect(event.changes).toMatchObject({ office: { old: null, new: 'CHIEF_OF_OFFICE' }, startsOn: { old: null, new: '2021-03-01' } });
  });

  it('INVALID_OFFICE: the Standing Board has no members, the Inspection Committee no President', async () => {
    const { body } = await withTerm();
    const before = await counts();
    expect(codes(await m('addSeat', { ...ec(body, people[0]), bodyId: body.STANDING_BOARD }))).toEqual(['INVALID_OFFICE office']);
    expect(codes(await m('addSeat', { ...ec(body, people[0], { office: 'PRESIDENT' }), bodyId: body.INSPECTION_COMMITTEE }))).toEqual(['INVALID_OFFICE office']);
    expect(codes(await m('addSeat', ec(body, people[0], { office: 'CHIEF_OF_OFFICE' })))).toEqual(['INVALID_OFFICE office']);
    expect(await counts()).toEqual(before);
    await ok('addSeat', { ...ec(body, people[0], { office: 'INSPECTION_CHAIR' }), bodyId: body.INSPECTION_COMMITTEE });
  });

  it('OUTSIDE_TERM: a start or end outside the term, or an end before the start', async () => {
    const { body } = await withTerm();
    const before = await counts();
    expect(codes(await m('addSeat', ec(body, people[0], { startsOn: '2020-10-14' })))).toEqual(['OUTSIDE_TERM startsOn']);
    expect(codes(await m('addSeat', ec(body, people[0], { startsOn: '2025-10-15' })))).toEqual(['OUTSIDE_TERM startsOn']);
    expect(codes(await m('addSeat', ec(body, people[0], { endsOn: '2025-10-15' })))).toEqual(['OUTSIDE_TERM endsOn']);
    expect(codes(await m('addSeat', ec(body, people[0], { startsOn: '2021-01-02', endsOn: '2021-01-01' })))).toEqual(['OUTSIDE_TERM endsOn']);
    expect(await counts()).toEqual(before);
    await ok('addSeat', ec(body, people[0], { startsOn: '2025-10-14', endsOn: '2025-10-14' }));
  });

  it('NOT_ON_EXECUTIVE_COMMITTEE: a Standing Committee seat needs an EC seat of the same term held on its first day', async () => {
    const { body } = await withTerm();
    const sc = (who: Intellectual, startsOn?: string) => ({ bodyId: body.STANDING_COMMITTEE, intellectualId: person(who), office: 'MEMBER', filledBy: 'ELECTED_BY_BODY', electedByBodyId: body.EXECUTIVE_COMMITTEE, startsOn });
    expect(codes(await m('addSeat', sc(people[2])))).toEqual(['NOT_ON_EXECUTIVE_COMMITTEE intellectualId']);
    // An EC seat from 2022 does not cover a Standing Committee seat from 2021, nor one ended in 2023 one from 2024.
    await ok('addSeat', ec(body, people[2], { startsOn: '2022-01-01', endsOn: '2023-06-30' }));
    expect(codes(await m('addSeat', sc(people[2], '2021-06-01')))).toEqual(['NOT_ON_EXECUTIVE_COMMITTEE intellectualId']);
    expect(codes(await m('addSeat', sc(people[2], '2024-01-01')))).toEqual(['NOT_ON_EXECUTIVE_COMMITTEE intellectualId']);
    // Held on the first day: accepted.
    await ok('addSeat', sc(people[2], '2022-01-01'));
  });

  it('OFFICE_TAKEN: one President of the federation on any day, across bodies and terms; the same person may hold it on several bodies', async () => {
    const { f, body } = await withTerm();
    await ok('addSeat', ec(body, people[0], { office: 'PRESIDENT', endsOn: '2023-03-31' }));
    await ok('addSeat', { bodyId: body.STANDING_BOARD, intellectualId: person(people[0]), office: 'PRESIDENT', filledBy: 'ELECTED_BY_BODY', electedByBodyId: body.EXECUTIVE_COMMITTEE, endsOn: '2023-03-31' });
    const before = await counts();
    const taken = await m('addSeat', { ...ec(body, people[1], { office: 'PRESIDENT', startsOn: '2023-03-31' }), bodyId: body.STANDING_BOARD, filledBy: 'ELECTED_BY_BODY', electedByBodyId: body.EXECUTIVE_COMMITTEE });
    expect(codes(taken)).toEqual(['OFFICE_TAKEN office']);
    expect(taken.userErrors[0].message).toContain('2020-10-15 to 2023-03-31');
    expect(await counts()).toEqual(before);
    // From the next day on, the office is free; Vice Presidents are many.
    await ok('addSeat', ec(body, people[1], { office: 'PRESIDENT', startsOn: '2023-04-01' }));
    await ok('addSeat', ec(body, people[3], { office: 'VICE_PRESIDENT' }));
    await ok('addSeat', ec(body, people[4], { office: 'VICE_PRESIDENT' }));
    // An open seat is held to the end of its term: the next term's President does not clash with it.
    const next = await ok('createTerm', { federationCode: f.code, startsOn: '2025-10-15' });
    const nextBodies = await bodies(next.term.id);
    await ok('addSeat', ec(nextBodies, people[5], { office: 'PRESIDENT' }));
  });

  it('refuses the person twice on one body at once, a bad electing body, an APPOINTED seat without decision, unknown references', async () => {
    const { body, termId } = await withTerm();
    await ok('addSeat', ec(body, people[0], { endsOn: '2022-12-31' }));
    expect(codes(await m('addSeat', ec(body, people[0], { startsOn: '2022-12-31' })))).toEqual(['ALREADY_EXISTS intellectualId']);
    await ok('addSeat', ec(body, people[0], { startsOn: '2023-01-01', office: 'VICE_PRESIDENT' }));
    const other2 = await withTerm();
    expect(codes(await m('addSeat', ec(body, people[1], { filledBy: 'ELECTED_BY_BODY' })))).toEqual(['REQUIRED electedByBodyId']);
    expect(codes(await m('addSeat', ec(body, people[1], { filledBy: 'ELECTED_BY_BODY', electedByBodyId: body.EXECUTIVE_COMMITTEE })))).toEqual(['INVALID electedByBodyId']);
    expect(codes(await m('addSeat', ec(body, people[1], { filledBy: 'ELECTED_BY_BODY', electedByBodyId: other2.body.STANDING_COMMITTEE })))).toEqual(['INVALID electedByBodyId']);
    expect(codes(await m('addSeat', ec(body, people[1], { electedByBodyId: body.STANDING_COMMITTEE })))).toEqual(['INVALID electedByBodyId']);
    expect(codes(await m('addSeat', ec(body, people[1], { filledBy: 'APPOINTED', decision: { issuer: 'UBND tỉnh' } })))).toEqual(['REQUIRED decision.number', 'REQUIRED decision.date']);
    expect(codes(await m('addSeat', ec(body, people[1], { associationCode: foreign.code })))).toEqual(['INVALID associationCode']);
    expect(codes(await m('addSeat', { ...ec(body, people[1]), bodyId: termId }))).toEqual(['NOT_FOUND bodyId']);
    expect(codes(await m('addSeat', { ...ec(body, people[1]), intellectualId: gid('Intellectual', 99999999) }))).toEqual(['NOT_FOUND intellectualId']);
  });

  it('two concurrent Presidents of one federation: exactly one wins, the other gets OFFICE_TAKEN', async () => {
    const { body } = await withTerm();
    const answers = await Promise.all([people[0], people[1]].map((who) => m('addSeat', ec(body, who, { office: 'PRESIDENT' }))));
    expect(answers.map((x) => (x.seat ? 'won' : codes(x).join())).sort()).toEqual(['OFFICE_TAKEN office', 'won']);
    const rows = await sql(`select count(*)::int as n from seat where body_id = ? and office = 'PRESIDENT'`, [dbId(body.EXECUTIVE_COMMITTEE)]);
    expect(rows[0].n).toBe(1);
  });
});

describe('endSeat and updateSeat', () => {
  it('endSeat ends a seat inside its term with the reason; ending it again is INVALID_TRANSITION; stale version CONFLICT', async () => {
    const { body } = await withTerm();
    const s = (await ok('addSeat', ec(body, people[0], { startsOn: '2021-01-01' }))).seat;
    const before = await counts();
    expect(codes(await m('endSeat', { seatId: s.id, endsOn: '2020-12-31', reason: 'RESIGNED' }))).toEqual(['OUTSIDE_TERM endsOn']);
    expect(codes(await m('endSeat', { seatId: s.id, endsOn: '2025-10-15', reason: 'RESIGNED' }))).toEqual(['OUTSIDE_TERM endsOn']);
    const stale = await m('endSeat', { seatId: s.id, endsOn: '2022-01-01', reason: 'RESIGNED', expectedVersion: 7 });
    expect(codes(stale)).toEqual(['CONFLICT expectedVersion']);
    expect(stale.seat).toMatchObject({ id: s.id, version: 1, endsOn: null });
    expect(await counts()).toEqual(before);
    const ended = await ok('endSeat', { seatId: s.id, endsOn: '2022-06-30', reason: 'OTHER', note: 'Chuyển công tác ra Hà Nội', expectedVersion: 1 });
    expect(ended.seat).toMatchObject({ endsOn: '2022-06-30', endReason: 'OTHER', endNote: 'Chuyển công tác ra Hà Nội', version: 2 });
    expect(codes(await m('endSeat', { seatId: s.id, endsOn: '2022-07-01', reason: 'RESIGNED' }))).toEqual(['INVALID_TRANSITION seatId']);
    const events = await auditOf('Seat', s.id);
    expect(events.map((e) => e.action)).toEqual(['CREATE', 'SEAT_ENDED']);
    expect(events[1].changes).toMatchObject({ endsOn: { old: null, new: '2022-06-30' }, endReason: { old: null, new: 'OTHER' } });
    expect(codes(await m('endSeat', { seatId: gid('Seat', 99999999), endsOn: '2022-07-01', reason: 'RESIGNED' }))).toEqual(['NOT_FOUND seatId']);
  });

  it('updateSeat checks every rule again (the seat itself excluded), bumps the version, answers CONFLICT on a stale one', async () => {
    const { a, body } = await withTerm();
    const p0 = (await ok('addSeat', ec(body, people[0], { office: 'PRESIDENT', endsOn: '2022-12-31' }))).seat;
    const p1 = (await ok('addSeat', ec(body, people[1], { office: 'PRESIDENT', startsOn: '2023-01-01' }))).seat;
    const before = await counts();
    // Stretching one President into the other's days: OFFICE_TAKEN; moving the start to itself is fine.
    expect(codes(await m('updateSeat', { seatId: p0.id, expectedVersion: 1, endsOn: '2023-01-01' }))).toEqual(['OFFICE_TAKEN office']);
    expect(codes(await m('updateSeat', { seatId: p1.id, expectedVersion: 1, endsOn: null, startsOn: '2022-12-31' }))).toEqual(['OFFICE_TAKEN office']);
    expect(codes(await m('updateSeat', { seatId: p1.id, expectedVersion: 1, office: 'CHIEF_OF_OFFICE' }))).toEqual(['INVALID_OFFICE office']);
    expect(codes(await m('updateSeat', { seatId: p1.id, expectedVersion: 1, startsOn: '2019-01-01' }))).toEqual(['OUTSIDE_TERM startsOn']);
    expect(codes(await m('updateSeat', { seatId: p1.id, expectedVersion: 1, startsOn: null }))).toEqual(['REQUIRED startsOn']);
    const stale = await m('updateSeat', { seatId: p1.id, expectedVersion: 3, associationCode: a.code });
    expect(codes(stale)).toEqual(['CONFLICT expectedVersion']);
    expect(stale.seat).toMatchObject({ id: p1.id, version: 1 });
    expect(await counts()).toEqual(before);
    const u = await ok('updateSeat', { seatId: p1.id, expectedVersion: 1, startsOn: '2023-02-01', associationCode: a.code, decision: { number: '01/NQ-ĐH', date: '2023-01-20' } });
    expect(u.seat).toMatchObject({ startsOn: '2023-02-01', version: 2, decision: { number: '01/NQ-ĐH', date: '2023-01-20' } });
    const [row] = await sql(`select association_id from seat where id = ?`, [dbId(p1.id)]);
    expect(Number(row.association_id)).toBe(a.id);
    // The same values again: nothing changes, no version bump, no audit row.
    const same = await ok('updateSeat', { seatId: p1.id, expectedVersion: 2, startsOn: '2023-02-01' });
    expect(same.seat.version).toBe(2);
    const events = await auditOf('Seat', p1.id);
    expect(events.map((e) => e.action)).toEqual(['CREATE', 'UPDATE']);
    expect(events[1].changes).toMatchObject({ startsOn: { old: '2023-01-01', new: '2023-02-01' } });
    // A Standing Committee seat moved before its EC seat started: NOT_ON_EXECUTIVE_COMMITTEE.
    await ok('addSeat', ec(body, people[2], { startsOn: '2021-01-01' }));
    const sc = (await ok('addSeat', { bodyId: body.STANDING_COMMITTEE, intellectualId: person(people[2]), office: 'MEMBER', filledBy: 'ELECTED_BY_BODY', electedByBodyId: body.EXECUTIVE_COMMITTEE, startsOn: '2021-01-01' })).seat;
    expect(codes(await m('updateSeat', { seatId: sc.id, expectedVersion: 1, startsOn: '2020-12-31' }))).toEqual(['NOT_ON_EXECUTIVE_COMMITTEE intellectualId']);
    // Ended, then opened again with endsOn null: held again, without the end's reason.
    await ok('endSeat', { seatId: sc.id, endsOn: '2022-01-01', reason: 'RESIGNED' });
    const reopened = await ok('updateSeat', { seatId: sc.id, expectedVersion: 2, endsOn: null });
    expect(reopened.seat).toMatchObject({ endsOn: null, endReason: null, version: 3 });
  });
});

describe('access', () => {
  it('is ADMIN only: FORBIDDEN for other keys, UNAUTHENTICATED without one', async () => {
    const { f } = await federationWithMembers();
    const input = { federationCode: f.code, ordinal: 1, name: 'Đại hội', startsOn: '2010-01-01', endsOn: '2010-01-01' };
    const r = await t.gql<any>(doc('createCongress'), { input }, analyst.headers);
    expect([r.status, r.body.errors?.[0].extensions?.code, r.body.data?.createCongress ?? null]).toEqual([403, 'FORBIDDEN', null]);
    const anonymous = await t.gql<any>(doc('createTerm'), { input: { federationCode: f.code, startsOn: '2010-01-01' } });
    expect([anonymous.status, anonymous.body.errors?.[0].extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    for (const [name, input2] of [
      ['addSeat', { bodyId: gid('GoverningBody', 1), intellectualId: person(people[0]), office: 'MEMBER', filledBy: 'ELECTED_BY_CONGRESS' }],
      ['endSeat', { seatId: gid('Seat', 1), endsOn: '2020-01-01', reason: 'RESIGNED' }],
      ['updateSeat', { seatId: gid('Seat', 1), expectedVersion: 1 }],
      ['addDelegates', { congressId: gid('Congress', 1), delegates: [] }],
    ] as const) {
      const x = await t.gql<any>(doc(name), { input: input2 }, analyst.headers);
      expect([name, x.body.errors?.[0].extensions?.code]).toEqual([name, 'FORBIDDEN']);
    }
  });
});
