import net from 'node:net';
import type http from 'node:http';

export interface DrainOptions {
  /** The longest the whole stop may take: then whatever is left is cut off. */
  graceMs: number;
  /** The listener closes once the hub is idle and no connection has come for this long. */
  quietMs: number;
  /** ...but at the latest this long after the stop began (default: half the grace period). */
  lingerMs?: number;
  /** Told when the listener closes (for the log). */
  onListenerClosed?: (info: ListenerClosedInfo) => void;
}

export interface ListenerClosedInfo {
  afterMs: number;
  connectionsDuringStop: number;
  reason: 'quiet' | 'linger';
  /** Connections accepted that have sent nothing yet: kept until they send a request or the grace period ends. */
  silentConnections: number;
}

interface Connection {
  /** The responses in progress on it, oldest first, each with the keep-alive its request asked for. */
  active: Map<http.ServerResponse, boolean>;
  /** How many responses it has finished. */
  served: number;
  /** `socket.bytesRead` when its last response ended (0 before the first): more means a request has begun arriving. */
  readAtIdle: number;
}

/**
 * Graceful stop of an HTTP server, so that SIGTERM under load loses no request that reached it:
 *
 * 1. The listener stays open while requests are still being read or run, and until no new
 *    connection has come and no request has finished for `quietMs` (at most `lingerMs`). On a
 *    loaded machine the kernel can hand over a connection a second or more after its client sent
 *    the request (seen at a load average of 10 on two cores). The hub waits for its requests in
 *    progress anyway, so taking these costs nothing. (Balancers see `/readyz` 503 meanwhile.)
 * 2. The listener closes right after a turn of the event loop whose poll phase found no connection
 *    to accept (Node accepts one per turn): closing a listening socket resets the connections still
 *    in the kernel's accept queue, whose clients have already seen `connect` succeed and written
 *    their request. (Only a handshake completed in the instant between that poll and the close can
 *    still be reset; no process that closes its listening socket can avoid that instant.) From then
 *    on new connections are refused.
 * 3. Every request answered from the start of the stop says `Connection: close` (on a connection
 *    with several pipelined requests, the last one known), and the connection is closed after it.
 *    A response whose headers were already written before the stop still says `keep-alive`: its
 *    connection is closed after it like an idle one (at once if the listener has closed already).
 * 4. Keep-alive connections with no request in progress are closed when the listener closes (a
 *    request that crosses that close on the wire is not read: the client sees the connection
 *    closed and may retry, as HTTP/1.1 expects of reused connections).
 * 5. A connection accepted whose request has not arrived yet is left open (Node's own
 *    `server.close()` would reset it, as Apollo's drain plugin does): its request, when it comes,
 *    is served. One that sends nothing is closed when the grace period ends; it was not cut off.
 * 6. Work marked with `hold()` (the GraphQL operations) is waited for too: a client that hung up
 *    does not end its operation, whose writes must not lose the database under them.
 * 7. After `graceMs`, whatever is left is destroyed, and the stop no longer waits for work.
 * 8. A connection upgraded to a WebSocket (`upgraded`) is no HTTP connection any more: it never
 *    keeps the listener open, and its own server closes it (1001 Going away, src/common/graphql-ws.ts).
 *    The stop waits for it to close like for any connection, and destroys it when the grace period ends.
 */
export class HttpDrain {
  private readonly connections = new Map<net.Socket, Connection>();
  /** Connections upgraded to WebSockets: not HTTP connections any more, still the server's. */
  private readonly upgradedSockets = new Set<net.Socket>();
  private readonly work = new Set<object>();
  private readonly workWaiters: (() => void)[] = [];
  private stopping: Promise<boolean> | null = null;
  private draining = false;
  private listenerClosed = false;
  /** Last time a connection came in or a response ended. */
  private lastActivityAt = 0;
  private connectionsDuringStop = 0;
  /** Connections accepted so far. */
  private accepted = 0;

  constructor(
    private readonly server: http.Server,
    private readonly opts: DrainOptions,
  ) {
    server.on('connection', (socket: net.Socket) => {
      this.lastActivityAt = Date.now();
      this.accepted++;
      this.connections.set(socket, { active: new Map(), served: 0, readAtIdle: 0 });
      socket.once('close', () => this.connections.delete(socket));
      if (this.draining) this.connectionsDuringStop++;
    });
    // Before the application's own listener, so that a response written at once already says `Connection: close`.
    server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const socket = req.socket;
      const conn = this.connections.get(socket);
      if (!conn) return;
      conn.active.set(res, res.shouldKeepAlive);
      if (this.draining) this.lastOnConnection(conn);
      res.once('close', () => {
        conn.active.delete(res);
        conn.served++;
        this.lastActivityAt = Date.now();
        if (conn.active.size > 0) return;
        conn.readAtIdle = socket.bytesRead;
        // Idle now. A response that said `Connection: close` has its connection closed by Node. One
        // that said keep-alive (its headers were written before the stop) leaves the connection
        // idle: a request sent on it while the listener is open is still served.
        if (this.listenerClosed) this.closeIdle(socket);
      });
      // A body still arriving after its response ended (Node reads and drops it) is no new request.
      req.once('end', () => {
        if (conn.active.size === 0) conn.readAtIdle = socket.bytesRead;
      });
    });
  }

  /**
   * A connection was upgraded (the `upgrade` event handed it to a WebSocket server): from now on
   * it is not an HTTP connection with a request in progress, and its server closes it on a stop.
   */
  upgraded(socket: net.Socket): void {
    if (!this.connections.delete(socket) || socket.destroyed) return;
    this.upgradedSockets.add(socket);
    socket.once('close', () => this.upgradedSockets.delete(socket));
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

  /** Resolves true once every connection closed and all work ended by itself (or only silent connections were left at the end of the grace period), false if the grace period cut a request or work off. */
  stop(): Promise<boolean> {
    this.stopping ??= this.run();
    return this.stopping;
  }

  /**
   * The newest response on the connection tells the client to close it; those before it (pipelined)
   * keep what their request asked for, so that the responses after them are still delivered.
   * Responses whose headers are written already cannot change.
   */
  private lastOnConnection(conn: Connection): void {
    const responses = [...conn.active];
    const newest = responses.pop();
    for (const [res, wanted] of responses) if (!res.headersSent) res.shouldKeepAlive = wanted;
    if (newest && !newest[0].headersSent) newest[0].shouldKeepAlive = false;
  }

  /** A request has begun arriving on the connection (headers not complete yet) or is in progress. */
  private requestUnderway(socket: net.Socket, conn: Connection): boolean {
    return conn.active.size > 0 || socket.bytesRead > conn.readAtIdle;
  }

  /** A request is being read or run somewhere. */
  private busy(): boolean {
    for (const [socket, conn] of this.connections) if (this.requestUnderway(socket, conn)) return true;
    return false;
  }

  /**
   * Closes a connection with nothing in progress, without reading anything more from it: a request
   * that crosses the close on the wire is never run (its client sees the connection closed).
   */
  private closeIdle(socket: net.Socket): void {
    if (socket.destroyed || socket.writableEnded) return; // closing already (Node does after `Connection: close`)
    // What was written is in the kernel: close now (a FIN after it). Else once it is.
    if (socket.writableLength === 0) socket.destroy();
    else socket.destroySoon();
  }

  private async run(): Promise<boolean> {
    this.draining = true;
    const began = Date.now();
    const deadline = began + this.opts.graceMs;
    const lingerUntil = began + (this.opts.lingerMs ?? this.opts.graceMs / 2);
    this.lastActivityAt = began;
    // Responses not yet begun tell the client not to send more on their connection.
    for (const conn of this.connections.values()) this.lastOnConnection(conn);

    let reason: ListenerClosedInfo['reason'] = 'quiet';
    for (;;) {
      const now = Date.now();
      if (now >= lingerUntil) {
        reason = 'linger';
        // Timers run before the poll phase: accept what the kernel holds before closing.
        await this.emptyAcceptQueue(deadline);
        break;
      }
      const quietLeft = this.lastActivityAt + this.opts.quietMs - now;
      if (quietLeft <= 0 && !this.busy()) {
        // A connection accepted in this turn counts as activity: then wait for quiet again.
        await acceptPass();
        if (Date.now() - this.lastActivityAt >= this.opts.quietMs && !this.busy()) break;
        continue;
      }
      // While busy, look again every quiet period; a response ending or a connection coming in
      // counts as activity.
      await sleep(Math.max(1, Math.min(quietLeft > 0 ? quietLeft : this.opts.quietMs, lingerUntil - now)));
    }
    // In the same turn as the accept pass. Without Node's closeIdleConnections(), which would reset
    // connections whose request is still unread.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()));
    this.listenerClosed = true;
    let silentConnections = 0;
    for (const [socket, conn] of this.connections) {
      if (this.requestUnderway(socket, conn)) continue; // answered with `Connection: close`, then closed
      if (conn.served > 0) this.closeIdle(socket);
      else silentConnections++; // its request may be on its way
    }
    this.opts.onListenerClosed?.({ afterMs: Date.now() - began, connectionsDuringStop: this.connectionsDuringStop, reason, silentConnections });

    let timer: NodeJS.Timeout | undefined;
    const cutOff = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      timer.unref();
    });
    const graceful = await Promise.race([closed.then(() => this.workDone()).then(() => true as const), cutOff]);
    clearTimeout(timer);
    if (graceful) return true;
    // Connections that never sent anything lose nothing by being closed now.
    let cut = this.work.size > 0;
    for (const [socket, conn] of this.connections) {
      if (this.requestUnderway(socket, conn)) cut = true;
      socket.destroy();
    }
    // WebSockets whose clients did not answer the close in time: their operations had ended already.
    for (const socket of this.upgradedSockets) socket.destroy();
    await closed;
    return !cut;
  }

  /**
   * Turns of the event loop until one accepts no connection: the kernel's accept queue was empty at
   * its poll phase. (Node accepts one connection per turn.) Under a flood, at most until `deadline`.
   */
  private async emptyAcceptQueue(deadline: number): Promise<void> {
    for (;;) {
      const before = this.accepted;
      await acceptPass();
      if (this.accepted === before || Date.now() >= deadline) return;
    }
  }

  /** Resolves when no work is held. */
  private workDone(): Promise<void> {
    return this.work.size === 0 ? Promise.resolve() : new Promise((resolve) => this.workWaiters.push(resolve));
  }
}

/** Resolves in the check phase right after the next poll phase, which accepts a connection waiting in the kernel's queue if there is one. */
const acceptPass = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
