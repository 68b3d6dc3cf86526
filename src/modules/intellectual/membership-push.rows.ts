import { Problems, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { AcademicTitle, Degree, Gender, MembershipRole } from './intellectual.enums';
import { MemberInput } from './membership-push.inputs';

/**
 * Row validation of member pushes: rows arrive as plain strings and are checked one by one, so
 * that every problem comes back with its path (["members", 17, "email"]) instead of one coercion
 * error for the whole request.
 */

export const MAX_PUSH_ROWS = 5000;

/** A person's stored values, in the names the audit log and the comparison use. */
export interface PersonValues {
  fullName: string;
  email: string | null;
  phone: string | null;
  birthDate: string | null;
  gender: string;
  highestDegree: string | null;
  academicTitle: string;
  fields: string[];
  workplace: string | null;
  position: string | null;
  publicProfile: boolean;
}

export interface MembershipValues {
  memberNumber: string | null;
  joinedOn: string | null;
  role: string;
  status: string;
  leftOn: string | null;
  endReason: string | null;
}

/** One valid row: only the values the caller sent (omitted ones keep what is stored). */
export interface CleanRow {
  index: number;
  externalId: string;
  person: Partial<PersonValues>;
  membership: Partial<MembershipValues>;
}

export const PERSON_DEFAULTS: PersonValues = {
  fullName: '',
  email: null,
  phone: null,
  birthDate: null,
  gender: Gender.UNDISCLOSED,
  highestDegree: null,
  academicTitle: AcademicTitle.NONE,
  fields: [],
  workplace: null,
  position: null,
  publicProfile: false,
};

export function validateMemberRow(p: Problems, raw: MemberInput, k: number): CleanRow {
  const at = (f: string) => ['members', k, f];
  const has = (f: keyof MemberInput) => raw[f] !== undefined;
  const person: Partial<PersonValues> = {};
  const membership: Partial<MembershipValues> = {};
  const externalId = v.text(p, at('externalId'), raw.externalId ?? null, { max: 100, required: true }) ?? '';
  if (has('fullName')) person.fullName = v.text(p, at('fullName'), raw.fullName, { max: 200, required: true }) ?? '';
  if (has('email')) person.email = v.email(p, at('email'), raw.email) ?? null;
  if (has('phone')) person.phone = v.phone(p, at('phone'), raw.phone) ?? null;
  if (has('birthDate')) person.birthDate = v.date(p, at('birthDate'), raw.birthDate, { notFuture: true, min: '1900-01-01' }) ?? null;
  if (has('gender')) person.gender = v.enumValue(p, at('gender'), raw.gender, Gender) ?? Gender.UNDISCLOSED;
  if (has('degree')) person.highestDegree = v.enumValue(p, at('degree'), raw.degree, Degree) ?? null;
  if (has('academicTitle')) person.academicTitle = v.enumValue(p, at('academicTitle'), raw.academicTitle, AcademicTitle) ?? AcademicTitle.NONE;
  if (has('fields')) person.fields = v.fieldCodes(p, at('fields'), raw.fields) ?? [];
  if (has('workplace')) person.workplace = v.text(p, at('workplace'), raw.workplace, { max: 300 }) ?? null;
  if (has('position')) person.position = v.text(p, at('position'), raw.position, { max: 300 }) ?? null;
  if (has('publicProfile')) person.publicProfile = raw.publicProfile ?? false;
  if (has('memberNumber')) membership.memberNumber = v.text(p, at('memberNumber'), raw.memberNumber, { max: 50 }) ?? null;
  if (has('joinedOn')) membership.joinedOn = v.date(p, at('joinedOn'), raw.joinedOn, { notFuture: true, min: '1900-01-01' }) ?? null;
  if (has('role')) membership.role = v.enumValue(p, at('role'), raw.role, MembershipRole) ?? MembershipRole.MEMBER;
  return { index: k, externalId, person, membership };
}

/** Every row checked; an externalId twice in one push is a DUPLICATE at its second place. */
export function validateMemberRows(p: Problems, members: MemberInput[]): CleanRow[] {
  if (members.length > MAX_PUSH_ROWS) {
    p.add(UserErrorCode.TOO_MANY_ROWS, ['members'], `A push carries at most ${MAX_PUSH_ROWS} members; this one has ${members.length}`);
    return [];
  }
  const rows = members.map((raw, k) => validateMemberRow(p, raw, k));
  const firstIndex = new Map<string, number>();
  for (const row of rows) {
    if (!row.externalId) continue;
    const seen = firstIndex.get(row.externalId);
    if (seen !== undefined) p.add(UserErrorCode.DUPLICATE, ['members', row.index, 'externalId'], `externalId "${row.externalId}" also appears in members[${seen}]`);
    else firstIndex.set(row.externalId, row.index);
  }
  return rows;
}

/** The externalIds of an endMemberships call: each present, at most 100 characters, none twice. */
export function validateExternalIds(p: Problems, externalIds: string[]): string[] {
  if (externalIds.length > MAX_PUSH_ROWS) {
    p.add(UserErrorCode.TOO_MANY_ROWS, ['externalIds'], `At most ${MAX_PUSH_ROWS} externalIds per call; this one has ${externalIds.length}`);
    return [];
  }
  if (externalIds.length === 0) p.add(UserErrorCode.REQUIRED, ['externalIds'], 'externalIds must not be empty');
  const ids = externalIds.map((raw, k) => v.text(p, ['externalIds', k], raw, { max: 100, required: true }) ?? '');
  ids.forEach((id, k) => {
    const first = ids.indexOf(id);
    if (id && first !== k) p.add(UserErrorCode.DUPLICATE, ['externalIds', k], `externalId "${id}" also appears at externalIds[${first}]`);
  });
  return ids;
}
