/**
 * Demo data of the consultation module: eight requests of the Sóc Trăng and Cần Thơ unions across
 * the lifecycle. All invented (demo = true): titles, agencies, dates, panels and opinions are
 * plausible examples, not records. Sóc Trăng's requests predate its merger into Cần Thơ
 * (1 July 2025); Cần Thơ's come after. Among them: one CONFIDENTIAL (Cần Thơ, panel formed), one
 * overdue (Cần Thơ, in review, due 15 October 2025), one CLOSED with the agency's answer (Sóc
 * Trăng, 2021). Deterministic: fixed dates, people taken in membership order.
 *
 * Runs after the intellectual module's seed, in the same transaction, through plain SQL.
 */
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { pgArray, runQuery } from '../../common/sql';
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
} from './consultation.enums';

const S = ConsultationStatus;

interface DemoSection {
  number: string;
  heading: string;
  text: string;
}

interface DemoOpinion {
  /** The association that gave or submitted it. */
  association: string;
  /** Index into the panel: a panel member's opinion, submitted by `association` (their association). */
  panelMember?: number;
  stance: OpinionStance;
  text: string;
  section?: string;
}

interface DemoRequest {
  federation: 'SOCTRANG' | 'CANTHO';
  kind: ConsultationKind;
  subjectKind: SubjectKind;
  title: string;
  summary: string;
  origin: ConsultationOrigin;
  agency: { name: string; level: AgencyLevel; contact: string | null };
  letter?: { number: string; date: string; title: string };
  format: ConsultationFormat;
  receivedOn: string;
  dueOn: string | null;
  visibility: ConsultationVisibility;
  fields: string[];
  /** The moves from creation, each with its date and note (the last is the current status). */
  path: [ConsultationStatus, string, string?][];
  document?: { title: string; versionLabel: string; issuedOn: string; sections: DemoSection[] };
  lead?: string;
  contributors?: string[];
  /** Panel: [association code to take the person from, role]; people taken in membership order. */
  panel?: [string, PanelRole][];
  conflict?: { association: string; note: string };
  opinions?: DemoOpinion[];
  report?: { summary: string; submittedOn: string | null; link: string | null; recommendations: [string, string?][] };
  response?: { receivedOn: string; overall: RecommendationOutcome; note: string; outcomes: RecommendationOutcome[] };
}

const at = (date: string) => `${date}T09:00:00+07:00`;

export const DEMO_REQUESTS: DemoRequest[] = [
  {
    federation: 'SOCTRANG',
    kind: ConsultationKind.SOCIAL_CRITIQUE,
    subjectKind: SubjectKind.LEGAL_DOCUMENT,
    title: 'Phản biện xã hội dự thảo Nghị quyết quy định chính sách hỗ trợ phát triển khoa học và công nghệ tỉnh Sóc Trăng giai đoạn 2021–2025',
    summary: 'Thường trực HĐND tỉnh đề nghị Liên hiệp hội tổ chức phản biện xã hội dự thảo Nghị quyết trước khi trình kỳ họp: đối tượng hỗ trợ, mức hỗ trợ và nguồn kinh phí.',
    origin: ConsultationOrigin.REQUESTED,
    agency: { name: 'Thường trực Hội đồng nhân dân tỉnh Sóc Trăng', level: AgencyLevel.PEOPLES_COUNCIL, contact: 'Văn phòng Đoàn ĐBQH và HĐND tỉnh Sóc Trăng' },
    letter: { number: '45/HĐND-VP', date: '2021-03-12', title: 'Về việc đề nghị phản biện xã hội dự thảo Nghị quyết' },
    format: ConsultationFormat.COUNCIL,
    receivedOn: '2021-03-15',
    dueOn: '2021-04-30',
    visibility: ConsultationVisibility.PUBLIC,
    fields: ['5.2', '5.5', '1.2'],
    path: [
      [S.REQUESTED, '2021-03-15'],
      [S.SCREENING, '2021-03-17'],
      [S.ACCEPTED, '2021-03-19'],
      [S.PANEL_FORMED, '2021-03-24'],
      [S.IN_REVIEW, '2021-03-29'],
      [S.REPORT_SUBMITTED, '2021-04-26'],
      [S.RESPONSE_RECEIVED, '2021-06-10'],
      [S.CLOSED, '2021-06-15', 'Đã nhận văn bản tiếp thu, giải trình của Thường trực HĐND tỉnh.'],
    ],
    document: {
      title: 'Dự thảo Nghị quyết quy định chính sách hỗ trợ phát triển khoa học và công nghệ tỉnh Sóc Trăng giai đoạn 2021–2025',
      versionLabel: 'Dự thảo lần 2',
      issuedOn: '2021-03-10',
      sections: [
        { number: '1', heading: 'Phạm vi điều chỉnh và đối tượng áp dụng', text: 'Nghị quyết này quy định chính sách hỗ trợ tổ chức, cá nhân thực hiện nhiệm vụ khoa học và công nghệ trên địa bàn tỉnh Sóc Trăng.' },
        { number: '2', heading: 'Nội dung và mức hỗ trợ', text: 'Hỗ trợ đăng ký bảo hộ quyền sở hữu trí tuệ, đổi mới công nghệ và phát triển doanh nghiệp khoa học và công nghệ.' },
        { number: '2.1', heading: 'Hỗ trợ doanh nghiệp khoa học và công nghệ', text: 'Hỗ trợ tối đa 30% chi phí đổi mới công nghệ, không quá 500 triệu đồng cho mỗi dự án.' },
        { number: '3', heading: 'Nguồn kinh phí', text: 'Kinh phí từ nguồn sự nghiệp khoa học và công nghệ của tỉnh và các nguồn hợp pháp khác.' },
      ],
    },
    lead: 'ST-KINHTE',
    contributors: ['ST-LUATGIA', 'ST-TINHOC'],
    panel: [
      ['ST-KINHTE', PanelRole.CHAIR],
      ['ST-LUATGIA', PanelRole.SECRETARY],
      ['ST-TINHOC', PanelRole.MEMBER],
      ['ST-KINHTE', PanelRole.MEMBER],
    ],
    opinions: [
      { association: 'ST-KINHTE', stance: OpinionStance.SUPPORT_WITH_CHANGES, text: 'Đề nghị nâng mức hỗ trợ đổi mới công nghệ cho doanh nghiệp nhỏ và vừa; làm rõ tiêu chí lựa chọn dự án.', section: '2.1' },
      { association: 'ST-LUATGIA', stance: OpinionStance.SUPPORT_WITH_CHANGES, text: 'Một số quy định về đối tượng áp dụng chưa thống nhất với Luật Khoa học và Công nghệ năm 2013; đề nghị rà soát.', section: '1' },
      { association: 'ST-TINHOC', panelMember: 2, stance: OpinionStance.SUPPORT, text: 'Thống nhất với dự thảo; đề nghị bổ sung hỗ trợ chuyển đổi số cho doanh nghiệp.', section: '2' },
    ],
    report: {
      summary: 'Liên hiệp hội cơ bản thống nhất với dự thảo và đề nghị điều chỉnh mức hỗ trợ, đối tượng áp dụng và nguồn kinh phí.',
      submittedOn: '2021-04-26',
      link: 'https://example.org/soctrang/phan-bien/2021-01',
      recommendations: [
        ['Nâng mức hỗ trợ đổi mới công nghệ cho doanh nghiệp nhỏ và vừa lên 50%.', '2.1'],
        ['Rà soát đối tượng áp dụng cho thống nhất với Luật Khoa học và Công nghệ.', '1'],
        ['Bố trí kinh phí riêng cho chuyển đổi số, không dùng chung nguồn sự nghiệp khoa học.', '3'],
      ],
    },
    response: {
      receivedOn: '2021-06-10',
      overall: RecommendationOutcome.PARTIALLY_ACCEPTED,
      note: 'HĐND tỉnh tiếp thu kiến nghị 1 (nâng mức lên 40%) và kiến nghị 2; kiến nghị 3 chưa tiếp thu do cân đối ngân sách.',
      outcomes: [RecommendationOutcome.PARTIALLY_ACCEPTED, RecommendationOutcome.ACCEPTED, RecommendationOutcome.NOT_ACCEPTED],
    },
  },
  {
    federation: 'SOCTRANG',
    kind: ConsultationKind.SOCIAL_ASSESSMENT,
    subjectKind: SubjectKind.PROJECT,
    title: 'Giám định xã hội Dự án khu dân cư thương mại ven sông Maspero, thành phố Sóc Trăng',
    summary: 'Chủ đầu tư đề nghị giám định xã hội dự án trước khi trình phê duyệt điều chỉnh quy hoạch chi tiết.',
    origin: ConsultationOrigin.REQUESTED,
    agency: { name: 'Công ty cổ phần Đầu tư và Phát triển đô thị (dữ liệu minh họa)', level: AgencyLevel.ENTERPRISE, contact: null },
    letter: { number: '12/CV-CT', date: '2023-05-05', title: 'Về việc đề nghị giám định xã hội dự án' },
    format: ConsultationFormat.COUNCIL,
    receivedOn: '2023-05-10',
    dueOn: '2023-07-10',
    visibility: ConsultationVisibility.PUBLIC,
    fields: ['2.1', '6.4'],
    path: [
      [S.REQUESTED, '2023-05-10'],
      [S.SCREENING, '2023-05-12'],
      [S.DECLINED, '2023-05-22', 'Đề nghị của doanh nghiệp không thuộc phạm vi giám định xã hội của Liên hiệp hội (Quyết định 14/2014/QĐ-TTg); đã hướng dẫn gửi cơ quan có thẩm quyền.'],
    ],
  },
  {
    federation: 'SOCTRANG',
    kind: ConsultationKind.CONSULTATION,
    subjectKind: SubjectKind.PROJECT,
    title: 'Tư vấn Đề án phát triển nuôi tôm nước lợ ứng dụng công nghệ cao vùng ven biển thị xã Vĩnh Châu',
    summary: 'Sở Nông nghiệp và Phát triển Nông thôn đề nghị tư vấn về quy mô vùng nuôi, giải pháp xử lý môi trường và liên kết tiêu thụ.',
    origin: ConsultationOrigin.REQUESTED,
    agency: { name: 'Sở Nông nghiệp và Phát triển Nông thôn tỉnh Sóc Trăng', level: AgencyLevel.DEPARTMENT, contact: 'Chi cục Thủy sản tỉnh Sóc Trăng' },
    letter: { number: '1520/SNN-TS', date: '2024-09-03', title: 'Về việc đề nghị tư vấn Đề án phát triển nuôi tôm ứng dụng công nghệ cao' },
    format: ConsultationFormat.WORKSHOP,
    receivedOn: '2024-09-05',
    dueOn: '2024-11-15',
    visibility: ConsultationVisibility.PUBLIC,
    fields: ['4.1', '2.7'],
    path: [
      [S.REQUESTED, '2024-09-05'],
      [S.SCREENING, '2024-09-06'],
      [S.ACCEPTED, '2024-09-10'],
      [S.PANEL_FORMED, '2024-09-16'],
      [S.IN_REVIEW, '2024-09-23'],
      [S.REPORT_SUBMITTED, '2024-11-12'],
    ],
    document: {
      title: 'Dự thảo Đề án phát triển nuôi tôm nước lợ ứng dụng công nghệ cao vùng ven biển thị xã Vĩnh Châu đến năm 2030',
      versionLabel: 'Dự thảo',
      issuedOn: '2024-08-28',
      sections: [
        { number: 'I', heading: 'Sự cần thiết', text: 'Vùng ven biển Vĩnh Châu có lợi thế nuôi tôm nước lợ nhưng dịch bệnh và ô nhiễm làm giảm hiệu quả.' },
        { number: 'II', heading: 'Mục tiêu', text: 'Đến năm 2030 có 2.000 ha nuôi tôm ứng dụng công nghệ cao, năng suất bình quân 40 tấn/ha/năm.' },
        { number: 'III', heading: 'Giải pháp xử lý môi trường', text: 'Xây dựng hệ thống ao lắng, xử lý nước thải tập trung cho từng vùng nuôi.' },
      ],
    },
    lead: 'ST-THUYSAN',
    contributors: ['ST-LAMVUON'],
    panel: [
      ['ST-THUYSAN', PanelRole.CHAIR],
      ['ST-THUYSAN', PanelRole.SECRETARY],
      ['ST-LAMVUON', PanelRole.MEMBER],
    ],
    opinions: [
      { association: 'ST-THUYSAN', stance: OpinionStance.SUPPORT_WITH_CHANGES, text: 'Mục tiêu năng suất 40 tấn/ha/năm là cao so với điều kiện thực tế; đề nghị phân kỳ theo từng giai đoạn.', section: 'II' },
      { association: 'ST-THUYSAN', panelMember: 1, stance: OpinionStance.OPPOSE, text: 'Chưa đồng ý mở rộng diện tích khi chưa có hệ thống xử lý nước thải tập trung.', section: 'III' },
    ],
    report: {
      summary: 'Đề án cần thiết; đề nghị phân kỳ mục tiêu và ưu tiên đầu tư hạ tầng xử lý môi trường trước khi mở rộng vùng nuôi.',
      submittedOn: '2024-11-12',
      link: 'https://example.org/soctrang/tu-van/2024-03',
      recommendations: [['Phân kỳ mục tiêu năng suất theo giai đoạn 2025–2027 và 2028–2030.', 'II'], ['Đầu tư hệ thống xử lý nước thải tập trung trước khi mở rộng diện tích.', 'III']],
    },
  },
  {
    federation: 'CANTHO',
    kind: ConsultationKind.SOCIAL_CRITIQUE,
    subjectKind: SubjectKind.PLAN,
    title: 'Phản biện xã hội dự thảo Kế hoạch chuyển đổi số thành phố Cần Thơ giai đoạn 2025–2030',
    summary: 'UBND thành phố đề nghị phản biện xã hội dự thảo Kế hoạch chuyển đổi số sau hợp nhất đơn vị hành chính: hạ tầng dữ liệu, dịch vụ công trực tuyến và nhân lực số.',
    origin: ConsultationOrigin.REQUESTED,
    agency: { name: 'Ủy ban nhân dân thành phố Cần Thơ', level: AgencyLevel.PEOPLES_COMMITTEE, contact: 'Sở Khoa học và Công nghệ thành phố Cần Thơ' },
    letter: { number: '3105/UBND-KT', date: '2025-08-18', title: 'Về việc đề nghị phản biện xã hội dự thảo Kế hoạch chuyển đổi số' },
    format: ConsultationFormat.WRITTEN_OPINIONS,
    receivedOn: '2025-08-20',
    dueOn: '2025-10-15',
    visibility: ConsultationVisibility.PUBLIC,
    fields: ['1.2', '2.2', '5.2'],
    path: [
      [S.REQUESTED, '2025-08-20'],
      [S.SCREENING, '2025-08-21'],
      [S.ACCEPTED, '2025-08-25'],
      [S.PANEL_FORMED, '2025-09-02'],
      [S.IN_REVIEW, '2025-09-08'],
    ],
    document: {
      title: 'Dự thảo Kế hoạch chuyển đổi số thành phố Cần Thơ giai đoạn 2025–2030',
      versionLabel: 'Dự thảo lần 1',
      issuedOn: '2025-08-15',
      sections: [
        { number: '1', heading: 'Mục tiêu chung', text: 'Xây dựng chính quyền số, kinh tế số và xã hội số của thành phố Cần Thơ sau hợp nhất.' },
        { number: '2', heading: 'Hạ tầng dữ liệu', text: 'Hợp nhất cơ sở dữ liệu của ba địa phương cũ vào một nền tảng dữ liệu dùng chung.' },
        { number: '3', heading: 'Dịch vụ công trực tuyến', text: '100% thủ tục hành chính đủ điều kiện được cung cấp trực tuyến toàn trình.' },
        { number: '4', heading: 'Nhân lực số', text: 'Đào tạo kỹ năng số cho cán bộ, công chức cấp xã.' },
      ],
    },
    lead: 'CT-TINHOC',
    contributors: ['CT-YHOC'],
    panel: [
      ['CT-TINHOC', PanelRole.CHAIR],
      ['CT-TINHOC', PanelRole.SECRETARY],
      ['CT-YHOC', PanelRole.MEMBER],
      ['CT-TINHOC', PanelRole.MEMBER],
    ],
    conflict: { association: 'CT-TINHOC', note: 'Là thành viên tổ soạn thảo dự thảo Kế hoạch.' },
    opinions: [
      { association: 'CT-TINHOC', stance: OpinionStance.SUPPORT_WITH_CHANGES, text: 'Đề nghị bổ sung lộ trình hợp nhất dữ liệu dân cư, đất đai của Sóc Trăng và Hậu Giang cũ.', section: '2' },
      { association: 'CT-YHOC', stance: OpinionStance.SUPPORT_WITH_CHANGES, text: 'Đề nghị bổ sung nội dung bệnh án điện tử và kết nối dữ liệu y tế cơ sở.', section: '3' },
      { association: 'CT-TINHOC', panelMember: 0, stance: OpinionStance.SUPPORT, text: 'Thống nhất mục tiêu chung; cần chỉ tiêu đo lường cụ thể cho từng năm.', section: '1' },
    ],
  },
  {
    federation: 'CANTHO',
    kind: ConsultationKind.CONSULTATION,
    subjectKind: SubjectKind.PROGRAMME,
    title: 'Tư vấn Chương trình nâng cao năng lực y tế cơ sở thành phố Cần Thơ đến năm 2030',
    summary: 'Sở Y tế đề nghị tư vấn (không công bố) về phương án sắp xếp trạm y tế xã sau hợp nhất và nhu cầu nhân lực.',
    origin: ConsultationOrigin.REQUESTED,
    agency: { name: 'Sở Y tế thành phố Cần Thơ', level: AgencyLevel.DEPARTMENT, contact: 'Phòng Kế hoạch – Tài chính, Sở Y tế' },
    letter: { number: '2270/SYT-KHTC', date: '2025-09-26', title: 'Về việc đề nghị tư vấn Chương trình nâng cao năng lực y tế cơ sở' },
    format: ConsultationFormat.COUNCIL,
    receivedOn: '2025-10-01',
    dueOn: null,
    visibility: ConsultationVisibility.CONFIDENTIAL,
    fields: ['3.3', '3.2'],
    path: [
      [S.REQUESTED, '2025-10-01'],
      [S.SCREENING, '2025-10-02'],
      [S.ACCEPTED, '2025-10-06'],
      [S.PANEL_FORMED, '2025-10-20'],
    ],
    document: {
      title: 'Dự thảo Chương trình nâng cao năng lực y tế cơ sở thành phố Cần Thơ đến năm 2030',
      versionLabel: 'Dự thảo nội bộ',
      issuedOn: '2025-09-20',
      sections: [
        { number: '1', heading: 'Thực trạng', text: 'Mạng lưới trạm y tế xã sau hợp nhất chưa đồng đều về nhân lực và trang thiết bị.' },
        { number: '2', heading: 'Phương án sắp xếp', text: 'Sắp xếp lại trạm y tế theo đơn vị hành chính cấp xã mới.' },
        { number: '3', heading: 'Nhân lực', text: 'Bảo đảm mỗi trạm y tế có ít nhất một bác sĩ.' },
      ],
    },
    lead: 'CT-YHOC',
    panel: [
      ['CT-YHOC', PanelRole.CHAIR],
      ['CT-YHOC', PanelRole.MEMBER],
      ['CT-YHOC', PanelRole.MEMBER],
    ],
  },
  {
    federation: 'CANTHO',
    kind: ConsultationKind.SOCIAL_CRITIQUE,
    subjectKind: SubjectKind.POLICY,
    title: 'Phản biện xã hội chính sách phòng, chống sạt lở bờ sông, bờ biển trên địa bàn thành phố Cần Thơ',
    summary: 'Liên hiệp hội chủ động phản biện chính sách di dời dân cư vùng sạt lở và đầu tư kè bảo vệ bờ sông.',
    origin: ConsultationOrigin.SELF_INITIATED,
    agency: { name: 'Ủy ban nhân dân thành phố Cần Thơ', level: AgencyLevel.PEOPLES_COMMITTEE, contact: null },
    format: ConsultationFormat.WORKSHOP,
    receivedOn: '2025-11-03',
    dueOn: null,
    visibility: ConsultationVisibility.PUBLIC,
    fields: ['2.7', '1.5'],
    path: [[S.ACCEPTED, '2025-11-03']],
    lead: 'CT-TINHOC',
  },
  {
    federation: 'CANTHO',
    kind: ConsultationKind.CONSULTATION,
    subjectKind: SubjectKind.POLICY,
    title: 'Tư vấn chính sách thu hút nhân lực y tế chất lượng cao về công tác tại thành phố Cần Thơ',
    summary: 'Sở Y tế đề nghị tư vấn mức hỗ trợ và điều kiện áp dụng chính sách thu hút bác sĩ, dược sĩ về công tác tại tuyến xã.',
    origin: ConsultationOrigin.REQUESTED,
    agency: { name: 'Sở Y tế thành phố Cần Thơ', level: AgencyLevel.DEPARTMENT, contact: 'Phòng Tổ chức cán bộ, Sở Y tế' },
    letter: { number: '2890/SYT-TCCB', date: '2025-11-25', title: 'Về việc đề nghị tư vấn chính sách thu hút nhân lực y tế' },
    format: ConsultationFormat.WRITTEN_OPINIONS,
    receivedOn: '2025-12-01',
    dueOn: null,
    visibility: ConsultationVisibility.PUBLIC,
    fields: ['3.2', '5.2'],
    path: [
      [S.REQUESTED, '2025-12-01'],
      [S.SCREENING, '2025-12-03'],
    ],
  },
  {
    federation: 'CANTHO',
    kind: ConsultationKind.SOCIAL_ASSESSMENT,
    subjectKind: SubjectKind.PLAN,
    title: 'Giám định xã hội Kế hoạch phát triển hạ tầng giao thông kết nối vùng Sóc Trăng – Cần Thơ',
    summary: 'HĐND thành phố đề nghị giám định xã hội kế hoạch đầu tư các tuyến giao thông kết nối khu vực Sóc Trăng cũ với trung tâm thành phố.',
    origin: ConsultationOrigin.REQUESTED,
    agency: { name: 'Thường trực Hội đồng nhân dân thành phố Cần Thơ', level: AgencyLevel.PEOPLES_COUNCIL, contact: null },
    letter: { number: '118/HĐND-VP', date: '2026-10-28', title: 'Về việc đề nghị giám định xã hội Kế hoạch phát triển hạ tầng giao thông' },
    format: ConsultationFormat.COUNCIL,
    receivedOn: '2026-11-02',
    dueOn: null,
    visibility: ConsultationVisibility.PUBLIC,
    fields: ['2.1', '5.7'],
    path: [[S.REQUESTED, '2026-11-02']],
  },
];

async function rows<T = Record<string, unknown>>(em: EntityManager, q: Knex.QueryBuilder | Knex.Raw): Promise<T[]> {
  return runQuery<T>(em, q);
}

export async function seedConsultationDemo(em: EntityManager): Promise<{ requests: number }> {
  const knex = em.getKnex();
  const federations = new Map((await rows<{ id: number; code: string }>(em, knex('federation').select('id', 'code').whereIn('code', ['SOCTRANG', 'CANTHO']))).map((r) => [r.code, r.id]));
  const associations = new Map((await rows<{ id: number; code: string }>(em, knex('association').select('id', 'code'))).map((r) => [r.code, r.id]));
  const idOf = (code: string) => {
    const id = associations.get(code);
    if (id === undefined) throw new Error(`consultation demo: no association ${code}`);
    return id;
  };
  /** Active members of each association, in membership order; each person used once across all panels of a request. */
  const members = async (code: string) =>
    (await rows<{ intellectual_id: number }>(em, knex('membership').select('intellectual_id').where({ association_id: idOf(code), status: 'ACTIVE' }).orderBy('id'))).map((r) => r.intellectual_id);
  const pools = new Map<string, number[]>();
  const pool = async (code: string) => pools.get(code) ?? (pools.set(code, await members(code)), pools.get(code)!);

  for (const [n, r] of DEMO_REQUESTS.entries()) {
    const status = r.path[r.path.length - 1]![0];
    const [req] = await rows<{ id: number }>(
      em,
      knex('consultation_request')
        .insert({
          federation_id: federations.get(r.federation),
          kind: r.kind,
          subject_kind: r.subjectKind,
          title: r.title,
          summary: r.summary,
          origin: r.origin,
          agency_name: r.agency.name,
          agency_level: r.agency.level,
          agency_contact: r.agency.contact,
          request_document_number: r.letter?.number ?? null,
          request_document_date: r.letter?.date ?? null,
          request_document_issuer: r.letter ? r.agency.name : null,
          request_document_title: r.letter?.title ?? null,
          format: r.format,
          received_on: r.receivedOn,
          due_on: r.dueOn,
          visibility: r.visibility,
          status,
          fields: pgArray(r.fields),
          version: r.path.length,
          demo: true,
          created_at: at(r.receivedOn),
          updated_at: at(r.path[r.path.length - 1]![1]),
        })
        .returning('id'),
    );
    const requestId = req!.id;

    // History: every move, from the creation (from null).
    await rows(
      em,
      knex('consultation_transition').insert(r.path.map(([to, date, note], k) => ({ request_id: requestId, from: k === 0 ? null : r.path[k - 1]![0], to, note: note ?? null, at: at(date), by: null }))),
    );

    const sections = new Map<string, number>();
    if (r.document) {
      const [doc] = await rows<{ id: number }>(
        em,
        knex('policy_document')
          .insert({ title: r.document.title, link: `https://example.org/du-thao/demo-${n + 1}`, version_label: r.document.versionLabel, issued_on: r.document.issuedOn, demo: true })
          .returning('id'),
      );
      await rows(em, knex('consultation_request_document').insert({ request_id: requestId, document_id: doc!.id, position: 1 }));
      const inserted = await rows<{ id: number; number: string }>(
        em,
        knex('policy_document_section')
          .insert(r.document.sections.map((s, k) => ({ document_id: doc!.id, number: s.number, heading: s.heading, text: s.text, position: k + 1 })))
          .returning(['id', 'number']),
      );
      for (const s of inserted) sections.set(s.number, s.id);
    }
    const section = (number?: string) => (number ? (sections.get(number) ?? null) : null);

    if (r.lead) {
      await rows(
        em,
        knex('consultation_assignment').insert([
          { request_id: requestId, association_id: idOf(r.lead), role: AssignmentRole.LEAD },
          ...(r.contributors ?? []).map((c) => ({ request_id: requestId, association_id: idOf(c), role: AssignmentRole.CONTRIBUTOR })),
        ]),
      );
    }

    // The panel: the next unused active members of the named associations.
    const used = new Set<number>();
    const panel: number[] = [];
    for (const [code, role] of r.panel ?? []) {
      const person = (await pool(code)).find((p) => !used.has(p));
      if (person === undefined) throw new Error(`consultation demo: ${code} has too few members for the panel`);
      used.add(person);
      panel.push(person);
      const since = r.path.find(([s]) => s === S.PANEL_FORMED)?.[1] ?? r.receivedOn;
      await rows(em, knex('consultation_panel_member').insert({ request_id: requestId, intellectual_id: person, role, created_at: at(since), updated_at: at(since) }));
    }
    if (r.conflict) {
      const person = (await pool(r.conflict.association)).find((p) => !used.has(p))!;
      await rows(em, knex('consultation_conflict').insert({ request_id: requestId, intellectual_id: person, note: r.conflict.note, declared_at: at(r.receivedOn) }));
    }

    const reviewFrom = r.path.find(([s]) => s === S.IN_REVIEW)?.[1] ?? r.receivedOn;
    for (const o of r.opinions ?? []) {
      await rows(
        em,
        knex('consultation_opinion').insert({
          request_id: requestId,
          association_id: idOf(o.association),
          intellectual_id: o.panelMember === undefined ? null : panel[o.panelMember],
          stance: o.stance,
          text: o.text,
          section_id: section(o.section),
          version: 1,
          created_at: at(reviewFrom),
          updated_at: at(reviewFrom),
        }),
      );
    }

    if (r.report) {
      await rows(
        em,
        knex('consultation_report').insert({
          request_id: requestId,
          summary: r.report.summary,
          submitted_on: r.report.submittedOn,
          link: r.report.link,
          response_received_on: r.response?.receivedOn ?? null,
          response_overall: r.response?.overall ?? null,
          response_note: r.response?.note ?? null,
        }),
      );
      await rows(
        em,
        knex('consultation_recommendation').insert(
          r.report.recommendations.map(([text, s], k) => ({ request_id: requestId, number: k + 1, text, section_id: section(s), outcome: r.response?.outcomes[k] ?? null })),
        ),
      );
    }
  }
  return { requests: DEMO_REQUESTS.length };
}
