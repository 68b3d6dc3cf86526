/**
 * Synthetic data at scale: a federation `SYNTHETIC` with M invented associations and N invented
 * people with their memberships, and (synthetic-consultation.ts, set-based SQL) consultation
 * requests with their documents, panels and opinions, for benchmarks and load tests (1,000,000 people and 1.18 million
 * memberships in about 65 s on a 2-core machine, two thirds of it rebuilding indexes).
 *
 * Speed comes from PostgreSQL's COPY (text format) fed by a generator that streams rows in chunks
 * with backpressure, and from building the secondary indexes and checking the foreign keys once
 * at the end rather than row by row. Everything runs in one transaction, so a failure leaves the
 * database as it was (dropped indexes and foreign keys included); meanwhile the tables
 * intellectual and membership are locked, even against readers. Every value derives from `mulberry32(seed)`: one seed, one data set.
 * Dates are built as "YYYY-MM-DD" strings from day numbers; no JS Date is involved.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { foldText } from '../../common/text';
import { givenNameOf } from '../../modules/intellectual/intellectual.rules';
import { FIELDS, isFieldCode } from '../../modules/field/field.data';
import { seedSyntheticConsultations } from './synthetic-consultation';
import { seedSyntheticForum } from './synthetic-forum';
import { dayNumber, isoDate, mulberry32, pickOne, randomInt, vietnameseName, Weighted, weightedPicker } from './names';

export const SYNTHETIC_FEDERATION_CODE = 'SYNTHETIC';

export interface SyntheticOptions {
  intellectuals: number;
  associations: number;
  seed: number;
  /** Consultation requests of the federation, with documents, history, assignments, panels and reports (default 0). */
  requests?: number;
  /** Opinions on the requests that went into review, at most (default 0; fewer when the requests cannot hold that many). */
  opinions?: number;
  /** Posts of one long thread of a synthetic OPEN forum, beside 19 short threads (default 0: no forum). */
  forumPosts?: number;
  /** Called as work advances: `done` of `total` items of a phase (rows, or indexes). */
  progress?: (phase: string, done: number, total: number) => void;
}

export interface SyntheticResult {
  federationCode: string;
  associations: number;
  intellectuals: number;
  memberships: number;
  consultationRequests: number;
  opinions: number;
  /** Posts of the synthetic forum, every thread (0 without one). */
  forumPosts: number;
  seconds: number;
}

// ---------------------------------------------------------------------------------------------
// Reference lists (all invented combinations of real kinds of institutions)
// ---------------------------------------------------------------------------------------------

type DegreeMix = 'medical' | 'pharmacy' | 'nursing' | 'traditional' | 'engineering' | 'science' | 'farming' | 'social';
type Degree = 'TSKH' | 'TS' | 'THS' | 'CKII' | 'CKI' | 'BS' | 'DS' | 'KS' | 'CN' | 'OTHER';

const mix = (pairs: Array<[Degree | null, number]>): Weighted<Degree | null>[] => pairs.map(([value, weight]) => ({ value, weight }));

/**
 * Highest degree by kind of association; null is "unknown". Tuned so that, over a typical mix of
 * associations, TS ≈ 12%, THS ≈ 30%, KS ≈ 20%, CN ≈ 25%, with the medical degrees in medicine.
 */
const DEGREE_MIXES: Record<DegreeMix, Weighted<Degree | null>[]> = {
  medical: mix([['BS', 30], ['CKI', 20], ['CKII', 9], ['THS', 26], ['TS', 11], ['DS', 2], ['TSKH', 0.3], [null, 1.7]]),
  pharmacy: mix([['DS', 46], ['CKI', 12], ['CKII', 5], ['THS', 25], ['TS', 10], ['TSKH', 0.2], [null, 1.8]]),
  nursing: mix([['CN', 62], ['CKI', 8], ['THS', 19], ['TS', 3], ['OTHER', 6], [null, 2]]),
  traditional: mix([['BS', 32], ['CKI', 17], ['CKII', 6], ['THS', 17], ['TS', 6], ['DS', 5], ['OTHER', 15], [null, 2]]),
  engineering: mix([['KS', 54], ['THS', 29], ['TS', 8], ['CN', 6], ['TSKH', 0.4], [null, 2.6]]),
  science: mix([['CN', 32], ['THS', 36], ['TS', 22], ['KS', 6], ['TSKH', 1.2], [null, 2.8]]),
  farming: mix([['KS', 46], ['CN', 21], ['THS', 19], ['TS', 6], ['TSKH', 0.2], ['OTHER', 5], [null, 2.8]]),
  social: mix([['CN', 47], ['THS', 36], ['TS', 12], ['TSKH', 0.4], ['OTHER', 1], [null, 3.6]]),
};

/** Provinces and centrally-governed cities, named as before the 2025 reorganisation. */
const LOCALITIES = [
  'thành phố Hà Nội', 'Thành phố Hồ Chí Minh', 'thành phố Hải Phòng', 'thành phố Đà Nẵng', 'thành phố Cần Thơ',
  'tỉnh Sóc Trăng', 'tỉnh An Giang', 'tỉnh Bến Tre', 'tỉnh Tiền Giang', 'tỉnh Vĩnh Long', 'tỉnh Kiên Giang', 'tỉnh Cà Mau',
  'tỉnh Đồng Nai', 'tỉnh Bình Dương', 'tỉnh Lâm Đồng', 'tỉnh Đắk Lắk', 'tỉnh Khánh Hòa', 'tỉnh Bình Định', 'tỉnh Quảng Nam',
  'tỉnh Thừa Thiên Huế', 'tỉnh Nghệ An', 'tỉnh Hà Tĩnh', 'tỉnh Thanh Hóa', 'tỉnh Ninh Bình', 'tỉnh Thái Bình', 'tỉnh Nam Định',
  'tỉnh Quảng Ninh', 'tỉnh Bắc Ninh', 'tỉnh Phú Thọ', 'tỉnh Thái Nguyên',
];
const STREETS = ['Trần Hưng Đạo', 'Lê Lợi', 'Hai Bà Trưng', 'Nguyễn Văn Linh', 'Lê Duẩn', 'Hùng Vương', 'Quang Trung', 'Nguyễn Trãi', 'Lý Thường Kiệt', 'Điện Biên Phủ'];

interface WorkplaceGroup {
  /** National institutions. */
  national: readonly string[];
  /** Provincial bodies: each is combined with every locality ("Sở Y tế" + " tỉnh An Giang"). */
  provincial: readonly string[];
}

const HEALTH: WorkplaceGroup = {
  national: [
    'Bệnh viện Bạch Mai', 'Bệnh viện Chợ Rẫy', 'Bệnh viện Trung ương Huế', 'Bệnh viện Hữu nghị Việt Đức', 'Bệnh viện Nhi Trung ương',
    'Bệnh viện K', 'Bệnh viện Đa khoa Trung ương Cần Thơ', 'Trường Đại học Y Hà Nội', 'Trường Đại học Y Dược Thành phố Hồ Chí Minh',
    'Trường Đại học Y Dược Cần Thơ', 'Trường Đại học Y Dược Huế', 'Viện Vệ sinh Dịch tễ Trung ương', 'Viện Pasteur Thành phố Hồ Chí Minh',
  ],
  provincial: ['Bệnh viện Đa khoa', 'Sở Y tế', 'Trung tâm Kiểm soát bệnh tật', 'Bệnh viện Sản Nhi'],
};
const PHARMA: WorkplaceGroup = {
  national: ['Trường Đại học Dược Hà Nội', 'Viện Kiểm nghiệm thuốc Trung ương', 'Tổng công ty Dược Việt Nam', 'Công ty Cổ phần Dược Hậu Giang', 'Công ty Cổ phần Traphaco', 'Bệnh viện Bạch Mai', 'Bệnh viện Chợ Rẫy'],
  provincial: ['Trung tâm Kiểm nghiệm', 'Sở Y tế', 'Bệnh viện Đa khoa'],
};
const TRADITIONAL: WorkplaceGroup = {
  national: ['Bệnh viện Y học cổ truyền Trung ương', 'Học viện Y Dược học cổ truyền Việt Nam', 'Viện Dược liệu', 'Bệnh viện Châm cứu Trung ương'],
  provincial: ['Bệnh viện Y dược cổ truyền', 'Bệnh viện Đa khoa'],
};
const IT: WorkplaceGroup = {
  national: ['Trường Đại học Bách khoa Hà Nội', 'Trường Đại học Công nghệ, Đại học Quốc gia Hà Nội', 'Trường Đại học Khoa học Tự nhiên, Đại học Quốc gia Thành phố Hồ Chí Minh', 'Học viện Công nghệ Bưu chính Viễn thông', 'Tập đoàn Công nghiệp – Viễn thông Quân đội', 'Công ty Cổ phần FPT', 'Tập đoàn Bưu chính Viễn thông Việt Nam', 'Trường Đại học Cần Thơ'],
  provincial: ['Sở Thông tin và Truyền thông', 'Sở Khoa học và Công nghệ'],
};
const CONSTRUCTION: WorkplaceGroup = {
  national: ['Trường Đại học Xây dựng Hà Nội', 'Trường Đại học Kiến trúc Hà Nội', 'Trường Đại học Kiến trúc Thành phố Hồ Chí Minh', 'Viện Khoa học Công nghệ Xây dựng', 'Tổng công ty Xây dựng Hà Nội', 'Tổng công ty Sông Đà', 'Trường Đại học Giao thông Vận tải'],
  provincial: ['Sở Xây dựng', 'Sở Giao thông Vận tải', 'Ban Quản lý dự án đầu tư xây dựng'],
};
const INDUSTRY: WorkplaceGroup = {
  national: ['Trường Đại học Bách khoa Hà Nội', 'Trường Đại học Bách khoa, Đại học Quốc gia Thành phố Hồ Chí Minh', 'Tổng công ty Máy động lực và Máy nông nghiệp Việt Nam', 'Viện Nghiên cứu Cơ khí', 'Tập đoàn Điện lực Việt Nam', 'Tổng công ty Truyền tải điện Quốc gia', 'Trường Đại học Điện lực'],
  provincial: ['Sở Công Thương', 'Công ty Điện lực'],
};
const SCIENCE: WorkplaceGroup = {
  national: ['Viện Hàn lâm Khoa học và Công nghệ Việt Nam', 'Viện Toán học', 'Viện Vật lý', 'Viện Hóa học', 'Viện Công nghệ Sinh học', 'Trường Đại học Khoa học Tự nhiên, Đại học Quốc gia Hà Nội', 'Trường Đại học Sư phạm Hà Nội', 'Trường Đại học Cần Thơ', 'Trường Đại học Huế'],
  provincial: ['Sở Khoa học và Công nghệ', 'Sở Tài nguyên và Môi trường', 'Trường THPT chuyên'],
};
const AGRICULTURE: WorkplaceGroup = {
  national: ['Viện Khoa học Nông nghiệp Việt Nam', 'Viện Lúa Đồng bằng sông Cửu Long', 'Học viện Nông nghiệp Việt Nam', 'Trường Đại học Nông Lâm Thành phố Hồ Chí Minh', 'Viện Nghiên cứu Nuôi trồng Thủy sản II', 'Trường Đại học Cần Thơ'],
  provincial: ['Sở Nông nghiệp và Phát triển Nông thôn', 'Trung tâm Khuyến nông', 'Chi cục Thủy sản', 'Chi cục Chăn nuôi và Thú y'],
};
const SOCIETY: WorkplaceGroup = {
  national: ['Viện Hàn lâm Khoa học xã hội Việt Nam', 'Trường Đại học Kinh tế Quốc dân', 'Trường Đại học Luật Hà Nội', 'Trường Đại học Khoa học Xã hội và Nhân văn, Đại học Quốc gia Hà Nội', 'Học viện Chính trị Quốc gia Hồ Chí Minh', 'Trường Đại học Kinh tế Thành phố Hồ Chí Minh', 'Trường Đại học Sư phạm Thành phố Hồ Chí Minh', 'Ngân hàng Nhà nước Việt Nam'],
  provincial: ['Sở Kế hoạch và Đầu tư', 'Sở Tài chính', 'Sở Tư pháp', 'Sở Giáo dục và Đào tạo', 'Sở Văn hóa, Thể thao và Du lịch', 'Trường Chính trị', 'Tòa án nhân dân', 'Bảo tàng'],
};

const MEDICAL_POSITIONS = ['Bác sĩ điều trị', 'Bác sĩ điều trị', 'Bác sĩ điều trị', 'Trưởng khoa', 'Phó Trưởng khoa', 'Phó Giám đốc', 'Trưởng phòng Kế hoạch tổng hợp'];
const ENGINEER_POSITIONS = ['Kỹ sư', 'Kỹ sư', 'Kỹ sư', 'Kỹ sư trưởng', 'Trưởng phòng Kỹ thuật', 'Phó Giám đốc', 'Chuyên viên'];
const RESEARCH_POSITIONS = ['Nghiên cứu viên', 'Nghiên cứu viên', 'Nghiên cứu viên chính', 'Trưởng phòng thí nghiệm', 'Chuyên viên', 'Giáo viên'];
const OFFICE_POSITIONS = ['Chuyên viên', 'Chuyên viên', 'Chuyên viên chính', 'Trưởng phòng', 'Phó Trưởng phòng', 'Phó Giám đốc'];
/** Positions at universities and academies, whatever the association. */
const ACADEMIC_POSITIONS = ['Giảng viên', 'Giảng viên', 'Giảng viên chính', 'Giảng viên cao cấp', 'Trưởng bộ môn', 'Phó Trưởng khoa', 'Trưởng khoa'];
const ACADEMIC_WORKPLACE = /^(Trường Đại học|Học viện|Đại học)/u;

interface AssociationKind {
  /** Completes "Hội …", e.g. "Y học" → "Hội Y học (tổng hợp) số 3". */
  vi: string;
  en: string;
  /** Prefix of member numbers. */
  abbr: string;
  /** OECD FOS codes, main field first. */
  fields: readonly string[];
  degrees: DegreeMix;
  workplaces: WorkplaceGroup;
  positions: readonly string[];
}

const KINDS: readonly AssociationKind[] = [
  { vi: 'Y học', en: 'Medical Association', abbr: 'YH', fields: ['3.2', '3.1'], degrees: 'medical', workplaces: HEALTH, positions: MEDICAL_POSITIONS },
  // Pharmacy sits in FOS 3.1 (basic medicine: pharmacology and pharmacy).
  { vi: 'Dược học', en: 'Pharmaceutical Association', abbr: 'DH', fields: ['3.1'], degrees: 'pharmacy', workplaces: PHARMA, positions: ['Dược sĩ', 'Dược sĩ', 'Trưởng khoa Dược', 'Kiểm nghiệm viên', 'Chủ nhà thuốc'] },
  { vi: 'Điều dưỡng', en: 'Nursing Association', abbr: 'DD', fields: ['3.3'], degrees: 'nursing', workplaces: HEALTH, positions: ['Điều dưỡng viên', 'Điều dưỡng viên', 'Hộ sinh viên', 'Điều dưỡng trưởng khoa', 'Điều dưỡng trưởng bệnh viện'] },
  // Traditional medicine is "integrative and complementary medicine" in FOS 3.2.
  { vi: 'Đông y', en: 'Association of Oriental Medicine', abbr: 'DY', fields: ['3.2', '3.5'], degrees: 'traditional', workplaces: TRADITIONAL, positions: ['Lương y', 'Lương y', 'Bác sĩ y học cổ truyền', 'Trưởng khoa Y học cổ truyền'] },
  { vi: 'Y tế Công cộng', en: 'Public Health Association', abbr: 'YTCC', fields: ['3.3', '3.2'], degrees: 'medical', workplaces: HEALTH, positions: MEDICAL_POSITIONS },
  { vi: 'Tin học', en: 'Informatics Association', abbr: 'TH', fields: ['1.2', '2.2'], degrees: 'engineering', workplaces: IT, positions: ['Kỹ sư phần mềm', 'Kỹ sư phần mềm', 'Chuyên viên công nghệ thông tin', 'Quản trị hệ thống', 'Trưởng phòng Công nghệ thông tin'] },
  { vi: 'Xây dựng', en: 'Construction Association', abbr: 'XD', fields: ['2.1'], degrees: 'engineering', workplaces: CONSTRUCTION, positions: ['Kỹ sư', 'Kỹ sư', 'Chỉ huy trưởng công trình', 'Trưởng phòng Kỹ thuật', 'Giám đốc'] },
  // Architecture spans civil engineering (2.1) and architectural design (6.4).
  { vi: 'Kiến trúc sư', en: 'Association of Architects', abbr: 'KTS', fields: ['2.1', '6.4'], degrees: 'engineering', workplaces: CONSTRUCTION, positions: ['Kiến trúc sư', 'Kiến trúc sư', 'Chủ nhiệm đồ án', 'Chuyên viên quy hoạch', 'Giám đốc'] },
  { vi: 'Cơ khí', en: 'Mechanical Engineering Association', abbr: 'CK', fields: ['2.3'], degrees: 'engineering', workplaces: INDUSTRY, positions: ENGINEER_POSITIONS },
  { vi: 'Điện lực', en: 'Electrical Engineering Association', abbr: 'DL', fields: ['2.2'], degrees: 'engineering', workplaces: INDUSTRY, positions: ENGINEER_POSITIONS },
  { vi: 'Hóa học', en: 'Chemical Society', abbr: 'HH', fields: ['1.4', '2.4'], degrees: 'science', workplaces: SCIENCE, positions: RESEARCH_POSITIONS },
  { vi: 'Vật lý', en: 'Physical Society', abbr: 'VL', fields: ['1.3'], degrees: 'science', workplaces: SCIENCE, positions: RESEARCH_POSITIONS },
  { vi: 'Toán học', en: 'Mathematical Society', abbr: 'TOAN', fields: ['1.1'], degrees: 'science', workplaces: SCIENCE, positions: RESEARCH_POSITIONS },
  { vi: 'Sinh học', en: 'Biological Society', abbr: 'SH', fields: ['1.6'], degrees: 'science', workplaces: SCIENCE, positions: RESEARCH_POSITIONS },
  { vi: 'Công nghệ Sinh học', en: 'Biotechnology Association', abbr: 'CNSH', fields: ['2.9', '1.6'], degrees: 'science', workplaces: SCIENCE, positions: RESEARCH_POSITIONS },
  { vi: 'Địa chất', en: 'Geological Association', abbr: 'DC', fields: ['1.5'], degrees: 'science', workplaces: SCIENCE, positions: RESEARCH_POSITIONS },
  { vi: 'Bảo vệ Thiên nhiên và Môi trường', en: 'Association for Nature and Environment Protection', abbr: 'MT', fields: ['2.7', '1.5'], degrees: 'engineering', workplaces: SCIENCE, positions: ENGINEER_POSITIONS },
  { vi: 'Khoa học Kinh tế', en: 'Association of Economic Sciences', abbr: 'KT', fields: ['5.2'], degrees: 'social', workplaces: SOCIETY, positions: ['Chuyên viên', 'Chuyên viên', 'Kế toán trưởng', 'Kiểm toán viên', 'Trưởng phòng', 'Phó Giám đốc'] },
  { vi: 'Luật gia', en: "Jurists' Association", abbr: 'LG', fields: ['5.5'], degrees: 'social', workplaces: SOCIETY, positions: ['Luật sư', 'Thẩm phán', 'Kiểm sát viên', 'Chuyên viên pháp chế', 'Trợ giúp viên pháp lý'] },
  { vi: 'Khoa học Tâm lý – Giáo dục', en: 'Association of Psychological and Educational Sciences', abbr: 'TLGD', fields: ['5.1', '5.3'], degrees: 'social', workplaces: SOCIETY, positions: ['Giáo viên', 'Giáo viên', 'Chuyên viên tâm lý', 'Hiệu trưởng', 'Chuyên viên'] },
  { vi: 'Xã hội học', en: 'Sociological Association', abbr: 'XHH', fields: ['5.4'], degrees: 'social', workplaces: SOCIETY, positions: OFFICE_POSITIONS },
  { vi: 'Khoa học Lịch sử', en: 'Association of Historical Sciences', abbr: 'LS', fields: ['6.1'], degrees: 'social', workplaces: SOCIETY, positions: ['Nghiên cứu viên', 'Giáo viên', 'Chuyên viên', 'Cán bộ bảo tàng'] },
  { vi: 'Ngôn ngữ học', en: 'Linguistic Society', abbr: 'NN', fields: ['6.2'], degrees: 'social', workplaces: SOCIETY, positions: ['Nghiên cứu viên', 'Giáo viên', 'Biên tập viên', 'Phiên dịch viên'] },
  { vi: 'Truyền thông Khoa học', en: 'Science Communication Association', abbr: 'TT', fields: ['5.8'], degrees: 'social', workplaces: SOCIETY, positions: ['Phóng viên', 'Biên tập viên', 'Biên tập viên', 'Trưởng ban', 'Chuyên viên'] },
  { vi: 'Làm vườn', en: 'Gardening Association', abbr: 'LV', fields: ['4.1'], degrees: 'farming', workplaces: AGRICULTURE, positions: ['Chủ vườn', 'Kỹ sư nông nghiệp', 'Cán bộ khuyến nông', 'Giám đốc hợp tác xã'] },
  { vi: 'Thủy sản', en: 'Fisheries Association', abbr: 'TS', fields: ['4.1'], degrees: 'farming', workplaces: AGRICULTURE, positions: ['Kỹ sư nuôi trồng thủy sản', 'Chuyên viên', 'Chủ trang trại nuôi tôm', 'Nghiên cứu viên'] },
  { vi: 'Thú y', en: 'Veterinary Association', abbr: 'TY', fields: ['4.3', '4.2'], degrees: 'farming', workplaces: AGRICULTURE, positions: ['Bác sĩ thú y', 'Bác sĩ thú y', 'Cán bộ thú y', 'Chuyên viên', 'Trưởng trạm'] },
  { vi: 'Khoa học Đất', en: 'Soil Science Society', abbr: 'KHD', fields: ['4.1', '1.5'], degrees: 'farming', workplaces: AGRICULTURE, positions: ['Nghiên cứu viên', 'Kỹ sư nông nghiệp', 'Chuyên viên'] },
];

// A typo in a field code would store an invalid FOS code a million times: check once, at load.
for (const kind of KINDS) {
  for (const code of kind.fields) if (!isFieldCode(code)) throw new Error(`synthetic seed: ${kind.vi} has an unknown field code ${code}`);
}

/** Subfields of each top-level domain, for a person's occasional extra field. */
const SUBFIELDS_BY_DOMAIN = new Map<string, string[]>();
for (const f of FIELDS) {
  if (!f.code.includes('.')) continue;
  const domain = f.code.split('.')[0]!;
  SUBFIELDS_BY_DOMAIN.set(domain, [...(SUBFIELDS_BY_DOMAIN.get(domain) ?? []), f.code]);
}

// ---------------------------------------------------------------------------------------------
// Distributions and calendar
// ---------------------------------------------------------------------------------------------

const GENDER_OTHER = 0.003;
const GENDER_UNDISCLOSED = 0.01; // cumulative: 0.7% undisclosed
/** Female share among the remaining 99%: MALE ≈ 52%, FEMALE ≈ 47% overall. */
const FEMALE_AMONG_BINARY = 0.47 / 0.99;
const PUBLIC_SHARE = 0.4;
const SECOND_ASSOCIATION = 0.15;
/** Of those with a second association: 0.2 × 15% ≈ 3% of people have a third. */
const THIRD_GIVEN_SECOND = 0.2;
/** Zipf exponent of association sizes: with 100 associations the biggest holds ~19%, the smallest ~0.2%. */
const ZIPF = 1;

const BIRTH_FIRST_YEAR = 1945;
const BIRTH_LAST_YEAR = 2000;
const JOIN_FIRST = dayNumber('1995-01-01');
const JOIN_LAST = dayNumber('2025-06-30');
/** People join an association from the year they turn this old. */
const JOIN_AGE = 22;
/** An ended membership lasted at least this many days. */
const MIN_MEMBERSHIP_DAYS = 30;

/** ISO strings of every day a generated date can take, computed once (a million dates, no per-row formatting). */
const CAL_FIRST = dayNumber('1945-01-01');
const CAL_LAST = dayNumber('2025-12-31');
const ISO_DAYS: string[] = [];
for (let d = CAL_FIRST; d <= CAL_LAST; d++) ISO_DAYS.push(isoDate(d));
const iso = (day: number): string => ISO_DAYS[day - CAL_FIRST]!;
/** Day number of 1 January of the years 1945–2030 (parsing a date string per row would cost more). */
const YEAR_STARTS = Array.from({ length: 2031 - 1945 }, (_, i) => dayNumber(`${1945 + i}-01-01`));
const yearStart = (year: number): number => YEAR_STARTS[year - 1945]!;

// Membership status and role codes, stored per membership in typed arrays.
const STATUS = ['ACTIVE', 'LAPSED', 'ENDED'] as const;
const ACTIVE = 0;
const LAPSED = 1;
const ENDED = 2;
const ROLE = ['MEMBER', 'PRESIDENT', 'VICE_PRESIDENT', 'SECRETARY_GENERAL', 'EXECUTIVE', 'HONORARY'] as const;
const [MEMBER, PRESIDENT, VICE_PRESIDENT, SECRETARY_GENERAL, EXECUTIVE, HONORARY] = [0, 1, 2, 3, 4, 5];

const DEGREE_SCORE: Record<Degree, number> = { TSKH: 45, TS: 35, CKII: 25, THS: 15, CKI: 12, BS: 5, DS: 5, KS: 5, CN: 5, OTHER: 0 };

// ---------------------------------------------------------------------------------------------
// COPY text format
// ---------------------------------------------------------------------------------------------

const NULL = '\\N';
const SPECIAL = /[\\\t\n\r]/u;

/** A text value for COPY's text format: backslash, tab, newline and carriage return escaped. */
function copyText(value: string | null): string {
  if (value === null) return NULL;
  if (!SPECIAL.test(value)) return value; // the usual case: nothing to escape
  return value.replace(/\\/gu, '\\\\').replace(/\t/gu, '\\t').replace(/\n/gu, '\\n').replace(/\r/gu, '\\r');
}

/** A text[] value for COPY, e.g. {"3.2","1.2"}: array quoting first, then COPY's own escaping. */
function textArray(values: readonly string[]): string {
  return copyText(`{${values.map((v) => `"${v.replace(/["\\]/gu, (c) => `\\${c}`)}"`).join(',')}}`);
}

/** Characters per chunk written to the COPY stream: big enough to be cheap, small enough to stream. */
const CHUNK_CHARS = 256 * 1024;

/**
 * COPYs the rows of a generator into a table. Rows are joined into chunks and pulled through a
 * stream pipeline, so generation pauses whenever PostgreSQL falls behind (backpressure) and
 * memory stays flat. Returns the number of rows.
 */
async function copyRows(client: Client, table: string, columns: readonly string[], rows: Iterable<string>, report: (done: number) => void): Promise<number> {
  let done = 0;
  function* chunks(): Generator<string> {
    let buf = '';
    let n = 0;
    for (const row of rows) {
      buf += row;
      n++;
      if (buf.length >= CHUNK_CHARS) {
        done += n;
        report(done);
        yield buf;
        buf = '';
        n = 0;
      }
    }
    if (n > 0) {
      done += n;
      report(done);
      yield buf;
    }
  }
  const sql = `COPY ${client.escapeIdentifier(table)} (${columns.map((c) => client.escapeIdentifier(c)).join(', ')}) FROM STDIN`;
  await pipeline(Readable.from(chunks(), { objectMode: false }), client.query(copyFrom(sql)));
  return done;
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

interface AssociationPlan {
  id: number;
  code: string;
  kind: AssociationKind;
  /** Number of this kind among the associations ("… số 2"). */
  ordinal: number;
  /** Relative size (Zipf weight). */
  weight: number;
}

/** What the membership pass needs to know about each person, in flat arrays (a million objects would cost more). */
interface People {
  fullName: string[];
  givenName: string[];
  birthYear: Uint16Array;
  seniority: Uint8Array;
  /** Association indexes: first, second and third (-1 for none). */
  assoc: [Int32Array, Int32Array, Int32Array];
}

/** A seeded stream from a master stream, so each part draws from its own sequence. */
const substream = (master: () => number): (() => number) => mulberry32(Math.floor(master() * 4294967296));

function shuffle<T>(rnd: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function planAssociations(rnd: () => number, count: number, firstId: number): AssociationPlan[] {
  // Kinds in a shuffled order, cycled: few associations get distinct kinds, many get "số 2", "số 3"…
  const kinds = shuffle(rnd, [...KINDS]);
  const ordinals = new Map<AssociationKind, number>();
  // Sizes: Zipf weights handed out in a random order, so the biggest is not always SYN-0001.
  const ranks = shuffle(rnd, Array.from({ length: count }, (_, i) => i + 1));
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length]!;
    const ordinal = (ordinals.get(kind) ?? 0) + 1;
    ordinals.set(kind, ordinal);
    return { id: firstId + i, code: `SYN-${String(i + 1).padStart(4, '0')}`, kind, ordinal, weight: 1 / ranks[i]! ** ZIPF };
  });
}

function* associationRows(rnd: () => number, plans: readonly AssociationPlan[], federationId: number): Generator<string> {
  for (const a of plans) {
    const name = `Hội ${a.kind.vi} (tổng hợp) số ${a.ordinal}`;
    const r = rnd();
    const status = r < 0.94 ? 'ACTIVE' : r < 0.98 ? 'SUSPENDED' : 'DISSOLVED';
    const joined = randomInt(rnd, dayNumber('1995-01-01'), dayNumber('2020-12-31'));
    const approved = joined - randomInt(rnd, 30, 720); // the charter is approved before it joins
    const locality = pickOne(rnd, LOCALITIES);
    const address = `Số ${randomInt(rnd, 1, 300)} đường ${pickOne(rnd, STREETS)}, ${locality}`;
    const phone = `02${randomInt(rnd, 10, 99)} ${randomInt(rnd, 3000000, 3999999)}`;
    yield [
      a.id,
      copyText(a.code),
      copyText(name),
      copyText(`${a.kind.en} (synthetic) no. ${a.ordinal}`),
      NULL,
      textArray(a.kind.fields),
      federationId,
      status,
      iso(joined),
      copyText(`Điều lệ ${name}`),
      copyText(`Quyết định số ${randomInt(rnd, 100, 2999)}/QĐ-BNV của Bộ trưởng Bộ Nội vụ`),
      iso(approved),
      NULL,
      copyText(address),
      copyText(`${a.code.toLowerCase()}@example.org`),
      copyText(phone),
      NULL,
      1,
      't',
    ].join('\t') + '\n';
  }
}
const ASSOCIATION_COLUMNS = [
  'id', 'code', 'name', 'name_en', 'short_name', 'fields', 'federation_id', 'status', 'joined_on',
  'charter_title', 'charter_approving_decision', 'charter_approved_on', 'charter_url',
  'contact_address', 'contact_email', 'contact_phone', 'contact_website', 'version', 'demo',
];

/** Workplace lists per group, expanded once: national institutions and provincial bodies × localities. */
const expandedWorkplaces = new Map<WorkplaceGroup, { national: readonly string[]; provincial: string[] }>();
function workplacesOf(group: WorkplaceGroup): { national: readonly string[]; provincial: string[] } {
  let w = expandedWorkplaces.get(group);
  if (!w) {
    w = { national: group.national, provincial: group.provincial.flatMap((body) => LOCALITIES.map((l) => `${body} ${l}`)) };
    expandedWorkplaces.set(group, w);
  }
  return w;
}

/** Lower-case, unaccented words of a name joined by dots, for e-mail addresses; words cached (there are few). */
const foldedWords = new Map<string, string>();
function emailLocal(fullName: string): string {
  return fullName
    .split(' ')
    .map((w) => {
      let f = foldedWords.get(w);
      if (f === undefined) {
        f = foldText(w).replace(/[^a-z0-9]/gu, '');
        foldedWords.set(w, f);
      }
      return f;
    })
    .join('.');
}

const INTELLECTUAL_COLUMNS = [
  'id', 'full_name', 'given_name', 'gender', 'birth_date', 'email', 'phone', 'academic_title', 'highest_degree',
  'fields', 'workplace', 'position', 'public_profile', 'version', 'demo',
];

/**
 * The people, one COPY row each, in id order. Fills `people` with what the membership pass needs.
 * Every person has a main association (drawn by size), and sometimes a second and a third.
 */
function* intellectualRows(rnd: () => number, plans: readonly AssociationPlan[], people: People, firstId: number): Generator<string> {
  const count = people.fullName.length;
  const pickAssociation = weightedPicker(plans.map((p, i) => ({ value: i, weight: p.weight })));
  const byKind = new Map<AssociationKind, number[]>();
  plans.forEach((p, i) => byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), i]));
  const degreePickers = new Map(Object.entries(DEGREE_MIXES).map(([k, list]) => [k, weightedPicker(list)]));

  /** Another association than those given: half the time one of the same kind, else by size. */
  const another = (first: number, second: number): number => {
    const sameKind = byKind.get(plans[first]!.kind)!;
    if (sameKind.length > 1 && rnd() < 0.5) {
      for (let t = 0; t < 4; t++) {
        const c = pickOne(rnd, sameKind);
        if (c !== first && c !== second) return c;
      }
    }
    for (let t = 0; t < 16; t++) {
      const c = pickAssociation(rnd);
      if (c !== first && c !== second) return c;
    }
    // A dominant association keeps winning the draw: take the first free one.
    let c = 0;
    while (c === first || c === second) c++;
    return c;
  };

  for (let i = 0; i < count; i++) {
    const main = pickAssociation(rnd);
    const second = plans.length >= 2 && rnd() < SECOND_ASSOCIATION ? another(main, -1) : -1;
    const third = second >= 0 && plans.length >= 3 && rnd() < THIRD_GIVEN_SECOND ? another(main, second) : -1;
    people.assoc[0][i] = main;
    people.assoc[1][i] = second;
    people.assoc[2][i] = third;
    const kind = plans[main]!.kind;

    const g = rnd();
    const gender = g < GENDER_OTHER ? 'OTHER' : g < GENDER_UNDISCLOSED ? 'UNDISCLOSED' : rnd() < FEMALE_AMONG_BINARY ? 'FEMALE' : 'MALE';
    const nameGender = gender === 'MALE' || gender === 'FEMALE' ? gender : rnd() < 0.5 ? 'FEMALE' : 'MALE';
    // vietnameseName emits NFC words joined by single spaces (its lists are normalised once), so
    // the name needs no further normalising; givenNameOf takes its last word.
    const fullName = vietnameseName(rnd, nameGender);
    const givenName = givenNameOf(fullName);

    // Born 1945–2000, peaking in the early 1970s (a triangular draw).
    const year = BIRTH_FIRST_YEAR + Math.round(((rnd() + rnd()) / 2) * (BIRTH_LAST_YEAR - BIRTH_FIRST_YEAR));
    const birth = randomInt(rnd, yearStart(year), yearStart(year + 1) - 1);

    let degree = degreePickers.get(kind.degrees)!(rnd);
    // Keep degrees plausible for the age: no doctor of science under 50, no doctorate before 27.
    if (degree === 'TSKH' && year > 1975) degree = 'TS';
    if (degree === 'TS' && year > 1997) degree = 'THS';
    if (degree === 'CKII' && year > 1992) degree = 'CKI';

    // Titles only for doctorates, and for the older ones: GS ≈ 1%, PGS ≈ 4% of everyone.
    let title = 'NONE';
    if (degree === 'TS' || degree === 'TSKH') {
      const t = rnd();
      if (year <= 1975 && t < 0.14) title = 'GS';
      else if (year <= 1988 && t < 0.47) title = 'PGS';
    }

    // Fields: the association's main field, often its others, sometimes one more.
    const fields = [kind.fields[0]!];
    for (const f of kind.fields.slice(1)) if (rnd() < 0.6) fields.push(f);
    if (second >= 0 && rnd() < 0.5) {
      const f = plans[second]!.kind.fields[0]!;
      if (!fields.includes(f)) fields.push(f);
    } else if (rnd() < 0.08) {
      const related = SUBFIELDS_BY_DOMAIN.get(kind.fields[0]!.split('.')[0]!) ?? [];
      const f = related.length > 0 ? pickOne(rnd, related) : null;
      if (f && !fields.includes(f)) fields.push(f);
    }

    const places = workplacesOf(kind.workplaces);
    const workplace = rnd() < 0.5 ? pickOne(rnd, places.national) : pickOne(rnd, places.provincial);
    const retired = year <= 1962 && rnd() < 0.7;
    const position = retired ? 'Nghỉ hưu' : ACADEMIC_WORKPLACE.test(workplace) ? pickOne(rnd, ACADEMIC_POSITIONS) : pickOne(rnd, kind.positions);

    const email = `${emailLocal(fullName)}.${i + 1}@example.org`;
    // Vietnamese mobile numbers: 09 + 8 digits.
    const phone = `09${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}`;
    const publicProfile = rnd() < PUBLIC_SHARE ? 't' : 'f';

    people.fullName[i] = fullName;
    people.givenName[i] = givenName;
    people.birthYear[i] = year;
    people.seniority[i] = (title === 'GS' ? 100 : title === 'PGS' ? 60 : 0) + (degree ? DEGREE_SCORE[degree] : 0) + Math.floor((BIRTH_LAST_YEAR - year) / 2);

    yield `${firstId + i}\t${copyText(fullName)}\t${copyText(givenName)}\t${gender}\t${iso(birth)}\t${copyText(email)}\t${phone}\t${title}\t${degree ?? NULL}\t${textArray(fields)}\t${copyText(workplace)}\t${copyText(position)}\t${publicProfile}\t1\tt\n`;
  }
}

const MEMBERSHIP_COLUMNS = ['id', 'intellectual_id', 'association_id', 'external_id', 'member_number', 'joined_on', 'left_on', 'status', 'role', 'given_name', 'full_name'];

/** Counts the memberships (every person's one to three associations). */
function countMemberships(people: People): number {
  let n = people.fullName.length;
  for (let i = 0; i < people.fullName.length; i++) n += (people.assoc[1][i]! >= 0 ? 1 : 0) + (people.assoc[2][i]! >= 0 ? 1 : 0);
  return n;
}

/**
 * The memberships, association by association; within one, in the order members joined, so
 * external ids and member numbers grow with seniority of membership (and the unique index on
 * (association_id, external_id) is filled in order).
 */
function* membershipRows(rnd: () => number, plans: readonly AssociationPlan[], people: People, firstIntellectualId: number, firstId: number): Generator<string> {
  const personCount = people.fullName.length;
  // Group people by association with a counting sort: members[start[a] .. start[a + 1]).
  const start = new Int32Array(plans.length + 1);
  for (const col of people.assoc) for (let i = 0; i < personCount; i++) if (col[i]! >= 0) start[col[i]! + 1]++;
  for (let a = 0; a < plans.length; a++) start[a + 1] += start[a]!;
  const members = new Int32Array(start[plans.length]!);
  const fill = start.slice(0, plans.length);
  // Within an association, members come in person order (the person loop is the outer one).
  for (let i = 0; i < personCount; i++) for (const col of people.assoc) if (col[i]! >= 0) members[fill[col[i]!]!++] = i;

  let largest = 0;
  for (let a = 0; a < plans.length; a++) largest = Math.max(largest, start[a + 1]! - start[a]!);
  const joined = new Int32Array(largest);
  const left = new Int32Array(largest);
  const status = new Uint8Array(largest);
  const role = new Uint8Array(largest);
  const order = new Float64Array(largest);
  /** One person leads (or sits on the board of) at most one association. */
  const officer = new Uint8Array(personCount);

  let id = firstId;
  for (let a = 0; a < plans.length; a++) {
    const plan = plans[a]!;
    const base = start[a]!;
    const size = start[a + 1]! - base;
    if (size === 0) continue;

    for (let k = 0; k < size; k++) {
      const person = members[base + k]!;
      const s = rnd();
      const st = s < 0.88 ? ACTIVE : s < 0.94 ? LAPSED : ENDED;
      // Admitted as an adult, from 1995; an ended membership leaves room for its end.
      const floor = Math.max(JOIN_FIRST, yearStart(people.birthYear[person]! + JOIN_AGE));
      const ceiling = st === ENDED ? JOIN_LAST - MIN_MEMBERSHIP_DAYS : JOIN_LAST;
      const j = randomInt(rnd, floor, ceiling);
      joined[k] = j;
      left[k] = st === ENDED ? randomInt(rnd, j + MIN_MEMBERSHIP_DAYS, JOIN_LAST) : 0;
      status[k] = st;
      role[k] = MEMBER;
    }
    assignRoles(rnd, size, (k) => members[base + k]!, status, role, people, officer, joined);

    // Join order, ties by position in the group: a key sorts as a plain number (fast typed-array sort).
    for (let k = 0; k < size; k++) order[k] = joined[k]! * 8388608 + k; // 2^23 > any group size
    const sorted = order.subarray(0, size).sort();

    const assocId = plan.id;
    for (let n = 0; n < size; n++) {
      const k = sorted[n]! % 8388608;
      const person = members[base + k]!;
      const no = n + 1;
      yield `${id++}\t${firstIntellectualId + person}\t${assocId}\tHV-${String(no).padStart(7, '0')}\t${plan.kind.abbr}${plan.ordinal}-${String(no).padStart(6, '0')}\t${iso(joined[k]!)}\t${status[k] === ENDED ? iso(left[k]!) : NULL}\t${STATUS[status[k]!]}\t${ROLE[role[k]!]}\t${copyText(people.givenName[person]!)}\t${copyText(people.fullName[person]!)}\n`;
    }
  }
}

/**
 * Roles within one association: the most senior active members lead it (president, vice
 * presidents), a secretary general and an executive committee growing with the association, and
 * a few of the eldest as honorary members. Everyone else is MEMBER.
 */
function assignRoles(
  rnd: () => number,
  size: number,
  personAt: (k: number) => number,
  status: Uint8Array,
  role: Uint8Array,
  people: People,
  officer: Uint8Array,
  joined: Int32Array,
): void {
  const eligible = (k: number) => status[k] === ACTIVE && role[k] === MEMBER && officer[personAt(k)] === 0;
  const take = (k: number, r: number) => {
    role[k] = r;
    officer[personAt(k)] = 1;
  };
  /** The eligible member with the highest seniority (ties: who joined first), or -1. */
  const mostSenior = (): number => {
    let best = -1;
    for (let k = 0; k < size; k++) {
      if (!eligible(k)) continue;
      if (best < 0) best = k;
      else {
        const d = people.seniority[personAt(k)]! - people.seniority[personAt(best)]!;
        if (d > 0 || (d === 0 && joined[k]! < joined[best]!)) best = k;
      }
    }
    return best;
  };
  /** A random eligible member, or -1 after a few misses (small associations run out). */
  const anyone = (): number => {
    for (let t = 0; t < 40; t++) {
      const k = Math.floor(rnd() * size);
      if (eligible(k)) return k;
    }
    return -1;
  };

  const president = mostSenior();
  if (president >= 0) take(president, PRESIDENT);
  const vicePresidents = Math.min(4, 1 + Math.floor(Math.log10(size))) + (rnd() < 0.5 ? 1 : 0);
  for (let v = 0; v < vicePresidents; v++) {
    const k = mostSenior();
    if (k >= 0) take(k, VICE_PRESIDENT);
  }
  const secretary = anyone();
  if (secretary >= 0) take(secretary, SECRETARY_GENERAL);
  const executives = Math.max(2, Math.min(45, Math.round(Math.sqrt(size) / 2)));
  for (let e = 0; e < executives; e++) {
    const k = anyone();
    if (k >= 0) take(k, EXECUTIVE);
  }
  // Honorary: the eldest active members who hold no other role (not counted as officers).
  const honorary = Math.min(size >= 50 ? 3 : 1, 1 + Math.floor(rnd() * 3));
  for (let h = 0; h < honorary; h++) {
    let eldest = -1;
    for (let k = 0; k < size; k++) {
      if (status[k] !== ACTIVE || role[k] !== MEMBER) continue;
      if (eldest < 0 || people.birthYear[personAt(k)]! < people.birthYear[personAt(eldest)]!) eldest = k;
    }
    if (eldest >= 0) role[eldest] = HONORARY;
  }
}

// ---------------------------------------------------------------------------------------------
// The load
// ---------------------------------------------------------------------------------------------

interface SavedIndex {
  name: string;
  table: string;
  definition: string;
}

interface SavedForeignKey {
  name: string;
  table: string;
  /** pg_get_constraintdef: "FOREIGN KEY (…) REFERENCES …(…) ON UPDATE CASCADE". */
  definition: string;
}

/**
 * Foreign keys of the given tables. Checked row by row during COPY they cost more than the COPY
 * itself (each check locks the referenced row: 59 s instead of 12 s for 1.2 million memberships);
 * re-adding them afterwards validates every row in one join, in a few seconds.
 */
async function foreignKeys(client: Client, tables: readonly string[]): Promise<SavedForeignKey[]> {
  const { rows } = await client.query<{ conname: string; relname: string; def: string }>(
    `select k.conname, t.relname, pg_get_constraintdef(k.oid) as def
       from pg_constraint k
       join pg_class t on t.oid = k.conrelid
       join pg_namespace n on n.oid = t.relnamespace
      where k.contype = 'f' and n.nspname = current_schema() and t.relname = any($1)
      order by t.relname, k.conname`,
    [tables],
  );
  return rows.map((r) => ({ name: r.conname, table: r.relname, definition: r.def }));
}

/**
 * Secondary indexes of the given tables: not primary keys, not unique, not backing a constraint.
 * Read from the catalog rather than listed here, so indexes added by later migrations (trigram
 * search, say) are dropped and rebuilt too.
 */
async function secondaryIndexes(client: Client, tables: readonly string[]): Promise<SavedIndex[]> {
  const { rows } = await client.query<{ indexname: string; tablename: string; indexdef: string }>(
    `select i.indexname, i.tablename, i.indexdef
       from pg_indexes i
       join pg_namespace n on n.nspname = i.schemaname
       join pg_class c on c.relname = i.indexname and c.relnamespace = n.oid
       join pg_index x on x.indexrelid = c.oid
      where i.schemaname = current_schema() and i.tablename = any($1)
        and not x.indisprimary and not x.indisunique
        and not exists (select 1 from pg_constraint k where k.conindid = c.oid)
      order by i.tablename, i.indexname`,
    [tables],
  );
  return rows.map((r) => ({ name: r.indexname, table: r.tablename, definition: r.indexdef }));
}

async function nextId(client: Client, table: string): Promise<number> {
  const { rows } = await client.query<{ next: string }>(`select coalesce(max(id), 0) + 1 as next from ${client.escapeIdentifier(table)}`);
  return Number(rows[0]!.next);
}

/** After explicit ids, move the serial sequence past them so later inserts do not collide. */
async function fixSequence(client: Client, table: string): Promise<void> {
  const t = client.escapeIdentifier(table);
  await client.query(`select setval(pg_get_serial_sequence($1, 'id'), (select max(id) from ${t}))`, [table]);
}

function checkOptions(opts: SyntheticOptions): void {
  const positive = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`seedSynthetic: ${name} must be an integer from 1 to ${max}, got ${v}`);
  };
  positive('intellectuals', opts.intellectuals, 5_000_000);
  positive('associations', opts.associations, 10_000);
  const count = (name: string, v: number | undefined, max: number) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > max)) throw new Error(`seedSynthetic: ${name} must be an integer from 0 to ${max}, got ${v}`);
  };
  count('requests', opts.requests, 1_000_000);
  count('opinions', opts.opinions, 10_000_000);
  count('forumPosts', opts.forumPosts, 1_000_000);
  if (!Number.isInteger(opts.seed)) throw new Error(`seedSynthetic: seed must be an integer, got ${opts.seed}`);
}

/**
 * Loads the synthetic federation, associations, people and memberships into the (migrated)
 * database at `url`, in one transaction. Refuses when the `SYNTHETIC` federation exists already.
 */
export async function seedSynthetic(url: string, opts: SyntheticOptions): Promise<SyntheticResult> {
  checkOptions(opts);
  const started = Date.now();
  const progress = opts.progress ?? (() => undefined);
  const master = mulberry32(opts.seed);
  // Independent streams per part, so changing how people are drawn does not reshuffle the associations.
  const orgRnd = substream(master);
  const peopleRnd = substream(master);
  const memberRnd = substream(master);

  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // Do not wait for the commit's WAL flush: a crash in that instant loses a load that can simply be re-run.
    await client.query(`set synchronous_commit = off`);
    // Room to sort a million index keys in memory (shared by parallel index-build workers).
    await client.query(`set maintenance_work_mem = '512MB'`);
    await client.query('begin');
    try {
      // Locks first: ids are taken from max(id), and the indexes are dropped below anyway.
      await client.query('lock table federation, association in share row exclusive mode');
      const exists = await client.query('select 1 from federation where code = $1', [SYNTHETIC_FEDERATION_CODE]);
      if (exists.rowCount) {
        throw new Error(`A federation with code ${SYNTHETIC_FEDERATION_CODE} exists already: synthetic data is loaded once per database (use a fresh database).`);
      }

      const vusta = await client.query<{ id: number }>(`select id from federation where code = 'VUSTA'`);
      const federation = await client.query<{ id: number }>(
        `insert into federation (code, name, name_en, short_name, level, parent_id, description, legal_bases, status, demo)
         values ($1, $2, $3, $4, 'PROVINCIAL', $5, $6, '[]', 'ACTIVE', true) returning id`,
        [
          SYNTHETIC_FEDERATION_CODE,
          'Liên hiệp các Hội Khoa học và Kỹ thuật (dữ liệu tổng hợp)',
          'Union of Science and Technology Associations (synthetic data)',
          'Liên hiệp hội (tổng hợp)',
          vusta.rows[0]?.id ?? null,
          'Dữ liệu tổng hợp, sinh tự động để thử tải; mọi hội, người và hội viên đều là hư cấu.',
        ],
      );
      const federationId = federation.rows[0]!.id;

      // --- Associations ------------------------------------------------------------------
      const plans = planAssociations(orgRnd, opts.associations, await nextId(client, 'association'));
      progress('associations', 0, plans.length);
      await copyRows(client, 'association', ASSOCIATION_COLUMNS, associationRows(orgRnd, plans, federationId), (d) => progress('associations', d, plans.length));
      await fixSequence(client, 'association');

      // --- Secondary indexes and foreign keys off: one sorted build (one join) at the end beats
      // a million inserts (row checks) each. Unique constraints stay: they guard the data.
      const tables = ['intellectual', 'membership'];
      const indexes = await secondaryIndexes(client, tables);
      const fks = await foreignKeys(client, tables);
      for (const fk of fks) await client.query(`alter table ${client.escapeIdentifier(fk.table)} drop constraint ${client.escapeIdentifier(fk.name)}`);
      for (const ix of indexes) await client.query(`drop index ${client.escapeIdentifier(ix.name)}`);

      // --- People ------------------------------------------------------------------------
      const n = opts.intellectuals;
      const people: People = {
        fullName: new Array<string>(n),
        givenName: new Array<string>(n),
        birthYear: new Uint16Array(n),
        seniority: new Uint8Array(n),
        assoc: [new Int32Array(n), new Int32Array(n), new Int32Array(n)],
      };
      const firstPerson = await nextId(client, 'intellectual');
      progress('intellectuals', 0, n);
      await copyRows(client, 'intellectual', INTELLECTUAL_COLUMNS, intellectualRows(peopleRnd, plans, people, firstPerson), (d) => progress('intellectuals', d, n));
      await fixSequence(client, 'intellectual');

      // --- Memberships -------------------------------------------------------------------
      // The rows carry their member's names already (the same rule, intellectual.rules.ts): the
      // trigger that copies them for every other path would look each person up again.
      await client.query('alter table membership disable trigger membership_copy_name');
      const total = countMemberships(people);
      progress('memberships', 0, total);
      const memberships = await copyRows(
        client,
        'membership',
        MEMBERSHIP_COLUMNS,
        membershipRows(memberRnd, plans, people, firstPerson, await nextId(client, 'membership')),
        (d) => progress('memberships', d, total),
      );
      await fixSequence(client, 'membership');
      await client.query('alter table membership enable trigger membership_copy_name');

      // --- Foreign keys and indexes back, exactly as they were; then fresh statistics --------
      progress('foreign keys', 0, fks.length);
      for (const [i, fk] of fks.entries()) {
        await client.query(`alter table ${client.escapeIdentifier(fk.table)} add constraint ${client.escapeIdentifier(fk.name)} ${fk.definition}`);
        progress('foreign keys', i + 1, fks.length);
      }
      progress('indexes', 0, indexes.length);
      for (const [i, ix] of indexes.entries()) {
        await client.query(ix.definition);
        progress('indexes', i + 1, indexes.length);
      }
      progress('analyze', 0, 1);
      await client.query('analyze association, intellectual, membership');
      progress('analyze', 1, 1);

      // --- Consultation requests and opinions (set-based SQL, synthetic-consultation.ts) -----
      const consultations = await seedSyntheticConsultations(client, {
        federationId,
        firstAssociationId: plans[0]!.id,
        associations: plans.length,
        requests: opts.requests ?? 0,
        opinions: opts.opinions ?? 0,
        seed: opts.seed,
        progress,
      });

      // --- A forum with one long thread (set-based SQL, synthetic-forum.ts) ------------------
      const forum = await seedSyntheticForum(client, {
        federationId,
        firstAssociationId: plans[0]!.id,
        associations: plans.length,
        posts: opts.forumPosts ?? 0,
        seed: opts.seed,
        progress,
      });

      await client.query('commit');
      // VACUUM sets the visibility map, so statistics can read the covering indexes alone
      // (index-only scans) instead of the wide tables. It cannot run inside the transaction.
      progress('vacuum', 0, 1);
      await client.query('vacuum (analyze) intellectual, membership');
      progress('vacuum', 1, 1);
      return {
        federationCode: SYNTHETIC_FEDERATION_CODE,
        associations: plans.length,
        intellectuals: n,
        memberships,
        consultationRequests: consultations.requests,
        opinions: consultations.opinions,
        forumPosts: forum.posts,
        seconds: (Date.now() - started) / 1000,
      };
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    }
  } finally {
    await client.end();
  }
}
