import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import { ErrorCode } from './errors';
import { HUB_STARTING, jsonError } from './error-policy';
import { answerUnhandled, assignRequestId, bodyErrorAnswer, type BodyError } from './http-edge';
import type { Logger } from './logger';
import type { RequestLimiter } from './rate-limit';

/**
 * `POST /graphql` with a JSON body, answered without Express: the same steps, in the same order and
 * with the same answers, as the Express chain in server.ts (request id, CORS, `express.json` with
 * its byte limit and its errors, rate limits, readiness, then Apollo as `expressMiddleware` calls
 * it), minus Express's routing and request wrapping, and written with one `res.end`. Express costs
 * a few tenths of a millisecond of CPU per request, which a small read compiled to one SQL
 * statement notices (bench/README.md, issue #10).
 *
 * Only requests whose handling is plain are taken: anything else (other methods and paths, other
 * content types or charsets, compressed bodies, no body) goes to Express, which handles it as
 * before. The decision reads only the request line and headers, before any of the body.
 */

export interface GraphqlPostOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  /** The context of a request (server.ts: authentication, then the request's context). */
  context: (req: IncomingMessage) => Promise<C>;
  /** The `cors` middleware Express uses (it needs only Node's request and response). */
  cors: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  bodyLimitBytes: number;
  rateLimit: RequestLimiter;
  /** False while the hub is starting: 503. */
  ready: () => boolean;
  trustProxy: boolean | number;
  logger: Logger;
  /** Runs Apollo's work on the request (tracing.ts: under the request's span), as a middleware does on Express's way. */
  within?: <T>(req: IncomingMessage, fn: () => T) => T;
}

/** Returns a handler that answers the request and returns true, or returns false at once (Express's turn). */
export function graphqlPostHandler<C extends BaseContext>(opts: GraphqlPostOptions<C>): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { apollo, context, cors, bodyLimitBytes, rateLimit, ready, trustProxy, logger, within } = opts;

  // As Express's error handlers: bodyErrorHandler for the errors before the body is parsed, then unhandledError.
  const bodyFailed = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    const answer = bodyErrorAnswer(err, bodyLimitBytes);
    if (answer) return jsonError(res, ...answer);
    answerUnhandled(logger, err, req, res);
  };
  const failed = (req: IncomingMessage, res: ServerResponse, err: unknown) => answerUnhandled(logger, err, req, res);

  const run = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const headers = new HeaderMap();
    for (const key in req.headers) {
      const value = req.headers[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context: () => context(req),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status || 200;
    if (response.body.kind === 'complete') return send(res, response.body.string);
    await sendChunks(res, response.body.asyncIterator);
  };

  const afterLimit = (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    if (!ready()) return jsonError(res, 503, ErrorCode.SERVICE_UNAVAILABLE, HUB_STARTING);
    (within ? within(req, () => run(req, res, body)) : run(req, res, body)).catch((err: unknown) => failed(req, res, err));
  };

  const afterBody = (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const allowed = rateLimit(req, res, queryOf(body));
    if (allowed === true) return afterLimit(req, res, body);
    // Buckets in Redis answer with a promise.
    if (allowed !== false) allowed.then((ok) => ok && afterLimit(req, res, body)).catch((err: unknown) => failed(req, res, err));
  };

  return (req, res) => {
    if (!takes(req)) return false;
    try {
      assignRequestId(req, res, trustProxy);
      cors(req, res, (err) => {
        if (err) return bodyFailed(req, res, err);
        readJsonBody(req, bodyLimitBytes, (error, body) => {
          if (error) return bodyFailed(req, res, error);
          try {
            afterBody(req, res, body);
          } catch (e) {
            failed(req, res, e);
          }
        });
      });
    } catch (e) {
      bodyFailed(req, res, e);
    }
    return true;
  };
}

/**
 * The requests taken: `POST /graphql` exactly, a body (`express.json` skips requests with neither
 * Content-Length nor Transfer-Encoding), JSON in UTF-8 (`application/json`, with or without
 * `charset=utf-8`), not compressed.
 */
function takes(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || req.url !== '/graphql') return false;
  const h = req.headers;
  if (h['content-encoding'] !== undefined) return false;
  if (h['transfer-encoding'] === undefined && Number.isNaN(Number(h['content-length']))) return false;
  const type = h['content-type'];
  return type !== undefined && JSON_UTF8.has(type.replace(/ /g, '').toLowerCase());
}

const JSON_UTF8 = new Set(['application/json', 'application/json;charset=utf-8']);

/** The body's `query`, as the rate limits read it from Express's parsed body. */
function queryOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const q = (body as Record<string, unknown>).query;
    return typeof q === 'string' ? q : undefined;
  }
  return undefined;
}

/**
 * Reads and parses the body as `express.json({ limit })` does (body-parser 2, raw-body 3): a
 * Content-Length over the limit is refused before reading, a body that grows past it while
 * arriving too; a refused body is read to its end (and dropped) before the answer, as body-parser
 * does; UTF-8 with a leading BOM dropped; an empty body is `{}`; otherwise strict JSON (an object
 * or an array).
 */
function readJsonBody(req: IncomingMessage, limit: number, done: (error: BodyError | null, body?: unknown) => void): void {
  const declared = req.headers['content-length'];
  const length = declared !== undefined && !Number.isNaN(Number(declared)) ? parseInt(declared, 10) : null;
  const fail = (error: BodyError) => {
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('aborted', onAborted);
    req.removeListener('error', onError);
    afterRequest(req, () => done(error));
  };
  if (length !== null && length > limit) {
    process.nextTick(() => afterRequest(req, () => done({ type: 'entity.too.large', status: 413, length })));
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) return fail({ type: 'entity.too.large', status: 413 });
    chunks.push(chunk);
  };
  const onEnd = () => {
    req.removeListener('data', onData);
    req.removeListener('aborted', onAborted);
    req.removeListener('error', onError);
    if (length !== null && received !== length) return done({ type: 'request.size.invalid', status: 400 });
    let text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let body: unknown;
    try {
      body = parseStrictJson(text);
    } catch {
      return done({ type: 'entity.parse.failed', status: 400 });
    }
    done(null, body);
  };
  const onAborted = () => fail({ type: 'request.aborted', status: 400 });
  const onError = () => fail({ type: 'request.aborted', status: 400 });
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('aborted', onAborted);
  req.once('error', onError);
}

/** Calls `then` once the request has been read to its end (what arrives is dropped) or its connection is gone (on-finished's test). */
function afterRequest(req: IncomingMessage, then: () => void): void {
  const socket = req.socket;
  if (!socket || !socket.readable || (req.complete && !req.readable)) return then();
  const once = () => {
    req.removeListener('end', once);
    req.removeListener('close', once);
    socket.removeListener('close', once);
    then();
  };
  req.once('end', once);
  req.once('close', once);
  socket.once('close', once);
  req.resume();
}

/** body-parser's strict JSON: empty is `{}`; the first character that is not JSON whitespace must open an object or an array. */
function parseStrictJson(text: string): unknown {
  if (text.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d]|$)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new SyntaxError('strict violation');
  return JSON.parse(text);
}

/** Writes a complete answer as Express's `res.send(string)` does, headers and body in one write. */
function send(res: ServerResponse, text: string): void {
  const type = res.getHeader('content-type');
  res.setHeader('Content-Type', typeof type === 'string' ? withUtf8(type) : 'text/html; charset=utf-8');
  if (!res.hasHeader('transfer-encoding')) res.setHeader('Content-Length', String(Buffer.byteLength(text)));
  if (res.statusCode === 204 || res.statusCode === 304) {
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    text = '';
  } else if (res.statusCode === 205) {
    res.setHeader('Content-Length', '0');
    res.removeHeader('Transfer-Encoding');
    text = '';
  }
  res.end(text);
}

/** An incremental answer (multipart), as `expressMiddleware` writes it. */
async function sendChunks(res: ServerResponse, chunks: Extract<HTTPGraphQLResponse['body'], { kind: 'chunked' }>['asyncIterator']): Promise<void> {
  for await (const chunk of chunks) res.write(chunk);
  res.end();
}

/**
 * Express's `setCharset(type, 'utf-8')` (it parses and formats the media type again, which
 * lower-cases parameter names), remembered for the few types Apollo answers with.
 */
const charsetTypes = new Map<string, string>();
let contentType: { parse(s: string): { type: string; parameters: Record<string, string> }; format(o: { type: string; parameters: Record<string, string> }): string } | undefined;
function withUtf8(type: string): string {
  let found = charsetTypes.get(type);
  if (found === undefined) {
    // The very module Express uses (a dependency of Express's, not of the hub's).
    contentType ??= createRequire(require.resolve('express'))('content-type') as typeof contentType;
    const parsed = contentType!.parse(type);
    parsed.parameters.charset = 'utf-8';
    found = contentType!.format(parsed);
    if (charsetTypes.size < 32) charsetTypes.set(type, found);
  }
  return found;
}
