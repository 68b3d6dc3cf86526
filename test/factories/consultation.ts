import type { EntityManager } from '@mikro-orm/postgresql';
import { Association } from '../../src/modules/association/association.entity';
import { Federation } from '../../src/modules/federation/federation.entity';
import { Intellectual } from '../../src/modules/intellectual/intellectual.entity';
import { Membership } from '../../src/modules/intellectual/membership.entity';
import {
  AgencyLevel,
  AssignmentRole,
  ConsultationFormat,
  ConsultationKind,
  ConsultationOrigin,
  ConsultationStatus,
  ConsultationVisibility,
  OpinionStance,
  PanelRole,
  RecommendationOutcome,
  SubjectKind,
} from '../../src/modules/consultation/consultation.enums';
import { ConsultationReport, Recommendation } from '../../src/modules/consultation/consultation-report.entity';
import {
  Agency,
  ConsultationAssignment,
  ConsultationRequest,
  ConsultationRequestDocument,
  ConsultationTransition,
} from '../../src/modules/consultation/consultation-request.entity';
import { Opinion, OpinionRevision } from '../../src/modules/consultation/opinion.entity';
import { ConsultationConflict, PanelMember } from '../../src/modules/consultation/panel-member.entity';
import { PolicyDocument, PolicyDocumentSection } from '../../src/modules/consultation/policy-document.entity';

/**
 * Read fixtures of the consultation module, written straight into the database (the mutations
 * have their own tests). Vietnamese text throughout, as the hub's data is.
 */

export interface RequestData {
  kind?: ConsultationKind;
  subjectKind?: SubjectKind;
  title?: string;
  summary?: string | null;
  origin?: ConsultationOrigin;
  agency?: { name: string; level: AgencyLevel; contact?: string | null };
  format?: ConsultationFormat;
  receivedOn?: string;
  dueOn?: string | null;
  visibility?: ConsultationVisibility;
  status?: ConsultationStatus;
  fields?: string[];
}

/** A request with its creation in the history (from null to its status). */
export async function createConsultationRequest(em: EntityManager, federation: Federation, data: RequestData = {}): Promise<ConsultationRequest> {
  const { agency, ...rest } = data;
  const r = em.create(ConsultationRequest, {
    federation,
    kind: ConsultationKind.SOCIAL_CRITIQUE,
    subjectKind: SubjectKind.POLICY,
    title: 'Phản biện xã hội Dự thảo Nghị quyết về phát triển khoa học, công nghệ',
    summary: 'Ủy ban nhân dân tỉnh đề nghị Liên hiệp hội tổ chức phản biện dự thảo.',
    origin: ConsultationOrigin.REQUESTED,
    agency: new Agency(agency ?? { name: 'Ủy ban nhân dân Thành phố Hồ Chí Minh', level: AgencyLevel.PEOPLES_COMMITTEE, contact: 'Văn phòng UBND, 86 Lê Thánh Tôn' }),
    format: ConsultationFormat.COUNCIL,
    receivedOn: '2026-03-02',
    dueOn: '2026-04-30',
    visibility: ConsultationVisibility.PUBLIC,
    status: ConsultationStatus.REQUESTED,
    fields: ['3.2'],
    ...rest,
  } as never);
  await em.persistAndFlush(r);
  em.create(ConsultationTransition, { request: r, from: null, to: r.status, note: null, by: 'test' } as never);
  await em.flush();
  return r;
}

/** A move in the history (the request's status is not changed: pass it at creation). */
export async function addTransition(em: EntityManager, request: ConsultationRequest, from: ConsultationStatus, to: ConsultationStatus, note: string | null = null): Promise<ConsultationTransition> {
  const t = em.create(ConsultationTransition, { request, from, to, note, by: 'test admin' } as never);
  await em.persistAndFlush(t);
  return t;
}

export interface SectionData {
  number: string;
  heading?: string | null;
  text: string;
}

/** A policy document with numbered sections (in the order given), optionally under review in requests. */
export async function createPolicyDocument(
  em: EntityManager,
  data: { title?: string; link?: string | null; versionLabel?: string | null; issuedOn?: string | null; sections?: SectionData[] } = {},
  ...requests: ConsultationRequest[]
): Promise<{ document: PolicyDocument; sections: PolicyDocumentSection[] }> {
  const { sections = [], ...rest } = data;
  const document = em.create(PolicyDocument, {
    title: 'Dự thảo Nghị quyết về phát triển khoa học, công nghệ và đổi mới sáng tạo',
    link: 'https://example.org/du-thao.pdf',
    versionLabel: 'Dự thảo lần 2',
    issuedOn: '2026-02-20',
    ...rest,
  } as never);
  const made = sections.map((s, position) => em.create(PolicyDocumentSection, { document, number: s.number, heading: s.heading ?? null, text: s.text, position } as never));
  await em.persistAndFlush(document);
  for (const r of requests) await attachDocument(em, r, document);
  return { document, sections: made };
}

/** Puts a document under review in a request, after the ones already there. */
export async function attachDocument(em: EntityManager, request: ConsultationRequest, document: PolicyDocument): Promise<void> {
  const [{ n }] = await em.getConnection().execute<{ n: number }[]>('select count(*)::int as n from consultation_request_document where request_id = ?', [request.id]);
  em.create(ConsultationRequestDocument, { request, document, position: n } as never);
  await em.flush();
}

export async function assign(em: EntityManager, request: ConsultationRequest, association: Association, role: AssignmentRole = AssignmentRole.CONTRIBUTOR): Promise<void> {
  em.create(ConsultationAssignment, { request, association, role } as never);
  await em.flush();
}

export async function seat(em: EntityManager, request: ConsultationRequest, intellectual: Intellectual, role: PanelRole = PanelRole.MEMBER): Promise<PanelMember> {
  const m = em.create(PanelMember, { request, intellectual, role } as never);
  await em.persistAndFlush(m);
  return m;
}

export async function declareConflict(em: EntityManager, request: ConsultationRequest, intellectual: Intellectual, note = 'Là thành viên ban soạn thảo dự thảo.'): Promise<void> {
  em.create(ConsultationConflict, { request, intellectual, note } as never);
  await em.flush();
}

/** An opinion; `revisions` are earlier texts (oldest first), and the opinion's version follows them. */
export async function createOpinion(
  em: EntityManager,
  request: ConsultationRequest,
  data: {
    association?: Association | null;
    author?: Intellectual | null;
    stance?: OpinionStance;
    text?: string;
    section?: PolicyDocumentSection | null;
    revisions?: { stance: OpinionStance; text: string; section?: PolicyDocumentSection | null }[];
  } = {},
): Promise<Opinion> {
  const revisions = data.revisions ?? [];
  const o = em.create(Opinion, {
    request,
    association: data.association ?? null,
    author: data.author ?? null,
    stance: data.stance ?? OpinionStance.SUPPORT_WITH_CHANGES,
    text: data.text ?? 'Đề nghị bổ sung cơ chế tài chính cho nhiệm vụ khoa học cấp tỉnh.',
    section: data.section ?? null,
    version: revisions.length + 1,
  } as never);
  revisions.forEach((rv, k) =>
    em.create(OpinionRevision, { opinion: o, revision: k + 1, stance: rv.stance, text: rv.text, section: rv.section ?? null, writtenAt: new Date(Date.UTC(2026, 2, 10 + k)) } as never),
  );
  await em.persistAndFlush(o);
  return o;
}

/** A report with numbered recommendations and, optionally, the agency's response (outcome per recommendation). */
export async function createReport(
  em: EntityManager,
  request: ConsultationRequest,
  data: {
    summary?: string;
    submittedOn?: string | null;
    link?: string | null;
    recommendations?: { text: string; section?: PolicyDocumentSection | null; outcome?: RecommendationOutcome | null }[];
    response?: { receivedOn: string; overall: RecommendationOutcome; note?: string | null };
  } = {},
): Promise<ConsultationReport> {
  const report = em.create(ConsultationReport, {
    request,
    summary: data.summary ?? 'Hội đồng phản biện thống nhất đề nghị chỉnh sửa dự thảo trước khi trình Hội đồng nhân dân.',
    submittedOn: data.submittedOn ?? '2026-04-20',
    link: data.link ?? 'https://example.org/bao-cao.pdf',
    responseReceivedOn: data.response?.receivedOn ?? null,
    responseOverall: data.response?.overall ?? null,
    responseNote: data.response?.note ?? null,
  } as never);
  (data.recommendations ?? [{ text: 'Bổ sung đánh giá tác động của chính sách.' }]).forEach((rec, k) =>
    em.create(Recommendation, { request, number: k + 1, text: rec.text, section: rec.section ?? null, outcome: rec.outcome ?? null } as never),
  );
  await em.persistAndFlush(report);
  return report;
}

/**
 * `requests` public requests of one new federation, each with a lead and a contributing
 * association, two documents of three sections, three panel members (each a member of an
 * association), three opinions, a history of two moves, a report with two recommendations and the
 * agency's response: every level the nested read test walks, in bulk.
 */
export async function createConsultationGraph(em: EntityManager, federation: Federation, associations: Association[], requests: number) {
  const made: ConsultationRequest[] = [];
  for (let k = 0; k < requests; k++) {
    const r = em.create(ConsultationRequest, {
      federation,
      kind: ConsultationKind.SOCIAL_CRITIQUE,
      subjectKind: SubjectKind.PROJECT,
      title: `Phản biện Đề án phát triển đô thị thông minh số ${k + 1}`,
      summary: 'Đề án của Sở Thông tin và Truyền thông Thành phố Hồ Chí Minh.',
      origin: ConsultationOrigin.REQUESTED,
      agency: new Agency({ name: 'Sở Thông tin và Truyền thông', level: AgencyLevel.DEPARTMENT }),
      format: ConsultationFormat.WORKSHOP,
      receivedOn: `2026-0${(k % 9) + 1}-1${k % 10}`,
      dueOn: null,
      visibility: ConsultationVisibility.PUBLIC,
      status: ConsultationStatus.RESPONSE_RECEIVED,
      fields: ['2.2'],
    } as never);
    made.push(r);
    em.create(ConsultationTransition, { request: r, from: null, to: ConsultationStatus.REQUESTED } as never);
    em.create(ConsultationTransition, { request: r, from: ConsultationStatus.REPORT_SUBMITTED, to: ConsultationStatus.RESPONSE_RECEIVED } as never);
    const lead = associations[k % associations.length];
    const contributor = associations[(k + 1) % associations.length];
    em.create(ConsultationAssignment, { request: r, association: lead, role: AssignmentRole.LEAD } as never);
    em.create(ConsultationAssignment, { request: r, association: contributor, role: AssignmentRole.CONTRIBUTOR } as never);
    for (let d = 0; d < 2; d++) {
      const document = em.create(PolicyDocument, { title: `Đề án số ${k + 1}, phần ${d + 1}` } as never);
      for (let s = 0; s < 3; s++) em.create(PolicyDocumentSection, { document, number: `${s + 1}`, heading: `Mục ${s + 1}`, text: 'Nội dung mục.', position: s } as never);
      em.create(ConsultationRequestDocument, { request: r, document, position: d } as never);
    }
    const roles = [PanelRole.CHAIR, PanelRole.SECRETARY, PanelRole.MEMBER];
    for (let p = 0; p < 3; p++) {
      const person = em.create(Intellectual, { fullName: `Nguyễn Văn Đức ${k}-${p}`, publicProfile: true, fields: ['2.2'] } as never);
      const association = associations[(k + p) % associations.length];
      em.create(Membership, { intellectual: person, association, externalId: `HV-${k}-${p}` } as never);
      em.create(PanelMember, { request: r, intellectual: person, role: roles[p] } as never);
      em.create(Opinion, { request: r, association, author: p === 0 ? null : person, stance: OpinionStance.SUPPORT, text: `Ý kiến ${p + 1}.` } as never);
    }
    em.create(ConsultationReport, {
      request: r,
      summary: 'Báo cáo phản biện.',
      submittedOn: '2026-10-01',
      responseReceivedOn: '2026-11-01',
      responseOverall: RecommendationOutcome.PARTIALLY_ACCEPTED,
    } as never);
    em.create(Recommendation, { request: r, number: 1, text: 'Kiến nghị một.', outcome: RecommendationOutcome.ACCEPTED } as never);
    em.create(Recommendation, { request: r, number: 2, text: 'Kiến nghị hai.', outcome: RecommendationOutcome.NOT_ACCEPTED } as never);
  }
  await em.flush();
  return made;
}
