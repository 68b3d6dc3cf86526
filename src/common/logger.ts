import pino, { DestinationStream, Logger } from 'pino';
import { errorChain, ErrorLink } from './errors';
import type { RequestScope } from './request-scope';

/**
 * Structured JSON logs (pino). Keys, passwords and personal data are redacted wherever they
 * would appear; log the key id, never the key.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'federation-hub' },
    redact: {
      paths: ['*.authorization', '*.password', 'password', 'key', '*.key', 'email', '*.email', 'phone', '*.phone', 'birthDate', '*.birthDate'],
      censor: '[redacted]',
    },
    serializers: { err: errorForLog },
  };
  return destination ? pino(options, destination) : pino(options);
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The database error (one with an SQLSTATE) in an error's chain of causes, if any. */
function databaseErrorIn(e: unknown): ErrorLink | null {
  for (const link of errorChain(e)) {
    const code = link.code ?? link.sqlState;
    if (typeof code === 'string' && SQLSTATE.test(code)) return link;
  }
  return null;
}

/**
 * Errors as logged. A database error is logged by its SQLSTATE and the names of what it concerns
 * (constraint, table, column) with the stack frames, but without its message, detail or SQL:
 * those quote the values of the row ("Failing row contains (…, someone@example.vn, …)", the
 * statement with its parameters), which are personal data.
 */
export function errorForLog(e: unknown): unknown {
  const db = databaseErrorIn(e);
  if (!db) return e instanceof Error ? pino.stdSerializers.err(e) : e;
  const pick = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    type: (e as Error)?.constructor?.name ?? 'Error',
    message: '[withheld: a database error can quote personal data; see code, constraint, table and column]',
    code: pick(db.code) ?? pick(db.sqlState),
    constraint: pick(db.constraint),
    table: pick(db.table),
    column: pick(db.column),
    schema: pick(db.schema),
    routine: pick(db.routine),
    severity: pick(db.severity),
    stack: String((e as Error)?.stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n'),
  };
}

/**
 * Where a service URL points, for log lines, never its user or password: `host:port` (the scheme's
 * `defaultPort` when the URL has none), and with `withPath` the path (a database's name).
 */
export function urlForLog(url: string, defaultPort: number, withPath = false): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || defaultPort}${withPath ? u.pathname : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

export type { Logger };

/** Why a request was refused before it ran, for its log line. */
export interface Refusal {
  /** The HTTP status answered (401, 429…). */
  status: number;
  /** The error code answered (UNAUTHENTICATED, RATE_LIMITED…). */
  code: string;
  /** What was wrong, for people reading logs: never the key, never anything the caller sent. */
  reason: string;
  /** The id of the key presented, when known (a revoked key, a key seen working before). */
  keyId?: number | null;
  /** Anything else worth knowing (the limit that was reached, the seconds to wait…). */
  [detail: string]: unknown;
}

/**
 * One warn line per refused request (a refused key, a rate limit): the hub's request id (and the
 * caller's), the client address, the reason and the key id when known. Never the key: the
 * Authorization header is not among the fields, and `key` is redacted anyway.
 */
export function logRefusal(logger: Logger, scope: RequestScope | undefined, refusal: Refusal, fallbackAddress?: string): void {
  logger.warn(
    {
      requestId: scope?.requestId,
      ...(scope?.clientRequestId ? { clientRequestId: scope.clientRequestId } : {}),
      clientAddress: scope?.clientAddress ?? fallbackAddress,
      ...refusal,
      keyId: refusal.keyId ?? null,
    },
    'request refused',
  );
}
