/** Text helpers for Vietnamese names: one normal form, one folded form, one sort key. */

/** Trims, collapses inner whitespace and normalises to NFC (two keyboards, one string). */
export function normalizeText(value: string): string {
  return value.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** Like normalizeText, but null and blank stay null. */
export function normalizeOptional(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const v = normalizeText(value);
  return v === '' ? null : v;
}

/** The given name is the last word of a Vietnamese full name (Nguyễn Văn Đức → Đức). */
export function givenNameOf(fullName: string): string {
  const words = normalizeText(fullName).split(' ');
  return words[words.length - 1] ?? '';
}


/** Lower-case and strip diacritics, đ → d; the same folding the database index uses. */
export function foldText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .replace(/đ/gu, 'd')
    .replace(/Đ/gu, 'D')
    .toLowerCase();
}
