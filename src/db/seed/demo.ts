/**
 * Demo data: the national union (VUSTA), the Sóc Trăng union exactly as the source page
 * (seed/000_403d35fbcea1c1fa.txt) describes it, and invented member associations, people and
 * memberships to make the hub worth exploring. Its 2025 merger into Cần Thơ is recorded later, by
 * the governance module's seed (governance.demo.ts), the way mergeFederation records one.
 *
 * Everything invented carries demo = true. The load is deterministic: one fixed seed, no clock,
 * no Math.random, dates built as "YYYY-MM-DD" strings.
 */
import type { EntityClass, EntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LegalDocument } from '../../common/legal-document';
import { foldText } from '../../common/text';
import { Charter, Contact } from '../../modules/association/association.embeddables';
import { Association } from '../../modules/association/association.entity';
import { AssociationStatus } from '../../modules/association/association.enums';
import { Federation } from '../../modules/federation/federation.entity';
import { FederationLevel } from '../../modules/federation/federation.enums';
import { FIELDS } from '../../modules/field/field.data';
import { Intellectual } from '../../modules/intellectual/intellectual.entity';
import { AcademicTitle, Degree, Gender, MembershipRole, MembershipStatus } from '../../modules/intellectual/intellectual.enums';
import { Membership } from '../../modules/intellectual/membership.entity';
import { chance, dayNumber, isoDate, mulberry32, pickOne, randomDate, randomInt, vietnameseName, Weighted, weightedPicker } from './names';

export const DEMO_SOURCE_NOTE =
  'Every record with demo = true (the Cần Thơ union, all member associations, people, memberships and consultation requests) is invented for demonstration; ' +
  'records with demo = false (VUSTA, the Sóc Trăng union) hold sourced facts; the Sóc Trăng merger follows the 1 July 2025 reorganisation, as its description says.';

/** Fixed seed (the Sóc Trăng union's founding date): same data on every run. */
const SEED = 20070517;

/** People must be admitted before this day (memberships are a snapshot of late 2024). */
const LAST_JOIN = '2024-12-31';
/** Memberships that ended did so by this day. */
const LAST_LEAVE = '2025-06-30';
/** Floor for joining an association whose own joining date is unknown (the Cần Thơ ones). */
const UNKNOWN_JOIN_FLOOR = '2010-01-01';

/**
 * em.create() with strict typing also demands createdAt, updatedAt, version, givenName and the
 * GraphQL getters (globalId, fieldList), which the entity defaults, hooks and database fill in.
 * `partial: true` switches off only that compile-time check; runtime behaviour is the same.
 */
function make<T extends object>(em: EntityManager, entity: EntityClass<T>, data: EntityData<T>): T {
  return em.create(entity, data, { partial: true });
}

// ---------------------------------------------------------------------------------------------
// Legal documents (facts from the source page). Factories, so no two owners share an instance.
// ---------------------------------------------------------------------------------------------

const vustaCharterDecision = () =>
  new LegalDocument({
    number: '1795/QĐ-TTg',
    date: '2015-10-21',
    issuer: 'Thủ tướng Chính phủ',
    title: 'Phê chuẩn Điều lệ Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam',
  });

const directive42 = () =>
  new LegalDocument({
    number: '42-CT/TW',
    date: '2010-04-16',
    issuer: 'Bộ Chính trị',
    // The published title; the source page cites number, date and issuer only.
    title:
      'Chỉ thị về tiếp tục đổi mới, nâng cao chất lượng, hiệu quả hoạt động của Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam trong thời kỳ đẩy mạnh công nghiệp hoá, hiện đại hoá đất nước',
  });

const SOCTRANG_DESCRIPTION = [
  'Liên hiệp các Hội Khoa học và Kỹ thuật Sóc Trăng được thành lập theo Quyết định số 192/QĐTC-CTUBND ngày 17/5/2007 của Chủ tịch UBND tỉnh Sóc Trăng.',
  'Là tổ chức chính trị - xã hội, chịu sự lãnh đạo trực tiếp của Tỉnh ủy; tập hợp, đoàn kết đội ngũ trí thức khoa học và công nghệ thông qua các hội thành viên.',
  'Khi thành lập có 6 hội thành viên; năm 2020 có 17 hội thành viên.',
  'Đại hội đại biểu là cơ quan lãnh đạo cao nhất, nhiệm kỳ 5 năm; theo trang nguồn, Liên hiệp hội đã qua 3 kỳ đại hội.',
  'Chức năng, nhiệm vụ được quy định tại Chỉ thị số 42-CT/TW ngày 16/4/2010 của Bộ Chính trị và Điều lệ Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam được Thủ tướng Chính phủ phê chuẩn tại Quyết định số 1795/QĐ-TTg ngày 21/10/2015.',
  'Ghi chú: bản ghi sáp nhập (ngày 01/7/2025, đơn vị kế thừa là Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ) dựa theo việc sắp xếp đơn vị hành chính cấp tỉnh có hiệu lực từ ngày 01/7/2025, theo đó tỉnh Sóc Trăng trở thành một phần của thành phố Cần Thơ; thông tin này không có trên trang nguồn.',
].join(' ');

// ---------------------------------------------------------------------------------------------
// Member associations (all invented) and the kinds of people they gather
// ---------------------------------------------------------------------------------------------

const deg = (pairs: Array<[Degree, number]>): Weighted<Degree>[] => pairs.map(([value, weight]) => ({ value, weight }));

/** Highest-degree mix by kind of association. OTHER stands for no degree (lương y, farmers, nurses with a college diploma). */
const DEGREES = {
  medical: deg([[Degree.BS, 30], [Degree.CKI, 25], [Degree.CKII, 12], [Degree.THS, 15], [Degree.TS, 6], [Degree.DS, 2]]),
  pharmacy: deg([[Degree.DS, 45], [Degree.CKI, 18], [Degree.CKII, 7], [Degree.THS, 20], [Degree.TS, 5]]),
  nursing: deg([[Degree.CN, 55], [Degree.CKI, 10], [Degree.THS, 12], [Degree.BS, 3], [Degree.OTHER, 20]]),
  traditional: deg([[Degree.BS, 30], [Degree.CKI, 18], [Degree.CKII, 7], [Degree.THS, 8], [Degree.DS, 5], [Degree.OTHER, 30]]),
  engineering: deg([[Degree.KS, 55], [Degree.THS, 28], [Degree.TS, 9], [Degree.CN, 7], [Degree.TSKH, 1]]),
  farming: deg([[Degree.KS, 35], [Degree.CN, 10], [Degree.THS, 8], [Degree.TS, 2], [Degree.OTHER, 45]]),
  social: deg([[Degree.CN, 55], [Degree.THS, 30], [Degree.TS, 12], [Degree.TSKH, 1], [Degree.OTHER, 2]]),
};
type Kind = keyof typeof DEGREES;

// Workplaces: real kinds of Sóc Trăng / Cần Thơ institutions (names as before the 2025 reorganisation).
const ST_HEALTH = [
  'Bệnh viện Đa khoa tỉnh Sóc Trăng',
  'Bệnh viện Đa khoa tỉnh Sóc Trăng',
  'Sở Y tế tỉnh Sóc Trăng',
  'Trung tâm Kiểm soát bệnh tật tỉnh Sóc Trăng',
  'Trung tâm Y tế thị xã Vĩnh Châu',
  'Trung tâm Y tế thị xã Ngã Năm',
  'Trung tâm Y tế huyện Kế Sách',
  'Trung tâm Y tế huyện Mỹ Xuyên',
  'Trung tâm Y tế huyện Long Phú',
  'Trung tâm Y tế huyện Trần Đề',
  'Trường Đại học Y Dược Cần Thơ',
];
const ST_TRADITIONAL = ['Bệnh viện Y dược cổ truyền tỉnh Sóc Trăng', 'Bệnh viện Đa khoa tỉnh Sóc Trăng', 'Trung tâm Y tế huyện Châu Thành', 'Phòng chẩn trị y học cổ truyền tư nhân'];
const ST_PHARMACY = ['Bệnh viện Đa khoa tỉnh Sóc Trăng', 'Sở Y tế tỉnh Sóc Trăng', 'Trung tâm Kiểm nghiệm tỉnh Sóc Trăng', 'Nhà thuốc tư nhân', 'Trường Đại học Y Dược Cần Thơ'];
const CT_HEALTH = ['Bệnh viện Đa khoa Trung ương Cần Thơ', 'Bệnh viện Đa khoa thành phố Cần Thơ', 'Trường Đại học Y Dược Cần Thơ', 'Sở Y tế thành phố Cần Thơ'];
const ST_ENGINEERING = [
  'Sở Xây dựng tỉnh Sóc Trăng',
  'Sở Giao thông Vận tải tỉnh Sóc Trăng',
  'Sở Công Thương tỉnh Sóc Trăng',
  'Sở Khoa học và Công nghệ tỉnh Sóc Trăng',
  'Công ty Điện lực Sóc Trăng',
  'Trường Cao đẳng Cộng đồng Sóc Trăng',
  'Trường Đại học Cần Thơ',
  'Trường Đại học Kỹ thuật – Công nghệ Cần Thơ',
];
const ST_IT = ['Sở Thông tin và Truyền thông tỉnh Sóc Trăng', 'Sở Khoa học và Công nghệ tỉnh Sóc Trăng', 'Trường Cao đẳng Cộng đồng Sóc Trăng', 'Trường Đại học Cần Thơ'];
const CT_IT = ['Trường Đại học Cần Thơ', 'Trường Đại học Kỹ thuật – Công nghệ Cần Thơ', 'Sở Thông tin và Truyền thông thành phố Cần Thơ'];
const ST_AGRICULTURE = [
  'Sở Nông nghiệp và Phát triển Nông thôn tỉnh Sóc Trăng',
  'Trung tâm Khuyến nông tỉnh Sóc Trăng',
  'Chi cục Thủy sản tỉnh Sóc Trăng',
  'Viện Lúa Đồng bằng sông Cửu Long',
  'Trường Đại học Cần Thơ',
  'Trường Cao đẳng Cộng đồng Sóc Trăng',
];
const ST_ENVIRONMENT = ['Sở Tài nguyên và Môi trường tỉnh Sóc Trăng', 'Sở Khoa học và Công nghệ tỉnh Sóc Trăng', 'Trường Đại học Cần Thơ', 'Trường Cao đẳng Cộng đồng Sóc Trăng'];
const ST_LAW = ['Sở Tư pháp tỉnh Sóc Trăng', 'Tòa án nhân dân tỉnh Sóc Trăng', 'Viện Kiểm sát nhân dân tỉnh Sóc Trăng', 'Đoàn Luật sư tỉnh Sóc Trăng', 'Trường Chính trị tỉnh Sóc Trăng'];
const ST_ECONOMY = ['Sở Kế hoạch và Đầu tư tỉnh Sóc Trăng', 'Sở Tài chính tỉnh Sóc Trăng', 'Cục Thống kê tỉnh Sóc Trăng', 'Trường Đại học Cần Thơ', 'Trường Cao đẳng Cộng đồng Sóc Trăng'];
const ST_EDUCATION = ['Sở Giáo dục và Đào tạo tỉnh Sóc Trăng', 'Trường THPT chuyên Nguyễn Thị Minh Khai', 'Trường Cao đẳng Cộng đồng Sóc Trăng', 'Trường Đại học Cần Thơ', 'Trường Chính trị tỉnh Sóc Trăng'];
const ST_HISTORY = ['Bảo tàng tỉnh Sóc Trăng', 'Sở Văn hóa, Thể thao và Du lịch tỉnh Sóc Trăng', 'Trường Chính trị tỉnh Sóc Trăng', 'Trường THPT chuyên Nguyễn Thị Minh Khai'];

/** Positions for people at universities and colleges, whatever their association. */
const ACADEMIC_POSITIONS = ['Giảng viên', 'Giảng viên', 'Giảng viên chính', 'Trưởng bộ môn', 'Phó Trưởng khoa'];

interface AssociationSpec {
  code: string;
  name: string;
  nameEn: string;
  /** OECD FOS codes, main field first. */
  fields: string[];
  federation: 'SOCTRANG' | 'CANTHO';
  /** Date it joined its federation; null where even a demo date would mean inventing the federation's history. */
  joinedOn: string | null;
  /** People whose main association it is. */
  members: number;
  femaleShare: number;
  kind: Kind;
  workplaces: readonly string[];
  positions: readonly string[];
}

const MEDICAL_POSITIONS = ['Bác sĩ điều trị', 'Bác sĩ điều trị', 'Trưởng khoa', 'Phó Trưởng khoa', 'Phó Giám đốc', 'Trưởng phòng Kế hoạch tổng hợp'];

/** Six founding members (joined 2007-05-17), then one or two a year up to the 17th in 2020. */
const ASSOCIATIONS: AssociationSpec[] = [
  { code: 'ST-YHOC', name: 'Hội Y học tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Medical Association', fields: ['3.2', '3.1'], federation: 'SOCTRANG', joinedOn: '2007-05-17', members: 44, femaleShare: 0.45, kind: 'medical', workplaces: ST_HEALTH, positions: MEDICAL_POSITIONS },
  // Pharmacy sits in FOS 3.1 (basic medicine: pharmacology and pharmacy).
  { code: 'ST-DUOCHOC', name: 'Hội Dược học tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Pharmaceutical Association', fields: ['3.1'], federation: 'SOCTRANG', joinedOn: '2007-05-17', members: 20, femaleShare: 0.6, kind: 'pharmacy', workplaces: ST_PHARMACY, positions: ['Dược sĩ', 'Dược sĩ', 'Trưởng khoa Dược', 'Kiểm nghiệm viên', 'Chủ nhà thuốc'] },
  { code: 'ST-LUATGIA', name: 'Hội Luật gia tỉnh Sóc Trăng', nameEn: "Sóc Trăng Jurists' Association", fields: ['5.5'], federation: 'SOCTRANG', joinedOn: '2007-05-17', members: 16, femaleShare: 0.3, kind: 'social', workplaces: ST_LAW, positions: ['Luật sư', 'Thẩm phán', 'Kiểm sát viên', 'Chuyên viên pháp chế', 'Trợ giúp viên pháp lý'] },
  { code: 'ST-KINHTE', name: 'Hội Khoa học Kinh tế tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Association of Economic Sciences', fields: ['5.2'], federation: 'SOCTRANG', joinedOn: '2007-05-17', members: 15, femaleShare: 0.45, kind: 'social', workplaces: ST_ECONOMY, positions: ['Chuyên viên', 'Chuyên viên', 'Kế toán trưởng', 'Trưởng phòng', 'Phó Giám đốc'] },
  { code: 'ST-LAMVUON', name: 'Hội Làm vườn tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Gardening Association', fields: ['4.1'], federation: 'SOCTRANG', joinedOn: '2007-05-17', members: 14, femaleShare: 0.25, kind: 'farming', workplaces: ['Trung tâm Khuyến nông tỉnh Sóc Trăng', 'Hợp tác xã nông nghiệp', 'Kinh tế vườn hộ gia đình', 'Sở Nông nghiệp và Phát triển Nông thôn tỉnh Sóc Trăng'], positions: ['Chủ vườn', 'Chủ vườn', 'Kỹ sư nông nghiệp', 'Cán bộ khuyến nông', 'Giám đốc hợp tác xã'] },
  // Traditional medicine is "integrative and complementary medicine" in FOS 3.2.
  { code: 'ST-DONGY', name: 'Hội Đông y tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Association of Oriental Medicine', fields: ['3.2', '3.5'], federation: 'SOCTRANG', joinedOn: '2007-05-17', members: 17, femaleShare: 0.35, kind: 'traditional', workplaces: ST_TRADITIONAL, positions: ['Lương y', 'Lương y', 'Bác sĩ y học cổ truyền', 'Trưởng khoa Y học cổ truyền'] },
  { code: 'ST-XAYDUNG', name: 'Hội Xây dựng tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Construction Association', fields: ['2.1'], federation: 'SOCTRANG', joinedOn: '2008-03-12', members: 14, femaleShare: 0.15, kind: 'engineering', workplaces: ST_ENGINEERING, positions: ['Kỹ sư', 'Kỹ sư', 'Chỉ huy trưởng công trình', 'Trưởng phòng Kỹ thuật', 'Giám đốc'] },
  { code: 'ST-CHAMCUU', name: 'Hội Châm cứu tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Acupuncture Association', fields: ['3.2'], federation: 'SOCTRANG', joinedOn: '2009-06-25', members: 12, femaleShare: 0.4, kind: 'traditional', workplaces: ST_TRADITIONAL, positions: ['Bác sĩ châm cứu', 'Lương y', 'Y sĩ', 'Trưởng khoa Y học cổ truyền'] },
  { code: 'ST-TINHOC', name: 'Hội Tin học tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Informatics Association', fields: ['1.2', '2.2'], federation: 'SOCTRANG', joinedOn: '2010-09-08', members: 18, femaleShare: 0.25, kind: 'engineering', workplaces: ST_IT, positions: ['Kỹ sư phần mềm', 'Chuyên viên công nghệ thông tin', 'Quản trị hệ thống', 'Trưởng phòng Công nghệ thông tin'] },
  { code: 'ST-LICHSU', name: 'Hội Khoa học Lịch sử tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Association of Historical Sciences', fields: ['6.1'], federation: 'SOCTRANG', joinedOn: '2011-11-15', members: 12, femaleShare: 0.45, kind: 'social', workplaces: ST_HISTORY, positions: ['Nghiên cứu viên', 'Giáo viên', 'Chuyên viên', 'Cán bộ bảo tàng'] },
  { code: 'ST-THUYSAN', name: 'Hội Thủy sản tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Fisheries Association', fields: ['4.1'], federation: 'SOCTRANG', joinedOn: '2012-08-20', members: 14, femaleShare: 0.25, kind: 'engineering', workplaces: ST_AGRICULTURE, positions: ['Kỹ sư nuôi trồng thủy sản', 'Chuyên viên', 'Chủ trang trại nuôi tôm', 'Nghiên cứu viên'] },
  // Architecture spans civil engineering (2.1) and architectural design (6.4).
  { code: 'ST-KIENTRUC', name: 'Hội Kiến trúc sư tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Association of Architects', fields: ['2.1', '6.4'], federation: 'SOCTRANG', joinedOn: '2013-12-05', members: 12, femaleShare: 0.25, kind: 'engineering', workplaces: ['Sở Xây dựng tỉnh Sóc Trăng', 'Công ty tư vấn thiết kế xây dựng', 'Trường Đại học Cần Thơ'], positions: ['Kiến trúc sư', 'Kiến trúc sư', 'Chủ nhiệm đồ án', 'Chuyên viên quy hoạch', 'Giám đốc'] },
  { code: 'ST-DIEUDUONG', name: 'Hội Điều dưỡng tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Nursing Association', fields: ['3.3'], federation: 'SOCTRANG', joinedOn: '2014-05-12', members: 18, femaleShare: 0.8, kind: 'nursing', workplaces: ST_HEALTH, positions: ['Điều dưỡng viên', 'Điều dưỡng viên', 'Hộ sinh viên', 'Điều dưỡng trưởng khoa', 'Điều dưỡng trưởng bệnh viện'] },
  { code: 'ST-MOITRUONG', name: 'Hội Bảo vệ Thiên nhiên và Môi trường tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Association for Conservation of Nature and Environment', fields: ['1.5', '2.7'], federation: 'SOCTRANG', joinedOn: '2015-06-05', members: 12, femaleShare: 0.4, kind: 'social', workplaces: ST_ENVIRONMENT, positions: ['Chuyên viên', 'Kỹ sư môi trường', 'Nghiên cứu viên', 'Trưởng phòng'] },
  { code: 'ST-TAMLYGD', name: 'Hội Khoa học Tâm lý – Giáo dục tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Association of Psychological and Educational Sciences', fields: ['5.1', '5.3'], federation: 'SOCTRANG', joinedOn: '2016-11-18', members: 15, femaleShare: 0.65, kind: 'social', workplaces: ST_EDUCATION, positions: ['Giáo viên', 'Giáo viên', 'Hiệu trưởng', 'Phó Hiệu trưởng', 'Chuyên viên', 'Chuyên viên tư vấn tâm lý học đường'] },
  { code: 'ST-NONGNGHIEP', name: 'Hội Khoa học Kỹ thuật Nông nghiệp tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Association of Agricultural Science and Technology', fields: ['4.1', '4.4'], federation: 'SOCTRANG', joinedOn: '2018-04-10', members: 17, femaleShare: 0.25, kind: 'engineering', workplaces: ST_AGRICULTURE, positions: ['Kỹ sư nông nghiệp', 'Cán bộ khuyến nông', 'Nghiên cứu viên', 'Trưởng trạm', 'Chuyên viên'] },
  { code: 'ST-COKHIDIEN', name: 'Hội Cơ khí – Điện tỉnh Sóc Trăng', nameEn: 'Sóc Trăng Association of Mechanical and Electrical Engineering', fields: ['2.3', '2.2'], federation: 'SOCTRANG', joinedOn: '2020-10-22', members: 12, femaleShare: 0.1, kind: 'engineering', workplaces: ST_ENGINEERING, positions: ['Kỹ sư', 'Kỹ sư điện', 'Kỹ sư cơ khí', 'Quản đốc phân xưởng', 'Trưởng phòng Kỹ thuật'] },
  { code: 'CT-YHOC', name: 'Hội Y học thành phố Cần Thơ', nameEn: 'Cần Thơ City Medical Association', fields: ['3.2', '3.1'], federation: 'CANTHO', joinedOn: null, members: 25, femaleShare: 0.45, kind: 'medical', workplaces: CT_HEALTH, positions: MEDICAL_POSITIONS },
  { code: 'CT-TINHOC', name: 'Hội Tin học thành phố Cần Thơ', nameEn: 'Cần Thơ City Informatics Association', fields: ['1.2', '2.2'], federation: 'CANTHO', joinedOn: null, members: 13, femaleShare: 0.25, kind: 'engineering', workplaces: CT_IT, positions: ['Kỹ sư phần mềm', 'Chuyên viên công nghệ thông tin', 'Giám đốc công ty phần mềm', 'Trưởng phòng Công nghệ thông tin'] },
];

/** The people the brief names, to demo diacritic-insensitive search and Vietnamese ordering. */
const FIXED_PEOPLE: Array<{ fullName: string; gender: Gender.MALE | Gender.FEMALE }> = [
  { fullName: 'Nguyễn Văn Đức', gender: Gender.MALE },
  { fullName: 'Hồ Thị Ánh', gender: Gender.FEMALE },
  { fullName: 'Trần Đức An', gender: Gender.MALE },
];

const ST_STREETS = ['Trần Hưng Đạo', 'Hùng Vương', 'Lê Lợi', 'Hai Bà Trưng', 'Nguyễn Văn Linh', 'Lê Duẩn', 'Mạc Đĩnh Chi', 'Phú Lợi', 'Tôn Đức Thắng', 'Nguyễn Trung Trực'];
const CT_STREETS = ['Nguyễn Văn Cừ', '30 Tháng 4', 'Trần Hưng Đạo', 'Mậu Thân', 'Hòa Bình', 'Lý Tự Trọng'];
const CT_WARDS = ['An Hòa', 'An Khánh', 'Xuân Khánh', 'Hưng Lợi', 'Cái Khế', 'Tân An'];

const digits = (rnd: () => number, n: number): string => Array.from({ length: n }, () => String(randomInt(rnd, 0, 9))).join('');

// ---------------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------------

interface PersonPlan {
  entity: Intellectual;
  birthYear: number;
  title: AcademicTitle;
  degree: Degree;
  /** Fixed people stay active members so the demo can always show them. */
  fixed: boolean;
}

interface MembershipPlan {
  person: PersonPlan;
  spec: AssociationSpec;
  joinedOn: string;
  status: MembershipStatus;
  leftOn: string | null;
  role: MembershipRole;
}

const GENDER_OTHER = 0.01;
const GENDER_UNDISCLOSED = 0.02;
const PUBLIC_SHARE = 0.4;
const SECOND_ASSOCIATION = 0.15;

/** Birth year peaking in the mid-1970s: few members are very old or very young. */
function birthYear(rnd: () => number, from: number, to: number): number {
  return Math.round(from + ((rnd() + rnd()) / 2) * (to - from));
}

/** A related field for someone with a second interest: another subfield of the main field's domain. */
function relatedField(rnd: () => number, main: string, taken: readonly string[]): string | null {
  const domain = main.split('.')[0];
  const options = FIELDS.filter((f) => f.code.startsWith(`${domain}.`) && !taken.includes(f.code));
  return options.length > 0 ? pickOne(rnd, options).code : null;
}

function sameOrAnotherAssociation(rnd: () => number, primary: AssociationSpec): AssociationSpec {
  const others = ASSOCIATIONS.filter((a) => a !== primary);
  const sameKind = others.filter((a) => a.kind === primary.kind);
  if (sameKind.length > 0 && chance(rnd, 0.6)) return pickOne(rnd, sameKind);
  // Otherwise bigger associations are likelier second homes.
  return weightedPicker(others.map((a) => ({ value: a, weight: a.members })))(rnd);
}

/** Seniority used to pick leaders: academic title, degree, then age. */
function seniority(p: PersonPlan): number {
  const title = { [AcademicTitle.GS]: 100, [AcademicTitle.PGS]: 60, [AcademicTitle.NONE]: 0 }[p.title];
  const degree: Partial<Record<Degree, number>> = { TSKH: 45, TS: 35, CKII: 25, THS: 15, CKI: 12, BS: 5, DS: 5, KS: 5, CN: 5 };
  return title + (degree[p.degree] ?? 0) + (2000 - p.birthYear) / 2;
}

/** Sets roles on one association's memberships: the board from its senior active members, the rest MEMBER. */
function assignRoles(rnd: () => number, memberships: MembershipPlan[], officers: Set<PersonPlan>): void {
  // One person leads at most one association.
  const pool = memberships.filter((m) => m.status === MembershipStatus.ACTIVE && !officers.has(m.person));
  const take = (m: MembershipPlan | undefined, role: MembershipRole) => {
    if (!m) return;
    m.role = role;
    officers.add(m.person);
    pool.splice(pool.indexOf(m), 1);
  };
  const bySeniority = () => [...pool].sort((a, b) => seniority(b.person) - seniority(a.person));
  take(bySeniority()[0], MembershipRole.PRESIDENT);
  const vps = bySeniority().slice(0, randomInt(rnd, 1, 2));
  vps.forEach((m) => take(m, MembershipRole.VICE_PRESIDENT));
  // Honorary members: the eldest.
  const eldest = [...pool].sort((a, b) => a.person.birthYear - b.person.birthYear).slice(0, randomInt(rnd, 1, 2));
  eldest.forEach((m) => take(m, MembershipRole.HONORARY));
  take(pool.length > 0 ? pickOne(rnd, pool) : undefined, MembershipRole.SECRETARY_GENERAL);
  const executives = randomInt(rnd, 2, 4);
  for (let i = 0; i < executives && pool.length > 0; i++) take(pickOne(rnd, pool), MembershipRole.EXECUTIVE);
}

// ---------------------------------------------------------------------------------------------
// The load
// ---------------------------------------------------------------------------------------------

export async function seedDemo(em: EntityManager): Promise<{ federations: number; associations: number; intellectuals: number; memberships: number }> {
  // The caller's transaction (seedDemoData): all of the demo or none of it.
  const tem = em;
  {
    const existing = await tem.count(Federation, { code: { $in: ['VUSTA', 'SOCTRANG', 'CANTHO'] } });
    if (existing > 0) throw new Error('seedDemo: the demo federations already exist; load the demo data into an empty database');

    // Separate streams, so changing how people are drawn does not reshuffle the associations.
    const orgRnd = mulberry32(SEED);
    const peopleRnd = mulberry32(SEED + 1);
    const memberRnd = mulberry32(SEED + 2);

    // --- Federations (referenced rows first, so no insert needs a later update) ---------------
    const vusta = make(tem, Federation, {
      code: 'VUSTA',
      name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam',
      nameEn: 'Vietnam Union of Science and Technology Associations',
      shortName: 'VUSTA',
      level: FederationLevel.NATIONAL,
      legalBases: [vustaCharterDecision()],
      demo: false,
    });
    const cantho = make(tem, Federation, {
      code: 'CANTHO',
      name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Cần Thơ',
      level: FederationLevel.PROVINCIAL,
      province: 'Cần Thơ',
      parent: vusta,
      description: 'Bản ghi tối thiểu (dữ liệu minh họa): đơn vị kế thừa Liên hiệp các Hội Khoa học và Kỹ thuật Sóc Trăng sau ngày 01/7/2025; các thông tin khác chưa có nguồn.',
      demo: true,
    });
    const soctrang = make(tem, Federation, {
      code: 'SOCTRANG',
      name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Sóc Trăng',
      shortName: 'Liên hiệp các Hội KH&KT Sóc Trăng',
      nameEn: 'Union of Science and Technology Associations of Sóc Trăng',
      level: FederationLevel.PROVINCIAL,
      province: 'Sóc Trăng',
      parent: vusta,
      foundedOn: '2007-05-17',
      foundingDecision: new LegalDocument({
        number: '192/QĐTC-CTUBND',
        date: '2007-05-17',
        issuer: 'Chủ tịch UBND tỉnh Sóc Trăng',
        title: 'Quyết định thành lập Liên hiệp các Hội Khoa học và Kỹ thuật Sóc Trăng',
      }),
      legalBases: [directive42(), vustaCharterDecision()],
      description: SOCTRANG_DESCRIPTION,
      // ACTIVE here: the governance module's seed records its merger into CANTHO (1 July 2025)
      // through mergeFederation's function, which also moves its associations and ends its term.
      demo: false,
    });
    const federationOf = { SOCTRANG: soctrang, CANTHO: cantho };

    // --- Associations ----------------------------------------------------------------------
    const associations = new Map<AssociationSpec, Association>();
    for (const spec of ASSOCIATIONS) {
      const inSocTrang = spec.federation === 'SOCTRANG';
      const approvedOn = spec.joinedOn
        ? isoDate(randomInt(orgRnd, dayNumber(spec.joinedOn) - 720, dayNumber(spec.joinedOn) - 30)) // approved before it joined
        : randomDate(orgRnd, '2010-01-01', '2020-12-31');
      const address = inSocTrang
        ? `Số ${randomInt(orgRnd, 1, 250)} đường ${pickOne(orgRnd, ST_STREETS)}, Phường ${randomInt(orgRnd, 1, 10)}, thành phố Sóc Trăng, tỉnh Sóc Trăng`
        : `Số ${randomInt(orgRnd, 1, 250)} đường ${pickOne(orgRnd, CT_STREETS)}, phường ${pickOne(orgRnd, CT_WARDS)}, quận Ninh Kiều, thành phố Cần Thơ`;
      // Landlines: 0 + area code (299 Sóc Trăng, 292 Cần Thơ) + 7 digits.
      const phone = `${inSocTrang ? '0299' : '0292'} 38${digits(orgRnd, 2)} ${digits(orgRnd, 3)}`;
      associations.set(
        spec,
        make(tem, Association, {
          code: spec.code,
          name: spec.name,
          nameEn: spec.nameEn,
          fields: spec.fields,
          federation: federationOf[spec.federation],
          status: AssociationStatus.ACTIVE,
          joinedOn: spec.joinedOn,
          charter: new Charter({
            title: `Điều lệ ${spec.name}`,
            approvingDecision: `Quyết định số ${randomInt(orgRnd, 100, 2999)}/QĐ-UBND của Chủ tịch UBND ${inSocTrang ? 'tỉnh Sóc Trăng' : 'thành phố Cần Thơ'}`,
            approvedOn,
            url: null,
          }),
          contact: new Contact({ address, email: `${spec.code.toLowerCase()}@example.org`, phone, website: null }),
          demo: true,
        }),
      );
    }

    // --- People ----------------------------------------------------------------------------
    const people: Array<{ plan: PersonPlan; primary: AssociationSpec; secondary: AssociationSpec | null }> = [];
    const pickers = new Map(Object.entries(DEGREES).map(([kind, list]) => [kind, weightedPicker(list)]));
    let n = 0;
    for (const spec of ASSOCIATIONS) {
      for (let k = 0; k < spec.members; k++) {
        n++;
        const fixed = spec.code === 'ST-YHOC' ? FIXED_PEOPLE[k] : undefined;
        const r = peopleRnd();
        const gender = fixed?.gender ?? (r < GENDER_OTHER ? Gender.OTHER : r < GENDER_OTHER + GENDER_UNDISCLOSED ? Gender.UNDISCLOSED : chance(peopleRnd, spec.femaleShare) ? Gender.FEMALE : Gender.MALE);
        const nameGender = gender === Gender.FEMALE || gender === Gender.MALE ? gender : chance(peopleRnd, 0.5) ? 'FEMALE' : 'MALE';
        const fullName = fixed?.fullName ?? vietnameseName(peopleRnd, nameGender);

        // Titles first: they bound age and degree (GS/PGS hold a doctorate).
        const t = peopleRnd();
        const title = t < 0.02 ? AcademicTitle.GS : t < 0.08 ? AcademicTitle.PGS : AcademicTitle.NONE;
        const year = title === AcademicTitle.GS ? birthYear(peopleRnd, 1950, 1972) : title === AcademicTitle.PGS ? birthYear(peopleRnd, 1950, 1985) : birthYear(peopleRnd, 1950, 2000);
        const degree = title === AcademicTitle.NONE ? pickers.get(spec.kind)!(peopleRnd) : chance(peopleRnd, title === AcademicTitle.GS ? 0.3 : 0.1) ? Degree.TSKH : Degree.TS;

        const secondary = chance(peopleRnd, SECOND_ASSOCIATION) ? sameOrAnotherAssociation(peopleRnd, spec) : null;
        const fields = [spec.fields[0]!, ...spec.fields.slice(1).filter(() => chance(peopleRnd, 0.6))];
        if (secondary && !fields.includes(secondary.fields[0]!) && chance(peopleRnd, 0.7)) fields.push(secondary.fields[0]!);
        else if (!secondary && chance(peopleRnd, 0.1)) {
          const extra = relatedField(peopleRnd, spec.fields[0]!, fields);
          if (extra) fields.push(extra);
        }

        const workplace = pickOne(peopleRnd, spec.workplaces);
        const retired = year <= 1962 && chance(peopleRnd, 0.7);
        const position = retired ? 'Nghỉ hưu' : /^Trường (Đại học|Cao đẳng)/u.test(workplace) ? pickOne(peopleRnd, ACADEMIC_POSITIONS) : pickOne(peopleRnd, spec.positions);

        const entity = make(tem, Intellectual, {
          fullName,
          gender,
          birthDate: randomDate(peopleRnd, `${year}-01-01`, `${year}-12-31`),
          email: `${foldText(fullName).replace(/ /gu, '.')}.${n}@example.org`,
          // Vietnamese mobile numbers: 09x + 7 digits.
          phone: `09${pickOne(peopleRnd, ['0', '1', '3', '4', '6', '7', '8'])}${digits(peopleRnd, 7)}`,
          academicTitle: title,
          highestDegree: degree,
          fields,
          workplace,
          position,
          publicProfile: fixed ? true : chance(peopleRnd, PUBLIC_SHARE),
          demo: true,
        });
        people.push({ plan: { entity, birthYear: year, title, degree, fixed: !!fixed }, primary: spec, secondary });
      }
    }

    // --- Memberships -----------------------------------------------------------------------
    const bySpec = new Map<AssociationSpec, MembershipPlan[]>(ASSOCIATIONS.map((s) => [s, []]));
    for (const { plan, primary, secondary } of people) {
      for (const spec of secondary ? [primary, secondary] : [primary]) {
        // Admitted as an adult and not before the association joined the federation.
        const adult = `${plan.birthYear + 23}-01-01`;
        const floor = [spec.joinedOn ?? UNKNOWN_JOIN_FLOOR, adult].sort()[1]!;
        const joinedOn = randomDate(memberRnd, floor, LAST_JOIN);
        const s = memberRnd();
        const status = plan.fixed ? MembershipStatus.ACTIVE : s < 0.05 ? MembershipStatus.ENDED : s < 0.1 ? MembershipStatus.LAPSED : MembershipStatus.ACTIVE;
        const leftFrom = dayNumber(joinedOn) + 30;
        const leftOn = status === MembershipStatus.ENDED ? isoDate(randomInt(memberRnd, leftFrom, Math.max(leftFrom, dayNumber(LAST_LEAVE)))) : null;
        bySpec.get(spec)!.push({ person: plan, spec, joinedOn, status, leftOn, role: MembershipRole.MEMBER });
      }
    }

    const officers = new Set<PersonPlan>();
    let memberships = 0;
    for (const [spec, plans] of bySpec) {
      assignRoles(memberRnd, plans, officers);
      // Older members hold lower numbers; the person index breaks ties so the order is total.
      const ordered = plans
        .map((p, i) => ({ p, i }))
        .sort((a, b) => (a.p.joinedOn < b.p.joinedOn ? -1 : a.p.joinedOn > b.p.joinedOn ? 1 : a.i - b.i))
        .map(({ p }) => p);
      const prefix = spec.code.slice(spec.code.indexOf('-') + 1);
      ordered.forEach((m, i) => {
        const no = String(i + 1).padStart(4, '0');
        make(tem, Membership, {
          intellectual: m.person.entity,
          association: associations.get(spec)!,
          externalId: `HV-${no}`,
          memberNumber: `${prefix}-${no}`,
          joinedOn: m.joinedOn,
          leftOn: m.leftOn,
          status: m.status,
          role: m.role,
        });
        memberships++;
      });
    }

    await tem.flush();
    return { federations: 3, associations: associations.size, intellectuals: people.length, memberships };
  }
}
