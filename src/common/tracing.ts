import type { IncomingMessage, ServerResponse } from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '@opentelemetry/api';
import type { Logger } from './logger';
import { scopeOf } from './request-scope';

/**
 * Optional OpenTelemetry traces (README, "Operations: metrics and traces"): one span per GraphQL
 * request, and one per SQL statement as its child, sent over OTLP/HTTP (JSON). Started by
 * server.ts only when an endpoint is configured; the OpenTelemetry packages are required inside
 * `startTracing`, so a hub without one never loads them (only the types are imported here).
 *
 * The request's span reaches the SQL statements through an AsyncLocalStorage entered where Apollo
 * starts on the request (`within`), not through the request scope: MikroORM's own statements
 * (transactions, `em.findOne`, the API key lookup) never see the scope. AsyncLocalStorage turns
 * on Node's promise hooks, a cost the hub otherwise avoids (request-scope.ts): it is paid only
 * with tracing on. Statements are caught on the pg driver the ORM's knex uses, its
 * `Client.prototype.query`, which every statement of the pool goes through (knex's and
 * sql-read.ts's prepared ones); the text is recorded with its placeholders and with quoted
 * literals blanked, never the values.
 */

export interface Tracing {
  /** Called at the first byte of a /graphql request: starts its span, ended when the response closes. */
  track(req: IncomingMessage, res: ServerResponse): void;
  /** Runs `fn` (Apollo's work on the request) with the request's span as the parent of its SQL statements. */
  within<T>(req: IncomingMessage, fn: () => T): T;
  /** Sends the spans not sent yet and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  tracesUrl: string;
  serviceName: string;
  /** The knex of the ORM's pool (orm.em.getKnex()): its pg driver is instrumented. */
  knex: unknown;
  logger: Logger;
}

/** What a request's work carries while it runs: the start of a statement's span, under the request's. */
interface Active {
  span: Span;
  sql: (text: string) => (err?: Error) => void;
}

const SPAN = Symbol('tracing.span');
type Traced = IncomingMessage & { [SPAN]?: Span };
const MAX_SQL_TEXT = 4096;
/** A quoted SQL literal ('it''s', E'…'); identifiers are double-quoted and stay. */
const QUOTED = /'(?:[^']|'')*'/g;

/** The request whose work is running (one store for the process, as the pg patch is one per driver; each hub's requests carry their own tracer). */
const current = new AsyncLocalStorage<Active>();

export function startTracing(opts: TracingOptions): Tracing {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */

  // Not registered as the global provider: each hub (tests start several) has its own.
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: opts.tracesUrl }))],
  });
  const tracer = provider.getTracer('federation-hub');
  const { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace } = api;

  instrumentPg(opts.knex);
  const sqlUnder = (parent: Span) => (text: string) => {
    // MikroORM's execute() inlines values as literals (an API key's hash, a name): they become '?'.
    const bare = text.replace(QUOTED, "'?'");
    const sql = bare.length > MAX_SQL_TEXT ? `${bare.slice(0, MAX_SQL_TEXT)}…` : bare;
    const verb = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';
    const span = tracer.startSpan(
      verb,
      { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.operation.name': verb, 'db.query.text': sql } },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    return (err?: Error) => {
      if (err) {
        span.recordException(err);
        span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      }
      span.end();
    };
  };

  const ended = function (this: ServerResponse) {
    const req = this.req as Traced;
    const span = req[SPAN];
    if (!span) return;
    const scope = scopeOf(req);
    const operation = scope?.operation;
    if (operation) span.updateName(`graphql ${operation}`);
    span.setAttributes({
      'http.response.status_code': this.statusCode,
      'hub.request_id': scope?.requestId ?? '',
      'hub.outcome': !this.writableFinished ? 'aborted' : (scope?.outcome ?? (this.statusCode < 400 ? 'ok' : 'error')),
      'hub.sql_statements': scope?.sqlStatements ?? 0,
      ...(operation ? { 'graphql.operation.name': operation } : {}),
    });
    if (this.statusCode >= 500 || !this.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };

  return {
    track(req, res) {
      (req as Traced)[SPAN] = tracer.startSpan(`${req.method} /graphql`, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method ?? '', 'url.path': '/graphql' },
      });
      res.on('close', ended);
    },
    within(req, fn) {
      const span = (req as Traced)[SPAN];
      return span ? current.run({ span, sql: sqlUnder(span) }, fn) : fn();
    },
    async shutdown() {
      await provider.shutdown().catch((err: unknown) => opts.logger.warn({ err }, 'traces could not be sent at shutdown'));
    },
  };
}

const PATCHED = Symbol.for('federation-hub.tracing.pg');

/**
 * Wraps `Client.prototype.query` of the pg driver the knex uses (once per driver), for both of its
 * forms: with a callback (knex) and returning a promise (sql-read.ts). Streams and cursors
 * (a `submit` method: COPY) pass through untraced.
 */
function instrumentPg(knex: unknown): void {
  const driver = (knex as { client?: { driver?: { Client?: { prototype: Record<PropertyKey, unknown> } } } })?.client?.driver;
  const proto = driver?.Client?.prototype;
  if (!proto || proto[PATCHED]) return;
  const original = proto.query as (...args: unknown[]) => unknown;
  proto[PATCHED] = true;
  proto.query = function (this: unknown, config: unknown, ...rest: unknown[]) {
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    if (typeof text !== 'string' || typeof (config as { submit?: unknown }).submit === 'function') return original.call(this, config, ...rest);
    const active = current.getStore();
    if (!active) return original.call(this, config, ...rest);
    const end = active.sql(text);
    const last = rest.length - 1;
    const callback = last >= 0 && typeof rest[last] === 'function' ? (rest[last] as (err: Error | null, res: unknown) => void) : null;
    if (callback) {
      rest[last] = (err: Error | null, res: unknown) => {
        end(err ?? undefined);
        callback(err, res);
      };
      return original.call(this, config, ...rest);
    }
    const result = original.call(this, config, ...rest) as Promise<unknown> | undefined;
    if (result && typeof result.then === 'function') {
      result.then(
        () => end(),
        (err: Error) => end(err),
      );
    } else end();
    return result;
  };
}
