/**
 * Fields of science and technology: the OECD Fields of Science and Technology (FOS 2007),
 * top two levels, which Vietnam's classification of S&T fields follows. Codes are OECD's
 * ("2", "2.3"); labels in Vietnamese and English.
 */
export interface FieldDef {
  code: string;
  vi: string;
  en: string;
}

export const FIELDS: readonly FieldDef[] = [
  { code: '1', vi: 'Khoa học tự nhiên', en: 'Natural sciences' },
  { code: '1.1', vi: 'Toán học', en: 'Mathematics' },
  { code: '1.2', vi: 'Khoa học máy tính và thông tin', en: 'Computer and information sciences' },
  { code: '1.3', vi: 'Vật lý', en: 'Physical sciences' },
  { code: '1.4', vi: 'Hóa học', en: 'Chemical sciences' },
  { code: '1.5', vi: 'Khoa học trái đất và môi trường liên quan', en: 'Earth and related environmental sciences' },
  { code: '1.6', vi: 'Sinh học', en: 'Biological sciences' },
  { code: '1.7', vi: 'Khoa học tự nhiên khác', en: 'Other natural sciences' },
  { code: '2', vi: 'Khoa học kỹ thuật và công nghệ', en: 'Engineering and technology' },
  { code: '2.1', vi: 'Kỹ thuật dân dụng', en: 'Civil engineering' },
  { code: '2.2', vi: 'Kỹ thuật điện, điện tử, thông tin', en: 'Electrical engineering, electronic engineering, information engineering' },
  { code: '2.3', vi: 'Kỹ thuật cơ khí', en: 'Mechanical engineering' },
  { code: '2.4', vi: 'Kỹ thuật hóa học', en: 'Chemical engineering' },
  { code: '2.5', vi: 'Kỹ thuật vật liệu', en: 'Materials engineering' },
  { code: '2.6', vi: 'Kỹ thuật y học', en: 'Medical engineering' },
  { code: '2.7', vi: 'Kỹ thuật môi trường', en: 'Environmental engineering' },
  { code: '2.8', vi: 'Công nghệ sinh học môi trường', en: 'Environmental biotechnology' },
  { code: '2.9', vi: 'Công nghệ sinh học công nghiệp', en: 'Industrial biotechnology' },
  { code: '2.10', vi: 'Công nghệ nano', en: 'Nano-technology' },
  { code: '2.11', vi: 'Kỹ thuật và công nghệ khác', en: 'Other engineering and technologies' },
  { code: '3', vi: 'Khoa học y, dược', en: 'Medical and health sciences' },
  { code: '3.1', vi: 'Y học cơ sở', en: 'Basic medicine' },
  { code: '3.2', vi: 'Y học lâm sàng', en: 'Clinical medicine' },
  { code: '3.3', vi: 'Khoa học sức khỏe', en: 'Health sciences' },
  { code: '3.4', vi: 'Công nghệ sinh học trong y học', en: 'Medical biotechnology' },
  { code: '3.5', vi: 'Khoa học y, dược khác', en: 'Other medical sciences' },
  { code: '4', vi: 'Khoa học nông nghiệp', en: 'Agricultural sciences' },
  { code: '4.1', vi: 'Nông nghiệp, lâm nghiệp và thủy sản', en: 'Agriculture, forestry, and fisheries' },
  { code: '4.2', vi: 'Chăn nuôi', en: 'Animal and dairy science' },
  { code: '4.3', vi: 'Thú y', en: 'Veterinary science' },
  { code: '4.4', vi: 'Công nghệ sinh học trong nông nghiệp', en: 'Agricultural biotechnology' },
  { code: '4.5', vi: 'Khoa học nông nghiệp khác', en: 'Other agricultural sciences' },
  { code: '5', vi: 'Khoa học xã hội', en: 'Social sciences' },
  { code: '5.1', vi: 'Tâm lý học', en: 'Psychology' },
  { code: '5.2', vi: 'Kinh tế và kinh doanh', en: 'Economics and business' },
  { code: '5.3', vi: 'Khoa học giáo dục', en: 'Educational sciences' },
  { code: '5.4', vi: 'Xã hội học', en: 'Sociology' },
  { code: '5.5', vi: 'Pháp luật', en: 'Law' },
  { code: '5.6', vi: 'Khoa học chính trị', en: 'Political science' },
  { code: '5.7', vi: 'Địa lý kinh tế và xã hội', en: 'Social and economic geography' },
  { code: '5.8', vi: 'Thông tin đại chúng và truyền thông', en: 'Media and communications' },
  { code: '5.9', vi: 'Khoa học xã hội khác', en: 'Other social sciences' },
  { code: '6', vi: 'Khoa học nhân văn', en: 'Humanities' },
  { code: '6.1', vi: 'Lịch sử và khảo cổ học', en: 'History and archaeology' },
  { code: '6.2', vi: 'Ngôn ngữ học và văn học', en: 'Languages and literature' },
  { code: '6.3', vi: 'Triết học, đạo đức học và tôn giáo', en: 'Philosophy, ethics and religion' },
  { code: '6.4', vi: 'Nghệ thuật', en: 'Arts (arts, history of arts, performing arts, music)' },
  { code: '6.5', vi: 'Khoa học nhân văn khác', en: 'Other humanities' },
];

const BY_CODE = new Map(FIELDS.map((f) => [f.code, f]));

export function fieldByCode(code: string): FieldDef | undefined {
  return BY_CODE.get(code);
}

export function isFieldCode(code: string): boolean {
  return BY_CODE.has(code);
}

/** A top-level code stands for itself and all its subfields ("2" → "2", "2.1" … "2.11"). */
export function expandFieldCode(code: string): string[] {
  if (code.includes('.')) return [code];
  return FIELDS.filter((f) => f.code === code || f.code.startsWith(`${code}.`)).map((f) => f.code);
}
