import { isCalendarDate } from './scalars';
import { fromGlobalId } from './node-id';
import { normalizeText } from './text';
import { Problems, UserErrorCode } from './user-errors';
import { isFieldCode } from '../modules/field/field.data';

/**
 * Row-by-row validation for writes whose input arrives as plain strings: every problem is
 * recorded with its path, so a caller sees all of them at once. Each function returns the
 * cleaned value (NFC, trimmed; blank → null), or undefined when the input was omitted.
 */

type Path = (string | number)[];

/** Today's date in Vietnam (UTC+7), as YYYY-MM-DD. */
const VIETNAM_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' });
export function todayInVietnam(now = new Date()): string {
  return VIETNAM_DATE.format(now); // one formatter for the process: building one costs ~0.25 ms, twice per pushed row
}

/**
 * `multiline`: for prose (opinions, reports, document sections), whose line breaks and inner
 * spacing are kept: only NFC and the ends are trimmed.
 */
export function text(p: Problems, path: Path, value: string | null | undefined, opts: { max: number; required?: boolean; multiline?: boolean }): string | null | undefined {
  if (value === undefined) return undefined;
  const v = value === null ? null : (opts.multiline ? value.normalize('NFC').trim() : normalizeText(value)) || null;
  if (v === null) {
    if (opts.required) p.add(UserErrorCode.REQUIRED, path, `${path[path.length - 1]} must not be empty`);
    return null;
  }
  if ([...v].length > opts.max) p.add(UserErrorCode.TOO_LONG, path, `${path[path.length - 1]} is longer than ${opts.max} characters`);
  return v;
}

const EMAIL_RE = /^[^\s@"<>(),;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function email(p: Problems, path: Path, value: string | null | undefined): string | null | undefined {
  const v = text(p, path, value, { max: 254 });
  if (v && !EMAIL_RE.test(v)) p.add(UserErrorCode.INVALID_EMAIL, path, `"${v}" is not an e-mail address`);
  return v ? v.toLowerCase() : v;
}

export function phone(p: Problems, path: Path, value: string | null | undefined): string | null | undefined {
  const v = text(p, path, value, { max: 30 });
  if (v) {
    const digits = v.replace(/\D/g, '').length;
    if (!/^\+?[0-9 ().-]+$/.test(v) || digits < 8 || digits > 15) p.add(UserErrorCode.INVALID_PHONE, path, `"${v}" is not a telephone number`);
  }
  return v;
}

export function url(p: Problems, path: Path, value: string | null | undefined): string | null | undefined {
  const v = text(p, path, value, { max: 2000 });
  if (v) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      ok = false;
    }
    if (!ok) p.add(UserErrorCode.INVALID_URL, path, `"${v}" is not an http(s) URL`);
  }
  return v;
}

export function date(p: Problems, path: Path, value: string | null | undefined, opts: { notFuture?: boolean; min?: string } = {}): string | null | undefined {
  const v = text(p, path, value, { max: 10 });
  if (!v) return v;
  if (!isCalendarDate(v)) {
    p.add(UserErrorCode.INVALID_DATE, path, `"${v}" is not a calendar date written YYYY-MM-DD`);
  } else if (opts.notFuture && v > todayInVietnam()) {
    p.add(UserErrorCode.FUTURE_DATE, path, `${path[path.length - 1]} ${v} is in the future`);
  } else if (opts.min && v < opts.min) {
    p.add(UserErrorCode.INVALID_DATE, path, `${path[path.length - 1]} ${v} is before ${opts.min}`);
  }
  return v;
}

export function enumValue<E extends string>(p: Problems, path: Path, value: string | null | undefined, allowed: Record<string, E>): E | null | undefined {
  const v = text(p, path, value, { max: 64 });
  if (!v) return v as null | undefined;
  const values = Object.values(allowed) as string[];
  if (!values.includes(v)) {
    p.add(UserErrorCode.UNKNOWN_ENUM_VALUE, path, `"${v}" is not one of ${values.join(', ')}`);
    return null;
  }
  return v as E;
}

export function fieldCodes(p: Problems, path: Path, value: string[] | null | undefined): string[] | null | undefined {
  if (value === undefined || value === null) return value;
  if (value.length > 20) p.add(UserErrorCode.TOO_MANY_ROWS, path, 'at most 20 fields');
  const out: string[] = [];
  value.forEach((raw, k) => {
    const code = normalizeText(raw);
    if (!isFieldCode(code)) p.add(UserErrorCode.UNKNOWN_FIELD_CODE, [...path, k], `"${raw}" is not an OECD FOS 2007 field code`);
    else if (!out.includes(code)) out.push(code);
  });
  return out;
}

/** The numeric id of a global id of `type`; null without one, or with `code` (NOT_FOUND) at `path` when it is not one. */
export function globalId(p: Problems, path: Path, value: string | null | undefined, type: string, code = UserErrorCode.NOT_FOUND): number | null {
  if (value === null || value === undefined) return null;
  const d = fromGlobalId(value);
  if (!d || d.type !== type) {
    p.add(code, path, `${path[path.length - 1]} is not a ${type} id`);
    return null;
  }
  return d.id;
}
