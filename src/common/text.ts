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


/** Lower-case and strip diacritics, đ → d; the same folding the database index uses. */
export function foldText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .replace(/đ/gu, 'd')
    .replace(/Đ/gu, 'D')
    .toLowerCase();
}

/**
 * Characters that text cannot carry into the database: NUL (PostgreSQL text refuses it) and
 * unpaired UTF-16 surrogates (not Unicode; they would be stored as U+FFFD, silently changed).
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `value` cannot be stored as text, or null when it can. */
export function unstorableText(value: string): string | null {
  const m = UNSTORABLE.exec(value);
  if (!m) return null;
  return m[0] === '\u0000' ? 'a NUL character (U+0000)' : `an unpaired surrogate (U+${m[0].charCodeAt(0).toString(16).toUpperCase()})`;
}

/**
 * The first string inside a JSON value (GraphQL variables) that cannot be stored as text, with its
 * path (`input.members.3.fullName`), or null. Iterative, so that deeply nested input cannot
 * exhaust the stack.
 */
export function findUnstorableText(value: unknown, root: string): { path: string; problem: string } | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = unstorableText(v);
      if (problem) return { path, problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}.${i}`]);
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v).reverse()) {
        const keyProblem = unstorableText(k);
        if (keyProblem) return { path: `${path} (a key)`, problem: keyProblem };
        stack.push([child, `${path}.${k}`]);
      }
    }
  }
  return null;
}
