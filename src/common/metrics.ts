import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { ANONYMOUS_OPERATION, OTHER_OPERATION, scopeOf } from './request-scope';

/**
 * The hub's Prometheus metrics (README, "Operations: metrics and traces"). Loaded by server.ts
 * only when metrics are configured: prom-client is never loaded otherwise.
 *
 * The per-request series (requests, latency, SQL statements) are kept here in plain numbers, one
 * slot per (operation, outcome), found with two map lookups, and turned into Prometheus text when
 * scraped: prom-client's own counters and histograms build and hash a label string on every call,
 * which every request would pay. Rare events (errors, pushes) use prom-client's counters.
 */

export const OUTCOMES = ['ok', 'partial', 'error', 'server_error', 'aborted'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SQL_BUCKETS = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144];
const MAX_NAME_LENGTH = 100;
/** Codes are the hub's and Apollo's own (never a client's text), but a bound costs nothing. */
const MAX_CODES = 50;

/** A histogram's numbers: counts per bucket (not cumulative), sum, count. */
class Buckets {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
  /** prom-client's value list for this histogram, with `labels` on every line. */
  values(name: string, labels: Record<string, string>): MetricValue[] {
    const out: MetricValue[] = [];
    let acc = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      acc += this.counts[i]!;
      out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: this.bounds[i]! }, value: acc });
    }
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: this.count });
    out.push({ metricName: `${name}_sum`, labels, value: this.sum });
    out.push({ metricName: `${name}_count`, labels, value: this.count });
    return out;
  }
}

interface OperationSlots {
  byOutcome: Partial<Record<Outcome, Buckets>>;
  sql: Buckets;
}

export interface MetricsOptions {
  /** The knex of the ORM's pool (orm.em.getKnex()): its tarn pool is read when scraped. */
  knex: unknown;
  maxOperations: number;
  /** Required as `Authorization: Bearer <token>` by `handle` when set. */
  token: string | null;
}

export interface HubMetrics {
  readonly registry: Registry;
  /** The operation label of a resolved operation's name (null/undefined: anonymous). */
  operationLabel(name: string | null): string;
  /** Called at the first byte of a /graphql request; counts it when its response closes. */
  track(req: IncomingMessage, res: ServerResponse): void;
  error(code: string): void;
  /** Answers GET /metrics (token checked when one is configured). */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

const STARTED = Symbol('metrics.started');
type Tracked = ServerResponse & { [STARTED]?: number; req?: IncomingMessage };

export function createMetrics(opts: MetricsOptions): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const operations = new Map<string, OperationSlots>();
  const slotsOf = (label: string): OperationSlots => {
    let s = operations.get(label);
    if (!s) operations.set(label, (s = { byOutcome: {}, sql: new Buckets(SQL_BUCKETS) }));
    return s;
  };
  slotsOf(OTHER_OPERATION);

  // Names seen get a label until the cap; the map is also the lookup, so a known name costs one get.
  const labels = new Map<string, string>();
  const operationLabel = (name: string | null): string => {
    if (name === null || name === '') return ANONYMOUS_OPERATION;
    const known = labels.get(name);
    if (known !== undefined) return known;
    if (labels.size >= opts.maxOperations || name.length > MAX_NAME_LENGTH) return OTHER_OPERATION;
    labels.set(name, name);
    return name;
  };

  custom(registry, 'hub_graphql_requests_total', 'GraphQL requests answered (POST and GET /graphql), by operation name and outcome.', 'counter', () => {
    const values: MetricValue[] = [];
    for (const [operation, s] of operations) {
      for (const outcome of OUTCOMES) {
        const b = s.byOutcome[outcome];
        if (b) values.push({ labels: { operation, outcome }, value: b.count });
      }
    }
    return values;
  });
  custom(registry, 'hub_graphql_request_duration_seconds', 'Time from the first byte of a GraphQL request to its last byte sent, by operation name and outcome.', 'histogram', () => {
    const values: MetricValue[] = [];
    for (const [operation, s] of operations) {
      for (const outcome of OUTCOMES) {
        const b = s.byOutcome[outcome];
        if (b) values.push(...b.values('hub_graphql_request_duration_seconds', { operation, outcome }));
      }
    }
    return values;
  });
  custom(registry, 'hub_graphql_request_sql_statements', 'SQL statements a GraphQL request ran (as X-SQL-Statements counts them), by operation name.', 'histogram', () => {
    const values: MetricValue[] = [];
    for (const [operation, s] of operations) if (s.sql.count > 0) values.push(...s.sql.values('hub_graphql_request_sql_statements', { operation }));
    return values;
  });

  const errors = new Counter({ name: 'hub_graphql_errors_total', help: 'GraphQL errors in answers, by extensions.code.', labelNames: ['code'], registers: [registry] });
  const errorCodes = new Set<string>();
  const error = (code: string) => {
    if (!errorCodes.has(code)) {
      if (errorCodes.size >= MAX_CODES) code = 'OTHER';
      else errorCodes.add(code);
    }
    errors.inc({ code });
  };
  const pushRows = new Counter({
    name: 'hub_push_rows_total',
    help: 'Rows written by committed member pushes (upsertMembers, endMemberships), by outcome as the push reports it.',
    labelNames: ['outcome'],
    registers: [registry],
  });

  const pool = () => (opts.knex as { client?: { pool?: TarnPool } } | null)?.client?.pool;
  new Gauge({
    name: 'hub_db_pool_connections',
    help: "The ORM's connection pool: connections in use, idle, and requests waiting for one (pending_acquires) or being opened (pending_creates).",
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const p = pool();
      this.set({ state: 'used' }, p?.numUsed() ?? 0);
      this.set({ state: 'free' }, p?.numFree() ?? 0);
      this.set({ state: 'pending_acquires' }, p?.numPendingAcquires() ?? 0);
      this.set({ state: 'pending_creates' }, p?.numPendingCreates() ?? 0);
    },
  });
  new Gauge({
    name: 'hub_db_pool_max',
    help: "The ORM's connection pool size (DB_POOL_MAX).",
    registers: [registry],
    collect() {
      this.set(pool()?.max ?? 0);
    },
  });

  const closed = function (this: Tracked) {
    const started = this[STARTED]!;
    const seconds = (performance.now() - started) / 1000;
    const scope = scopeOf(this.req);
    const operation = scope?.operation ?? OTHER_OPERATION;
    const status = this.statusCode;
    const outcome: Outcome = !this.writableFinished ? 'aborted' : status >= 500 ? 'server_error' : (scope?.outcome ?? (status < 400 ? 'ok' : 'error'));
    const s = operations.get(operation) ?? slotsOf(operation);
    (s.byOutcome[outcome] ??= new Buckets(DURATION_BUCKETS)).observe(seconds);
    if (scope?.operation !== undefined) s.sql.observe(scope.sqlStatements);
    if (scope?.pushRows) for (const outcome in scope.pushRows) pushRows.inc({ outcome: outcome.toLowerCase() }, scope.pushRows[outcome]);
  };

  const expected = opts.token === null ? null : digest(opts.token);
  return {
    registry,
    operationLabel,
    track(_req, res) {
      (res as Tracked)[STARTED] = performance.now();
      res.on('close', closed); // 'close' comes once; on() spares once()'s wrapper
    },
    error,
    handle(req, res) {
      if (expected !== null && !bearerMatches(req.headers.authorization, expected)) {
        res.statusCode = 401;
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        return void res.end('401 Unauthorized: /metrics needs Authorization: Bearer <METRICS_TOKEN>\n');
      }
      registry.metrics().then(
        (text) => {
          res.statusCode = 200;
          res.setHeader('Content-Type', registry.contentType);
          res.setHeader('Cache-Control', 'no-store');
          res.end(text);
        },
        () => {
          res.statusCode = 500;
          res.end();
        },
      );
    },
  };
}

interface MetricValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/** A metric whose values are computed when scraped (what prom-client's registry asks of a metric: name, help, type, get). */
function custom(registry: Registry, name: string, help: string, type: 'counter' | 'histogram', values: () => MetricValue[]): void {
  const metric = { name, help, type, aggregator: 'sum', get: () => ({ name, help, type, aggregator: 'sum', values: values() }), reset: () => {} };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares digests (equal lengths) in constant time, so the answer's timing tells nothing of the token. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const m = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
  return timingSafeEqual(digest(m?.[1] ?? ''), expected) && m !== null;
}
