import net from 'node:net';
import type http from 'node:http';

/**
 * Graceful stop of an HTTP server, so that SIGTERM under load loses no request that reached it:
 *
 * 1. Connections already on their way in are still taken: the listener stays open until no new
 *    connection has come for `quietMs` (at most `lingerMs`). On a loaded machine the kernel can
 *    hand over a connection tens of milliseconds after its client has sent its request; closing
 *    the listener at once resets such connections. (Balancers see `/readyz` 503 meanwhile.)
 * 2. The listener closes: new connections are refused.
 * 3. Requests being read or run finish; their responses say `Connection: close`.
 * 4. Keep-alive connections with no request in progress are closed. A connection accepted but
 *    whose request has not been read yet is not (Node's own `server.close()` would reset it, as
 *    Apollo's drain plugin does): it gets `freshMs` to deliver its request, which is then served.
 * 5. After `graceMs`, whatever is left is destroyed.
 */
export class HttpDrain {
  /** Per connection: the responses in progress on it, and how many it has finished. */
  private readonly sockets = new Map<net.Socket, { active: Set<http.ServerResponse>; served: number }>();
  private stopping: Promise<boolean> | null = null;
  private lastConnectionAt = 0;

  constructor(
    private readonly server: http.Server,
    private readonly opts: { graceMs: number; freshMs: number; quietMs: number; lingerMs: number },
  ) {
    server.on('connection', (socket: net.Socket) => {
      this.lastConnectionAt = Date.now();
      this.sockets.set(socket, { active: new Set(), served: 0 });
      socket.once('close', () => this.sockets.delete(socket));
      if (this.stopping) this.watchFresh(socket);
    });
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const state = this.sockets.get(req.socket);
      if (!state) return;
      state.active.add(res);
      if (this.stopping) res.shouldKeepAlive = false;
      res.once('close', () => {
        state.active.delete(res);
        state.served++;
        if (this.stopping && state.active.size === 0) req.socket.end();
      });
    });
  }

  /** Resolves true once every connection closed by itself, false if some had to be destroyed. */
  stop(): Promise<boolean> {
    this.stopping ??= this.run();
    return this.stopping;
  }

  private async run(): Promise<boolean> {
    const began = Date.now();
    this.lastConnectionAt = began;
    for (;;) {
      const now = Date.now();
      const wait = Math.min(this.lastConnectionAt + this.opts.quietMs - now, began + this.opts.lingerMs - now);
      if (wait <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    // One more turn of the loop: its poll phase accepts every connection already in the backlog.
    await new Promise((resolve) => setImmediate(resolve));
    // Stop listening without Node's closeIdleConnections(), which would reset connections whose
    // request is still unread.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()));
    for (const [socket, state] of this.sockets) {
      if (state.active.size > 0) {
        // Responses not yet begun tell the client not to send more on this connection.
        for (const res of state.active) if (!res.headersSent) res.shouldKeepAlive = false;
        continue;
      }
      if (state.served > 0) socket.end(); // an idle keep-alive connection
      else this.watchFresh(socket);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.opts.graceMs);
      timer.unref();
    });
    const graceful = await Promise.race([closed.then(() => true as const), deadline]);
    clearTimeout(timer);
    if (!graceful) {
      for (const socket of this.sockets.keys()) socket.destroy();
      await closed;
    }
    return graceful;
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
