import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { startTestHub, TestHub } from './support/harness';
import { fromGlobalId, toGlobalId } from '../src/common/node-id';
import { ConsultationStatus, TRANSITIONS } from '../src/modules/consultation/consultation.enums';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';
import type { Intellectual } from '../src/modules/intellectual/intellectual.entity';

/**
 * The writes of the consultation module, through the schema over HTTP: the lifecycle (every
 * allowed and every refused move, each guard, stale versions and concurrent moves), documents,
 * assignment, the panel and conflicts of interest, opinions and their history, the report and
 * the agency's response, who may call what, idempotent replays, and the audit log. Nested reads
 * belong to the read side: what hangs off a request is checked in SQL on the test database.
 */

let t: TestHub;
type Key = { id: number; key: string; headers: Record<string, string> };
type Row = Record<string, any>;
let admin: Key;
let analyst: Key;
let federation: Federation;
let other: Federation;

const S = ConsultationStatus;
const ALL_STATUSES = Object.values(ConsultationStatus);

beforeAll(async () => {
  t = await startTestHub();
  admin = await createKey(t.em(), 'ADMIN');
  analyst = await createKey(t.em(), 'ANALYST');
  federation = await createFederation(t.em(), { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Sóc Trăng' } as never);
  other = await createFederation(t.em(), { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ' } as never);
});
afterAll(() => t.close());

const ERRORS = 'userErrors { code field message }';
const REQUEST = `consultationRequest { id status version title summary origin kind subjectKind format visibility receivedOn dueOn overdue
  agency { name level contact } requestDocument { number date issuer title } fields { code } }`;
const INPUT_TYPES: Record<string, [input: string, payload: string]> = {
  createConsultationRequest: ['CreateConsultationRequestInput', `{ ${REQUEST} ${ERRORS} }`],
  updateConsultationRequest: ['UpdateConsultationRequestInput', `{ ${REQUEST} ${ERRORS} }`],
  addPolicyDocument: ['AddPolicyDocumentInput', `{ document { id title link versionLabel issuedOn } consultationRequest { id version status } ${ERRORS} }`],
  assignAssociations: ['AssignAssociationsInput', `{ consultationRequest { id version status } ${ERRORS} }`],
  addPanelMember: ['AddPanelMemberInput', `{ panelMember { id role } consultationRequest { id version status } ${ERRORS} }`],
  removePanelMember: ['RemovePanelMemberInput', `{ panelMember { id role } consultationRequest { id version status } ${ERRORS} }`],
  declareConflictOfInterest: ['DeclareConflictOfInterestInput', `{ consultationRequest { id version status } ${ERRORS} }`],
  transitionConsultationRequest: ['TransitionConsultationRequestInput', `{ consultationRequest { id version status } ${ERRORS} }`],
  submitOpinion: ['SubmitOpinionInput', `{ opinion { id stance text version } ${ERRORS} }`],
  updateOpinion: ['UpdateOpinionInput', `{ opinion { id stance text version } ${ERRORS} }`],
  submitReport: ['SubmitReportInput', `{ consultationRequest { id version status } ${ERRORS} }`],
  recordAgencyResponse: ['RecordAgencyResponseInput', `{ consultationRequest { id version status } ${ERRORS} }`],
};
const doc = (name: string) => `mutation($input: ${INPUT_TYPES[name][0]}!) { ${name}(input: $input) ${INPUT_TYPES[name][1]} }`;

/** A mutation that must answer without GraphQL errors: its payload. */
async function m(name: string, input: Row, headers: Record<string, string> = admin.headers): Promise<Row> {
  const r = await t.gql<any>(doc(name), { input }, headers);
  if (r.body.errors) throw new Error(`${name}: GraphQL errors: ${JSON.stringify(r.body.errors)}`);
  return r.body.data[name];
}

/** A mutation that must succeed: its payload. */
async function ok(name: string, input: Row, headers?: Record<string, string>): Promise<Row> {
  const payload = await m(name, input, headers);
  expect({ name, userErrors: payload.userErrors }).toEqual({ name, userErrors: [] });
  return payload;
}

/** A mutation the caller may not make: [HTTP status, error code]. */
async function denied(name: string, input: Row, headers: Record<string, string>): Promise<[number, string]> {
  const r = await t.gql<any>(doc(name), { input }, headers);
  expect(r.body.data?.[name] ?? null).toBeNull();
  return [r.status, r.body.errors![0].extensions!.code];
}

const codes = (payload: Row) => payload.userErrors.map((e: Row) => `${e.code} ${e.field.join('.')}`);

async function sql<T = Row>(query: string, params: unknown[] = []): Promise<T[]> {
  return t.orm.em.getConnection().execute(query, params);
}

const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
const gid = (type: string, id: number) => toGlobalId(type, id);

/** Row counts of every table the module writes, and of the audit log. */
async function counts(): Promise<Row> {
  const tables = [
    'consultation_request',
    'consultation_transition',
    'consultation_request_document',
    'policy_document',
    'policy_document_section',
    'consultation_assignment',
    'consultation_panel_member',
    'consultation_conflict',
    'consultation_opinion',
    'consultation_opinion_revision',
    'consultation_report',
    'consultation_recommendation',
    'audit_event',
    'idempotency_record',
  ];
  const [r] = await sql(`select ${tables.map((x) => `(select count(*) from ${x})::int as ${x}`).join(', ')}`);
  return r;
}

async function requestRow(id: string): Promise<Row> {
  const [r] = await sql(`select * from consultation_request where id = ?`, [dbId(id)]);
  return r;
}
async function history(id: string): Promise<Row[]> {
  return sql(`select "from", "to", note, by, key_id from consultation_transition where request_id = ? order by id`, [dbId(id)]);
}
async function auditOf(entityType: string, id: string | number): Promise<Row[]> {
  return sql(`select * from audit_event where entity_type = ? and entity_id = ? order by id`, [entityType, typeof id === 'number' ? id : dbId(id)]);
}
async function labelOf(key: Key): Promise<string> {
  const [r] = await sql<{ label: string }>(`select label from api_key where id = ?`, [key.id]);
  return r.label;
}

// ---------------------------------------------------------------- building requests through the mutations

let seq = 0;
const idem = () => `cw-${process.pid}-${seq++}`;

function requestInput(over: Row = {}): Row {
  return {
    federationCode: federation.code,
    kind: 'SOCIAL_CRITIQUE',
    subjectKind: 'POLICY',
    title: `Phản biện dự thảo Nghị quyết về phát triển khoa học, công nghệ tỉnh Sóc Trăng ${seq++}`,
    summary: 'Ủy ban nhân dân tỉnh đề nghị Liên hiệp hội phản biện dự thảo.',
    origin: 'REQUESTED',
    agency: { name: 'Ủy ban nhân dân tỉnh Sóc Trăng', level: 'PEOPLES_COMMITTEE', contact: 'Văn phòng UBND tỉnh' },
    requestDocument: { number: '1234/UBND-VX', date: '2026-03-02', issuer: 'Chủ tịch UBND tỉnh Sóc Trăng', title: 'Đề nghị phản biện' },
    format: 'COUNCIL',
    receivedOn: '2026-03-05',
    dueOn: '2026-05-30',
    fields: ['5.2', '1.5'],
    ...over,
  };
}

interface Req {
  id: string;
  version: number;
  status: string;
  hasChair?: boolean;
  hasDocument?: boolean;
  hasReport?: boolean;
  hasResponse?: boolean;
  documentId?: string;
}

async function newRequest(over: Row = {}): Promise<Req> {
  const p = await ok('createConsultationRequest', requestInput(over));
  return { id: p.consultationRequest.id, version: p.consultationRequest.version, status: p.consultationRequest.status };
}

const SECTIONS = [
  { number: '1', heading: 'Phạm vi điều chỉnh', text: 'Nghị quyết này quy định chính sách hỗ trợ phát triển khoa học và công nghệ.' },
  { number: '2', heading: 'Đối tượng áp dụng', text: 'Các tổ chức khoa học và công nghệ trên địa bàn tỉnh.\n\nCá nhân hoạt động khoa học.' },
  { number: '3.1', heading: 'Mức hỗ trợ', text: 'Hỗ trợ tối đa 50% kinh phí thực hiện nhiệm vụ.' },
];

async function addDocument(r: Req): Promise<string> {
  const p = await ok('addPolicyDocument', {
    requestId: r.id,
    document: { title: 'Dự thảo Nghị quyết về phát triển khoa học, công nghệ', link: 'https://soctrang.gov.vn/du-thao.pdf', versionLabel: 'Dự thảo lần 2', issuedOn: '2026-03-01', sections: SECTIONS },
  });
  r.version = p.consultationRequest.version;
  r.hasDocument = true;
  r.documentId = p.document.id;
  return p.document.id;
}

async function seat(r: Req, person: Intellectual, role = 'MEMBER'): Promise<Row> {
  const p = await ok('addPanelMember', { requestId: r.id, intellectualId: gid('Intellectual', person.id), role });
  r.version = p.consultationRequest.version;
  if (role === 'CHAIR') r.hasChair = true;
  return p.panelMember;
}

async function report(r: Req, n = 2): Promise<void> {
  const p = await ok('submitReport', {
    requestId: r.id,
    summary: 'Hội đồng phản biện thống nhất góp ý.',
    recommendations: Array.from({ length: n }, (_, k) => ({ text: `Kiến nghị số ${k + 1}: làm rõ đối tượng được hỗ trợ.` })),
    submittedOn: '2026-05-20',
    link: 'https://lienhiephoi.soctrang.vn/bao-cao.pdf',
  });
  r.version = p.consultationRequest.version;
  r.hasReport = true;
}

async function respond(r: Req): Promise<void> {
  const [{ n }] = await sql(`select count(*)::int as n from consultation_recommendation where request_id = ?`, [dbId(r.id)]);
  const p = await ok('recordAgencyResponse', {
    requestId: r.id,
    receivedOn: '2026-06-10',
    overall: 'PARTIALLY_ACCEPTED',
    note: 'UBND tỉnh tiếp thu phần lớn kiến nghị.',
    outcomes: Array.from({ length: n }, (_, k) => ({ number: k + 1, outcome: k % 2 ? 'NOT_ACCEPTED' : 'ACCEPTED' })),
  });
  r.version = p.consultationRequest.version;
  r.hasResponse = true;
}

/** Satisfies the guard of a move to `to` (and gives it the note it may need). */
async function prepare(r: Req, to: string): Promise<string | null> {
  if (to === S.PANEL_FORMED && !r.hasChair) await seat(r, await createIntellectual(t.em(), { fullName: 'Lê Văn Chủ Tịch' } as never), 'CHAIR');
  if (to === S.IN_REVIEW && !r.hasDocument) await addDocument(r);
  if (to === S.REPORT_SUBMITTED && !r.hasReport) await report(r);
  if (to === S.RESPONSE_RECEIVED && !r.hasResponse) await respond(r);
  const needsNote = to === S.DECLINED || to === S.WITHDRAWN || (to === S.CLOSED && r.status === S.REPORT_SUBMITTED);
  return needsNote ? `Lý do: chuyển sang ${to}` : null;
}

async function move(r: Req, to: string): Promise<Row> {
  const note = await prepare(r, to);
  const p = await ok('transitionConsultationRequest', { id: r.id, to, note, expectedVersion: r.version });
  expect(p.consultationRequest).toMatchObject({ status: to, version: r.version + 1 });
  r.version = p.consultationRequest.version;
  r.status = to;
  return p;
}

/** The moves from REQUESTED to a status. */
function pathTo(status: string): string[] {
  const main = [S.SCREENING, S.ACCEPTED, S.PANEL_FORMED, S.IN_REVIEW, S.REPORT_SUBMITTED, S.RESPONSE_RECEIVED, S.CLOSED];
  if (status === S.REQUESTED) return [];
  if (status === S.DECLINED) return [S.SCREENING, S.DECLINED];
  if (status === S.WITHDRAWN) return [S.WITHDRAWN];
  return main.slice(0, main.indexOf(status as ConsultationStatus) + 1);
}

async function requestAt(status: string, over: Row = {}): Promise<Req> {
  const r = await newRequest(over);
  for (const to of pathTo(status)) await move(r, to);
  return r;
}

// ---------------------------------------------------------------- creation and changes

describe('createConsultationRequest and updateConsultationRequest', () => {
  it('creates a request at REQUESTED with a history entry from null, by the calling key, and an audit event', async () => {
    const p = await ok('createConsultationRequest', requestInput({ title: '  Phản biện  đề án   chuyển đổi số tỉnh Sóc Trăng ' }));
    const r = p.consultationRequest;
    expect(r).toMatchObject({
      status: 'REQUESTED',
      version: 1,
      title: 'Phản biện đề án chuyển đổi số tỉnh Sóc Trăng',
      origin: 'REQUESTED',
      visibility: 'PUBLIC',
      receivedOn: '2026-03-05',
      dueOn: '2026-05-30',
      agency: { name: 'Ủy ban nhân dân tỉnh Sóc Trăng', level: 'PEOPLES_COMMITTEE', contact: 'Văn phòng UBND tỉnh' },
      requestDocument: { number: '1234/UBND-VX', date: '2026-03-02' },
      fields: [{ code: '5.2' }, { code: '1.5' }],
    });
    expect(await history(r.id)).toEqual([{ from: null, to: 'REQUESTED', note: null, by: await labelOf(admin), key_id: admin.id }]);
    const [e] = await auditOf('ConsultationRequest', r.id);
    expect(e).toMatchObject({ action: 'CREATE', key_id: admin.id });
    expect(e.changes.title).toEqual({ old: null, new: 'Phản biện đề án chuyển đổi số tỉnh Sóc Trăng' });
    expect(e.changes.status).toEqual({ old: null, new: 'REQUESTED' });
    // The agency's contact may hold a person's telephone: the log says it was set, not what to.
    expect(e.changes.agencyContact).toEqual({ old: null, new: '[masked]' });
    expect(JSON.stringify(e.changes)).not.toContain('Văn phòng UBND');
  });

  it('a SELF_INITIATED request starts at ACCEPTED', async () => {
    const p = await ok('createConsultationRequest', requestInput({ origin: 'SELF_INITIATED', requestDocument: null, visibility: 'CONFIDENTIAL' }));
    expect(p.consultationRequest).toMatchObject({ status: 'ACCEPTED', version: 1, visibility: 'CONFIDENTIAL', requestDocument: null });
    expect(await history(p.consultationRequest.id)).toMatchObject([{ from: null, to: 'ACCEPTED' }]);
  });

  it('refuses bad input with every problem and its path, and writes nothing', async () => {
    const before = await counts();
    const p = await m(
      'createConsultationRequest',
      requestInput({
        federationCode: 'KHONG-CO',
        title: '   ',
        agency: { name: '', level: 'OTHER' },
        requestDocument: { date: '2999-01-01' },
        receivedOn: '2999-01-01',
        dueOn: '2026-01-01',
        fields: ['9.9'],
        idempotencyKey: 'bad key',
      }),
    );
    expect(p.consultationRequest).toBeNull();
    expect(codes(p).sort()).toEqual(
      [
        'INVALID idempotencyKey',
        'FUTURE_DATE receivedOn',
        'REQUIRED title',
        'REQUIRED agency.name',
        'FUTURE_DATE requestDocument.date',
        'UNKNOWN_FIELD_CODE fields.0',
        'NOT_FOUND federationCode',
      ].sort(),
    );
    const q = await m('createConsultationRequest', requestInput({ dueOn: '2026-03-01' }));
    expect(codes(q)).toEqual(['INVALID_DATE dueOn']);
    expect(await counts()).toEqual(before);
  });

  it('updates under the version guard: CONFLICT when stale (with the request as it is), INVALID_STATE once final', async () => {
    const r = await newRequest();
    const p = await ok('updateConsultationRequest', { id: r.id, expectedVersion: 1, title: 'Phản biện dự thảo (sửa đổi)', dueOn: null, summary: null, fields: ['2.1'] });
    expect(p.consultationRequest).toMatchObject({ version: 2, title: 'Phản biện dự thảo (sửa đổi)', dueOn: null, summary: null, fields: [{ code: '2.1' }] });
    const [, e] = await auditOf('ConsultationRequest', r.id);
    expect(e).toMatchObject({ action: 'UPDATE' });
    expect(Object.keys(e.changes).sort()).toEqual(['dueOn', 'fields', 'summary', 'title']);

    const before = await counts();
    const stale = await m('updateConsultationRequest', { id: r.id, expectedVersion: 1, title: 'Cũ' });
    expect(codes(stale)).toEqual(['CONFLICT expectedVersion']);
    expect(stale.consultationRequest).toMatchObject({ id: r.id, version: 2, title: 'Phản biện dự thảo (sửa đổi)' });
    // Nothing to change: nothing written, the version stays.
    expect((await ok('updateConsultationRequest', { id: r.id, expectedVersion: 2, title: 'Phản biện dự thảo (sửa đổi)' })).consultationRequest.version).toBe(2);
    const nulls = await m('updateConsultationRequest', { id: r.id, expectedVersion: 2, title: null, kind: null, receivedOn: null });
    expect(codes(nulls).sort()).toEqual(['REQUIRED kind', 'REQUIRED receivedOn', 'REQUIRED title']);
    const order = await m('updateConsultationRequest', { id: r.id, expectedVersion: 2, dueOn: '2026-01-01' });
    expect(codes(order)).toEqual(['INVALID_DATE dueOn']);
    expect(await counts()).toEqual(before);

    const w = await requestAt(S.WITHDRAWN);
    const final = await m('updateConsultationRequest', { id: w.id, expectedVersion: w.version, title: 'Không được' });
    expect(codes(final)).toEqual(['INVALID_STATE id']);
    expect(final.consultationRequest).toMatchObject({ status: 'WITHDRAWN', version: w.version });
  });

  it('a global id of another type, or of nothing, is NOT_FOUND', async () => {
    const r = await newRequest();
    const before = await counts();
    for (const id of [gid('Federation', federation.id), gid('ConsultationRequest', 2147483000), 'không-phải-id']) {
      expect(codes(await m('updateConsultationRequest', { id, expectedVersion: 1, title: 'x' }))).toEqual(['NOT_FOUND id']);
      expect(codes(await m('transitionConsultationRequest', { id, to: 'SCREENING', expectedVersion: 1 }))).toEqual(['NOT_FOUND id']);
      expect(codes(await m('submitReport', { requestId: id, summary: 'x', recommendations: [{ text: 'y' }] }))).toEqual(['NOT_FOUND requestId']);
    }
    const person = await m('addPanelMember', { requestId: r.id, intellectualId: gid('Intellectual', 2147483000), role: 'MEMBER' });
    expect(codes(person)).toEqual(['NOT_FOUND intellectualId']);
    expect(codes(await m('removePanelMember', { id: r.id }))).toEqual(['NOT_FOUND id']);
    expect(await counts()).toEqual(before);
  });
});

// ---------------------------------------------------------------- the lifecycle

describe('transitionConsultationRequest', () => {
  const edges = ALL_STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => [from, to] as const));

  it.each(edges)('%s → %s is allowed: status, version, one history row and one audit event', async (from, to) => {
    const r = await requestAt(from);
    const rows = (await history(r.id)).length;
    const version = r.version;
    const note = await prepare(r, to);
    const before = r.version;
    const p = await ok('transitionConsultationRequest', { id: r.id, to, note, expectedVersion: r.version, idempotencyKey: idem() });
    expect(p.consultationRequest).toMatchObject({ status: to, version: before + 1 });
    expect(before).toBeGreaterThanOrEqual(version);
    const h = await history(r.id);
    expect(h).toHaveLength(rows + 1);
    expect(h[h.length - 1]).toEqual({ from, to, note, by: await labelOf(admin), key_id: admin.id });
    const moves = (await auditOf('ConsultationRequest', r.id)).filter((e) => e.action === 'TRANSITION');
    expect(moves[moves.length - 1].changes).toEqual({ status: { old: from, new: to }, ...(note ? { note: { old: null, new: note } } : {}) });
    expect(moves).toHaveLength(pathTo(from).length + 1);
  });

  it('walks the self-initiated path from ACCEPTED to CLOSED, and closes an unanswered report with a note', async () => {
    const r = await newRequest({ origin: 'SELF_INITIATED' });
    expect(r.status).toBe('ACCEPTED');
    for (const to of [S.PANEL_FORMED, S.IN_REVIEW, S.REPORT_SUBMITTED, S.RESPONSE_RECEIVED, S.CLOSED]) await move(r, to);
    expect((await history(r.id)).map((h) => `${h.from}→${h.to}`)).toEqual([
      'null→ACCEPTED',
      'ACCEPTED→PANEL_FORMED',
      'PANEL_FORMED→IN_REVIEW',
      'IN_REVIEW→REPORT_SUBMITTED',
      'REPORT_SUBMITTED→RESPONSE_RECEIVED',
      'RESPONSE_RECEIVED→CLOSED',
    ]);
    const u = await requestAt(S.REPORT_SUBMITTED);
    await ok('transitionConsultationRequest', { id: u.id, to: 'CLOSED', note: 'Quá hạn trả lời, UBND không phản hồi.', expectedVersion: u.version });
    expect((await history(u.id)).pop()).toMatchObject({ from: 'REPORT_SUBMITTED', to: 'CLOSED', note: 'Quá hạn trả lời, UBND không phản hồi.' });
  });

  it('refuses every move the graph does not allow, naming the allowed next statuses, and changes nothing', async () => {
    for (const from of ALL_STATUSES) {
      const r = await requestAt(from);
      const row = await requestRow(r.id);
      const rows = (await history(r.id)).length;
      const events = (await auditOf('ConsultationRequest', r.id)).length;
      const allowed = TRANSITIONS[from];
      for (const to of ALL_STATUSES.filter((x) => !allowed.includes(x))) {
        const p = await m('transitionConsultationRequest', { id: r.id, to, note: 'Ghi chú', expectedVersion: r.version });
        expect({ from, to, errors: codes(p) }).toEqual({ from, to, errors: ['INVALID_TRANSITION to'] });
        const message: string = p.userErrors[0].message;
        if (allowed.length) for (const a of allowed) expect(message).toContain(a);
        else expect(message).toContain('none');
        expect(p.consultationRequest).toMatchObject({ status: from, version: r.version });
      }
      expect(await requestRow(r.id)).toMatchObject({ status: row.status, version: row.version });
      expect(await history(r.id)).toHaveLength(rows);
      expect(await auditOf('ConsultationRequest', r.id)).toHaveLength(events);
    }
  });

  it('each guard refuses with its own code, and nothing changes', async () => {
    const check = async (r: Req, to: string, note: string | null, expected: string[]) => {
      const before = await counts();
      const p = await m('transitionConsultationRequest', { id: r.id, to, note, expectedVersion: r.version });
      expect(codes(p)).toEqual(expected);
      expect(p.consultationRequest).toMatchObject({ status: r.status, version: r.version });
      expect(await counts()).toEqual(before);
    };
    const accepted = await requestAt(S.ACCEPTED);
    await check(accepted, 'PANEL_FORMED', null, ['PANEL_INCOMPLETE to']);
    await seat(accepted, await createIntellectual(t.em(), { fullName: 'Phạm Thị Thư Ký' } as never), 'SECRETARY');
    await check(accepted, 'PANEL_FORMED', null, ['PANEL_INCOMPLETE to']);

    const formed = await requestAt(S.PANEL_FORMED);
    await check(formed, 'IN_REVIEW', null, ['DOCUMENT_REQUIRED to']);
    const reviewing = await requestAt(S.IN_REVIEW);
    await check(reviewing, 'REPORT_SUBMITTED', null, ['REPORT_REQUIRED to']);
    const submitted = await requestAt(S.REPORT_SUBMITTED);
    await check(submitted, 'RESPONSE_RECEIVED', null, ['RESPONSE_REQUIRED to']);
    await check(submitted, 'CLOSED', null, ['NOTE_REQUIRED note']);
    await check(submitted, 'CLOSED', '   ', ['NOTE_REQUIRED note']);

    const screening = await requestAt(S.SCREENING);
    await check(screening, 'DECLINED', null, ['NOTE_REQUIRED note']);
    await check(screening, 'WITHDRAWN', '', ['NOTE_REQUIRED note']);
    const requested = await newRequest();
    await check(requested, 'WITHDRAWN', null, ['NOTE_REQUIRED note']);

    // With the agency's answer, closing needs no note.
    const answered = await requestAt(S.RESPONSE_RECEIVED);
    await ok('transitionConsultationRequest', { id: answered.id, to: 'CLOSED', expectedVersion: answered.version });
  });

  it('a stale expectedVersion is CONFLICT, with the request as it now is', async () => {
    const r = await newRequest();
    await ok('updateConsultationRequest', { id: r.id, expectedVersion: 1, summary: 'Đã bổ sung hồ sơ.' });
    const before = await counts();
    const p = await m('transitionConsultationRequest', { id: r.id, to: 'SCREENING', expectedVersion: 1 });
    expect(codes(p)).toEqual(['CONFLICT expectedVersion']);
    expect(p.consultationRequest).toMatchObject({ id: r.id, status: 'REQUESTED', version: 2 });
    expect(await counts()).toEqual(before);
  });

  it('concurrent moves of one request: exactly one wins, the other gets CONFLICT, and the history has one row', async () => {
    for (let round = 0; round < 4; round++) {
      const r = await requestAt(S.SCREENING);
      const rows = (await history(r.id)).length;
      const [x, y] = await Promise.all([
        m('transitionConsultationRequest', { id: r.id, to: 'ACCEPTED', expectedVersion: r.version }),
        m('transitionConsultationRequest', { id: r.id, to: 'DECLINED', note: 'Ngoài phạm vi', expectedVersion: r.version }),
      ]);
      const outcome = [x, y].map((p) => p.userErrors[0]?.code ?? 'OK').sort();
      expect(outcome).toEqual(['CONFLICT', 'OK']);
      const winner = x.userErrors.length ? y : x;
      const loser = x.userErrors.length ? x : y;
      expect(loser.consultationRequest).toMatchObject({ status: winner.consultationRequest.status, version: r.version + 1 });
      const h = await history(r.id);
      expect(h).toHaveLength(rows + 1);
      expect(h[h.length - 1].to).toBe(winner.consultationRequest.status);
      expect(await requestRow(r.id)).toMatchObject({ version: r.version + 1, status: winner.consultationRequest.status });
    }
  });

  it('moving to REPORT_SUBMITTED dates a report left undated', async () => {
    const r = await requestAt(S.IN_REVIEW);
    r.version = (await ok('submitReport', { requestId: r.id, summary: 'Báo cáo', recommendations: [{ text: 'Một kiến nghị' }] })).consultationRequest.version;
    r.hasReport = true;
    await move(r, S.REPORT_SUBMITTED);
    const [rep] = await sql(`select submitted_on from consultation_report where request_id = ?`, [dbId(r.id)]);
    expect(rep.submitted_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

// ---------------------------------------------------------------- documents and assignment

describe('addPolicyDocument and assignAssociations', () => {
  it('creates a document with its sections, or attaches an existing one; bumps the version; refuses duplicates and bad sections', async () => {
    const r = await newRequest();
    const documentId = await addDocument(r);
    expect(r.version).toBe(2);
    const sections = await sql(`select number, heading, text, position from policy_document_section where document_id = ? order by position`, [dbId(documentId)]);
    expect(sections).toEqual(SECTIONS.map((s, k) => ({ ...s, position: k })));
    expect((await auditOf('PolicyDocument', documentId))[0]).toMatchObject({ action: 'CREATE' });
    expect((await auditOf('ConsultationRequest', r.id)).pop()).toMatchObject({ action: 'ATTACH' });

    const s = await newRequest();
    const p = await ok('addPolicyDocument', { requestId: s.id, documentId });
    expect(p.document.id).toBe(documentId);
    expect(p.consultationRequest.version).toBe(2);

    const before = await counts();
    expect(codes(await m('addPolicyDocument', { requestId: s.id, documentId }))).toEqual(['DUPLICATE documentId']);
    expect(codes(await m('addPolicyDocument', { requestId: s.id }))).toEqual(['REQUIRED document']);
    expect(codes(await m('addPolicyDocument', { requestId: s.id, documentId, document: { title: 'x' } }))).toEqual(['INVALID document']);
    expect(codes(await m('addPolicyDocument', { requestId: s.id, documentId: gid('PolicyDocument', 2147483000) }))).toEqual(['NOT_FOUND documentId']);
    const bad = await m('addPolicyDocument', {
      requestId: s.id,
      document: {
        title: '',
        link: 'ftp://x.vn/a',
        sections: [
          { number: '1', text: 'Một' },
          { number: '1', text: 'Hai' },
          { number: '2', text: 'x'.repeat(50_001) },
          { number: ' ', text: ' ' },
        ],
      },
    });
    expect(codes(bad).sort()).toEqual(
      ['REQUIRED document.title', 'INVALID_URL document.link', 'DUPLICATE document.sections.1.number', 'TOO_LONG document.sections.2.text', 'REQUIRED document.sections.3.number', 'REQUIRED document.sections.3.text'].sort(),
    );
    const many = await m('addPolicyDocument', { requestId: s.id, document: { title: 'Nhiều', sections: Array.from({ length: 501 }, (_, k) => ({ number: `${k}`, text: 'Điều' })) } });
    expect(codes(many)).toEqual(['TOO_MANY_ROWS document.sections']);
    expect(await counts()).toEqual(before);

    const late = await requestAt(S.REPORT_SUBMITTED);
    expect(codes(await m('addPolicyDocument', { requestId: late.id, documentId }))).toEqual(['INVALID_STATE requestId']);
  });

  it('replaces the assignment: lead and contributors of the federation, not dissolved, none twice', async () => {
    const [lead, c1, c2] = await Promise.all([1, 2, 3].map(() => createAssociation(t.em(), federation)));
    const foreign = await createAssociation(t.em(), other);
    const gone = await createAssociation(t.em(), federation, { status: 'DISSOLVED' } as never);
    const r = await newRequest();
    const p = await ok('assignAssociations', { requestId: r.id, leadAssociationCode: lead.code, contributingAssociationCodes: [c1.code, c2.code] });
    expect(p.consultationRequest.version).toBe(2);
    const rows = async () => sql(`select a.code, ca.role from consultation_assignment ca join association a on a.id = ca.association_id where ca.request_id = ? order by a.code`, [dbId(r.id)]);
    expect(await rows()).toEqual([{ code: lead.code, role: 'LEAD' }, { code: c1.code, role: 'CONTRIBUTOR' }, { code: c2.code, role: 'CONTRIBUTOR' }].sort((a, b) => a.code.localeCompare(b.code)));
    expect((await auditOf('ConsultationRequest', r.id)).pop()).toMatchObject({ action: 'ASSIGN', changes: { leadAssociationCode: { old: null, new: lead.code } } });

    // The same again changes nothing; a new one replaces the old.
    expect((await ok('assignAssociations', { requestId: r.id, leadAssociationCode: lead.code, contributingAssociationCodes: [c2.code, c1.code] })).consultationRequest.version).toBe(2);
    expect((await ok('assignAssociations', { requestId: r.id, leadAssociationCode: c1.code })).consultationRequest.version).toBe(3);
    expect(await rows()).toEqual([{ code: c1.code, role: 'LEAD' }]);

    const before = await counts();
    const bad = await m('assignAssociations', {
      requestId: r.id,
      leadAssociationCode: lead.code,
      contributingAssociationCodes: [lead.code, c1.code, c1.code, foreign.code, gone.code, 'KHONG-CO'],
    });
    expect(codes(bad)).toEqual([
      'DUPLICATE contributingAssociationCodes.0',
      'DUPLICATE contributingAssociationCodes.2',
      'INVALID contributingAssociationCodes.3',
      'INVALID_STATE contributingAssociationCodes.4',
      'NOT_FOUND contributingAssociationCodes.5',
    ]);
    expect(await counts()).toEqual(before);
  });
});

// ---------------------------------------------------------------- the panel

describe('the panel and conflicts of interest', () => {
  it('seats people, refuses a declared conflict (in the input or before), the same person twice and a second chair', async () => {
    const r = await newRequest();
    const [chair, member, conflicted, other2] = await Promise.all(
      ['Nguyễn Văn Chủ', 'Trần Thị Ủy Viên', 'Lê Văn Xung Đột', 'Đặng Thị Khác'].map((fullName) => createIntellectual(t.em(), { fullName } as never)),
    );
    const s = await seat(r, chair, 'CHAIR');
    expect(s.role).toBe('CHAIR');
    expect(r.version).toBe(2);
    expect((await auditOf('PanelMember', s.id))[0]).toMatchObject({ action: 'CREATE', changes: { role: { old: null, new: 'CHAIR' } } });
    await seat(r, member);

    const declared = await ok('declareConflictOfInterest', { requestId: r.id, intellectualId: gid('Intellectual', conflicted.id), note: 'Là thành viên ban soạn thảo dự thảo.' });
    expect(declared.consultationRequest.version).toBe(r.version + 1);
    r.version++;
    expect((await auditOf('ConsultationRequest', r.id)).pop()).toMatchObject({ action: 'CONFLICT_DECLARED' });

    const before = await counts();
    const add = (person: Intellectual, role: string, extra: Row = {}) => m('addPanelMember', { requestId: r.id, intellectualId: gid('Intellectual', person.id), role, ...extra });
    expect(codes(await add(other2, 'MEMBER', { conflictOfInterest: 'DECLARED', conflictNote: 'Có quan hệ với cơ quan soạn thảo' }))).toEqual(['CONFLICT_OF_INTEREST conflictOfInterest']);
    expect(codes(await add(conflicted, 'MEMBER'))).toEqual(['CONFLICT_OF_INTEREST intellectualId']);
    expect(codes(await add(member, 'SECRETARY'))).toEqual(['DUPLICATE intellectualId']);
    expect(codes(await add(other2, 'CHAIR'))).toEqual(['DUPLICATE role']);
    expect(codes(await m('declareConflictOfInterest', { requestId: r.id, intellectualId: gid('Intellectual', member.id), note: 'Muộn' }))).toEqual(['INVALID_STATE intellectualId']);
    expect(codes(await m('declareConflictOfInterest', { requestId: r.id, intellectualId: gid('Intellectual', conflicted.id), note: 'Lần nữa' }))).toEqual(['DUPLICATE intellectualId']);
    expect(codes(await m('declareConflictOfInterest', { requestId: r.id, intellectualId: gid('Intellectual', other2.id), note: '  ' }))).toEqual(['REQUIRED note']);
    expect(await counts()).toEqual(before);
    expect(await sql(`select count(*)::int as n from consultation_panel_member where request_id = ?`, [dbId(r.id)])).toEqual([{ n: 2 }]);
  });

  it('removes a seat (the request moves on a version), and not once the report is out', async () => {
    const r = await newRequest();
    const person = await createIntellectual(t.em(), { fullName: 'Võ Văn Rời' } as never);
    const s = await seat(r, person);
    const p = await ok('removePanelMember', { id: s.id });
    expect(p).toMatchObject({ panelMember: null, consultationRequest: { version: r.version + 1 } });
    expect(await sql(`select * from consultation_panel_member where id = ?`, [dbId(s.id)])).toEqual([]);
    expect((await auditOf('PanelMember', s.id)).map((e) => e.action)).toEqual(['CREATE', 'DELETE']);
    expect(codes(await m('removePanelMember', { id: s.id }))).toEqual(['NOT_FOUND id']);

    const late = await requestAt(S.IN_REVIEW);
    const lateSeat = await seat(late, await createIntellectual(t.em(), { fullName: 'Hồ Thị Muộn' } as never));
    await move(late, S.REPORT_SUBMITTED);
    const before = await counts();
    expect(codes(await m('removePanelMember', { id: lateSeat.id }))).toEqual(['INVALID_STATE id']);
    expect(codes(await m('addPanelMember', { requestId: late.id, intellectualId: gid('Intellectual', person.id), role: 'MEMBER' }))).toEqual(['INVALID_STATE requestId']);
    expect(await counts()).toEqual(before);
  });
});

// ---------------------------------------------------------------- opinions

describe('opinions', () => {
  /** A request IN_REVIEW: A leads, B contributes, C is not involved; D is involved only through its member on the panel. */
  async function scene(over: Row = {}) {
    const [A, B, C, D] = await Promise.all([1, 2, 3, 4].map(() => createAssociation(t.em(), federation)));
    const keys = Object.fromEntries(await Promise.all(([['A', A], ['B', B], ['C', C], ['D', D]] as [string, Association][]).map(async ([n, a]) => [n, await createKey(t.em(), 'ASSOCIATION', a)])));
    const people = {
      chairOfA: await createIntellectual(t.em(), { fullName: 'Nguyễn Thị Hồng Chủ Tịch' } as never),
      memberOfA: await createIntellectual(t.em(), { fullName: 'Trần Văn Hội Viên' } as never),
      panelOfB: await createIntellectual(t.em(), { fullName: 'Lê Thị Bích Ủy Viên' } as never),
      panelOfD: await createIntellectual(t.em(), { fullName: 'Phạm Quốc Đạt' } as never),
      formerOfA: await createIntellectual(t.em(), { fullName: 'Đỗ Văn Cựu' } as never),
    };
    await createMembership(t.em(), people.chairOfA, A);
    await createMembership(t.em(), people.memberOfA, A);
    await createMembership(t.em(), people.panelOfB, B);
    await createMembership(t.em(), people.panelOfD, D);
    await createMembership(t.em(), people.formerOfA, A, { status: 'ENDED', leftOn: '2025-01-01' } as never);
    const r = await newRequest(over);
    await ok('assignAssociations', { requestId: r.id, leadAssociationCode: A.code, contributingAssociationCodes: [B.code] });
    r.version++;
    await seat(r, people.chairOfA, 'CHAIR');
    await seat(r, people.panelOfB);
    await seat(r, people.panelOfD);
    await seat(r, people.formerOfA);
    for (const to of [S.SCREENING, S.ACCEPTED, S.PANEL_FORMED, S.IN_REVIEW]) await move(r, to);
    return { r, A, B, C, D, keys, people };
  }

  const opinionInput = (r: Req, extra: Row = {}) => ({ requestId: r.id, stance: 'SUPPORT_WITH_CHANGES', text: 'Đề nghị làm rõ đối tượng được hỗ trợ tại khoản 2.', ...extra });

  it('an assigned association submits its own opinion, once; a current member on the panel through it; the opinion records the association', async () => {
    const { r, A, keys, people } = await scene();
    const own = await ok('submitOpinion', opinionInput(r, { section: { documentId: r.documentId, number: '3.1' } }), keys.A.headers);
    expect(own.opinion).toMatchObject({ stance: 'SUPPORT_WITH_CHANGES', version: 1, text: 'Đề nghị làm rõ đối tượng được hỗ trợ tại khoản 2.' });
    const [row] = await sql(`select o.*, s.number from consultation_opinion o left join policy_document_section s on s.id = o.section_id where o.id = ?`, [dbId(own.opinion.id)]);
    expect(row).toMatchObject({ association_id: A.id, intellectual_id: null, number: '3.1', request_id: dbId(r.id) });
    const [e] = await auditOf('Opinion', own.opinion.id);
    expect(e).toMatchObject({ action: 'CREATE', association_code: A.code, key_id: keys.A.id });

    const before = await counts();
    expect(codes(await m('submitOpinion', opinionInput(r), keys.A.headers))).toEqual(['DUPLICATE requestId']);
    expect(await counts()).toEqual(before);

    const member = await ok('submitOpinion', opinionInput(r, { stance: 'SUPPORT', text: 'Nhất trí.\nKhông bổ sung.', authorId: gid('Intellectual', people.chairOfA.id) }), keys.A.headers);
    expect(member.opinion.text).toBe('Nhất trí.\nKhông bổ sung.');
    const [m1] = await sql(`select association_id, intellectual_id from consultation_opinion where id = ?`, [dbId(member.opinion.id)]);
    expect(m1).toEqual({ association_id: A.id, intellectual_id: people.chairOfA.id });
    expect(codes(await m('submitOpinion', opinionInput(r, { authorId: gid('Intellectual', people.chairOfA.id) }), keys.A.headers))).toEqual(['DUPLICATE authorId']);
  });

  it('an association involved only through its member on the panel may submit; others are FORBIDDEN, confidential or not, existing or not', async () => {
    const { r, C, D, keys, people } = await scene();
    await ok('submitOpinion', opinionInput(r, { authorId: gid('Intellectual', people.panelOfD.id) }), keys.D.headers);
    await ok('submitOpinion', opinionInput(r), keys.D.headers);
    expect(await denied('submitOpinion', opinionInput(r), keys.C.headers)).toEqual([403, 'FORBIDDEN']);
    const secret = await scene({ visibility: 'CONFIDENTIAL' });
    expect(await denied('submitOpinion', opinionInput(secret.r), keys.C.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await denied('submitOpinion', opinionInput({ id: gid('ConsultationRequest', 2147483000) } as Req), keys.C.headers)).toEqual([403, 'FORBIDDEN']);
    // Bad input does not tell an invisible request apart either.
    expect(await denied('submitOpinion', opinionInput(secret.r, { text: '' }), keys.C.headers)).toEqual([403, 'FORBIDDEN']);
    // associationCode is for ADMIN: a key naming another association is refused.
    expect(await denied('submitOpinion', opinionInput(r, { associationCode: C.code }), keys.D.headers)).toEqual([403, 'FORBIDDEN']);
  });

  it('a panel member must sit on the panel (NOT_ON_PANEL) and be a current member of the key’s association (NOT_A_MEMBER)', async () => {
    const { r, keys, people } = await scene();
    const elsewhere = await requestAt(S.IN_REVIEW);
    const before = await counts();
    expect(codes(await m('submitOpinion', opinionInput(r, { authorId: gid('Intellectual', people.memberOfA.id) }), keys.A.headers))).toEqual(['NOT_ON_PANEL authorId']);
    expect(codes(await m('submitOpinion', opinionInput(r, { authorId: gid('Intellectual', people.panelOfB.id) }), keys.A.headers))).toEqual(['NOT_A_MEMBER authorId']);
    expect(codes(await m('submitOpinion', opinionInput(r, { authorId: gid('Intellectual', people.formerOfA.id) }), keys.A.headers))).toEqual(['NOT_A_MEMBER authorId']);
    expect(codes(await m('submitOpinion', opinionInput(r, { authorId: gid('Association', 1) }), keys.A.headers))).toEqual(['NOT_FOUND authorId']);
    expect(codes(await m('submitOpinion', opinionInput(r, { text: 'x'.repeat(20_001) }), keys.A.headers))).toEqual(['TOO_LONG text']);
    expect(codes(await m('submitOpinion', opinionInput(r, { text: '  ' }), keys.A.headers))).toEqual(['REQUIRED text']);
    expect(codes(await m('submitOpinion', opinionInput(r, { section: { documentId: r.documentId, number: '9' } }), keys.A.headers))).toEqual(['NOT_FOUND section.number']);
    expect(codes(await m('submitOpinion', opinionInput(r, { section: { documentId: elsewhere.documentId, number: '1' } }), keys.A.headers))).toEqual(['NOT_FOUND section.documentId']);
    expect(await counts()).toEqual(before);
  });

  it('ADMIN enters opinions for anyone: a member with or without an association, an association by code', async () => {
    const { r, B, C, people } = await scene();
    const p = await ok('submitOpinion', opinionInput(r, { authorId: gid('Intellectual', people.panelOfB.id) }));
    const [row] = await sql(`select association_id, intellectual_id from consultation_opinion where id = ?`, [dbId(p.opinion.id)]);
    expect(row).toEqual({ association_id: null, intellectual_id: people.panelOfB.id });
    const q = await ok('submitOpinion', opinionInput(r, { associationCode: B.code, stance: 'OPPOSE' }));
    expect((await sql(`select association_id, intellectual_id from consultation_opinion where id = ?`, [dbId(q.opinion.id)]))[0]).toEqual({ association_id: B.id, intellectual_id: null });
    expect(codes(await m('submitOpinion', opinionInput(r)))).toEqual(['REQUIRED associationCode']);
    expect(codes(await m('submitOpinion', opinionInput(r, { associationCode: C.code })))).toEqual(['INVALID associationCode']);
    expect(codes(await m('submitOpinion', opinionInput(r, { associationCode: 'KHONG-CO' })))).toEqual(['NOT_FOUND associationCode']);
    expect(codes(await m('submitOpinion', opinionInput(r, { authorId: gid('Intellectual', people.panelOfB.id), associationCode: C.code })))).toEqual(['NOT_A_MEMBER authorId']);
  });

  it('outside IN_REVIEW: REVIEW_CLOSED, for new opinions and edits', async () => {
    const { r, A, keys } = await scene();
    const o = await ok('submitOpinion', opinionInput(r), keys.A.headers);
    const formed = await requestAt(S.PANEL_FORMED);
    await ok('assignAssociations', { requestId: formed.id, leadAssociationCode: A.code });
    expect(codes(await m('submitOpinion', opinionInput(formed), keys.A.headers))).toEqual(['REVIEW_CLOSED requestId']);
    await move(r, S.REPORT_SUBMITTED);
    const before = await counts();
    expect(codes(await m('submitOpinion', opinionInput(r), keys.B.headers))).toEqual(['REVIEW_CLOSED requestId']);
    expect(codes(await m('updateOpinion', { id: o.opinion.id, expectedVersion: 1, text: 'Muộn rồi' }, keys.A.headers))).toEqual(['REVIEW_CLOSED id']);
    expect(await counts()).toEqual(before);
  });

  it('edits keep every earlier text; stale versions are CONFLICT; another association’s opinion is FORBIDDEN', async () => {
    const { r, keys } = await scene();
    const o = (await ok('submitOpinion', opinionInput(r, { text: 'Bản đầu tiên.' }), keys.A.headers)).opinion;
    const e1 = await ok('updateOpinion', { id: o.id, expectedVersion: 1, text: 'Bản thứ hai, có sửa.', section: { documentId: r.documentId, number: '2' } }, keys.A.headers);
    expect(e1.opinion).toMatchObject({ id: o.id, version: 2, text: 'Bản thứ hai, có sửa.', stance: 'SUPPORT_WITH_CHANGES' });
    const e2 = await ok('updateOpinion', { id: o.id, expectedVersion: 2, stance: 'OPPOSE', section: null });
    expect(e2.opinion).toMatchObject({ version: 3, stance: 'OPPOSE', text: 'Bản thứ hai, có sửa.' });
    const revisions = await sql(`select revision, stance, text, section_id from consultation_opinion_revision where opinion_id = ? order by revision`, [dbId(o.id)]);
    expect(revisions.map((x) => [x.revision, x.stance, x.text, x.section_id === null])).toEqual([
      [1, 'SUPPORT_WITH_CHANGES', 'Bản đầu tiên.', true],
      [2, 'SUPPORT_WITH_CHANGES', 'Bản thứ hai, có sửa.', false],
    ]);
    expect((await auditOf('Opinion', o.id)).map((e) => e.action)).toEqual(['CREATE', 'UPDATE', 'UPDATE']);

    const before = await counts();
    const stale = await m('updateOpinion', { id: o.id, expectedVersion: 1, text: 'Cũ' }, keys.A.headers);
    expect(codes(stale)).toEqual(['CONFLICT expectedVersion']);
    expect(stale.opinion).toMatchObject({ version: 3, stance: 'OPPOSE' });
    expect(await denied('updateOpinion', { id: o.id, expectedVersion: 3, text: 'Của người khác' }, keys.B.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await denied('updateOpinion', { id: o.id, expectedVersion: 3, text: 'Không liên quan' }, keys.C.headers)).toEqual([403, 'FORBIDDEN']);
    expect(await denied('updateOpinion', { id: gid('Opinion', 2147483000), expectedVersion: 1, text: 'x' }, keys.A.headers)).toEqual([403, 'FORBIDDEN']);
    expect(codes(await m('updateOpinion', { id: gid('Opinion', 2147483000), expectedVersion: 1, text: 'x' }))).toEqual(['NOT_FOUND id']);
    expect(codes(await m('updateOpinion', { id: o.id, expectedVersion: 3, text: '' }, keys.A.headers))).toEqual(['REQUIRED text']);
    // No change: no revision, the version stays.
    expect((await ok('updateOpinion', { id: o.id, expectedVersion: 3, stance: 'OPPOSE' }, keys.A.headers)).opinion.version).toBe(3);
    expect(await counts()).toEqual(before);
  });
});

// ---------------------------------------------------------------- report and response

describe('submitReport and recordAgencyResponse', () => {
  it('numbers recommendations 1..n in order, replaces the draft, checks its sections and its status', async () => {
    const r = await requestAt(S.IN_REVIEW);
    const v0 = r.version;
    await ok('submitReport', {
      requestId: r.id,
      summary: 'Báo cáo phản biện.',
      recommendations: [{ text: 'Thứ nhất', section: { documentId: r.documentId, number: '1' } }, { text: 'Thứ hai' }, { text: 'Thứ ba' }],
      submittedOn: '2026-05-01',
      link: 'https://lienhiephoi.vn/bc.pdf',
    });
    const recs = async () => sql(`select number, text, section_id is not null as has_section from consultation_recommendation where request_id = ? order by number`, [dbId(r.id)]);
    expect(await recs()).toEqual([
      { number: 1, text: 'Thứ nhất', has_section: true },
      { number: 2, text: 'Thứ hai', has_section: false },
      { number: 3, text: 'Thứ ba', has_section: false },
    ]);
    const p = await ok('submitReport', { requestId: r.id, summary: 'Báo cáo sửa.', recommendations: [{ text: 'Chỉ một' }] });
    expect(p.consultationRequest.version).toBe(v0 + 2);
    expect(await recs()).toEqual([{ number: 1, text: 'Chỉ một', has_section: false }]);
    expect(await sql(`select summary, submitted_on, link from consultation_report where request_id = ?`, [dbId(r.id)])).toEqual([{ summary: 'Báo cáo sửa.', submitted_on: null, link: null }]);
    expect((await auditOf('ConsultationRequest', r.id)).filter((e) => e.action === 'REPORT')).toHaveLength(2);

    const early = await requestAt(S.ACCEPTED);
    const before = await counts();
    expect(codes(await m('submitReport', { requestId: r.id, summary: '', recommendations: [] })).sort()).toEqual(['REQUIRED recommendations', 'REQUIRED summary']);
    expect(codes(await m('submitReport', { requestId: r.id, summary: 'x', recommendations: Array.from({ length: 101 }, () => ({ text: 'k' })) }))).toEqual(['TOO_MANY_ROWS recommendations']);
    expect(
      codes(await m('submitReport', { requestId: r.id, summary: 'x', recommendations: [{ text: 'a' }, { text: ' ' }, { text: 'b', section: { documentId: r.documentId, number: '7' } }], submittedOn: '2020-01-01' })),
    ).toEqual(['INVALID_DATE submittedOn', 'REQUIRED recommendations.1.text', 'NOT_FOUND recommendations.2.section.number']);
    expect(codes(await m('submitReport', { requestId: early.id, summary: 'x', recommendations: [{ text: 'k' }] }))).toEqual(['INVALID_STATE requestId']);
    expect(await counts()).toEqual(before);
  });

  it("records the agency's response: every recommendation exactly once, only in REPORT_SUBMITTED", async () => {
    const r = await requestAt(S.IN_REVIEW);
    await report(r, 3);
    const early = await m('recordAgencyResponse', { requestId: r.id, receivedOn: '2026-06-01', overall: 'ACCEPTED', outcomes: [] });
    expect(codes(early)).toEqual(['INVALID_STATE requestId']);
    await move(r, S.REPORT_SUBMITTED);

    const before = await counts();
    const bad = await m('recordAgencyResponse', {
      requestId: r.id,
      receivedOn: '2026-06-01',
      overall: 'ACCEPTED',
      outcomes: [
        { number: 1, outcome: 'ACCEPTED' },
        { number: 1, outcome: 'NOT_ACCEPTED' },
        { number: 7, outcome: 'ACCEPTED' },
      ],
    });
    expect(codes(bad)).toEqual(['DUPLICATE outcomes.1.number', 'NOT_FOUND outcomes.2.number', 'REQUIRED outcomes']);
    expect(bad.userErrors[2].message).toContain('2, 3');
    const tooEarly = await m('recordAgencyResponse', {
      requestId: r.id,
      receivedOn: '2026-05-01',
      overall: 'ACCEPTED',
      outcomes: [1, 2, 3].map((number) => ({ number, outcome: 'ACCEPTED' })),
    });
    expect(codes(tooEarly)).toEqual(['INVALID_DATE receivedOn']);
    expect(codes(await m('recordAgencyResponse', { requestId: r.id, receivedOn: '2999-01-01', overall: 'ACCEPTED', outcomes: [] }))).toEqual(['FUTURE_DATE receivedOn']);
    expect(await counts()).toEqual(before);

    const p = await ok('recordAgencyResponse', {
      requestId: r.id,
      receivedOn: '2026-06-15',
      overall: 'PARTIALLY_ACCEPTED',
      note: 'Tiếp thu kiến nghị 1 và 3.',
      outcomes: [
        { number: 3, outcome: 'PARTIALLY_ACCEPTED' },
        { number: 1, outcome: 'ACCEPTED' },
        { number: 2, outcome: 'NOT_ACCEPTED' },
      ],
    });
    expect(p.consultationRequest.version).toBe(r.version + 1);
    r.version++;
    r.hasResponse = true;
    expect(await sql(`select number, outcome from consultation_recommendation where request_id = ? order by number`, [dbId(r.id)])).toEqual([
      { number: 1, outcome: 'ACCEPTED' },
      { number: 2, outcome: 'NOT_ACCEPTED' },
      { number: 3, outcome: 'PARTIALLY_ACCEPTED' },
    ]);
    expect(await sql(`select response_received_on, response_overall, response_note from consultation_report where request_id = ?`, [dbId(r.id)])).toEqual([
      { response_received_on: '2026-06-15', response_overall: 'PARTIALLY_ACCEPTED', response_note: 'Tiếp thu kiến nghị 1 và 3.' },
    ]);
    expect((await auditOf('ConsultationRequest', r.id)).pop()).toMatchObject({ action: 'RESPONSE' });
    await move(r, S.RESPONSE_RECEIVED);
  });
});

// ---------------------------------------------------------------- who may call what

describe('permissions', () => {
  const ADMIN_ONLY = [
    'createConsultationRequest',
    'updateConsultationRequest',
    'addPolicyDocument',
    'assignAssociations',
    'addPanelMember',
    'removePanelMember',
    'declareConflictOfInterest',
    'transitionConsultationRequest',
    'submitReport',
    'recordAgencyResponse',
  ];

  async function inputs(): Promise<Record<string, Row>> {
    const r = await newRequest();
    const person = await createIntellectual(t.em(), { fullName: 'Bùi Thị Quyền' } as never);
    const s = await seat(r, await createIntellectual(t.em(), { fullName: 'Tạ Văn Ghế' } as never));
    return {
      createConsultationRequest: requestInput(),
      updateConsultationRequest: { id: r.id, expectedVersion: r.version, summary: 'Sửa' },
      addPolicyDocument: { requestId: r.id, document: { title: 'Dự thảo' } },
      assignAssociations: { requestId: r.id },
      addPanelMember: { requestId: r.id, intellectualId: gid('Intellectual', person.id), role: 'MEMBER' },
      removePanelMember: { id: s.id },
      declareConflictOfInterest: { requestId: r.id, intellectualId: gid('Intellectual', person.id), note: 'Xung đột' },
      transitionConsultationRequest: { id: r.id, to: 'SCREENING', expectedVersion: r.version },
      submitReport: { requestId: r.id, summary: 'x', recommendations: [{ text: 'k' }] },
      recordAgencyResponse: { requestId: r.id, receivedOn: '2026-06-01', overall: 'ACCEPTED', outcomes: [] },
      submitOpinion: { requestId: r.id, stance: 'SUPPORT', text: 'Nhất trí' },
      updateOpinion: { id: gid('Opinion', 2147483000), expectedVersion: 1, text: 'x' },
    };
  }

  it('the public is UNAUTHENTICATED, ANALYST FORBIDDEN, ASSOCIATION FORBIDDEN except on opinions; ADMIN gets a payload; refusals write nothing', async () => {
    const input = await inputs();
    const a = await createAssociation(t.em(), federation);
    const assoc = await createKey(t.em(), 'ASSOCIATION', a);
    const before = await counts();
    for (const name of Object.keys(INPUT_TYPES)) {
      expect([name, await denied(name, input[name], {})]).toEqual([name, [401, 'UNAUTHENTICATED']]);
      expect([name, await denied(name, input[name], analyst.headers)]).toEqual([name, [403, 'FORBIDDEN']]);
      if (ADMIN_ONLY.includes(name)) expect([name, await denied(name, input[name], assoc.headers)]).toEqual([name, [403, 'FORBIDDEN']]);
    }
    expect(await counts()).toEqual(before);
    for (const name of Object.keys(INPUT_TYPES)) {
      const p = await m(name, input[name]);
      expect(Array.isArray(p.userErrors)).toBe(true);
    }
  });
});

// ---------------------------------------------------------------- idempotency and the audit log

describe('idempotency and the audit log', () => {
  it('a replay with the same key answers the first response and writes nothing more; another input is IDEMPOTENCY_KEY_REUSED', async () => {
    const key = idem();
    const input = requestInput({ idempotencyKey: key });
    const first = await ok('createConsultationRequest', input);
    const before = await counts();
    const again = await ok('createConsultationRequest', input);
    expect(again).toEqual(first);
    expect(await counts()).toEqual(before);
    expect(codes(await m('createConsultationRequest', { ...input, title: 'Khác' }))).toEqual(['IDEMPOTENCY_KEY_REUSED idempotencyKey']);

    // A move replayed: the request as it is now, one history row.
    const r = { id: first.consultationRequest.id, version: 1, status: 'REQUESTED' };
    const moveKey = idem();
    const m1 = await ok('transitionConsultationRequest', { id: r.id, to: 'SCREENING', expectedVersion: 1, idempotencyKey: moveKey });
    const m2 = await ok('transitionConsultationRequest', { id: r.id, to: 'SCREENING', expectedVersion: 1, idempotencyKey: moveKey });
    expect(m2).toEqual(m1);
    expect(await history(r.id)).toHaveLength(2);

    // A refused call keeps no record: fixed, the same key goes through.
    const k = idem();
    const person = await createIntellectual(t.em(), { fullName: 'Châu Văn Lặp' } as never);
    expect(codes(await m('addPanelMember', { requestId: r.id, intellectualId: gid('Intellectual', person.id), role: 'MEMBER', conflictOfInterest: 'DECLARED', idempotencyKey: k }))).toEqual([
      'CONFLICT_OF_INTEREST conflictOfInterest',
    ]);
    const seatKey = idem();
    const s1 = await ok('addPanelMember', { requestId: r.id, intellectualId: gid('Intellectual', person.id), role: 'MEMBER', idempotencyKey: seatKey });
    const s2 = await ok('addPanelMember', { requestId: r.id, intellectualId: gid('Intellectual', person.id), role: 'MEMBER', idempotencyKey: seatKey });
    expect(s2).toEqual(s1);
    expect(await sql(`select count(*)::int as n from consultation_panel_member where request_id = ?`, [dbId(r.id)])).toEqual([{ n: 1 }]);
  });

  it('every write of a whole lifecycle leaves its audit event, and no personal data', async () => {
    const a = await createAssociation(t.em(), federation);
    const key = await createKey(t.em(), 'ASSOCIATION', a);
    const person = await createIntellectual(t.em(), { fullName: 'Ngô Thị Kiểm Toán', email: 'kiem.toan@example.vn', phone: '0912345678' } as never);
    await createMembership(t.em(), person, a);
    const conflicted = await createIntellectual(t.em(), { fullName: 'Mai Văn Vướng' } as never);
    const [{ start }] = await sql(`select coalesce(max(id), 0)::int as start from audit_event`);

    const r = await newRequest();
    await ok('updateConsultationRequest', { id: r.id, expectedVersion: 1, summary: 'Bổ sung' });
    r.version = 2;
    await ok('assignAssociations', { requestId: r.id, leadAssociationCode: a.code });
    r.version++;
    const s = await seat(r, person, 'CHAIR');
    const extra = await seat(r, await createIntellectual(t.em(), { fullName: 'Tô Văn Tạm' } as never));
    r.version = (await ok('removePanelMember', { id: extra.id })).consultationRequest.version;
    r.version = (await ok('declareConflictOfInterest', { requestId: r.id, intellectualId: gid('Intellectual', conflicted.id), note: 'Người thân làm ở cơ quan soạn thảo' })).consultationRequest.version;
    for (const to of [S.SCREENING, S.ACCEPTED, S.PANEL_FORMED, S.IN_REVIEW]) await move(r, to);
    const o = await ok('submitOpinion', { requestId: r.id, stance: 'SUPPORT', text: 'Nhất trí', authorId: gid('Intellectual', person.id) }, key.headers);
    await ok('updateOpinion', { id: o.opinion.id, expectedVersion: 1, text: 'Nhất trí, có góp ý' }, key.headers);
    for (const to of [S.REPORT_SUBMITTED, S.RESPONSE_RECEIVED, S.CLOSED]) await move(r, to);

    const events = await sql(`select entity_type, action, changes::text as changes from audit_event where id > ? and (entity_type in ('ConsultationRequest', 'PolicyDocument', 'PanelMember', 'Opinion')) order by id`, [start]);
    expect(events.map((e) => `${e.entity_type} ${e.action}`)).toEqual([
      'ConsultationRequest CREATE',
      'ConsultationRequest UPDATE',
      'ConsultationRequest ASSIGN',
      'PanelMember CREATE',
      'PanelMember CREATE',
      'PanelMember DELETE',
      'ConsultationRequest CONFLICT_DECLARED',
      'ConsultationRequest TRANSITION',
      'ConsultationRequest TRANSITION',
      'ConsultationRequest TRANSITION',
      'PolicyDocument CREATE',
      'ConsultationRequest ATTACH',
      'ConsultationRequest TRANSITION',
      'Opinion CREATE',
      'Opinion UPDATE',
      'ConsultationRequest REPORT',
      'ConsultationRequest TRANSITION',
      'ConsultationRequest RESPONSE',
      'ConsultationRequest TRANSITION',
      'ConsultationRequest TRANSITION',
    ]);
    const all = events.map((e) => e.changes).join('\n');
    for (const secret of ['kiem.toan@example.vn', '0912345678', 'Ngô Thị Kiểm Toán']) expect(all).not.toContain(secret);
    expect(s.id).toBeTruthy();
    // The auditEvents query lists them under their types.
    const listed = await t.data<any>(`{ auditEvents(filter: { entityType: OPINION }, first: 5) { edges { node { entityType action } } } }`, {}, admin.headers);
    expect(listed.auditEvents.edges[0].node).toEqual({ entityType: 'OPINION', action: 'UPDATE' });
  });
});
