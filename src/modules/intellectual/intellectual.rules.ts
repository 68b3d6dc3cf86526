import { normalizeText } from '../../common/text';

/**
 * The rules of a person's stored name, written once: the ORM path (entity hooks) and the
 * set-based SQL path (member pushes) both call these, so the two cannot drift apart.
 *
 * - Names are stored in Unicode NFC, trimmed, with single spaces (two keyboards, one string).
 * - The given name is the last word of the full name (Nguyễn Văn Đức → Đức): Vietnamese lists
 *   sort by it, then by the full name.
 * - Every membership keeps a copy of its member's given and full name, so an association's
 *   members page in Vietnamese order from one index. That copy is kept by the database itself
 *   (triggers `membership_copy_name` and `intellectual_renamed`, migration 20261202010000),
 *   whichever path writes the person or the membership.
 */
export interface PersonName {
  fullName: string;
  givenName: string;
}

export function personName(fullName: string): PersonName {
  const full = normalizeText(fullName);
  return { fullName: full, givenName: givenNameOf(full) };
}

/** The last word of a full name (normalised first). */
export function givenNameOf(fullName: string): string {
  const words = normalizeText(fullName).split(' ');
  return words[words.length - 1] ?? '';
}
