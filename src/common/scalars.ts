import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (no 2023-02-30). */
export function isCalendarDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1000 || mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw new GraphQLError(`Date must be a calendar date written YYYY-MM-DD, got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

/**
 * A calendar date (birth date, founding date) as a plain YYYY-MM-DD string.
 * It never passes through a JavaScript Date, so it cannot shift with the server's time zone.
 */
export const LocalDateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date without time or time zone, written YYYY-MM-DD (ISO 8601), e.g. "2007-05-17".',
  serialize(value) {
    if (typeof value === 'string' && isCalendarDate(value)) return value;
    throw new GraphQLError('Date cannot represent a value that is not a YYYY-MM-DD string');
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('Date must be a string written YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return parseDate(ast.value);
  },
});

function parseUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new GraphQLError('URL must be an absolute URL such as "https://example.vn/page"', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return value;
}

/**
 * An absolute URL, a string both ways. graphql-scalars' URL scalar parses input into a JavaScript
 * URL object, which the write services (text rules, audit diffs, idempotency hashes) cannot take;
 * this one checks the string and passes it on as sent. Answers are normalised as before
 * (`https://example.vn` → `https://example.vn/`).
 */
export const URLScalar = new GraphQLScalarType<string, string>({
  name: 'URL',
  description:
    'An absolute URL (RFC 3986, read as WHATWG URL parsers read it), e.g. "https://vusta.vn/gioi-thieu". Answers are normalised (a bare host gains a trailing slash).',
  serialize(value) {
    if (typeof value === 'string' && URL.canParse(value)) return new URL(value).toString();
    throw new GraphQLError('URL cannot represent a value that is not an absolute URL');
  },
  parseValue: parseUrl,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('URL must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return parseUrl(ast.value);
  },
});
