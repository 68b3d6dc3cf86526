import { createAssociation, createFederation, createKey, uniq } from './factories';
import { startTestHub, TestHub } from './support/harness';
import { toGlobalId } from '../src/common/node-id';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';

/**
 * Administration writes (association profiles under a version guard; federations, associations
 * and statuses for ADMIN only) and the audit log every write adds to, which only ADMIN reads.
 */

let t: TestHub;
type Key = { id: number; key: string; headers: Record<string, string> };
let admin: Key;
let analyst: Key;
let federation: Federation;

beforeAll(async () => {
  t = await startTestHub();
  admin = await createKey(t.em(), 'ADMIN');
  analyst = await createKey(t.em(), 'ANALYST');
  federation = await createFederation(t.em());
});
afterAll(() => t.close());

const ASSOCIATION_FIELDS = `code name nameEn shortName version status joinedOn federation { code } fields { code }
  charter { title approvingDecision approvedOn url } contact { address email phone website }`;
const PAYLOAD = `{ association { ${ASSOCIATION_FIELDS} } userErrors { code field message } }`;
const UPDATE = `mutation($input: UpdateAssociationProfileInput!) { updateAssociationProfile(input: $input) ${PAYLOAD} }`;
const CREATE_ASSOCIATION = `mutation($input: CreateAssociationInput!) { createAssociation(input: $input) ${PAYLOAD} }`;
const SET_STATUS = `mutation($input: SetAssociationStatusInput!) { setAssociationStatus(input: $input) ${PAYLOAD} }`;
const CREATE_FEDERATION = `mutation($input: CreateFederationInput!) { createFederation(input: $input) {
  federation { id code name nameEn shortName level province parent { code } foundedOn foundingDecision { number date issuer title } status }
  userErrors { code field message } } }`;
const UPSERT = `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created updated unchanged userErrors { code field message } } }`;
const END = `mutation($input: EndMembershipsInput!) { endMemberships(input: $input) { ended userErrors { code field message } } }`;
const AUDIT = `query($filter: AuditEventFilter, $first: Int! = 20, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id at keyId keyLabel associationCode entityType entityId action changes requestId clientRequestId } } } }`;

type Row = Record<string, any>;
let seq = 0;
const idemKey = () => `audit-test-${process.pid}-${Date.now()}-${seq++}`;

async function sql<T = Row>(query: string, params: unknown[] = []): Promise<T[]> {
  return t.orm.em.getConnection().execute(query, params);
}

async function counts() {
  const [r] = await sql<{ federation: number; association: number; audit_event: number }>(
    `select (select count(*) from federation)::int as federation, (select count(*) from association)::int as association,
            (select count(*) from audit_event)::int as audit_event`,
  );
  return r;
}

async function associationRow(code: string): Promise<Row> {
  const [r] = await sql(`select * from association where code = ?`, [code]);
  return r;
}

async function labelOf(key: Key): Promise<string> {
  const [r] = await sql<{ label: string }>(`select label from api_key where id = ?`, [key.id]);
  return r.label;
}

/** A mutation that must answer without GraphQL errors: its payload and its X-Request-Id. */
async function write(query: string, input: Row, headers: Record<string, string> = admin.headers): Promise<{ payload: Row; requestId: string }> {
  const r = await t.gql<any>(query, { input }, headers);
  if (r.body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(r.body.errors)}`);
  const data = r.body.data;
  return { payload: data[Object.keys(data)[0]], requestId: r.headers.get('x-request-id')! };
}

/** A mutation the caller may not make: its HTTP status and error code; nothing in data. */
async function refused(query: string, input: Row, headers: Record<string, string>): Promise<[number, string]> {
  const r = await t.gql<any>(query, { input }, headers);
  expect(r.body.data ?? null).toBeNull();
  return [r.status, r.body.errors![0].extensions!.code];
}

/**
 * A write whose input does not fit the schema's types: refused before anything runs (400 and
 * BAD_USER_INPUT for a variable, GRAPHQL_VALIDATION_FAILED for a literal), naming the input path.
 */
async function mistyped(query: string, input: Row): Promise<[number, string, string]> {
  const r = await t.gql<any>(query, { input }, admin.headers);
  expect(r.body.data ?? null).toBeNull();
  expect(r.body.errors).toHaveLength(1);
  return [r.status, r.body.errors![0].extensions!.code, r.body.errors![0].message];
}

async function auditOf(filter: Row, first = 100, headers = admin.headers): Promise<Row[]> {
  const d = await t.data<any>(AUDIT, { filter, first }, headers);
  return d.auditEvents.edges.map((e: any) => e.node);
}

const newAssociation = (data: Partial<Association> = {}): Promise<Association> => createAssociation(t.em(), federation, data);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('updateAssociationProfile', () => {
  it('changes the profile, bumps the version and records old → new', async () => {
    const a = await newAssociation({ name: 'Hội Y học Sóc Trăng' });
    const { payload, requestId } = await write(UPDATE, {
      code: a.code,
      expectedVersion: 1,
      name: 'Hội Y học tỉnh Sóc Trăng',
      nameEn: 'Soc Trang Medical Association',
      fields: ['3.2', '3.3'],
      charter: { title: 'Điều lệ Hội', approvedOn: '2020-02-29', url: 'https://hoiyhoc.example.vn/dieu-le' },
      contact: { email: 'lienhe@hoiyhoc.example.vn', website: 'https://hoiyhoc.example.vn', phone: '0299 3822 123' },
    });
    expect(payload.userErrors).toEqual([]);
    expect(payload.association).toMatchObject({
      code: a.code,
      name: 'Hội Y học tỉnh Sóc Trăng',
      nameEn: 'Soc Trang Medical Association',
      version: 2,
      fields: [{ code: '3.2' }, { code: '3.3' }],
      charter: { title: 'Điều lệ Hội', approvingDecision: null, approvedOn: '2020-02-29', url: 'https://hoiyhoc.example.vn/dieu-le' },
      contact: { address: null, email: 'lienhe@hoiyhoc.example.vn', phone: '0299 3822 123', website: 'https://hoiyhoc.example.vn/' }, // the URL scalar answers the normalised URL
    });
    expect((await associationRow(a.code)).version).toBe(2);

    const [ev] = await auditOf({ associationCode: a.code });
    expect(ev).toMatchObject({ entityType: 'ASSOCIATION', entityId: toGlobalId('Association', a.id), action: 'UPDATE', keyId: String(admin.id), keyLabel: await labelOf(admin), requestId });
    expect(Math.abs(Date.parse(ev.at) - Date.now())).toBeLessThan(60_000);
    expect(ev.changes.name).toEqual({ old: 'Hội Y học Sóc Trăng', new: 'Hội Y học tỉnh Sóc Trăng' });
    expect(ev.changes.nameEn).toEqual({ old: null, new: 'Soc Trang Medical Association' });
    expect(ev.changes.fields).toEqual({ old: ['3.2'], new: ['3.2', '3.3'] });
    expect(ev.changes.contact.new).toMatchObject({ email: 'lienhe@hoiyhoc.example.vn', website: 'https://hoiyhoc.example.vn' });
    expect(ev.changes).not.toHaveProperty('code');

    // Omitted fields keep their value; null clears an optional one; the version moves on again.
    const next = await write(UPDATE, { code: a.code, expectedVersion: 2, nameEn: null, contact: { phone: null } });
    expect(next.payload.association).toMatchObject({ name: 'Hội Y học tỉnh Sóc Trăng', nameEn: null, version: 3, contact: { email: 'lienhe@hoiyhoc.example.vn', phone: null } });
  });

  it('a stale expectedVersion: CONFLICT, nothing written, the association as it now is in the payload', async () => {
    const a = await newAssociation({ name: 'Hội Tin học' });
    await write(UPDATE, { code: a.code, expectedVersion: 1, shortName: 'HTH' });
    const row = await associationRow(a.code);
    const before = await counts();
    const { payload } = await write(UPDATE, { code: a.code, expectedVersion: 1, name: 'Hội Tin học mới', contact: { email: 'x@example.vn' } });
    expect(payload.userErrors).toEqual([{ code: 'CONFLICT', field: ['expectedVersion'], message: expect.stringMatching(/version 2/) }]);
    expect(payload.association).toMatchObject({ code: a.code, name: 'Hội Tin học', shortName: 'HTH', version: 2, contact: { email: null } });
    expect(await associationRow(a.code)).toEqual(row);
    expect(await counts()).toEqual(before);
    // A version from the future is stale too.
    expect((await write(UPDATE, { code: a.code, expectedVersion: 7, name: 'X' })).payload.userErrors[0].code).toBe('CONFLICT');
    expect(await associationRow(a.code)).toEqual(row);
  });

  it('two updates from the same version at once: one wins, the other gets CONFLICT', async () => {
    const a = await newAssociation();
    const [x, y] = await Promise.all([
      write(UPDATE, { code: a.code, expectedVersion: 1, shortName: 'X' }),
      write(UPDATE, { code: a.code, expectedVersion: 1, shortName: 'Y' }),
    ]);
    const codes = [x, y].map((r) => r.payload.userErrors[0]?.code ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
    const winner = x.payload.userErrors.length ? y : x;
    const row = await associationRow(a.code);
    expect(row).toMatchObject({ version: 2, short_name: winner.payload.association.shortName });
    expect(await auditOf({ associationCode: a.code })).toHaveLength(1);
  });

  it('an update that changes nothing writes nothing', async () => {
    const a = await newAssociation({ name: 'Hội Vật lý' });
    const before = await counts();
    const { payload } = await write(UPDATE, { code: a.code, expectedVersion: 1, name: 'Hội Vật lý', fields: ['3.2'] });
    expect(payload).toMatchObject({ userErrors: [], association: { version: 1 } });
    expect(await counts()).toEqual(before);
  });

  it('invalid values come back as userErrors with their paths, and nothing is written', async () => {
    const a = await newAssociation();
    const row = await associationRow(a.code);
    const before = await counts();
    const { payload } = await write(UPDATE, {
      code: a.code,
      expectedVersion: 1,
      name: '  ',
      fields: ['3.2', '42'],
      // Well-typed values (a real date, absolute URLs, an address the EmailAddress scalar takes) that the rules refuse.
      charter: { approvedOn: '2999-01-01', url: 'ftp://example.vn/charter' },
      contact: { email: 'lienhe@hoi', website: 'mailto:lienhe@hoi.example.vn', phone: 'abc' },
    });
    expect(payload.userErrors.map((e: Row) => [e.code, e.field])).toEqual(
      expect.arrayContaining([
        ['REQUIRED', ['name']],
        ['UNKNOWN_FIELD_CODE', ['fields', '1']],
        ['FUTURE_DATE', ['charter', 'approvedOn']],
        ['INVALID_URL', ['charter', 'url']],
        ['INVALID_EMAIL', ['contact', 'email']],
        ['INVALID_URL', ['contact', 'website']],
        ['INVALID_PHONE', ['contact', 'phone']],
      ]),
    );
    expect(payload.userErrors).toHaveLength(7);
    expect(payload.association).toMatchObject({ code: a.code, version: 1 });
    expect(await associationRow(a.code)).toEqual(row);
    expect(await counts()).toEqual(before);
  });

  it('values that are not a date, an e-mail address or a URL are refused before anything runs, naming their path', async () => {
    const a = await newAssociation();
    const row = await associationRow(a.code);
    const before = await counts();
    for (const [change, path] of [
      [{ charter: { approvedOn: '2020-02-30' } }, 'input.charter.approvedOn'],
      [{ charter: { approvedOn: '' } }, 'input.charter.approvedOn'],
      [{ charter: { url: 'not a url' } }, 'input.charter.url'],
      [{ contact: { email: 'lienhe@@hoi' } }, 'input.contact.email'],
      [{ contact: { website: 'hoiyhoc.example.vn' } }, 'input.contact.website'],
    ] as const) {
      const [status, code, message] = await mistyped(UPDATE, { code: a.code, expectedVersion: 1, ...change });
      expect([status, code]).toEqual([400, 'BAD_USER_INPUT']);
      expect(message).toContain(`at "${path}"`);
    }
    expect(await associationRow(a.code)).toEqual(row);
    expect(await counts()).toEqual(before);
  });

  it('an ASSOCIATION key may update only its own association; ANALYST 403, anonymous 401', async () => {
    const a = await newAssociation();
    const b = await newAssociation();
    const own = await createKey(t.em(), 'ASSOCIATION', a);
    const { payload } = await write(UPDATE, { code: a.code, expectedVersion: 1, shortName: 'Của mình' }, own.headers);
    expect(payload).toMatchObject({ userErrors: [], association: { shortName: 'Của mình', version: 2 } });
    const [ev] = await auditOf({ associationCode: a.code });
    expect(ev).toMatchObject({ keyId: String(own.id), keyLabel: await labelOf(own), action: 'UPDATE' });

    const before = await counts();
    const rowB = await associationRow(b.code);
    expect(await refused(UPDATE, { code: b.code, expectedVersion: 1, shortName: 'Của người khác' }, own.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(UPDATE, { code: 'NO-SUCH-ASSOC', expectedVersion: 1, shortName: 'x' }, own.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(UPDATE, { code: b.code, expectedVersion: 1, shortName: 'x' }, analyst.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(UPDATE, { code: b.code, expectedVersion: 1, shortName: 'x' }, {})).toEqual([401, 'UNAUTHENTICATED']);
    expect(await associationRow(b.code)).toEqual(rowB);
    expect(await counts()).toEqual(before);
    // ADMIN is told when there is no such association.
    const missing = await write(UPDATE, { code: 'NO-SUCH-ASSOC', expectedVersion: 1, shortName: 'x' });
    expect(missing.payload).toEqual({ association: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['code'] })] });
  });
});

describe('createFederation (ADMIN only)', () => {
  it('creates a federation and audits it', async () => {
    const code = uniq('LHH');
    const { payload, requestId } = await write(CREATE_FEDERATION, {
      code,
      name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Hậu Giang',
      level: 'PROVINCIAL',
      province: 'Hậu Giang',
      parentCode: federation.code,
      foundedOn: '2008-02-29',
      foundingDecision: { number: '123/QĐ-UBND', date: '2008-02-29', issuer: 'UBND tỉnh Hậu Giang' },
    });
    expect(payload.userErrors).toEqual([]);
    expect(payload.federation).toMatchObject({
      code,
      level: 'PROVINCIAL',
      province: 'Hậu Giang',
      parent: { code: federation.code },
      foundedOn: '2008-02-29',
      foundingDecision: { number: '123/QĐ-UBND', date: '2008-02-29', issuer: 'UBND tỉnh Hậu Giang', title: null },
      status: 'ACTIVE',
    });
    const read = await t.data<any>(`query($c: String!) { federation(code: $c) { code parent { code } } }`, { c: code });
    expect(read.federation).toEqual({ code, parent: { code: federation.code } });
    const [ev] = await auditOf({ entityType: 'FEDERATION' }, 1);
    expect(ev).toMatchObject({ entityType: 'FEDERATION', entityId: payload.federation.id, action: 'CREATE', keyId: String(admin.id), keyLabel: await labelOf(admin), requestId, associationCode: null });
    expect(ev.changes).toMatchObject({ code: { old: null, new: code }, level: { old: null, new: 'PROVINCIAL' }, parentCode: { old: null, new: federation.code }, foundedOn: { old: null, new: '2008-02-29' } });
  });

  it('refuses a duplicate code (ALREADY_EXISTS) and an unknown parent (NOT_FOUND), writing nothing', async () => {
    const before = await counts();
    const dup = await write(CREATE_FEDERATION, { code: federation.code, name: 'Trùng mã', level: 'PROVINCIAL' });
    expect(dup.payload).toEqual({ federation: null, userErrors: [expect.objectContaining({ code: 'ALREADY_EXISTS', field: ['code'] })] });
    const orphan = await write(CREATE_FEDERATION, { code: uniq('LHH'), name: 'Mồ côi', level: 'PROVINCIAL', parentCode: 'NO-SUCH-FED' });
    expect(orphan.payload).toEqual({ federation: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['parentCode'] })] });
    const bad = await write(CREATE_FEDERATION, { code: 'lower case', name: '', level: 'PROVINCIAL' });
    expect(bad.payload.userErrors.map((e: Row) => [e.code, e.field.join('.')]).sort()).toEqual([
      ['INVALID', 'code'],
      ['REQUIRED', 'name'],
    ]);
    // A level, a founding date or a decision date that is not one: refused before anything runs.
    for (const [change, path] of [
      [{ level: 'COUNTY' }, 'level'],
      [{ level: 'provincial' }, 'level'],
      [{ foundedOn: '20080229' }, 'foundedOn'],
      [{ foundingDecision: { number: '1/QĐ', date: '2008-02-30' } }, 'foundingDecision.date'],
    ] as const) {
      const [status, code, message] = await mistyped(CREATE_FEDERATION, Object.assign({ code: uniq('LHH'), name: 'Sai kiểu', level: 'PROVINCIAL' }, change));
      expect([status, code]).toEqual([400, 'BAD_USER_INPUT']);
      expect(message).toContain(`at "input.${path}"`);
    }
    // The same in the document: a string where the enum goes.
    const literal = await t.gql<any>(`mutation { createFederation(input: { code: "LIT", name: "Chuỗi", level: "PROVINCIAL" }) { userErrors { code } } }`, undefined, admin.headers);
    expect([literal.status, literal.body.errors?.[0]?.extensions?.code, literal.body.data ?? null]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', null]);
    expect(await counts()).toEqual(before);
  });

  it('is refused to ANALYST and ASSOCIATION keys (403) and to anonymous callers (401)', async () => {
    const a = await newAssociation();
    const input = { code: uniq('LHH'), name: 'Không được phép', level: 'PROVINCIAL' };
    const before = await counts();
    expect(await refused(CREATE_FEDERATION, input, analyst.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(CREATE_FEDERATION, input, (await createKey(t.em(), 'ASSOCIATION', a)).headers)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(CREATE_FEDERATION, input, {})).toEqual([401, 'UNAUTHENTICATED']);
    expect(await counts()).toEqual(before);
  });
});

describe('createAssociation (ADMIN only)', () => {
  it('creates an association in a federation and audits it', async () => {
    const code = uniq('ST-YHOC');
    const { payload, requestId } = await write(CREATE_ASSOCIATION, {
      code,
      name: 'Hội Y học tỉnh Sóc Trăng'.normalize('NFD'),
      shortName: 'HYH',
      federationCode: federation.code,
      fields: ['3.2'],
      joinedOn: '2010-10-10',
      contact: { email: 'hoi@yhoc.example.vn', website: 'https://yhoc.example.vn' },
    });
    expect(payload.userErrors).toEqual([]);
    expect(payload.association).toMatchObject({ code, name: 'Hội Y học tỉnh Sóc Trăng', version: 1, status: 'ACTIVE', joinedOn: '2010-10-10', federation: { code: federation.code }, fields: [{ code: '3.2' }] });
    const [ev] = await auditOf({ associationCode: code });
    expect(ev).toMatchObject({ entityType: 'ASSOCIATION', action: 'CREATE', associationCode: code, keyId: String(admin.id), requestId });
    expect(ev.changes).toMatchObject({ code: { old: null, new: code }, name: { old: null, new: 'Hội Y học tỉnh Sóc Trăng' }, status: { old: null, new: 'ACTIVE' } });
  });

  it('refuses a duplicate code (ALREADY_EXISTS) and an unknown federation (NOT_FOUND), writing nothing', async () => {
    const existing = await newAssociation();
    const before = await counts();
    const dup = await write(CREATE_ASSOCIATION, { code: existing.code, name: 'Trùng', federationCode: federation.code });
    expect(dup.payload).toEqual({ association: null, userErrors: [expect.objectContaining({ code: 'ALREADY_EXISTS', field: ['code'] })] });
    const orphan = await write(CREATE_ASSOCIATION, { code: uniq('AS'), name: 'Không liên hiệp', federationCode: 'NO-SUCH-FED' });
    expect(orphan.payload).toEqual({ association: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['federationCode'] })] });
    const bad = await write(CREATE_ASSOCIATION, { code: uniq('AS'), name: 'Sai', federationCode: federation.code, contact: { email: 'no@localhost', website: 'javascript:alert(1)' } });
    expect(bad.payload.userErrors.map((e: Row) => [e.code, e.field])).toEqual([
      ['INVALID_EMAIL', ['contact', 'email']],
      ['INVALID_URL', ['contact', 'website']],
    ]);
    for (const [change, path] of [
      [{ joinedOn: '2010-10-32' }, 'joinedOn'],
      [{ contact: { email: 'no' } }, 'contact.email'],
      [{ charter: { url: '/dieu-le.pdf' } }, 'charter.url'],
    ] as const) {
      const [status, code, message] = await mistyped(CREATE_ASSOCIATION, { code: uniq('AS'), name: 'Sai kiểu', federationCode: federation.code, ...change });
      expect([status, code]).toEqual([400, 'BAD_USER_INPUT']);
      expect(message).toContain(`at "input.${path}"`);
    }
    expect(await counts()).toEqual(before);
  });

  it('is refused to ANALYST and ASSOCIATION keys (403) and to anonymous callers (401)', async () => {
    const a = await newAssociation();
    const input = { code: uniq('AS'), name: 'Không được phép', federationCode: federation.code };
    const before = await counts();
    expect(await refused(CREATE_ASSOCIATION, input, analyst.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(CREATE_ASSOCIATION, input, (await createKey(t.em(), 'ASSOCIATION', a)).headers)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(CREATE_ASSOCIATION, input, {})).toEqual([401, 'UNAUTHENTICATED']);
    expect(await counts()).toEqual(before);
  });
});

describe('setAssociationStatus (ADMIN only)', () => {
  it('moves ACTIVE → SUSPENDED → DISSOLVED with audit events; a DISSOLVED association cannot change again', async () => {
    const a = await newAssociation();
    const s1 = await write(SET_STATUS, { code: a.code, status: 'SUSPENDED', reason: 'Không đại hội nhiệm kỳ' });
    expect(s1.payload).toMatchObject({ userErrors: [], association: { status: 'SUSPENDED', version: 2 } });
    const s2 = await write(SET_STATUS, { code: a.code, status: 'DISSOLVED' });
    expect(s2.payload).toMatchObject({ userErrors: [], association: { status: 'DISSOLVED', version: 3 } });
    const events = await auditOf({ associationCode: a.code, entityType: 'ASSOCIATION' });
    expect(events.map((e) => [e.action, e.changes, e.requestId])).toEqual([
      ['STATUS', { status: { old: 'SUSPENDED', new: 'DISSOLVED' } }, s2.requestId],
      ['STATUS', { status: { old: 'ACTIVE', new: 'SUSPENDED' }, reason: { old: null, new: 'Không đại hội nhiệm kỳ' } }, s1.requestId],
    ]);

    const row = await associationRow(a.code);
    const before = await counts();
    for (const status of ['ACTIVE', 'SUSPENDED']) {
      const { payload } = await write(SET_STATUS, { code: a.code, status });
      expect(payload).toMatchObject({ userErrors: [{ code: 'INVALID_STATE', field: ['status'] }], association: { code: a.code, status: 'DISSOLVED' } });
    }
    expect(await associationRow(a.code)).toEqual(row);
    expect(await counts()).toEqual(before);
  });

  it('a DISSOLVED association changes no more: pushes, ends and profile updates answer INVALID_STATE for its own key and ADMIN alike, and write nothing', async () => {
    const a = await newAssociation();
    const own = await createKey(t.em(), 'ASSOCIATION', a);
    const pushed = await write(UPSERT, { associationCode: a.code, idempotencyKey: idemKey(), members: [{ externalId: 'D-1', fullName: 'Phan Văn Giải' }] }, own.headers);
    expect(pushed.payload).toMatchObject({ created: 1, userErrors: [] });
    // SUSPENDED keeps writing: its standing in the federation is suspended, not its records.
    await write(SET_STATUS, { code: a.code, status: 'SUSPENDED' });
    const suspended = await write(UPSERT, { associationCode: a.code, idempotencyKey: idemKey(), members: [{ externalId: 'D-2', fullName: 'Phan Thị Treo' }] }, own.headers);
    expect(suspended.payload).toMatchObject({ created: 1, userErrors: [] });
    await write(SET_STATUS, { code: a.code, status: 'DISSOLVED' });

    const row = await associationRow(a.code);
    const before = await counts();
    const activeMembers = async () =>
      (await sql<{ n: number }>(`select count(*)::int as n from membership m join association a on a.id = m.association_id where a.code = ? and m.status = 'ACTIVE'`, [a.code]))[0].n;
    expect(await activeMembers()).toBe(2);
    const [{ n: peopleBefore }] = await sql<{ n: number }>(`select count(*)::int as n from intellectual`);
    const state = (field: string) => [{ code: 'INVALID_STATE', field: [field], message: expect.stringMatching(/dissolved/) }];
    for (const key of [own, admin]) {
      const push = await write(UPSERT, { associationCode: a.code, idempotencyKey: idemKey(), members: [{ externalId: 'D-3', fullName: 'Phan Văn Mới' }, { externalId: 'D-1', fullName: 'Phan Văn Đổi' }] }, key.headers);
      expect(push.payload).toEqual({ created: 0, updated: 0, unchanged: 0, userErrors: state('associationCode') });
      // Even rows that would be refused anyway: the state is the answer, the rows are not examined.
      const bad = await write(UPSERT, { associationCode: a.code, idempotencyKey: idemKey(), members: [{ externalId: 'D-4', fullName: 'Phan Văn Sai', email: 'no' }] }, key.headers);
      expect(bad.payload.userErrors).toEqual(state('associationCode'));
      const end = await write(END, { associationCode: a.code, externalIds: ['D-1', 'D-2'], leftOn: '2024-01-31', idempotencyKey: idemKey() }, key.headers);
      expect(end.payload).toEqual({ ended: 0, userErrors: state('associationCode') });
      const profile = await write(UPDATE, { code: a.code, expectedVersion: row.version, name: 'Hội đã giải thể đổi tên', idempotencyKey: idemKey() }, key.headers);
      expect(profile.payload).toEqual({ association: null, userErrors: state('code') });
    }
    // Nothing changed: the association, its memberships, people, audit events, idempotency records.
    expect(await associationRow(a.code)).toEqual(row);
    expect(await counts()).toEqual(before);
    expect(await activeMembers()).toBe(2);
    expect((await sql<{ n: number }>(`select count(*)::int as n from intellectual`))[0].n).toBe(peopleBefore);
    expect((await auditOf({ associationCode: a.code })).map((e) => e.action)).toEqual(['STATUS', 'CREATE', 'CREATE', 'STATUS', 'CREATE', 'CREATE']); // dissolve, second push, suspend, first push
    // Reading it still works, for anyone.
    expect((await t.data<any>(`query($c: String!) { association(code: $c) { status members(first: 5) { totalCount } } }`, { c: a.code }, own.headers)).association).toEqual({
      status: 'DISSOLVED',
      members: { totalCount: 2 },
    });
    // Another association's key is still refused as before (403), not told the state.
    const other = await createKey(t.em(), 'ASSOCIATION', await newAssociation());
    expect(await refused(UPSERT, { associationCode: a.code, idempotencyKey: idemKey(), members: [{ externalId: 'D-5', fullName: 'Người Lạ' }] }, other.headers)).toEqual([403, 'FORBIDDEN']);
  });

  it('status changes at once are applied one after the other, never an internal error', async () => {
    const a = await newAssociation();
    const wanted = ['SUSPENDED', 'ACTIVE', 'SUSPENDED', 'ACTIVE', 'SUSPENDED', 'ACTIVE'];
    const answers = await Promise.all(wanted.map((status) => t.gql<any>(SET_STATUS, { input: { code: a.code, status } }, admin.headers)));
    for (const r of answers) {
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.setAssociationStatus.userErrors).toEqual([]);
    }
    // Each change that moved the status is one version and one audit event, in order.
    const events = (await auditOf({ associationCode: a.code })).reverse();
    const row = await associationRow(a.code);
    expect(row.version).toBe(1 + events.length);
    let status = 'ACTIVE';
    for (const e of events) {
      expect(e.changes.status).toEqual({ old: status, new: e.changes.status.new });
      expect(e.changes.status.new).not.toBe(status);
      status = e.changes.status.new;
    }
    expect(row.status).toBe(status);
  });

  it('refuses an unknown status (before anything runs) or association', async () => {
    const a = await newAssociation();
    const before = await counts();
    for (const status of ['CLOSED', 'suspended', '']) {
      const [code, errorCode, message] = await mistyped(SET_STATUS, { code: a.code, status });
      expect([code, errorCode]).toEqual([400, 'BAD_USER_INPUT']);
      expect(message).toContain('at "input.status"');
    }
    expect((await write(SET_STATUS, { code: 'NO-SUCH-ASSOC', status: 'SUSPENDED' })).payload).toEqual({ association: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['code'] })] });
    expect(await counts()).toEqual(before);
  });

  it('is refused to ANALYST and ASSOCIATION keys, its own association’s included (403), and to anonymous callers (401)', async () => {
    const a = await newAssociation();
    const input = { code: a.code, status: 'SUSPENDED' };
    const row = await associationRow(a.code);
    const before = await counts();
    expect(await refused(SET_STATUS, input, analyst.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(SET_STATUS, input, (await createKey(t.em(), 'ASSOCIATION', a)).headers)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(SET_STATUS, input, {})).toEqual([401, 'UNAUTHENTICATED']);
    expect(await associationRow(a.code)).toEqual(row);
    expect(await counts()).toEqual(before);
  });
});

describe('audit events of pushes', () => {
  it("keep the hub's own request id, which a caller can neither choose nor reuse; the caller's id goes beside it", async () => {
    const a = await newAssociation();
    const own = await createKey(t.em(), 'ASSOCIATION', a);
    const push = (externalId: string, headers: Record<string, string>) =>
      t.gql<any>(UPSERT, { input: { associationCode: a.code, idempotencyKey: idemKey(), members: [{ externalId, fullName: 'Đinh Văn Vết' }] } }, { ...own.headers, ...headers });
    // A first write, whose hub id a hostile caller then sends as its own X-Request-Id, twice.
    const first = await push('R-1', {});
    const victimId = first.headers.get('x-request-id')!;
    const forged = [await push('R-2', { 'x-request-id': victimId }), await push('R-3', { 'x-request-id': victimId })];
    const events = await auditOf({ associationCode: a.code, entityType: 'MEMBERSHIP' });
    const byRequest = new Map<string, Row[]>();
    for (const e of events) byRequest.set(e.requestId, [...(byRequest.get(e.requestId) ?? []), e]);
    // Three writes, three request ids, each the one its own answer carried: the first write's id names it alone.
    expect(byRequest.size).toBe(3);
    expect(byRequest.get(victimId)!.map((e) => e.clientRequestId)).toEqual([null]);
    for (const r of forged) {
      const id = r.headers.get('x-request-id')!;
      expect(id).not.toBe(victimId);
      expect(byRequest.get(id)!.map((e) => e.clientRequestId)).toEqual([victimId]);
    }
    // An implausible id is not kept at all.
    await push('R-4', { 'x-request-id': 'x'.repeat(65) });
    const [latest] = await auditOf({ associationCode: a.code, entityType: 'MEMBERSHIP' }, 1);
    expect(latest).toMatchObject({ clientRequestId: null, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('record key, entity, action and changes, with e-mail, phone and birth date masked', async () => {
    const a = await newAssociation();
    const own = await createKey(t.em(), 'ASSOCIATION', a);
    const r = await t.gql<any>(
      UPSERT,
      {
        input: {
          associationCode: a.code,
          idempotencyKey: idemKey(),
          members: [{ externalId: 'A-1', fullName: 'Lê Văn An', email: 'an.le@secret.example.vn', phone: '0912 000 111', birthDate: '1971-07-07', degree: 'TS', memberNumber: 'S-1' }],
        },
      },
      { ...own.headers, 'x-request-id': 'push-audit-0001' },
    );
    expect(r.body.data.upsertMembers.created).toBe(1);
    // The hub's own id in the answer and the audit log; the caller's beside it.
    const requestId = r.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('x-client-request-id')).toBe('push-audit-0001');
    const created = await auditOf({ associationCode: a.code });
    expect(created.map((e) => [e.entityType, e.action])).toEqual([
      ['MEMBERSHIP', 'CREATE'],
      ['INTELLECTUAL', 'CREATE'],
    ]);
    for (const e of created) {
      expect(e).toMatchObject({ keyId: String(own.id), keyLabel: await labelOf(own), associationCode: a.code, requestId, clientRequestId: 'push-audit-0001' });
    }
    const [membership, person] = created;
    expect(person.changes).toMatchObject({
      fullName: { old: null, new: 'Lê Văn An' },
      email: { old: null, new: '[masked]' },
      phone: { old: null, new: '[masked]' },
      birthDate: { old: null, new: '[masked]' },
      highestDegree: { old: null, new: 'TS' },
    });
    expect(membership.changes).toMatchObject({ externalId: { old: null, new: 'A-1' }, memberNumber: { old: null, new: 'S-1' }, status: { old: null, new: 'ACTIVE' } });
    expect(membership.entityId).not.toBe(person.entityId);
    const membershipNode = await t.data<any>(`query($id: ID!) { node(id: $id) { ... on Membership { externalId } } }`, { id: membership.entityId }, admin.headers);
    expect(membershipNode.node).toEqual({ externalId: 'A-1' });

    // A change of e-mail: masked on both sides; a cleared phone: masked → null; the name in clear.
    const u = await t.gql<any>(
      UPSERT,
      { input: { associationCode: a.code, idempotencyKey: idemKey(), members: [{ externalId: 'A-1', fullName: 'Lê Văn Ân', email: 'an.new@secret.example.vn', phone: null }] } },
      own.headers,
    );
    expect(u.body.data.upsertMembers.updated).toBe(1);
    const [update] = await auditOf({ associationCode: a.code, entityType: 'INTELLECTUAL' }, 1);
    expect(update).toMatchObject({ action: 'UPDATE', requestId: u.headers.get('x-request-id'), clientRequestId: null });
    expect(update.changes).toEqual({
      fullName: { old: 'Lê Văn An', new: 'Lê Văn Ân' },
      email: { old: '[masked]', new: '[masked]' },
      phone: { old: '[masked]', new: null },
    });

    // End and reactivate.
    const e = await t.gql<any>(END, { input: { associationCode: a.code, externalIds: ['A-1'], leftOn: '2024-01-31', reason: 'Chuyển đi' } }, own.headers);
    expect(e.body.data.endMemberships.ended).toBe(1);
    const [ended] = await auditOf({ associationCode: a.code, entityType: 'MEMBERSHIP' }, 1);
    expect(ended).toMatchObject({ action: 'END', requestId: e.headers.get('x-request-id'), changes: { status: { old: 'ACTIVE', new: 'ENDED' }, leftOn: { old: null, new: '2024-01-31' }, endReason: { old: null, new: 'Chuyển đi' } } });

    // The personal data never reaches the audit table, in any form.
    const leaks = await sql(`select id from audit_event where changes::text ~ '(secret\\.example|0912|1971)'`);
    expect(leaks).toEqual([]);
  });

  it('are written in the write’s own transaction: when the audit insert fails, nothing is written', async () => {
    const a = await newAssociation();
    // Make every audit insert for this association fail, from inside the database.
    await sql(`create function test_fail_audit() returns trigger language plpgsql as $body$
      begin if new.association_code = '${a.code}' then raise exception 'audit refused by test'; end if; return new; end $body$`);
    await sql(`create trigger test_fail_audit before insert on audit_event for each row execute function test_fail_audit()`);
    const key = idemKey();
    const members = [{ externalId: 'TX-1', fullName: 'Lê Văn An' }];
    try {
      const before = await counts();
      const [m0] = await sql<{ n: number }>(`select count(*)::int as n from membership`);
      const p = await t.gql<any>(UPSERT, { input: { associationCode: a.code, idempotencyKey: key, members } }, admin.headers);
      expect(p.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const u = await t.gql<any>(UPDATE, { input: { code: a.code, expectedVersion: 1, shortName: 'Không lưu' } }, admin.headers);
      expect(u.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const [m1] = await sql<{ n: number }>(`select count(*)::int as n from membership`);
      expect(m1.n).toBe(m0.n);
      expect(await counts()).toEqual(before);
      expect(await associationRow(a.code)).toMatchObject({ version: 1, short_name: null });
      expect(await sql(`select 1 from idempotency_record where idempotency_key = ?`, [key])).toEqual([]);
    } finally {
      await sql(`drop trigger test_fail_audit on audit_event`);
      await sql(`drop function test_fail_audit()`);
    }
    // The same key then goes through.
    const ok = await t.gql<any>(UPSERT, { input: { associationCode: a.code, idempotencyKey: key, members } }, admin.headers);
    expect(ok.body.data.upsertMembers.created).toBe(1);
  });

  it('a refused push or a replay adds no audit event', async () => {
    const a = await newAssociation();
    const key = idemKey();
    const members = [{ externalId: 'R-1', fullName: 'Lê Văn An' }];
    const before = await counts();
    const bad = await t.gql<any>(UPSERT, { input: { associationCode: a.code, idempotencyKey: idemKey(), members: [...members, { externalId: 'R-2', fullName: 'X', email: 'nope' }] } }, admin.headers);
    expect(bad.body.data.upsertMembers.userErrors).toHaveLength(1);
    expect(await counts()).toEqual(before);
    await t.gql(UPSERT, { input: { associationCode: a.code, idempotencyKey: key, members } }, admin.headers);
    const afterFirst = await counts();
    expect(afterFirst.audit_event - before.audit_event).toBe(2);
    await t.gql(UPSERT, { input: { associationCode: a.code, idempotencyKey: key, members } }, admin.headers);
    // An identical push under a new key is UNCHANGED: nothing to audit either.
    await t.gql(UPSERT, { input: { associationCode: a.code, idempotencyKey: idemKey(), members } }, admin.headers);
    expect(await counts()).toEqual(afterFirst);
  });
});

describe('auditEvents', () => {
  let a: Association;
  let since: string;
  beforeAll(async () => {
    a = await newAssociation();
    // Before `since`: five people (ten events) and a profile change.
    await t.gql(UPSERT, { input: { associationCode: a.code, idempotencyKey: idemKey(), members: Array.from({ length: 5 }, (_, k) => ({ externalId: `Q-${k}`, fullName: `Lê Văn Ghi${k}` })) } }, admin.headers);
    await write(UPDATE, { code: a.code, expectedVersion: 1, shortName: 'Một' });
    await sleep(20);
    const [row] = await sql<{ now: Date }>(`select clock_timestamp() as now`);
    since = new Date(row.now).toISOString();
    await sleep(20);
    // After it: an ended membership and a second profile change.
    await t.gql(END, { input: { associationCode: a.code, externalIds: ['Q-0'] } }, admin.headers);
    await write(UPDATE, { code: a.code, expectedVersion: 2, shortName: 'Hai' });
    // Noise from another association.
    const b = await newAssociation();
    await write(UPDATE, { code: b.code, expectedVersion: 1, shortName: 'Khác' });
  });

  it('filters by association, entity type and time', async () => {
    const all = await auditOf({ associationCode: a.code });
    expect(all).toHaveLength(13);
    expect(all.every((e) => e.associationCode === a.code)).toBe(true);
    const memberships = await auditOf({ associationCode: a.code, entityType: 'MEMBERSHIP' });
    expect(memberships.map((e) => e.action)).toEqual(['END', 'CREATE', 'CREATE', 'CREATE', 'CREATE', 'CREATE']);
    expect((await auditOf({ associationCode: a.code, entityType: 'INTELLECTUAL' })).map((e) => e.action)).toEqual(Array(5).fill('CREATE'));
    const recent = await auditOf({ associationCode: a.code, since });
    expect(recent.map((e) => [e.entityType, e.action])).toEqual([
      ['ASSOCIATION', 'UPDATE'],
      ['MEMBERSHIP', 'END'],
    ]);
    for (const e of recent) expect(new Date(e.at).getTime()).toBeGreaterThanOrEqual(new Date(since).getTime());
    expect(await auditOf({ associationCode: a.code, entityType: 'ASSOCIATION', since })).toHaveLength(1);
    expect(await auditOf({ associationCode: 'NO-SUCH-ASSOC' })).toEqual([]);
    // The table keeps the type names it always held; the enum reads them.
    const stored = await sql<{ entity_type: string; action: string }>(`select distinct entity_type, action from audit_event where association_code = ? order by 1, 2`, [a.code]);
    expect(stored.map((r) => [r.entity_type, r.action])).toEqual([
      ['Association', 'UPDATE'],
      ['Intellectual', 'CREATE'],
      ['Membership', 'CREATE'],
      ['Membership', 'END'],
    ]);
    // Not a kind of entity, nor the stored spelling: refused before anything runs.
    for (const entityType of ['Nothing', 'Association']) {
      const r = await t.gql<any>(AUDIT, { filter: { entityType } }, admin.headers);
      expect([r.status, r.body.errors?.[0]?.extensions?.code, r.body.data ?? null]).toEqual([400, 'BAD_USER_INPUT', null]);
    }
    const later = new Date(Date.now() + 60_000).toISOString();
    expect(await auditOf({ associationCode: a.code, since: later })).toEqual([]);
  });

  it('pages newest first, every event once', async () => {
    const ids = (await sql<{ id: number }>(`select id from audit_event where association_code = ? order by id desc`, [a.code])).map((r) => toGlobalId('AuditEvent', r.id));
    expect(ids).toHaveLength(13);
    const seen: string[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    for (;;) {
      const d: any = await t.data(AUDIT, { filter: { associationCode: a.code }, first: 5, after }, admin.headers);
      const c = d.auditEvents;
      expect(c.totalCount).toBe(13);
      expect(c.pageInfo.hasPreviousPage).toBe(after !== null);
      sizes.push(c.edges.length);
      seen.push(...c.edges.map((e: any) => e.node.id));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(sizes).toEqual([5, 5, 3]);
    expect(seen).toEqual(ids);
  });

  it('ADMIN and association keys read the audit log (an association what concerns it); ANALYST and the public are refused', async () => {
    const own = await createKey(t.em(), 'ASSOCIATION', a);
    const r = await t.gql<any>(AUDIT, { filter: { associationCode: a.code } }, own.headers);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    for (const [headers, status, code] of [
      [analyst.headers, 403, 'FORBIDDEN'],
      [{}, 401, 'UNAUTHENTICATED'],
    ] as const) {
      const r = await t.gql<any>(AUDIT, { filter: { associationCode: a.code } }, headers);
      expect([r.status, r.body.errors?.[0]?.extensions?.code]).toEqual([status, code]);
      expect(r.body.data ?? null).toBeNull();
    }
  });
});

describe('node(id) of an audit event', () => {
  it('is the event for ADMIN and null for everyone else', async () => {
    const t2 = await startTestHub();
    try {
      const em = t2.em();
      const admin = await createKey(em, 'ADMIN');
      const made = await t2.gql<any>(
        `mutation { createFederation(input: { code: "NODE-AUDIT", name: "Liên hiệp các Hội KH&KT thử", level: PROVINCIAL }) { userErrors { code } } }`,
        undefined,
        admin.headers,
      );
      expect(made.body.data.createFederation.userErrors).toEqual([]);
      const list = await t2.gql<any>(`{ auditEvents(first: 1) { edges { node { id action } } } }`, undefined, admin.headers);
      const id = list.body.data.auditEvents.edges[0].node.id;
      const q = `query($id: ID!) { node(id: $id) { __typename ... on AuditEvent { action entityType } } }`;
      expect((await t2.gql<any>(q, { id }, admin.headers)).body.data.node).toEqual({ __typename: 'AuditEvent', action: 'CREATE', entityType: 'FEDERATION' });
      expect((await t2.gql<any>(q, { id }, (await createKey(em, 'ANALYST')).headers)).body.data.node).toBeNull();
      expect((await t2.gql<any>(q, { id })).body.data.node).toBeNull();
    } finally {
      await t2.close();
    }
  });
});
