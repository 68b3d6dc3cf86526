import type { Viewer } from '../../common/auth';
import { ErrorCode, HubError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { NodeTypeEntry } from '../../common/module';
import type { Context } from '../../context';
import type { ChangeBus } from './feed.bus';
import type { ChangeRecord } from './feed.writer';
import { checkChangeFilter, type Change, type ChangeFilter } from './feed.types';
import { visibleChanges } from './feed.visibility';

/**
 * The live half of the change feed: the `changed` subscriptions of one hub, fed by its bus
 * (feed.bus.ts) with the records of every committed write, on any hub of the database.
 *
 * Each published batch is filtered for each subscriber exactly as `changes` filters the feed: the
 * records' Nodes are loaded through their types' by-id loaders (the policy layer) in a fresh
 * context made for the batch. Subscribers with the same viewer (the same key; every anonymous
 * caller) share that context and its loaders: one batched query per Node type per batch and key,
 * however many subscriptions the key has. The context then executes each subscriber's selection
 * of the Change (its `node` included), so that what a subscriber reads is what the policy lets
 * its key read now. A subscription gets its changes in the order the batches arrived.
 */

/** What the subscription's source stream yields: a Change and the context to resolve it in. */
export interface LiveEvent {
  change: Change;
  context: Context;
}

/** What the `changed` resolver finds in its operation's context (src/common/graphql-ws.ts sets it). */
export interface LiveSource {
  /** The changes published from now on that the connection's viewer may see and that pass `filter`. */
  changes(filter: ChangeFilter | null): AsyncIterableIterator<LiveEvent>;
}

/** A batch as one viewer sees it. */
interface View {
  context: Context;
  changes: Change[];
}

/**
 * Batches a subscription may have waiting (its client reads more slowly than changes come):
 * past this it is ended with an error, and its client resumes from the feed.
 */
export const LIVE_MAX_PENDING_BATCHES = 200;

export interface LiveChangesOptions {
  bus: ChangeBus;
  /** A fresh context for a viewer (its own entity manager, loaders and request id). */
  context(viewer: Viewer): Context;
  nodeTypes: ReadonlyMap<string, NodeTypeEntry>;
  logger: Logger;
}

export class LiveChanges {
  private readonly subscriptions = new Set<LiveSubscription>();
  private readonly stopListening: () => void;

  constructor(private readonly opts: LiveChangesOptions) {
    this.stopListening = opts.bus.listen((records) => this.onBatch(records));
  }

  /** The source of a viewer's connection (one per WebSocket connection). */
  source(viewer: Viewer): LiveSource {
    return { changes: (filter) => this.subscribe(viewer, filter) };
  }

  subscribe(viewer: Viewer, filter: ChangeFilter | null): AsyncIterableIterator<LiveEvent> {
    checkChangeFilter(filter);
    const sub = new LiveSubscription(viewer, filter, () => this.subscriptions.delete(sub));
    this.subscriptions.add(sub);
    return sub;
  }

  /** Subscriptions open on this hub (for tests and diagnostics). */
  get size(): number {
    return this.subscriptions.size;
  }

  /** Ends every subscription and stops listening to the bus. */
  close(): void {
    this.stopListening();
    for (const sub of [...this.subscriptions]) void sub.return();
  }

  private onBatch(records: ChangeRecord[]): void {
    const views = new Map<string, Promise<View>>();
    for (const sub of this.subscriptions) {
      if (!records.some((r) => matches(sub.filter, r.entityType, r.associationCode, r.federationCode))) continue;
      const key = viewerKey(sub.viewer);
      let view = views.get(key);
      if (!view) views.set(key, (view = this.view(records, sub.viewer)));
      sub.push(view);
    }
  }

  private async view(records: ChangeRecord[], viewer: Viewer): Promise<View> {
    const context = this.opts.context(viewer);
    try {
      return { context, changes: await visibleChanges(records, viewer, context.loaders, this.opts.nodeTypes) };
    } catch (err) {
      this.opts.logger.warn({ requestId: context.requestId, err, records: records.length }, 'live changes could not be checked for a subscriber (database away?): its subscriptions end');
      throw new HubError(ErrorCode.SERVICE_UNAVAILABLE, 'Changes could not be delivered (the database did not answer): subscribe again, and read what you missed with `changes(after: <last cursor>)`');
    }
  }
}

/** One policy answer per batch for every subscription of the same key (all anonymous callers share one). */
const viewerKey = (v: Viewer) => `${v.keyId ?? '-'}:${v.role}:${v.associationId ?? '-'}`;

function matches(filter: ChangeFilter | null, type: string, associationCode: string | null, federationCode: string | null): boolean {
  if (!filter) return true;
  if (filter.types?.length && !filter.types.includes(type)) return false;
  if (filter.associationCode != null && filter.associationCode !== associationCode) return false;
  if (filter.federationCode != null && filter.federationCode !== federationCode) return false;
  return true;
}

/**
 * One subscription's stream: the views of the batches it matched, awaited in arrival order. A
 * hand-written iterator rather than an async generator: `return()` (the client completes, or its
 * connection closes) must end it at once, also while it waits for the next batch.
 */
class LiveSubscription implements AsyncIterableIterator<LiveEvent> {
  private pending: Promise<View>[] = [];
  private ready: LiveEvent[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  private failure: unknown = null;

  constructor(
    readonly viewer: Viewer,
    readonly filter: ChangeFilter | null,
    private readonly onEnd: () => void,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<LiveEvent> {
    return this;
  }

  push(view: Promise<View>): void {
    if (this.ended || this.failure) return;
    view.catch(() => undefined); // handled when its turn comes
    if (this.pending.length >= LIVE_MAX_PENDING_BATCHES) {
      this.fail(
        new HubError(
          ErrorCode.SERVICE_UNAVAILABLE,
          `This subscription fell more than ${LIVE_MAX_PENDING_BATCHES} writes behind (its client reads too slowly): it is ended. Subscribe again, and read what you missed with \`changes(after: <last cursor>)\``,
        ),
      );
      return;
    }
    this.pending.push(view);
    this.wake?.();
  }

  async next(): Promise<IteratorResult<LiveEvent>> {
    for (;;) {
      if (this.ended) return { value: undefined, done: true };
      if (this.ready.length) return { value: this.ready.shift()!, done: false };
      if (this.failure) {
        const failure = this.failure;
        this.end();
        throw failure;
      }
      const head = this.pending[0];
      if (head) {
        let view: View;
        try {
          view = await head;
        } catch (err) {
          if (this.ended) continue;
          this.fail(err);
          continue;
        }
        if (this.ended) continue;
        this.pending.shift();
        this.ready = view.changes.filter((c) => matches(this.filter, c.type, c.associationCode, c.federationCode)).map((change) => ({ change, context: view.context }));
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  return(): Promise<IteratorResult<LiveEvent>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<LiveEvent>> {
    this.end();
    return Promise.reject(err);
  }

  private fail(err: unknown): void {
    this.failure = err;
    this.pending = [];
    this.ready = [];
    this.wake?.();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pending = [];
    this.ready = [];
    this.wake?.();
    this.onEnd();
  }
}
