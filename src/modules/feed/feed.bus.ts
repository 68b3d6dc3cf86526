import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../common/logger';
import type { ChangeKindValue, ChangeRecord } from './feed.writer';

/**
 * The hub's bus of committed change records, for the `changed` subscription: runMutation hands
 * each committed write's records to `publish` (through the request scope), and the hub's live
 * subscriptions (feed.live.ts) `listen`. One bus per hub (createServer), never module-level.
 *
 * - Without REDIS_URL: an in-process EventTarget; the hub's own subscribers only.
 * - With it: the same, and @graphql-yoga/redis-event-target over two ioredis clients (the hub's
 *   own, which publishes, and one that subscribes), so that the subscribers of every hub on the
 *   database hear every hub's writes.
 *   A hub hears its own writes in process (at once, Redis or not) and skips their echo from Redis.
 *
 * Redis never fails a write (it has committed; the feed holds its records): a publish that fails
 * is caught and logged, never thrown (at debug while the connection is down, whose own line says
 * so once per outage; at warn when a connection that is up fails it). Without the catch the event
 * target's publish would reject unhandled and end the process. Deliveries are at most once.
 */
export interface ChangeBus {
  /** Publishes a committed write's records. Never throws, never waits. */
  publish(records: readonly ChangeRecord[]): void;
  /** Calls `listener` with every batch published on this database's channel, by any hub; returns the way to stop. */
  listen(listener: (records: ChangeRecord[]) => void): () => void;
  /** Connects to Redis and subscribes (once the hub is made: a failed start-up leaves no socket). */
  start(): void;
  /** With Redis: 'ok' while both connections are ready, else 'degraded'. Null without Redis. */
  health(): 'ok' | 'degraded' | null;
  close(): Promise<void>;
}

/** A record as it travels: JSON, the time as an ISO string. */
export type WireRecord = Omit<ChangeRecord, 'at'> & { at: string };

/** What is published on the channel: the publishing hub (to skip one's own echo) and one write's records. */
export interface WireMessage {
  v: 1;
  hub: string;
  records: WireRecord[];
}

const KINDS = new Set<string>(['CREATED', 'UPDATED', 'ENDED', 'DELETED']);
const POSITION_RE = /^\d{1,20}$/;
const LOCAL_EVENT = 'changes';

export const toWire = (r: ChangeRecord): WireRecord => ({
  id: r.id,
  xid: r.xid,
  entityType: r.entityType,
  entityId: r.entityId,
  kind: r.kind,
  associationCode: r.associationCode,
  federationCode: r.federationCode,
  at: r.at.toISOString(),
});

const optionalCode = (v: unknown): v is string | null => v === null || (typeof v === 'string' && v.length <= 200);

/** The records of a message from the channel; null when it is not one this hub publishes. */
export function fromWire(message: unknown): { hub: string; records: ChangeRecord[] } | null {
  const m = message as Partial<WireMessage> | null;
  if (!m || typeof m !== 'object' || m.v !== 1 || typeof m.hub !== 'string' || !Array.isArray(m.records)) return null;
  const records: ChangeRecord[] = [];
  for (const r of m.records as Partial<WireRecord>[]) {
    if (!r || typeof r !== 'object') return null;
    const at = typeof r.at === 'string' ? new Date(r.at) : null;
    if (
      typeof r.id !== 'string' || !POSITION_RE.test(r.id) ||
      typeof r.xid !== 'string' || !POSITION_RE.test(r.xid) ||
      typeof r.entityType !== 'string' || r.entityType.length > 100 ||
      !Number.isSafeInteger(r.entityId) ||
      typeof r.kind !== 'string' || !KINDS.has(r.kind) ||
      !optionalCode(r.associationCode) || !optionalCode(r.federationCode) ||
      !at || Number.isNaN(at.getTime())
    ) {
      return null;
    }
    records.push({ id: r.id, xid: r.xid, entityType: r.entityType, entityId: r.entityId!, kind: r.kind as ChangeKindValue, associationCode: r.associationCode, federationCode: r.federationCode, at });
  }
  return { hub: m.hub, records };
}

export interface ChangeBusOptions {
  logger: Logger;
  /**
   * With REDIS_URL: the hub's Redis client (it publishes: no offline queue, short timeouts), the
   * URL (the bus opens a subscribing connection of its own) and the channel, under the database's
   * namespace (common/redis.ts `redisNamespace`): hubs of other databases on the same Redis never
   * hear these records. Null: in process only.
   */
  redis: { publisher: Redis; url: string; channel: string } | null;
}

export function createChangeBus(opts: ChangeBusOptions): ChangeBus {
  const { logger } = opts;
  const local = new EventTarget();
  const stops = new Set<() => void>();
  const deliver = (records: ChangeRecord[]) => local.dispatchEvent(new CustomEvent(LOCAL_EVENT, { detail: records }));
  const redis = opts.redis ? redisTransport(opts.redis, logger, (records) => deliver(records)) : null;

  return {
    publish(records) {
      if (!records.length) return;
      // Copies: what subscribers get never shares objects with the write (the hub's own records need no checking).
      deliver(records.map((r) => ({ ...r, at: new Date(r.at.getTime()) })));
      redis?.publish(records.map(toWire));
    },
    listen(listener) {
      const handler = (event: Event) => {
        // An exception out of an EventTarget listener would reach process 'uncaughtException'.
        try {
          listener((event as CustomEvent<ChangeRecord[]>).detail);
        } catch (err) {
          logger.error({ err }, 'change listener failed');
        }
      };
      local.addEventListener(LOCAL_EVENT, handler);
      const stop = () => {
        local.removeEventListener(LOCAL_EVENT, handler);
        stops.delete(stop);
      };
      stops.add(stop);
      return stop;
    },
    start: () => redis?.start(),
    health: () => redis?.health() ?? null,
    async close() {
      for (const stop of [...stops]) stop();
      await redis?.close();
    },
  };
}

interface RedisTransport {
  start(): void;
  publish(records: WireRecord[]): void;
  health(): 'ok' | 'degraded';
  close(): Promise<void>;
}

/** The Redis half of the bus: @graphql-yoga/redis-event-target over the hub's client (publishing) and a subscribing one. */
function redisTransport(r: NonNullable<ChangeBusOptions['redis']>, logger: Logger, deliver: (records: ChangeRecord[]) => void): RedisTransport {
  // Loaded only with REDIS_URL.
  const { createRedis, connectRedis, closeRedis, redisHealth } = require('../../common/redis') as typeof import('../../common/redis');
  const { createRedisEventTarget } = require('@graphql-yoga/redis-event-target') as typeof import('@graphql-yoga/redis-event-target');
  const hubId = randomUUID();
  const { publisher, channel } = r;
  // The subscriber waits for Redis (its SUBSCRIBE is queued until it connects, and ioredis
  // subscribes again after every reconnection); SUBSCRIBE has no answer time to bound.
  // Its outages are the hub's client's to log (one line per outage, whatever the connections).
  const subscriber = createRedis(r.url, { name: 'changes-subscribe', logger, quiet: true, options: { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined } });

  let failing = 0;
  const onPublishFailed = (err: unknown) => {
    // While the connection is down, the connection says so (once per outage: common/redis.ts); a
    // command failing on a connection that is up (a timeout) is logged here, once in a row.
    const what = { err: { message: (err as Error)?.message }, channel, connection: publisher.status };
    const message = "a change could not be published to Redis: other hubs' subscribers miss it (the feed has it)";
    if (failing++ === 0 && publisher.status === 'ready') logger.warn(what, message);
    else logger.debug(what, message);
  };
  const onPublished = () => {
    if (failing === 0) return;
    logger.debug({ unpublished: failing }, 'changes are published to Redis again');
    failing = 0;
  };
  const target = createRedisEventTarget<CustomEvent<WireMessage>>({
    publishClient: guarded(publisher, { publish: [onPublished, onPublishFailed] }),
    subscribeClient: guarded(subscriber, {
      subscribe: [() => {}, (err) => logger.error({ err }, 'could not subscribe to the change channel in Redis: changes of other hubs do not reach this one')],
      unsubscribe: [() => {}, () => {}],
    }),
    // A message that is not JSON (someone else's, on our channel) is dropped, not thrown in ioredis' reader.
    serializer: { stringify: (m) => JSON.stringify(m), parse: (s) => safeJson(s) },
  });
  const onMessage = (event: CustomEvent<WireMessage>) => {
    const message = fromWire(event.detail);
    if (!message) return void logger.warn({ channel }, 'a message on the change channel that no hub sent was ignored');
    if (message.hub !== hubId) deliver(message.records);
  };
  let started = false;
  let closed = false;

  return {
    start() {
      if (started || closed) return;
      started = true;
      target.addEventListener(channel, onMessage);
      connectRedis(subscriber);
    },
    publish(records) {
      if (closed) return;
      target.dispatchEvent(new CustomEvent(channel, { detail: { v: 1, hub: hubId, records } satisfies WireMessage }));
    },
    health: () => (redisHealth(publisher) === 'ok' && redisHealth(subscriber) === 'ok' ? 'ok' : 'degraded'),
    async close() {
      closed = true;
      if (started) target.removeEventListener(channel, onMessage);
      await closeRedis(subscriber);
    },
  };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

type Outcome = [onDone: () => void, onFailed: (err: unknown) => void];

/**
 * The client as the event target sees it, with its promise-returning commands caught: the target
 * calls `publish`, `subscribe` and `unsubscribe` without handling their rejection, which would
 * reach process 'unhandledRejection' (and, under Node's default, end the process).
 */
function guarded(client: Redis, commands: Partial<Record<'publish' | 'subscribe' | 'unsubscribe', Outcome>>): Redis {
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const outcome = commands[prop as keyof typeof commands];
      if (!outcome) return value.bind(target);
      return (...args: unknown[]) => {
        let result: Promise<unknown>;
        try {
          result = Promise.resolve((value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        } catch (err) {
          result = Promise.reject(err);
        }
        return result.then(
          (v) => (outcome[0](), v),
          (err: unknown) => (outcome[1](err), undefined),
        );
      };
    },
  });
}
