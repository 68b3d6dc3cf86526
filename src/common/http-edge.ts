import http from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { errorBody, jsonError } from './error-policy';
import { ErrorCode } from './errors';
import type { Logger } from './logger';
import { RequestScope, scopeOf, setScope } from './request-scope';
import { clientIp } from './rate-limit/client-address';

/**
 * The HTTP answers given before or around GraphQL: requests Node's parser refuses, the request id,
 * bodies the JSON parser refuses, unknown paths and errors nothing else caught. All of them in
 * GraphQL's error shape, with the request id.
 */

/**
 * Requests Node's HTTP parser refuses before the hub sees them (a URL or headers over Node's
 * 16 KiB limit, a request that takes too long to arrive, a malformed request line) get the hub's
 * JSON error shape instead of an empty body. For the http server's `clientError` event.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', `The URL and headers exceed ${http.maxHeaderSize} bytes: send long queries by POST`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive']
        : [400, ApolloServerErrorCode.BAD_REQUEST, 'Malformed HTTP request'];
  const requestId = randomUUID();
  const body = JSON.stringify(errorBody(code, message, requestId));
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Every request gets an id of the hub's own, a new UUID, which its response carries
 * (`X-Request-Id`) and its log lines, audit events and masked errors name, through the request
 * scope. A caller's `X-Request-Id`, when plausible (1 to 64 letters, digits, `.`, `_`, `-`), goes
 * beside it (`X-Client-Request-Id` in the response, `clientRequestId` in logs and audit events):
 * the caller chose it, so it could forge or reuse one, and it never replaces the hub's. The scope
 * also carries the caller's address (past `trustProxy` proxies) for log lines.
 */
export function requestIdMiddleware(opts: { trustProxy?: boolean | number } = {}): RequestHandler {
  const trustProxy = opts.trustProxy ?? false;
  return (req: Request, res: Response, next: NextFunction) => {
    assignRequestId(req, res, trustProxy);
    next();
  };
}

/** What `requestIdMiddleware` does, without Express (for graphql-http.ts). */
export function assignRequestId(req: http.IncomingMessage, res: http.ServerResponse, trustProxy: boolean | number): RequestScope {
  const requestId = randomUUID();
  const incoming = req.headers['x-request-id']; // a string: Node joins repeated headers of this name
  const clientRequestId = typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : null;
  res.setHeader('X-Request-Id', requestId);
  if (clientRequestId) res.setHeader('X-Client-Request-Id', clientRequestId);
  const scope: RequestScope = { requestId, clientRequestId, clientAddress: clientIp(req, trustProxy), sqlStatements: 0 };
  setScope(req, scope);
  return scope;
}

/** Right after `express.json()`: its own answer is an HTML page with a stack; answer JSON instead. */
export function bodyErrorHandler(bodyLimitBytes: number): ErrorRequestHandler {
  return (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const answer = bodyErrorAnswer(err, bodyLimitBytes);
    if (answer) return jsonError(res, ...answer);
    next(err);
  };
}

/** An error of reading a body, as body-parser gives it (`type`, `status`, the declared `length`). */
export interface BodyError {
  type?: string;
  status?: number;
  length?: number;
}

/** The answer to an error of reading or parsing the body (status, code, message); null: not the client's, an unhandled error. */
export function bodyErrorAnswer(err: unknown, bodyLimitBytes: number): [status: number, code: string, message: string] | null {
  const e = err as BodyError | undefined;
  if (e?.type === 'entity.parse.failed') return [400, ApolloServerErrorCode.BAD_REQUEST, 'The request body is not valid JSON'];
  if (e?.type === 'entity.too.large') {
    const found = typeof e.length === 'number' && Number.isFinite(e.length) ? `this one has ${e.length}` : 'this one has more';
    return [413, 'PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${bodyLimitBytes} bytes: ${found}`];
  }
  if (e?.status && e.status < 500) return [e.status, ApolloServerErrorCode.BAD_REQUEST, 'The request body could not be read'];
  return null;
}

/** Any path but the GraphQL endpoint and the probes. */
export function notFound(): RequestHandler {
  return (_req: Request, res: Response) => jsonError(res, 404, ErrorCode.NOT_FOUND, 'Not found: the GraphQL endpoint is /graphql');
}

/** The last handler: an error nothing else answered is logged and masked (500). */
export function unhandledError(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => answerUnhandled(logger, err, req, res);
}

/** What `unhandledError` does, without Express. */
export function answerUnhandled(logger: Logger, err: unknown, req: http.IncomingMessage, res: http.ServerResponse): void {
  logger.error({ requestId: scopeOf(req)?.requestId, err }, 'unhandled error');
  if (res.headersSent) return void res.end();
  jsonError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
}
