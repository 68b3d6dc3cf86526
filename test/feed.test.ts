import { createAssociation, createFederation, createIntellectual, createKey, uniq } from './factories';
import { assign, createConsultationRequest } from './factories/consultation';
import { startTestHub, TestHub } from './support/harness';
import { toGlobalId } from '../src/common/node-id';
import type { Viewer } from '../src/common/auth';
import { inTransaction } from '../src/common/transaction';
import { knexOf, runQuery } from '../src/common/sql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';
import { encodeFeedCursor } from '../src/modules/feed/feed.types';
import { FeedService } from '../src/modules/feed/feed.service';
import { ChangeRecord, recordChanges } from '../src/modules/feed/feed.writer';

/**
 * The change feed (`changes`), through the schema over HTTP on a real PostgreSQL: the records the
 * write pipeline adds (pushes, statuses, consultation, governance; none for refused writes or
 * replays), filters, paging, who sees what, personal data, bad arguments, retention and
 * CURSOR_EXPIRED, the order of concurrent writers' commits, and the SQL a page costs.
 *
 * The feed reads only below the oldest transaction running in the whole PostgreSQL server, and
 * other test files (or helpers) may hold one open for a moment: every read first waits until
 * every record written so far is below it (`settled`), a state, not a delay.
 */

let t: TestHub;
type Key = { id: number; key: string; headers: Record<string, string> };
type Row = Record<string, any>;
let admin: Key;
let analyst: Key;
let keyA: Key;
let keyB: Key;
let socTrang: Federation;
let canTho: Federation;
let hoiYHoc: Association; // A, in Sóc Trăng
let hoiNongHoc: Association; // B, in Sóc Trăng
let hoiTinHoc: Association; // C, in Cần Thơ

beforeAll(async () => {
  t = await startTestHub({ CHANGE_FEED_RETENTION_DAYS: '30' });
  admin = await createKey(t.em(), 'ADMIN');
  analyst = await createKey(t.em(), 'ANALYST');
  socTrang = await createFederation(t.em(), { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng' } as never);
  canTho = await createFederation(t.em(), { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ' } as never);
  hoiYHoc = await createAssociation(t.em(), socTrang, { name: 'Hội Y học tỉnh Sóc Trăng' } as never);
  hoiNongHoc = await createAssociation(t.em(), socTrang, { name: 'Hội Nông học tỉnh Sóc Trăng' } as never);
  hoiTinHoc = await createAssociation(t.em(), canTho, { name: 'Hội Tin học thành phố Cần Thơ' } as never);
  keyA = await createKey(t.em(), 'ASSOCIATION', hoiYHoc);
  keyB = await createKey(t.em(), 'ASSOCIATION', hoiNongHoc);
});
afterAll(() => t.close());

const CHANGES = `query($after: String, $first: Int, $filter: ChangeFilter) {
  changes(after: $after, first: $first, filter: $filter) {
    pageInfo { endCursor hasNextPage }
    nodes { cursor type nodeId kind associationCode federationCode at node { id __typename } }
  } }`;

interface Change {
  cursor: string;
  type: string;
  nodeId: string;
  kind: string;
  associationCode: string | null;
  federationCode: string | null;
  at: string;
  node: { id: string; __typename: string } | null;
}
interface Page {
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  nodes: Change[];
}

async function sql<T = Row>(query: string, params: unknown[] = []): Promise<T[]> {
  return t.orm.em.getConnection().execute(query, params);
}

/**
 * How long a test waits for the feed to show what it wrote: another test file running beside this
 * one may hold a transaction (a table lock) open for seconds, and every change waits for it.
 */
const PATIENCE_MS = 45_000;

/** Waits until every record written so far is readable: its transaction is below the oldest running one. */
async function settled(): Promise<void> {
  for (const until = Date.now() + PATIENCE_MS; ; ) {
    const [r] = await sql<{ ok: boolean }>(`select coalesce((select max(xid) from change_event) < pg_snapshot_xmin(pg_current_snapshot()), true) as ok`);
    if (r.ok) return;
    if (Date.now() > until) throw new Error('the change feed did not settle: a transaction stays open');
    await new Promise((res) => setTimeout(res, 10));
  }
}

async function page(after: string | null, first: number | null, headers: Record<string, string> = admin.headers, filter: Row | null = null): Promise<Page> {
  return (await t.data<{ changes: Page }>(CHANGES, { after, first, filter }, headers)).changes;
}

/** Every change after `after` the caller sees, page by page (`first` at a time), once settled. */
async function readAll(after: string | null, headers: Record<string, string> = admin.headers, filter: Row | null = null, first = 500): Promise<{ changes: Change[]; endCursor: string | null; pages: number }> {
  await settled();
  const changes: Change[] = [];
  let cursor = after;
  for (let pages = 1; ; pages++) {
    const p = await page(cursor, first, headers, filter);
    changes.push(...p.nodes);
    cursor = p.pageInfo.endCursor ?? cursor;
    if (!p.pageInfo.hasNextPage) return { changes, endCursor: cursor, pages };
    if (pages > 1000) throw new Error('the feed does not end');
  }
}

/** The cursor after everything written so far. */
async function tip(): Promise<string | null> {
  return (await readAll(null)).endCursor;
}

const brief = (c: Change) => [c.type, c.nodeId, c.kind, c.associationCode, c.federationCode];

const ERRORS = 'userErrors { code field message }';
let seq = 0;
const idem = () => `feed-${process.pid}-${seq++}`;

const UPSERT = `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created updated unchanged results { externalId intellectualId membershipId outcome } ${ERRORS} } }`;
const END = `mutation($input: EndMembershipsInput!) { endMemberships(input: $input) { ended ${ERRORS} } }`;
const STATUS = `mutation($input: SetAssociationStatusInput!) { setAssociationStatus(input: $input) { association { id status } ${ERRORS} } }`;
const TERM = `mutation($input: CreateTermInput!) { createTerm(input: $input) { term { id } ${ERRORS} } }`;
const ADD_PANEL = `mutation($input: AddPanelMemberInput!) { addPanelMember(input: $input) { panelMember { id } ${ERRORS} } }`;
const REMOVE_PANEL = `mutation($input: RemovePanelMemberInput!) { removePanelMember(input: $input) { ${ERRORS} } }`;

/** A mutation that must succeed: its payload. */
async function ok(doc: string, input: Row, headers: Record<string, string> = admin.headers): Promise<Row> {
  const data = await t.data<Row>(doc, { input }, headers);
  const payload = Object.values(data)[0] as Row;
  expect(payload.userErrors).toEqual([]);
  return payload;
}

type Member = { externalId: string; intellectualId: string; membershipId: string; outcome: string };
async function push(association: Association, members: Row[], opts: { headers?: Record<string, string>; key?: string } = {}): Promise<Member[]> {
  const r = await ok(UPSERT, { associationCode: association.code, idempotencyKey: opts.key ?? idem(), members }, opts.headers);
  return r.results;
}

const member = (fullName: string, extra: Row = {}): Row => ({ externalId: uniq('HV'), fullName, publicProfile: true, ...extra });
const term = (federation: Federation, year: number) => ok(TERM, { federationCode: federation.code, startsOn: `${year}-01-01`, endsOn: `${year}-12-31` });
const status = (association: Association, s: string) => ok(STATUS, { code: association.code, status: s, reason: 'Theo quyết định của Ban Thường vụ' });

describe('records written by the write pipeline', () => {
  it('a push: CREATED for each new person and membership, UPDATED for what changed, ENDED for an ended membership', async () => {
    const from = await tip();
    const [duc, lan] = await push(hoiYHoc, [member('Nguyễn Văn Đức'), member('Trần Thị Lan')]);
    const A = hoiYHoc.code;
    const F = socTrang.code;
    let { changes } = await readAll(from);
    expect(changes.map(brief)).toEqual([
      ['INTELLECTUAL', duc.intellectualId, 'CREATED', null, null], // a person belongs to no one association
      ['MEMBERSHIP', duc.membershipId, 'CREATED', A, F],
      ['INTELLECTUAL', lan.intellectualId, 'CREATED', null, null],
      ['MEMBERSHIP', lan.membershipId, 'CREATED', A, F],
    ]);
    expect(changes.map((c) => c.node)).toEqual([
      { id: duc.intellectualId, __typename: 'Intellectual' },
      { id: duc.membershipId, __typename: 'Membership' },
      { id: lan.intellectualId, __typename: 'Intellectual' },
      { id: lan.membershipId, __typename: 'Membership' },
    ]);
    for (const c of changes) expect(Math.abs(Date.parse(c.at) - Date.now())).toBeLessThan(60_000);

    const mid = changes[changes.length - 1].cursor;
    // Đức's workplace (the person) and Lan's member number (the membership) change; then Lan leaves.
    await push(hoiYHoc, [
      { externalId: duc.externalId, workplace: 'Bệnh viện Đa khoa tỉnh Sóc Trăng' },
      { externalId: lan.externalId, memberNumber: 'YH-0042' },
    ]);
    await ok(END, { associationCode: A, externalIds: [lan.externalId], reason: 'Chuyển công tác' });
    ({ changes } = await readAll(mid));
    expect(changes.map(brief)).toEqual([
      ['INTELLECTUAL', duc.intellectualId, 'UPDATED', null, null],
      ['MEMBERSHIP', lan.membershipId, 'UPDATED', A, F],
      ['MEMBERSHIP', lan.membershipId, 'ENDED', A, F],
    ]);
  });

  it("an association's status, a panel seat added and removed (DELETED, still in its federation), a term", async () => {
    const from = await tip();
    const hoiDuoc = await createAssociation(t.em(), canTho, { name: 'Hội Dược học thành phố Cần Thơ' } as never);
    await status(hoiDuoc, 'SUSPENDED');
    const request = await createConsultationRequest(t.em(), socTrang, { title: 'Phản biện Đề án chuyển đổi số tỉnh Sóc Trăng' });
    const thanh = await createIntellectual(t.em(), { fullName: 'Lê Văn Thành' } as never);
    const seat = (await ok(ADD_PANEL, { requestId: toGlobalId('ConsultationRequest', request.id), intellectualId: toGlobalId('Intellectual', thanh.id), role: 'MEMBER' })).panelMember;
    await ok(REMOVE_PANEL, { id: seat.id });
    const made = (await term(canTho, 2031)).term;

    const { changes } = await readAll(from);
    expect(changes.map(brief)).toEqual([
      ['ASSOCIATION', toGlobalId('Association', hoiDuoc.id), 'UPDATED', hoiDuoc.code, canTho.code],
      ['PANEL_MEMBER', seat.id, 'CREATED', null, socTrang.code],
      ['PANEL_MEMBER', seat.id, 'DELETED', null, socTrang.code],
      ['TERM', made.id, 'CREATED', null, canTho.code],
    ]);
    // The seat is gone: ADMIN still reads both of its records, with no Node to load.
    expect(changes.map((c) => c.node?.__typename ?? null)).toEqual(['Association', null, null, 'Term']);
  });

  it('nothing for a refused write, nothing more for an idempotent replay', async () => {
    const from = await tip();
    const [{ n: before }] = await sql<{ n: number }>('select count(*)::int as n from change_event');
    // Refused: a new member without a name; an unknown association status move.
    const refused = await t.data<Row>(UPSERT, { input: { associationCode: hoiYHoc.code, idempotencyKey: idem(), members: [{ externalId: uniq('HV') }] } }, admin.headers);
    expect(refused.upsertMembers.userErrors.map((e: Row) => e.code)).toEqual(['REQUIRED']);
    const stale = await t.data<Row>(TERM, { input: { federationCode: socTrang.code, startsOn: '2040-06-01', endsOn: '2040-01-01' } }, admin.headers);
    expect(stale.createTerm.userErrors.map((e: Row) => e.code)).toEqual(['INVALID_DATE']);

    const key = idem();
    const minh = member('Phạm Quang Minh');
    const first = await push(hoiYHoc, [minh], { key });
    const again = await push(hoiYHoc, [minh], { key });
    expect(again).toEqual(first);
    const { changes } = await readAll(from);
    expect(changes.map(brief)).toEqual([
      ['INTELLECTUAL', first[0].intellectualId, 'CREATED', null, null],
      ['MEMBERSHIP', first[0].membershipId, 'CREATED', hoiYHoc.code, socTrang.code],
    ]);
    const [{ n: after }] = await sql<{ n: number }>('select count(*)::int as n from change_event');
    expect(after - before).toBe(2);
  });
});

describe('reading', () => {
  it('filters by type, association and federation: the matching records of the whole feed, in the same order', async () => {
    const from = await tip();
    await push(hoiYHoc, [member('Võ Thị Hồng')]);
    await push(hoiTinHoc, [member('Đặng Minh Khoa')]);
    await status(hoiTinHoc, 'SUSPENDED');
    await status(hoiTinHoc, 'ACTIVE');
    await term(socTrang, 2032);
    const all = (await readAll(from)).changes;
    expect(all).toHaveLength(7);
    const cases: [Row, (c: Change) => boolean][] = [
      [{ types: ['MEMBERSHIP'] }, (c) => c.type === 'MEMBERSHIP'],
      [{ types: ['ASSOCIATION', 'TERM'] }, (c) => c.type === 'ASSOCIATION' || c.type === 'TERM'],
      [{ associationCode: hoiTinHoc.code }, (c) => c.associationCode === hoiTinHoc.code],
      [{ federationCode: socTrang.code }, (c) => c.federationCode === socTrang.code],
      [{ federationCode: canTho.code, types: ['ASSOCIATION'] }, (c) => c.federationCode === canTho.code && c.type === 'ASSOCIATION'],
      [{ associationCode: 'HOI-KHONG-CO' }, () => false],
    ];
    for (const [filter, keep] of cases) {
      const got = (await readAll(from, admin.headers, filter)).changes;
      expect({ filter, got: got.map(brief) }).toEqual({ filter, got: all.filter(keep).map(brief) });
    }
    expect(all.filter((c) => c.federationCode === canTho.code).map((c) => c.type)).toEqual(['MEMBERSHIP', 'ASSOCIATION', 'ASSOCIATION']);
  });

  it('pages with first and after: every record exactly once, in order, whatever the page size', async () => {
    const from = await tip();
    await push(hoiNongHoc, Array.from({ length: 12 }, (_, k) => member(`Huỳnh Văn Tài ${k + 1}`)));
    const whole = await readAll(from, admin.headers, null, 500);
    expect(whole.changes).toHaveLength(24);
    expect(whole.pages).toBe(1);
    for (const first of [1, 7, 24]) {
      const paged = await readAll(from, admin.headers, null, first);
      expect(paged.changes.map((c) => c.cursor)).toEqual(whole.changes.map((c) => c.cursor));
      expect(paged.endCursor).toBe(whole.endCursor);
      expect(paged.pages).toBe(Math.ceil(24 / first));
    }
    // Every page ends at its last change (all of them are ADMIN's to see).
    let cursor = from;
    for (let k = 0; k < 4; k++) {
      const p = await page(cursor, 7);
      expect(p.pageInfo).toEqual({ endCursor: p.nodes[p.nodes.length - 1].cursor, hasNextPage: k < 3 });
      cursor = p.pageInfo.endCursor;
    }
    expect(new Set(whole.changes.map((c) => c.cursor)).size).toBe(24);
    // Caught up: nothing more, and the cursor stays where it is.
    const after = await page(whole.endCursor, 10);
    expect(after).toEqual({ nodes: [], pageInfo: { endCursor: whole.endCursor, hasNextPage: false } });
    // The default page is 100.
    expect((await page(from, null)).nodes).toHaveLength(24);
  });

  it('an association key and the public see the records of the Nodes they may see; the cursor moves past the others', async () => {
    const from = await tip();
    // In A: a member without a public profile (A sees them, B and the public do not) and one with.
    const [hidden, shown] = await push(hoiYHoc, [member('Ngô Thị Bích', { publicProfile: false, email: 'bich.ngo@example.vn' }), member('Bùi Văn Hải')]);
    // A confidential request involving A, with a panel: its seat is seen by ADMIN, ANALYST and A only.
    const request = await createConsultationRequest(t.em(), socTrang, { title: 'Tư vấn Quy hoạch vùng nuôi tôm', visibility: 'CONFIDENTIAL' as never });
    await assign(t.em(), request, hoiYHoc);
    const requestId = toGlobalId('ConsultationRequest', request.id);
    const [bao, tam] = [await createIntellectual(t.em(), { fullName: 'Trịnh Quốc Bảo' } as never), await createIntellectual(t.em(), { fullName: 'Lý Thị Tâm' } as never)];
    const kept = (await ok(ADD_PANEL, { requestId, intellectualId: toGlobalId('Intellectual', bao.id), role: 'CHAIR' })).panelMember;
    const removed = (await ok(ADD_PANEL, { requestId, intellectualId: toGlobalId('Intellectual', tam.id), role: 'MEMBER' })).panelMember;
    await ok(REMOVE_PANEL, { id: removed.id });

    const everything = await readAll(from, admin.headers);
    const ids = (r: { changes: Change[] }) => r.changes.map((c) => `${c.kind} ${c.nodeId}`);
    const all = [
      `CREATED ${hidden.intellectualId}`,
      `CREATED ${hidden.membershipId}`,
      `CREATED ${shown.intellectualId}`,
      `CREATED ${shown.membershipId}`,
      `CREATED ${kept.id}`,
      `CREATED ${removed.id}`,
      `DELETED ${removed.id}`,
    ];
    expect(ids(everything)).toEqual(all);
    expect(ids(await readAll(from, analyst.headers))).toEqual(all);
    // A: its members, and the seat still there (a DELETED record, or one whose Node is gone, is ADMIN's and ANALYST's only).
    expect(ids(await readAll(from, keyA.headers))).toEqual(all.slice(0, 5));
    // B and the public: the public profile only.
    const expected = all.slice(2, 4);
    for (const headers of [keyB.headers, {}]) {
      const seen = await readAll(from, headers, null, 1);
      expect(ids(seen)).toEqual(expected);
      expect(seen.endCursor).toBe(everything.endCursor);
    }
    // One record at a time, past hidden ones: a page may be empty and still move on.
    const firstPage = await page(from, 1, {});
    expect(firstPage.nodes.map((c) => c.nodeId)).toEqual([shown.intellectualId]);
    const lastPage = await page(firstPage.pageInfo.endCursor, 1, {});
    expect(lastPage.nodes.map((c) => c.nodeId)).toEqual([shown.membershipId]);
    const empty = await page(lastPage.pageInfo.endCursor, 1, {});
    expect(empty).toEqual({ nodes: [], pageInfo: { endCursor: everything.endCursor, hasNextPage: false } });
  });

  it('holds no personal data: ids, codes, kind and time only', async () => {
    const from = await tip();
    const secrets = { fullName: 'Đoàn Thị Xuân Hương', email: 'xuanhuong.doan@example.vn', phone: '0912 345 678', birthDate: '1984-07-15', memberNumber: 'YH-7777', workplace: 'Trường Đại học Y Dược Cần Thơ' };
    await push(hoiYHoc, [member(secrets.fullName, { ...secrets, publicProfile: false })]);
    await settled();
    const rows = await sql(`select * from change_event where id > (select coalesce(max(id), 0) from change_event) - 2 order by id`);
    expect(rows.map((r) => r.entity_type)).toEqual(['Intellectual', 'Membership']);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(['association_code', 'at', 'entity_id', 'entity_type', 'federation_code', 'id', 'key_id', 'key_label', 'kind', 'xid']);
      for (const s of Object.values(secrets)) expect(JSON.stringify(r)).not.toContain(s);
    }
    const seen = await t.gql(CHANGES.replace('node { id __typename }', ''), { after: from }, admin.headers);
    for (const s of Object.values(secrets)) expect(JSON.stringify(seen.body)).not.toContain(s);
    const type = await t.data<Row>(`{ __type(name: "Change") { fields { name } } }`);
    expect(type.__type.fields.map((f: Row) => f.name).sort()).toEqual(['associationCode', 'at', 'cursor', 'federationCode', 'kind', 'node', 'nodeId', 'type']);
  });

  it('changesEndCursor: the end of what is readable now, from which only later changes follow', async () => {
    const end = async () => (await t.data<{ changesEndCursor: string | null }>('{ changesEndCursor }', {}, keyB.headers)).changesEndCursor;
    const from = await tip();
    expect(await end()).toBe(from);
    const [hai] = await push(hoiNongHoc, [member('Lâm Văn Hải')]);
    await settled();
    const now = await end();
    expect((await readAll(from)).changes.map((c) => c.cursor).pop()).toBe(now);
    expect(await readAll(now)).toEqual({ changes: [], endCursor: now, pages: 1 });
    // A write still in progress is not before the end: it follows it once committed.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const running = inTransaction(t.orm.em.fork(), async (tx) => {
      await recordChanges(tx, { role: 'ADMIN', keyId: admin.id, keyLabel: 'feed test', associationId: null }, [
        { entityType: 'Membership', entityId: Number(Buffer.from(hai.membershipId, 'base64url').toString().split(':')[1]), action: 'UPDATE', changes: {} },
      ]);
      wrote();
      await gate;
    });
    try {
      await written;
      expect(await end()).toBe(now);
    } finally {
      release();
      await running;
    }
    expect((await readAll(now)).changes.map((c) => [c.nodeId, c.kind])).toEqual([[hai.membershipId, 'UPDATED']]);
  });

  it('refuses a cursor it did not hand out, and a page size out of 1 to 500, with BAD_USER_INPUT', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const bad: Row[] = [
      { after: 'không phải con trỏ' },
      { after: b64('12:34:56') },
      { after: b64('-1:5') },
      { after: b64('18446744073709551616:1') }, // past xid8
      { after: b64('1:9223372036854775808') }, // past bigint
      { after: 'x'.repeat(100) },
      { first: 0 },
      { first: 501 },
      { first: -3 },
      { filter: { types: [] } },
      { filter: { associationCode: 'A'.repeat(65) } },
    ];
    for (const variables of bad) {
      const r = await t.gql(CHANGES, variables, admin.headers);
      expect({ variables, code: r.body.errors?.[0]?.extensions?.code, status: r.status }).toEqual({ variables, code: 'BAD_USER_INPUT', status: expect.any(Number) });
      expect(r.body.data?.changes ?? null).toBeNull();
    }
    // A well-formed cursor past the end is only a place to wait at.
    expect((await page(b64('18446744073709551615:1'), 10)).nodes).toEqual([]);
  });
});

describe('commit order, not insert order', () => {
  const viewer = (): Viewer => ({ role: 'ADMIN', keyId: admin.id, keyLabel: 'feed test', associationId: null });

  /** A transaction of the hub's own writer held open: records written, committed on demand. */
  async function held(): Promise<{ tx: EntityManager; commit: () => Promise<void> }> {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let opened!: (tx: EntityManager) => void;
    const open = new Promise<EntityManager>((r) => (opened = r));
    const done = inTransaction(t.orm.em.fork(), async (tx) => {
      opened(tx);
      await gate;
    });
    return { tx: await open, commit: () => (release(), done) };
  }
  const record = (tx: EntityManager, a: Association): Promise<ChangeRecord[]> =>
    recordChanges(tx, viewer(), [{ entityType: 'Association', entityId: a.id, action: 'UPDATE', changes: { phone: { old: null, new: '[masked]' } } }]);
  const xidOf = async (tx: EntityManager) => (await runQuery<{ xid: string }>(tx, knexOf(tx).raw('select pg_current_xact_id()::text as xid')))[0].xid;

  /** Polls until the page after `cursor` is what `want` says (other sessions' transactions may delay it); returns that page. */
  async function until(cursor: string | null, want: (p: Page) => boolean): Promise<Page> {
    for (const until = Date.now() + PATIENCE_MS; ; ) {
      const p = await page(cursor, 100);
      if (want(p)) return p;
      if (Date.now() > until) throw new Error(`the feed never showed what was expected: ${JSON.stringify(p)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('the first to insert commits last: a reader polling between the commits does not move past it, then reads both once', async () => {
    const from = await tip();
    const A = await held();
    const B = await held();
    try {
      const [seven] = await record(A.tx, hoiYHoc); // inserted first (and A's transaction id is the older)
      const [eight] = await record(B.tx, hoiNongHoc);
      expect(BigInt(seven.id)).toBeLessThan(BigInt(eight.id));
      expect(BigInt(seven.xid)).toBeLessThan(BigInt(eight.xid));
      await B.commit();
      // B has committed, A has not: nothing past A may be read, so the cursor stays.
      const between = await page(from, 100);
      expect(between).toEqual({ nodes: [], pageInfo: { endCursor: from, hasNextPage: false } });
      await A.commit();
      const p = await until(between.pageInfo.endCursor, (x) => x.nodes.length >= 2);
      expect(p.nodes.map((c) => c.nodeId)).toEqual([toGlobalId('Association', hoiYHoc.id), toGlobalId('Association', hoiNongHoc.id)]);
      expect(p.pageInfo.hasNextPage).toBe(false);
      expect((await readAll(from)).changes.map((c) => c.cursor)).toEqual(p.nodes.map((c) => c.cursor));
    } finally {
      await Promise.all([A.commit(), B.commit()]);
    }
  });

  it('the older transaction inserts last and commits last: the reader takes the younger one first, then the older one, none skipped', async () => {
    const from = await tip();
    const B = await held();
    const A = await held();
    try {
      await xidOf(B.tx); // B's transaction id first
      const [seven] = await record(A.tx, hoiYHoc); // A inserts first, with the younger id
      const [eight] = await record(B.tx, hoiNongHoc);
      expect(BigInt(seven.id)).toBeLessThan(BigInt(eight.id));
      expect(BigInt(eight.xid)).toBeLessThan(BigInt(seven.xid));
      await B.commit();
      // B's record is readable once no older transaction runs (A is younger): the cursor moves to it, not past A's.
      const between = await until(from, (x) => x.nodes.length > 0);
      expect(between.nodes.map((c) => c.nodeId)).toEqual([toGlobalId('Association', hoiNongHoc.id)]);
      expect(between.pageInfo.endCursor).toBe(encodeFeedCursor({ xid: eight.xid, id: eight.id }));
      await A.commit();
      const p = await until(between.pageInfo.endCursor, (x) => x.nodes.length > 0);
      expect(p.nodes.map((c) => c.nodeId)).toEqual([toGlobalId('Association', hoiYHoc.id)]);
      expect(p.pageInfo.endCursor).toBe(encodeFeedCursor({ xid: seven.xid, id: seven.id }));
      expect((await readAll(from)).changes.map((c) => c.nodeId)).toEqual([toGlobalId('Association', hoiNongHoc.id), toGlobalId('Association', hoiYHoc.id)]);
    } finally {
      await Promise.all([A.commit(), B.commit()]);
    }
  });
});

describe('cost', () => {
  it('a page of 100 mixed changes costs the SQL statements of a page of 12: one read, one load per type', async () => {
    const from = await tip();
    const sides = [hoiYHoc, hoiNongHoc];
    for (let round = 0; round < 17; round++) {
      await push(sides[round % 2], [member(`Tạ Văn Nam ${round}a`), member(`Tạ Thị Mai ${round}b`)]); // 2 × (Intellectual, Membership)
      await term(socTrang, 1950 + round); // Term
      await status(hoiTinHoc, round % 2 ? 'ACTIVE' : 'SUSPENDED'); // Association
    }
    await status(hoiTinHoc, 'ACTIVE');
    await settled();
    const NODE = `node { id __typename ... on Membership { externalId } ... on Term { startsOn } ... on Association { code } ... on Intellectual { fullName } }`;
    const doc = `query($after: String, $first: Int) { changes(after: $after, first: $first) { pageInfo { endCursor hasNextPage } nodes { cursor type kind ${NODE} } } }`;
    const cost = async (first: number, headers: Record<string, string>) => {
      const r = await t.gql<{ changes: Page }>(doc, { after: from, first }, headers);
      expect(r.body.errors).toBeUndefined();
      return { n: r.body.data!.changes.nodes.length, types: new Set(r.body.data!.changes.nodes.map((c) => c.type)).size, sql: r.sql };
    };
    for (const headers of [admin.headers, keyA.headers]) {
      const small = await cost(12, headers);
      const large = await cost(100, headers);
      expect(small.types).toBe(4);
      expect(large.types).toBe(4);
      expect([small.n, large.n]).toEqual([12, 100]);
      expect(large.sql).toBe(small.sql);
      expect(large.sql).toBe(1 + 4);
    }
  });
});

describe('retention', () => {
  it('the purge deletes what is older than the retention, raises the horizon; an older cursor answers CURSOR_EXPIRED', async () => {
    const first = (await page(null, 1)).nodes[0];
    const old = await tip();
    const [recent] = await push(hoiNongHoc, [member('Mai Văn Phúc')]);
    const fresh = (await readAll(old)).changes;
    expect(fresh.map((c) => c.nodeId)).toEqual([recent.intellectualId, recent.membershipId]);
    // Everything before these two is 40 days old: past the 30 days this hub keeps.
    const [oldXid, oldId] = Buffer.from(old!, 'base64url').toString().split(':');
    await sql(`update change_event set at = now() - interval '40 days' where (xid, id) <= (?::text::xid8, ?::bigint)`, [oldXid, oldId]);
    const [{ n: oldRows }] = await sql<{ n: number }>(`select count(*)::int as n from change_event where at < now() - interval '30 days'`);
    expect(oldRows).toBeGreaterThan(100);

    t.hub.startBackground(); // what the hub does once it is ready: the purge runs at once, then hourly
    for (const until = Date.now() + PATIENCE_MS; ; ) {
      const [h] = await sql(`select xid::text as xid, event_id::text as event_id from change_feed_horizon where id = 1`);
      const [{ n }] = await sql<{ n: number }>(`select count(*)::int as n from change_event where at < now() - interval '30 days'`);
      if (h && n === 0) break;
      if (Date.now() > until) throw new Error('the purge did not run');
      await new Promise((r) => setTimeout(r, 10));
    }
    const [h] = await sql<{ xid: string; event_id: string }>(`select xid::text as xid, event_id::text as event_id from change_feed_horizon where id = 1`);
    expect(encodeFeedCursor({ xid: h.xid, id: h.event_id })).toBe(old); // the last record purged is where `old` stood

    const expired = async (after: string) => {
      const r = await t.gql(CHANGES, { after }, keyB.headers);
      expect(r.body.data?.changes ?? null).toBeNull();
      return r.body.errors?.[0]?.extensions?.code;
    };
    expect(await expired(first.cursor)).toBe('CURSOR_EXPIRED'); // below the horizon
    expect(await expired(old!)).toBe('CURSOR_EXPIRED'); // at it
    // Just above the horizon (below the oldest record kept): nothing was missed.
    const above = encodeFeedCursor({ xid: h.xid, id: String(BigInt(h.event_id) + 1n) });
    expect((await readAll(above)).changes.map((c) => c.cursor)).toEqual(fresh.map((c) => c.cursor));
    expect((await readAll(fresh[0].cursor)).changes.map((c) => c.cursor)).toEqual([fresh[1].cursor]);
    // From the start: what is kept.
    expect((await readAll(null)).changes.map((c) => c.cursor)).toEqual(fresh.map((c) => c.cursor));

    // A retention of 0 days keeps nothing past the next purge.
    await settled();
    expect(await new FeedService(t.em()).purge(0)).toBe(2);
    expect(await expired(fresh[0].cursor)).toBe('CURSOR_EXPIRED');
    expect(await expired(fresh[1].cursor)).toBe('CURSOR_EXPIRED');
    expect(await readAll(null)).toEqual({ changes: [], endCursor: null, pages: 1 });
    expect(await new FeedService(t.em()).purge(0)).toBe(0);
    // The way back for an app told CURSOR_EXPIRED: the end now, its data in full, then the feed from that end.
    expect((await t.data<Row>('{ changesEndCursor }', {}, keyB.headers)).changesEndCursor).toBeNull();
    const [vy] = await push(hoiNongHoc, [member('Trương Thị Vy')]);
    expect((await readAll(null, keyB.headers)).changes.map((c) => c.nodeId)).toEqual([vy.intellectualId, vy.membershipId]);
  });
});
