/**
 * Vietnamese personal names with approximate real-world frequencies, a small deterministic PRNG
 * and helpers, shared by the demo seed and the large synthetic generator.
 *
 * Frequencies are rough (published surname surveys; given names by feel), tilted towards the
 * Mekong Delta: Huỳnh and Võ are more common in the South than Hoàng and Vũ, and Sóc Trăng has
 * large Khmer (Thạch, Sơn, Kim, Danh) and Hoa (Lâm, Triệu, Quách, Lý) communities.
 * Everything here is invented data: no list is anyone's real name.
 */

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

/**
 * Mulberry32: a tiny, fast 32-bit PRNG. Same seed → same sequence on every platform, which is
 * all a seed generator needs (it is not cryptographic). Returns floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Weighted<T> {
  value: T;
  weight: number;
}

/**
 * Returns a function that draws one value with probability proportional to its weight.
 * Cumulative weights are computed once and each draw is a binary search (O(log n)),
 * so a million draws cost next to nothing.
 */
export function weightedPicker<T>(items: Weighted<T>[]): (rnd: () => number) => T {
  if (items.length === 0) throw new Error('weightedPicker: no items');
  const values = items.map((i) => i.value);
  const cumulative = new Float64Array(items.length);
  let total = 0;
  items.forEach((item, i) => {
    if (!(item.weight > 0) || !Number.isFinite(item.weight)) throw new Error(`weightedPicker: bad weight for ${String(item.value)}`);
    total += item.weight;
    cumulative[i] = total;
  });
  const last = items.length - 1;
  return (rnd) => {
    const target = rnd() * total;
    // First index whose cumulative weight exceeds the target.
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]!;
  };
}

/** Integer in [min, max], both inclusive. */
export function randomInt(rnd: () => number, min: number, max: number): number {
  return min + Math.floor(rnd() * (max - min + 1));
}

/** True with probability p. */
export function chance(rnd: () => number, p: number): boolean {
  return rnd() < p;
}

/** One element of a non-empty array, uniformly. */
export function pickOne<T>(rnd: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pickOne: no items');
  return items[Math.floor(rnd() * items.length)]!;
}

// ---------------------------------------------------------------------------------------------
// Calendar dates as "YYYY-MM-DD" strings
// ---------------------------------------------------------------------------------------------
// Pure integer arithmetic (Howard Hinnant's days-from-civil), so no JS Date and no time zone can
// shift a date by one day.

/** Days since 1970-01-01 of an ISO date "YYYY-MM-DD". */
export function dayNumber(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso);
  if (!m) throw new Error(`not an ISO date: ${iso}`);
  let y = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  y -= month <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** ISO date "YYYY-MM-DD" of a day number (inverse of dayNumber). */
export function isoDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A uniformly random date between two ISO dates, both inclusive. */
export function randomDate(rnd: () => number, from: string, to: string): string {
  return isoDate(randomInt(rnd, dayNumber(from), dayNumber(to)));
}

// ---------------------------------------------------------------------------------------------
// Name lists
// ---------------------------------------------------------------------------------------------

/** Literals are typed by hand; normalise once so every emitted string is NFC whatever the editor saved. */
function nfc(list: Array<[string, number]>): Weighted<string>[] {
  return list.map(([value, weight]) => ({ value: value.normalize('NFC'), weight }));
}

/** Family names (họ); weights are percentages of the population, roughly. */
export const FAMILY_NAMES: Weighted<string>[] = nfc([
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Huỳnh', 2.8], // Hoàng + Huỳnh ≈ 5%; Huỳnh is the southern form
  ['Hoàng', 2.2],
  ['Phan', 4.5],
  ['Võ', 2.3], // Vũ + Võ ≈ 3.9%; Võ is the southern form
  ['Vũ', 1.6],
  ['Đặng', 2.1],
  ['Bùi', 2],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
  ['Trương', 0.8],
  ['Đinh', 0.6],
  ['Đoàn', 0.5],
  ['Lương', 0.4],
  ['Đào', 0.4],
  ['Mai', 0.35],
  ['Cao', 0.35],
  ['Trịnh', 0.3],
  ['Châu', 0.3],
  ['Hà', 0.3],
  ['Tô', 0.25],
  ['Lưu', 0.25],
  ['Thái', 0.2],
  ['Tạ', 0.15],
  ['La', 0.15],
  ['Từ', 0.1],
  ['Diệp', 0.1],
  // Khmer family names common in Sóc Trăng.
  ['Thạch', 0.5],
  ['Sơn', 0.35],
  ['Kim', 0.3],
  ['Danh', 0.3],
  // Hoa (Chinese-Vietnamese) family names.
  ['Lâm', 0.45],
  ['Triệu', 0.2],
  ['Quách', 0.2],
]);

/** Middle names (tên đệm) for men; Văn dominates, less so among younger people. */
export const MIDDLE_NAMES_MALE: Weighted<string>[] = nfc([
  ['Văn', 30],
  ['Minh', 10],
  ['Hữu', 8],
  ['Thanh', 8],
  ['Đức', 7],
  ['Quốc', 7],
  ['Hoàng', 5],
  ['Công', 5],
  ['Tấn', 5],
  ['Đình', 4],
  ['Ngọc', 3],
  ['Xuân', 3],
  ['Anh', 3],
  ['Thành', 3],
  ['Chí', 3],
  ['Trung', 2],
  ['Trọng', 2],
  ['Phước', 2],
  ['Gia', 2],
  ['Nhật', 2],
  ['Duy', 2],
  ['Bá', 2],
  ['Quang', 2],
  ['Hồng', 1],
]);

/** Middle names for women; Thị dominates, less so among younger people. */
export const MIDDLE_NAMES_FEMALE: Weighted<string>[] = nfc([
  ['Thị', 40],
  ['Ngọc', 12],
  ['Thanh', 6],
  ['Thu', 5],
  ['Kim', 5],
  ['Mỹ', 4],
  ['Hồng', 4],
  ['Bích', 3],
  ['Thúy', 3],
  ['Phương', 3],
  ['Minh', 3],
  ['Hoàng', 2],
  ['Diễm', 2],
  ['Tuyết', 2],
  ['Kiều', 2],
  ['Bảo', 2],
  ['Khánh', 2],
  ['Mai', 2],
  ['Quỳnh', 2],
  ['Như', 2],
  ['Ánh', 1],
  ['Hải', 1],
  ['Yến', 1],
]);

/** Given names (tên) for men. Includes An, Ân, Anh, Đạt, Đức, Dũng, Duy to exercise Vietnamese ordering. */
export const GIVEN_NAMES_MALE: Weighted<string>[] = nfc([
  ['Anh', 5],
  ['Hùng', 5],
  ['Minh', 5],
  ['Tuấn', 5],
  ['Dũng', 4],
  ['Đức', 4],
  ['Hải', 4],
  ['Long', 4],
  ['Nam', 4],
  ['Sơn', 4],
  ['Thành', 4],
  ['Trung', 4],
  ['Huy', 4],
  ['Cường', 3],
  ['Hiếu', 3],
  ['Phong', 3],
  ['Phúc', 3],
  ['Quân', 3],
  ['Quang', 3],
  ['Đạt', 3],
  ['Duy', 3],
  ['Hoàng', 3],
  ['Khoa', 3],
  ['Nghĩa', 3],
  ['Nhân', 3],
  ['Tài', 3],
  ['Tâm', 3],
  ['Thắng', 3],
  ['Trí', 3],
  ['Vinh', 3],
  ['Hưng', 3],
  ['Bình', 2],
  ['Khánh', 2],
  ['Việt', 2],
  ['Đông', 2],
  ['An', 2],
  ['Kiên', 2],
  ['Lâm', 2],
  ['Lộc', 2],
  ['Lợi', 2],
  ['Phát', 2],
  ['Phước', 2],
  ['Thiện', 2],
  ['Thịnh', 2],
  ['Toàn', 2],
  ['Trọng', 2],
  ['Tùng', 2],
  ['Vũ', 2],
  ['Hậu', 2],
  ['Bảo', 2],
  ['Mạnh', 2],
  ['Tân', 2],
  ['Tiến', 2],
  ['Tín', 2],
  ['Hòa', 2],
  ['Ân', 1],
  ['Danh', 1],
  ['Định', 1],
  ['Giang', 1],
  ['Hào', 1],
  ['Khải', 1],
  ['Khang', 1],
  ['Đăng', 1],
  ['Thông', 1],
  ['Triều', 1],
]);

/** Given names for women. Includes An, Anh, Ánh to exercise Vietnamese ordering. */
export const GIVEN_NAMES_FEMALE: Weighted<string>[] = nfc([
  ['Anh', 5],
  ['Hương', 5],
  ['Linh', 5],
  ['Thảo', 5],
  ['Trang', 5],
  ['Lan', 4],
  ['Mai', 4],
  ['Phương', 4],
  ['Hằng', 4],
  ['Huyền', 4],
  ['Thủy', 4],
  ['Hà', 3],
  ['Hạnh', 3],
  ['Hoa', 3],
  ['Ngọc', 3],
  ['Nhung', 3],
  ['Vân', 3],
  ['Vy', 3],
  ['Yến', 3],
  ['Dung', 3],
  ['Hiền', 3],
  ['Hồng', 3],
  ['Loan', 3],
  ['Nga', 3],
  ['Ngân', 3],
  ['Nhi', 3],
  ['Quỳnh', 3],
  ['Thu', 3],
  ['Thúy', 3],
  ['An', 2],
  ['Ánh', 2],
  ['Châu', 2],
  ['Diễm', 2],
  ['Duyên', 2],
  ['Giang', 2],
  ['Liên', 2],
  ['Ly', 2],
  ['My', 2],
  ['Như', 2],
  ['Oanh', 2],
  ['Quyên', 2],
  ['Tâm', 2],
  ['Thanh', 2],
  ['Tiên', 2],
  ['Trâm', 2],
  ['Trinh', 2],
  ['Tuyết', 2],
  ['Uyên', 2],
  ['Xuân', 2],
  ['Hân', 2],
  ['Phượng', 2],
  ['Ý', 1],
  ['Đào', 1],
  ['Hậu', 1],
  ['Bích', 1],
  ['Cúc', 1],
  ['Đan', 1],
  ['Diệp', 1],
  ['Hảo', 1],
  ['Lệ', 1],
  ['Nhàn', 1],
  ['Thơ', 1],
  ['Vi', 1],
]);

// Second middle names: the ubiquitous Văn/Thị only come first ("Nguyễn Thị Thu Hà", not "Nguyễn Thu Thị Hà").
const SECOND_MIDDLE_MALE = MIDDLE_NAMES_MALE.filter((w) => w.value !== 'Văn');
const SECOND_MIDDLE_FEMALE = MIDDLE_NAMES_FEMALE.filter((w) => w.value !== 'Thị');

const pickFamily = weightedPicker(FAMILY_NAMES);
const PICKERS = {
  MALE: {
    middle: weightedPicker(MIDDLE_NAMES_MALE),
    secondMiddle: weightedPicker(SECOND_MIDDLE_MALE),
    given: weightedPicker(GIVEN_NAMES_MALE),
  },
  FEMALE: {
    middle: weightedPicker(MIDDLE_NAMES_FEMALE),
    secondMiddle: weightedPicker(SECOND_MIDDLE_FEMALE),
    given: weightedPicker(GIVEN_NAMES_FEMALE),
  },
} as const;

/** Share of people with two middle names ("Nguyễn Thị Ngọc Ánh"). */
const TWO_MIDDLE_NAMES = 0.15;

/** Redraws (a bounded number of times) while the draw repeats a word already in the name. */
function pickDistinct(rnd: () => number, pick: (rnd: () => number) => string, used: readonly string[]): string {
  let value = pick(rnd);
  for (let i = 0; i < 8 && used.includes(value); i++) value = pick(rnd);
  return value;
}

/**
 * A full name in Vietnamese order: family, middle name(s), given name, NFC, single spaces.
 * No word repeats ("Lê Minh Minh" is avoided), except the family name may equal a given name
 * (e.g. "Sơn Văn Sơn" is plausible among Khmer names but rare enough not to matter).
 */
export function vietnameseName(rnd: () => number, gender: 'MALE' | 'FEMALE'): string {
  const p = PICKERS[gender];
  const family = pickFamily(rnd);
  const middles = [p.middle(rnd)];
  if (rnd() < TWO_MIDDLE_NAMES) middles.push(pickDistinct(rnd, p.secondMiddle, middles));
  const given = pickDistinct(rnd, p.given, middles);
  return [family, ...middles, given].join(' ');
}
