import type http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import {
  createSourceEventStream,
  DocumentNode,
  execute,
  ExecutionArgs,
  ExecutionResult,
  getOperationAST,
  GraphQLError,
  GraphQLSchema,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Context as WsContext, SubscribePayload } from 'graphql-ws';
import type { Viewer } from './auth';
import type { HttpDrain } from './drain';
import { ErrorCode } from './errors';
import { DATABASE_AWAY, formatError, HUB_STARTING, maskedError } from './error-policy';
import { logRefusal, type Logger } from './logger';
import { Lru } from './lru';
import { aliasLimitRule, depthLimitRule, QueryLimits } from './query-limits';
import { operationChecks } from './request-guard';
import type { RequestScope } from './request-scope';
import { clientAddress, clientIp } from './rate-limit';
import type { Context } from '../context';

/**
 * GraphQL subscriptions over WebSocket: the graphql-ws protocol (subprotocol
 * `graphql-transport-ws`) on the hub's HTTP server, at /graphql beside the HTTP endpoint.
 *
 * - Authentication: `connectionParams.authorization` ("Bearer <key>"; the upgrade request's
 *   Authorization header when absent), through the same key lookup as HTTP (the key cache).
 *   No key: the public, as over HTTP. A refused key closes the socket with 4401 (graphql-ws'
 *   Unauthorized: its client does not retry) and says why; the database away, 1013 (try again).
 * - Subscriptions only: a query or a mutation sent here is refused (BAD_REQUEST): they go by
 *   HTTP, where rate limits, idempotency, heavy-query turns and metrics apply.
 * - The same rules as HTTP for documents: MAX_TOKENS, graphql-js' validation plus the depth and
 *   alias limits, the node budget and text PostgreSQL cannot store (request-guard.ts).
 * - Limits: SUBSCRIPTIONS_PER_CONNECTION on one connection, SUBSCRIPTIONS_PER_KEY per key (per
 *   address without a key) across this hub's connections → TOO_MANY_SUBSCRIPTIONS.
 * - Revocation: a key's change notified to the key cache (LISTEN/NOTIFY), and a look-up of every
 *   connected key each SUBSCRIPTION_KEY_RECHECK_SECONDS, close a revoked key's connections (4401)
 *   and those of a key whose role or association changed (4403: its client reconnects).
 * - Each event runs in the context its source stream gives with it (`event.context`, see
 *   feed.live.ts), so that loaders never outlive one published batch.
 * - Errors are formatted as over HTTP (error-policy.ts): client codes pass, anything else is
 *   masked and logged with a request id.
 * - Stop: `goingAway()` closes every WebSocket with 1001 Going away and refuses new ones (503);
 *   the HTTP drain (drain.ts) waits for them to close within the grace period.
 */

export interface GraphqlWsOptions {
  httpServer: http.Server;
  drain: HttpDrain;
  schema: GraphQLSchema;
  limits: QueryLimits & { maxTokens: number };
  subscriptions: { perConnection: number; perKey: number; keyRecheckSeconds: number };
  trustProxy: boolean | number;
  logger: Logger;
  /** False while the hub is starting: new connections are refused (503). */
  ready(): boolean;
  /**
   * The viewer of an Authorization value (undefined: anonymous). A refusal throws a GraphQLError
   * with code UNAUTHENTICATED (its message is told); anything else means the lookup failed.
   */
  authenticate(authorization: string | undefined): Promise<Viewer>;
  /** The viewers of these keys as they are now; a key revoked or gone is absent. */
  currentViewers(keyIds: number[]): Promise<Map<number, Viewer>>;
  /** Calls the listener with a changed key's id (null: any key may have changed); returns the way to stop. */
  onKeyChange(listener: (keyId: number | null) => void): () => void;
  /** The context of one subscription operation (its `live` source for the viewer). */
  context(viewer: Viewer, scope: RequestScope): Context;
}

export interface GraphqlWs {
  /** Closes every WebSocket with 1001 Going away, and refuses new ones from now on. */
  goingAway(): void;
  /** Stops the rechecks and the server (after the drain, which waits for the sockets to close). */
  close(): Promise<void>;
  stats(): { connections: number; subscriptions: number };
}

/** WebSocket close codes the hub uses (4xxx: graphql-ws' own). */
export const WS_CLOSE = {
  GOING_AWAY: 1001,
  TRY_AGAIN_LATER: 1013,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
} as const;

/** Largest message a client may send: a subscription document and its variables. */
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024;
const DOCUMENTS_KEPT = 200;
const WS_PATH = '/graphql';

/** One WebSocket connection that has authenticated. */
interface Session {
  id: string;
  viewer: Viewer;
  socket: WebSocket;
  /** Whose SUBSCRIPTIONS_PER_KEY it counts against: `key:<id>`, or `ip:<address>` without a key. */
  bucket: string;
  clientAddress: string;
  /** Ids of its operations running. */
  active: Set<string>;
  opened: number;
  started: number;
}

type Ctx = WsContext<Record<string, unknown>, Extra & Partial<{ session: Session }>>;

export function graphqlWs(opts: GraphqlWsOptions): GraphqlWs {
  const { logger, schema, limits, subscriptions: caps } = opts;
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES });
  const sessions = new Set<Session>();
  const perBucket = new Map<string, number>();
  const check = operationChecks(schema, limits);
  const rules = [...specifiedRules, depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases)];
  /** Parsed and validated documents by text (the operation checks remember their results per document). */
  const documents = new Lru<DocumentNode>(DOCUMENTS_KEPT);
  const format = formatError();
  let stopping = false;

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if ((req.url ?? '').split('?')[0] !== WS_PATH) return refuseUpgrade(socket, 404, ErrorCode.NOT_FOUND, `Not found: WebSockets are served at ${WS_PATH}`);
    if (stopping) return refuseUpgrade(socket, 503, ErrorCode.SERVICE_UNAVAILABLE, 'The hub is shutting down: connect again (to another instance)');
    if (!opts.ready()) return refuseUpgrade(socket, 503, ErrorCode.SERVICE_UNAVAILABLE, HUB_STARTING);
    opts.drain.upgraded(socket as net.Socket);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  opts.httpServer.on('upgrade', onUpgrade);

  const release = (session: Session, id: string) => {
    if (!session.active.delete(id)) return;
    const n = (perBucket.get(session.bucket) ?? 1) - 1;
    if (n > 0) perBucket.set(session.bucket, n);
    else perBucket.delete(session.bucket);
  };

  const close = (session: Session, code: number, reason: string) => {
    if (session.socket.readyState === session.socket.OPEN || session.socket.readyState === session.socket.CONNECTING) session.socket.close(code, reason);
  };

  /** Looks the keys up again; closes the connections of revoked keys (4401) and of changed ones (4403). */
  const recheck = async (keyId: number | null) => {
    const ids = [...new Set([...sessions].map((s) => s.viewer.keyId).filter((id): id is number => id !== null && (keyId === null || id === keyId)))];
    if (!ids.length) return;
    let now: Map<number, Viewer>;
    try {
      now = await opts.currentViewers(ids);
    } catch (err) {
      logger.warn({ err, keys: ids.length }, 'the keys of open WebSocket connections could not be checked (database away?): checked again later');
      return;
    }
    for (const s of sessions) {
      const id = s.viewer.keyId;
      if (id === null || !ids.includes(id)) continue;
      const v = now.get(id);
      if (!v) {
        logRefusal(logger, { requestId: s.id, clientAddress: s.clientAddress, sqlStatements: 0 }, { status: 401, code: ErrorCode.UNAUTHENTICATED, reason: 'revoked key: WebSocket closed', keyId: id });
        close(s, WS_CLOSE.UNAUTHORIZED, 'Unauthorized: the API key was revoked');
      } else if (v.role !== s.viewer.role || v.associationId !== s.viewer.associationId) {
        logger.info({ connectionId: s.id, keyId: id }, 'API key changed (role or association): WebSocket closed, its client connects again');
        close(s, WS_CLOSE.FORBIDDEN, 'Forbidden: the API key changed (role or association): connect again');
      }
    }
  };
  const stopKeyChanges = opts.onKeyChange((keyId) => void recheck(keyId));
  const recheckTimer = setInterval(() => void recheck(null), caps.keyRecheckSeconds * 1000);
  recheckTimer.unref();

  const refuse = (code: string, message: string, extensions: Record<string, unknown> = {}) => [new GraphQLError(message, { extensions: { code, ...extensions } })];

  /** The document of a query text: parsed (MAX_TOKENS) and validated (with the depth and alias limits) once. */
  const documentOf = (query: string): DocumentNode | readonly GraphQLError[] => {
    const known = documents.get(query);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: limits.maxTokens });
    } catch (e) {
      const err = e as GraphQLError;
      return [new GraphQLError(err.message, { source: err.source, positions: err.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const errors = validate(schema, document, rules);
    if (errors.length) return errors.map((e) => (e.extensions.code ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } })));
    documents.set(query, document);
    return document;
  };

  /** Errors as the client sees them (client codes pass, the rest masked and logged). */
  const formatted = (errors: readonly GraphQLError[], requestId: string | undefined) =>
    errors.map((e) => {
      // graphql-ws wraps an error thrown by the stream in a new GraphQLError without its code.
      const error = e.originalError instanceof GraphQLError && !e.extensions.code ? e.originalError : e;
      const masked = maskedError(error);
      if (masked) logger[masked.level]({ requestId, err: error.originalError ?? error, path: error.path }, masked.what);
      const out = format(error.toJSON(), error);
      return masked && requestId ? { ...out, extensions: { ...out.extensions, requestId } } : out;
    });

  const server = useServer<Record<string, unknown>, { session: Session }>(
    {
      schema,
      // Messages of internal errors are never sent to clients.
      isProd: true,
      async onConnect(ctx: Ctx) {
        const { socket, request } = ctx.extra;
        const address = clientIp(request, opts.trustProxy);
        if (stopping) {
          socket.close(WS_CLOSE.GOING_AWAY, 'Going away');
          return false;
        }
        const authorization = authorizationOf(ctx.connectionParams, request);
        const connectionId = randomUUID();
        let viewer: Viewer;
        try {
          viewer = await opts.authenticate(authorization);
        } catch (e) {
          const code = (e as GraphQLError).extensions?.code;
          if (code === ErrorCode.UNAUTHENTICATED) {
            const refused = e as GraphQLError & { reason?: string; keyId?: number | null };
            logRefusal(logger, { requestId: connectionId, clientAddress: address, sqlStatements: 0 }, { status: 401, code, reason: `${refused.reason ?? 'key refused'} (WebSocket)`, keyId: refused.keyId ?? null });
            socket.close(WS_CLOSE.UNAUTHORIZED, closeReason(`Unauthorized: ${refused.message}`));
          } else {
            logger.warn({ requestId: connectionId, err: e }, 'WebSocket authentication failed');
            socket.close(WS_CLOSE.TRY_AGAIN_LATER, DATABASE_AWAY);
          }
          return false;
        }
        if (socket.readyState !== socket.OPEN) return false; // gone while its key was looked up
        const session: Session = {
          id: connectionId,
          viewer,
          socket,
          bucket: viewer.keyId !== null ? `key:${viewer.keyId}` : `ip:${clientAddress(request, opts.trustProxy)}`,
          clientAddress: address,
          active: new Set(),
          opened: Date.now(),
          started: 0,
        };
        (ctx.extra as { session?: Session }).session = session;
        sessions.add(session);
        return true;
      },

      onSubscribe(ctx: Ctx, id: string, payload: SubscribePayload) {
        const session = ctx.extra.session;
        if (!session) return refuse(ErrorCode.UNAUTHENTICATED, 'The connection is not initialised');
        const document = documentOf(payload.query);
        if (!('kind' in document)) return document;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return refuse('OPERATION_RESOLUTION_FAILURE', payload.operationName ? `Unknown operation named "${payload.operationName}"` : 'Must provide an operation name when the document has several operations');
        if (operation.operation !== 'subscription') {
          return refuse('BAD_REQUEST', `This WebSocket serves subscriptions only: send ${operation.operation === 'query' ? 'queries' : 'mutations'} by HTTP (POST /graphql)`);
        }
        const variables = payload.variables ?? {};
        try {
          check(document, operation, variables);
        } catch (e) {
          if (e instanceof GraphQLError) return [e];
          throw e;
        }
        if (session.active.size >= caps.perConnection) {
          return refuse(ErrorCode.TOO_MANY_SUBSCRIPTIONS, `This connection has ${caps.perConnection} subscriptions running, the most one may have (SUBSCRIPTIONS_PER_CONNECTION): complete one first`, { limit: caps.perConnection });
        }
        const held = perBucket.get(session.bucket) ?? 0;
        if (held >= caps.perKey) {
          const whose = session.viewer.keyId !== null ? 'This API key has' : 'Callers without a key from this address have';
          return refuse(ErrorCode.TOO_MANY_SUBSCRIPTIONS, `${whose} ${caps.perKey} subscriptions running on this hub, the most allowed (SUBSCRIPTIONS_PER_KEY): complete some first`, { limit: caps.perKey });
        }
        session.active.add(id);
        perBucket.set(session.bucket, held + 1);
        session.started++;
        const scope: RequestScope = { requestId: randomUUID(), clientAddress: session.clientAddress, sqlStatements: 0 };
        logger.info({ requestId: scope.requestId, connectionId: session.id, operationName: operation.name?.value ?? null, keyId: session.viewer.keyId, role: session.viewer.role }, 'subscription started');
        return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue: opts.context(session.viewer, scope) } satisfies ExecutionArgs;
      },

      subscribe: subscribePerEvent,

      onNext(_ctx: Ctx, _id: string, _payload: SubscribePayload, args: ExecutionArgs, result: ExecutionResult) {
        if (!result.errors?.length) return;
        return { ...result, errors: formatted(result.errors, (args.contextValue as Context | undefined)?.requestId) };
      },

      onError(ctx: Ctx, _id: string, _payload: SubscribePayload, errors: readonly GraphQLError[]) {
        return formatted(errors, ctx.extra.session?.id);
      },

      onComplete(ctx: Ctx, id: string) {
        const session = ctx.extra.session;
        if (session) release(session, id);
      },

      onClose(ctx: Ctx, code?: number, reason?: string) {
        const session = ctx.extra.session;
        if (!session) return;
        sessions.delete(session);
        for (const id of [...session.active]) release(session, id);
        logger.info({ connectionId: session.id, keyId: session.viewer.keyId, code, reason: reason || undefined, subscriptions: session.started, durationMs: Date.now() - session.opened }, 'WebSocket closed');
      },
    },
    wss,
  );

  return {
    goingAway() {
      stopping = true;
      for (const socket of wss.clients) socket.close(WS_CLOSE.GOING_AWAY, 'Going away');
    },
    async close() {
      stopping = true;
      clearInterval(recheckTimer);
      stopKeyChanges();
      opts.httpServer.off('upgrade', onUpgrade);
      for (const socket of wss.clients) socket.terminate();
      await server.dispose();
    },
    stats: () => ({ connections: sessions.size, subscriptions: [...sessions].reduce((n, s) => n + s.active.size, 0) }),
  };
}

/**
 * graphql-js' `subscribe`, except that each event executes in the context the event brings
 * (`event.context`, when it has one), so that its loaders and entity manager are the event's.
 */
async function subscribePerEvent(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const run = async (event: unknown): Promise<ExecutionResult> => {
    const own = (event as { context?: unknown } | null)?.context;
    return execute({ ...args, rootValue: event, contextValue: own ?? args.contextValue });
  };
  // By hand rather than an async generator: `return()` must reach the source at once, also while
  // it waits for its next event (an async generator would queue the call behind that wait).
  // (graphql-ws calls `return()` on it: it must have one, as an async generator does.)
  const events: AsyncIterableIterator<ExecutionResult> & { return(): Promise<IteratorResult<ExecutionResult>> } = {
    async next() {
      const r = await source.next();
      return r.done ? { value: undefined, done: true } : { value: await run(r.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(err: unknown) {
      await source.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return events;
    },
  };
  return events;
}

/** The key of a connection: `authorization` in connectionParams (any case), else the upgrade request's header. */
function authorizationOf(params: Readonly<Record<string, unknown>> | undefined, request: http.IncomingMessage): string | undefined {
  if (params) {
    for (const [name, value] of Object.entries(params)) {
      if (name.toLowerCase() !== 'authorization') continue;
      // Anything but a string is malformed: refused, never anonymous.
      return typeof value === 'string' ? value : '(not a string)';
    }
  }
  return request.headers.authorization;
}

/** A close reason fits in 123 bytes (the WebSocket limit). */
function closeReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : `${Buffer.from(reason).subarray(0, 119).toString('utf8').replace(/\uFFFD$/, '')}...`;
}

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  const reasons: Record<number, string> = { 404: 'Not Found', 503: 'Service Unavailable' };
  socket.end(`HTTP/1.1 ${status} ${reasons[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
