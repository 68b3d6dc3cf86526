import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import type { Knex } from '@mikro-orm/postgresql';
import { urlForLog, type Logger } from './logger';
import type { RequestScope } from './request-scope';

/**
 * Which database a read goes to, with read replicas (DATABASE_REPLICA_URLS).
 *
 * The rule, decided once per request by the Apollo plugin below:
 * - a query reads from a replica (the next healthy one, in turn), unless its key wrote (a
 *   mutation) less than READ_YOUR_WRITES_SECONDS ago: then from the primary, so that an app
 *   reading what it has just written sees it, whatever the replica's lag;
 * - a mutation, everything it reads (its validation included) and everything outside a request
 *   (authentication of keys, background work, migrations, LISTEN/NOTIFY, advisory locks, the
 *   statistics warm-up) stays on the primary.
 *
 * The request's replica travels in its scope (`scope.replica`); the two places that run a
 * request's read SQL ask it: `runQuery` (common/sql.ts, every loader and service read outside a
 * transaction) and the compiled reads' `runStatement` (common/sql-read.ts). MikroORM's own finds
 * (`em.find`) keep to the primary: the ORM is given the replicas (its `replicas` option, which
 * makes and closes their pools) with `preferReadReplicas: false`.
 *
 * A replica that fails (refused or dropped connection, a database that is not there) is skipped
 * for RETRY_MS and that read runs again on the primary: a read never fails because a replica is
 * away. The failure is logged once per RETRY_MS and replica. A statement only a primary can run
 * (one that writes or assigns a transaction id: 25006) or one cancelled by a conflict with
 * recovery (40001) runs again on the primary too, without holding it against the replica.
 *
 * The write times are this hub's: behind a balancer, read-your-writes holds when a key's requests
 * go to one hub (docker-compose.scale.yml's nginx hashes the Authorization header), and within a
 * hub it holds from the moment the mutation starts until READ_YOUR_WRITES_SECONDS after its answer.
 */

/** The replicas MikroORM opened (its `replicas` option), as read routing names and uses them. */
export function replicasOf(driver: object, urls: readonly string[]): { name: string; knex: Knex }[] {
  // MikroORM keeps them in its driver (DatabaseDriver.replicas, protected), in the order of its config.
  const connections = (driver as { replicas?: { getKnex(): Knex }[] }).replicas ?? [];
  if (connections.length !== urls.length) throw new Error(`read routing: ${urls.length} replica URLs, but MikroORM opened ${connections.length} replicas`);
  return connections.map((c, i) => ({ name: `replica ${i + 1} (${databaseAddress(urls[i])})`, knex: c.getKnex() }));
}

/** host:port/database of a PostgreSQL URL, for log lines (never the password). */
export const databaseAddress = (url: string): string => urlForLog(url, 5432, true);

/** How long a failed replica is left alone before it is tried again. */
export const REPLICA_RETRY_MS = 10_000;

/** A replica as a request's reads use it. */
export interface ReplicaRoute {
  /** "replica 1 (host:port/db)", for log lines. */
  readonly name: string;
  /** Runs `onReplica` on this replica's pool; if the replica fails, marks it down and runs `onPrimary` instead. */
  read<T>(onReplica: (knex: Knex) => Promise<T>, onPrimary: () => Promise<T>): Promise<T>;
}

export interface ReadRoutingOptions {
  /** READ_YOUR_WRITES_SECONDS, in ms (0: a key's reads go to replicas even right after its writes). */
  readYourWritesMs: number;
  logger: Logger;
  /** Root query fields whose documents read on the primary (the modules' `primaryReads`). */
  primaryFields?: ReadonlySet<string>;
  /** Clock in ms (tests). */
  now?: () => number;
  retryMs?: number;
}

class Replica implements ReplicaRoute {
  /** Until when it is skipped (ms of the routing's clock); 0: healthy. */
  downUntil = 0;
  constructor(
    readonly name: string,
    private readonly knex: Knex,
    private readonly routing: ReadRouting,
  ) {}

  async read<T>(onReplica: (knex: Knex) => Promise<T>, onPrimary: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await onReplica(this.knex);
    } catch (err) {
      const fault = replicaFault(err);
      if (fault === null) throw err;
      if (fault === 'down') this.routing.failed(this, err);
      else this.routing.refused(this, err);
      return onPrimary();
    }
    return result;
  }
}

export class ReadRouting {
  private readonly replicas: Replica[];
  private next = 0;
  /** Last write of each key (ms), kept while it still counts. */
  private readonly writes = new Map<number, number>();
  private readonly now: () => number;
  private readonly retryMs: number;

  constructor(
    replicas: readonly { name: string; knex: Knex }[],
    private readonly opts: ReadRoutingOptions,
  ) {
    this.replicas = replicas.map((r) => new Replica(r.name, r.knex, this));
    this.now = opts.now ?? (() => performance.now());
    this.retryMs = opts.retryMs ?? REPLICA_RETRY_MS;
  }

  get enabled(): boolean {
    return this.replicas.length > 0;
  }

  /** The replica a query of this key reads from, or null: the primary. */
  route(keyId: number | null): ReplicaRoute | null {
    if (!this.replicas.length) return null;
    const now = this.now();
    if (keyId !== null) {
      const wrote = this.writes.get(keyId);
      if (wrote !== undefined && now - wrote < this.opts.readYourWritesMs) return null;
    }
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[this.next++ % this.replicas.length];
      if (r.downUntil <= now) return r;
    }
    return null;
  }

  /** A key writes now: its reads stay on the primary for READ_YOUR_WRITES_SECONDS from here. */
  wrote(keyId: number | null): void {
    if (keyId === null || !this.replicas.length || this.opts.readYourWritesMs <= 0) return;
    const now = this.now();
    this.writes.delete(keyId); // re-inserted last: the map stays in order of last write
    this.writes.set(keyId, now);
    // Writes older than the window no longer count: drop them from the front.
    for (const [key, at] of this.writes) {
      if (now - at < this.opts.readYourWritesMs) break;
      this.writes.delete(key);
    }
  }

  /** For /readyz: 'ok' when every replica is in use, 'degraded' when some is skipped after a failure. */
  health(): 'ok' | 'degraded' {
    const now = this.now();
    return this.replicas.every((r) => r.downUntil <= now) ? 'ok' : 'degraded';
  }

  /** @internal A statement the replica could not run, though it is up: the primary ran it instead. */
  refused(replica: Replica, err: unknown): void {
    const e = err as { code?: unknown };
    this.opts.logger.debug({ replica: replica.name, code: e?.code ?? null }, 'read replica refused a statement: the primary ran it');
  }

  /** @internal A replica failed: skip it for a while, say so once. */
  failed(replica: Replica, err: unknown): void {
    const now = this.now();
    const wasInUse = replica.downUntil <= now; // reads already on their way may fail too: one line
    replica.downUntil = now + this.retryMs;
    if (wasInUse) {
      const e = err as { code?: unknown; message?: unknown };
      this.opts.logger.warn({ replica: replica.name, code: e?.code ?? null, reason: String(e?.message ?? err).slice(0, 200), retrySeconds: this.retryMs / 1000 }, 'read replica failed: its reads go to the primary');
    }
  }

  /** Does the operation ask, at its root, for a field that reads on the primary? */
  private readsPrimaryFields(operation: OperationDefinitionNode, document: DocumentNode): boolean {
    const fields = this.opts.primaryFields;
    if (!fields?.size) return false;
    const seen = new Set<string>();
    const asks = (set: SelectionSetNode): boolean =>
      set.selections.some((s) => {
        if (s.kind === Kind.FIELD) return fields.has(s.name.value);
        if (s.kind === Kind.INLINE_FRAGMENT) return asks(s.selectionSet);
        if (seen.has(s.name.value)) return false;
        seen.add(s.name.value);
        const fragment = document.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
        return fragment ? asks(fragment.selectionSet) : false;
      });
    return asks(operation.selectionSet);
  }

  /**
   * The Apollo plugin that routes each request: a query gets a replica (or the primary) in its
   * scope; a mutation marks its key as writing when it starts and when it has answered.
   */
  plugin(): ApolloServerPlugin<{ viewer: { keyId: number | null }; scope: RequestScope }> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ operation, document, contextValue }) => {
          if (operation?.operation === 'query') contextValue.scope.replica = this.readsPrimaryFields(operation, document) ? null : this.route(contextValue.viewer.keyId);
          else if (operation?.operation === 'mutation') this.wrote(contextValue.viewer.keyId);
        },
        willSendResponse: async ({ operation, contextValue }) => {
          if (operation?.operation === 'mutation') this.wrote(contextValue.viewer.keyId);
        },
      }),
    };
  }
}

/**
 * What an error of a read on a replica says: 'down' when the replica, not the read, is at fault
 * (skip it for a while): without an SQLSTATE (the network or the pool: refused, reset, timed out
 * acquiring), connection exceptions (08), authorization (28), no such database (3D000),
 * insufficient resources (53), operator intervention other than a cancelled statement
 * (57P01-57P04), system errors (58), internal errors (XX); 'primary' when the statement needs the
 * primary though the replica is up (25006: it writes or takes a transaction id; 40001: cancelled by
 * a conflict with recovery); null when the read itself is at fault (a syntax error, a statement
 * timeout: 57014) and would fail on the primary too: not retried.
 */
export function replicaFault(err: unknown): 'down' | 'primary' | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return 'down';
  if (/^(08|28|3D|53|58|XX)/.test(code) || /^57P0[1-4]$/.test(code)) return 'down';
  return code === '25006' || code === '40001' ? 'primary' : null;
}
