import { Client, Notification } from 'pg';
import type { Logger } from '../../common/logger';
import type { KeyCache } from './key-cache';

/** The channel the api_key trigger notifies (migrations/Migration20261202090000.ts), with the key id as payload. */
export const KEY_CHANNEL = 'api_key_changed';
/** How the listening connection shows in pg_stat_activity. */
export const KEY_LISTENER_APPLICATION = 'federation-hub key listener';

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/**
 * A connection can die without a word (a network cut: no FIN, no RST); notifications then stop
 * while the hub believes it listens. A query every HEARTBEAT_MS that must answer within as long
 * finds that out; a slow answer on a busy machine only costs a reconnection (and the cache is
 * bypassed meanwhile), never a missed revocation.
 */
const HEARTBEAT_MS = 30_000;

export interface KeyListenerOptions {
  url: string;
  cache: KeyCache;
  logger: Logger;
  /** Awaited before every connection attempt (tests hold the listener down with it). */
  beforeConnect?: () => Promise<void>;
}

/**
 * Listens on a connection of its own (not one of the ORM's pool: LISTEN belongs to a session, and
 * the pool's connections serve requests) for changes to API keys, and tells the key cache: a
 * notification evicts that key; the connection's state turns the cache on (LISTEN confirmed) and
 * off (error, end, heartbeat lost). Reconnects with backoff (1 s doubling to 30 s). Its timers
 * are unref'd, and `stop()` ends the connection, so that it never keeps a process alive.
 */
export class KeyChangeListener {
  private client: Client | null = null;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: KeyListenerOptions) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.opts.cache.setListening(false);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { cache, logger } = this.opts;
    this.retryTimer = null;
    if (this.opts.beforeConnect) await this.opts.beforeConnect();
    if (this.stopped) return;
    const client = new Client({ connectionString: this.opts.url, application_name: KEY_LISTENER_APPLICATION, connectionTimeoutMillis: 10_000, keepAlive: true });
    this.client = client;
    let listening = false;
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      cache.setListening(false); // from this moment every request authenticates in the database
      if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      const delayMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.failures++);
      const why = err === undefined ? { reason: 'connection ended' } : { err };
      if (listening) logger.warn({ ...why, retryInMs: delayMs }, 'API key listener lost: keys are authenticated in the database until it reconnects');
      else logger.warn({ ...why, attempt: this.failures, retryInMs: delayMs }, 'API key listener could not connect: keys are authenticated in the database');
      this.retryTimer = setTimeout(() => void this.connect(), delayMs);
      this.retryTimer.unref();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n: Notification) => {
      if (n.channel !== KEY_CHANNEL) return;
      // Anything but a key id is ignored: the trigger sends nothing else.
      if (!/^\d{1,15}$/.test(n.payload ?? '')) return;
      cache.evict(Number(n.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${KEY_CHANNEL}`);
    } catch (e) {
      onLost(e);
      return;
    }
    if (lost) return;
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    listening = true;
    this.failures = 0;
    cache.setListening(true);
    logger.info({ channel: KEY_CHANNEL }, 'API key listener connected: accepted keys are cached');
    this.heartbeat(client, () => lost, onLost);
  }

  private heartbeat(client: Client, isLost: () => boolean, onLost: (err?: unknown) => void): void {
    this.heartbeatTimer = setTimeout(() => {
      if (isLost() || this.stopped) return;
      const timeout = setTimeout(() => onLost(new Error('heartbeat unanswered')), HEARTBEAT_MS);
      timeout.unref();
      client.query('select 1').then(
        () => {
          clearTimeout(timeout);
          if (!isLost()) this.heartbeat(client, isLost, onLost);
        },
        (e) => {
          clearTimeout(timeout);
          onLost(e);
        },
      );
    }, HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }
}
