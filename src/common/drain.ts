import net from 'node:net';
import type http from 'node:http';

export interface DrainOptions {
  /** The longest the whole stop may take: then whatever is left is cut off. */
  graceMs: number;
  /** How long a connection with no request yet may stay silent once the listener has closed. */
  freshMs: number;
  /** The listener closes once the hub is idle and no connection has come for this long. */
  quietMs: number;
  /** ...but at the latest this long after the stop began (default: half the grace period). */
  lingerMs?: number;
  /** Told when the listener closes (for the log). */
  onListenerClosed?: (info: { afterMs: number; connectionsDuringStop: number; reason: 'quiet' | 'linger' }) => void;
}

/**
 * Graceful stop of an HTTP server, so that SIGTERM under load loses no request that reached it:
 *
 * 1. The listener stays open while requests are still being read or run, and until no new
 *    connection has come and no request has finished for `quietMs` (at most `lingerMs`). On a
 *    loaded machine the kernel can hand over a connection a second or more after its client sent
 *    the request (seen at a load average of 10 on two cores); closing the listener resets such
 *    connections. The hub waits for its requests in progress anyway, so taking these costs
 *    nothing. (Balancers see `/readyz` 503 meanwhile.)
 * 2. The listener closes: new connections are refused.
 * 3. Requests being read or run finish; their responses say `Connection: close`.
 * 4. Keep-alive connections with no request in progress are closed. A connection accepted but
 *    whose request has not been read yet is not (Node's own `server.close()` would reset it, as
 *    Apollo's drain plugin does): it gets `freshMs` to deliver its request, which is then served.
 * 5. Work marked with `hold()` (the GraphQL operations) is waited for too: a client that hung up
 *    does not end its operation, whose writes must not lose the database under them.
 * 6. After `graceMs`, whatever is left is destroyed, and the stop no longer waits for work.
 */
export class HttpDrain {
  /** Per connection: the responses in progress on it, and how many it has finished. */
  private readonly sockets = new Map<net.Socket, { active: Set<http.ServerResponse>; served: number }>();
  private readonly work = new Set<object>();
  private readonly workWaiters: (() => void)[] = [];
  private stopping: Promise<boolean> | null = null;
  /** Last time a connection came in or a response ended. */
  private lastActivityAt = 0;
  private connectionsDuringStop = 0;

  constructor(
    private readonly server: http.Server,
    private readonly opts: DrainOptions,
  ) {
    server.on('connection', (socket: net.Socket) => {
      this.lastActivityAt = Date.now();
      this.sockets.set(socket, { active: new Set(), served: 0 });
      socket.once('close', () => this.sockets.delete(socket));
      if (this.stopping) this.connectionsDuringStop++;
    });
    // Before the application's own listener, so that a response written at once already says `Connection: close`.
    server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const state = this.sockets.get(req.socket);
      if (!state) return;
      state.active.add(res);
      if (this.stopping) res.shouldKeepAlive = false;
      res.once('close', () => {
        state.active.delete(res);
        state.served++;
        this.lastActivityAt = Date.now();
        if (this.stopping && state.active.size === 0) req.socket.end();
      });
    });
  }

  /**
   * Marks work the stop waits for (within the grace period) until the returned function is
   * called, even when its response ended early because the client went away.
   */
  hold(): () => void {
    const token = {};
    this.work.add(token);
    return () => {
      this.work.delete(token);
      if (this.work.size === 0) for (const resolve of this.workWaiters.splice(0)) resolve();
    };
  }

  /** Resolves true once every connection closed and all work ended by itself, false if the grace period cut something off. */
  stop(): Promise<boolean> {
    this.stopping ??= this.run();
    return this.stopping;
  }

  /** A request is being read or run, or a connection has begun sending one. */
  private busy(): boolean {
    for (const [socket, state] of this.sockets) {
      if (state.active.size > 0) return true;
      if (state.served === 0 && socket.bytesRead > 0) return true;
    }
    return false;
  }

  private async run(): Promise<boolean> {
    const began = Date.now();
    const deadline = began + this.opts.graceMs;
    const lingerUntil = began + (this.opts.lingerMs ?? this.opts.graceMs / 2);
    this.lastActivityAt = began;
    // Responses not yet begun tell the client not to send more on their connection.
    for (const state of this.sockets.values()) for (const res of state.active) if (!res.headersSent) res.shouldKeepAlive = false;

    let reason: 'quiet' | 'linger' = 'quiet';
    for (;;) {
      const now = Date.now();
      if (now >= lingerUntil) {
        reason = 'linger';
        break;
      }
      const quietLeft = this.lastActivityAt + this.opts.quietMs - now;
      if (quietLeft <= 0 && !this.busy()) {
        // One more turn of the loop: its poll phase accepts every connection already in the
        // backlog (and reads what they sent). Then decide again.
        await new Promise((resolve) => setImmediate(resolve));
        if (Date.now() - this.lastActivityAt >= this.opts.quietMs && !this.busy()) break;
        continue;
      }
      // While busy, look again every quiet period; a response ending or a connection coming in
      // counts as activity.
      await sleep(Math.max(1, Math.min(quietLeft > 0 ? quietLeft : this.opts.quietMs, lingerUntil - now)));
    }
    // Stop listening without Node's closeIdleConnections(), which would reset connections whose
    // request is still unread.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()));
    this.opts.onListenerClosed?.({ afterMs: Date.now() - began, connectionsDuringStop: this.connectionsDuringStop, reason });
    for (const [socket, state] of this.sockets) {
      if (state.active.size > 0) continue; // ended when its last response is
      if (state.served > 0) socket.end(); // an idle keep-alive connection
      else this.watchFresh(socket);
    }

    let timer: NodeJS.Timeout | undefined;
    const cutOff = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      timer.unref();
    });
    const graceful = await Promise.race([closed.then(() => this.workDone()).then(() => true as const), cutOff]);
    clearTimeout(timer);
    if (!graceful) {
      for (const socket of this.sockets.keys()) socket.destroy();
      await closed;
    }
    return graceful;
  }

  /** Resolves when no work is held. */
  private workDone(): Promise<void> {
    return this.work.size === 0 ? Promise.resolve() : new Promise((resolve) => this.workWaiters.push(resolve));
  }

  /** A connection with no request yet: closed if none has started arriving within `freshMs`. */
  private watchFresh(socket: net.Socket): void {
    const timer = setTimeout(() => {
      // Checked after the next poll phase, so that bytes already received are read first.
      setImmediate(() => {
        const state = this.sockets.get(socket);
        if (state && state.active.size === 0 && state.served === 0 && socket.bytesRead === 0) socket.destroy();
      });
    }, this.opts.freshMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
