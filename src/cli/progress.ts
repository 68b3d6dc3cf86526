/**
 * Progress of long command-line work (seed --synthetic, migrate, future imports) on stderr.
 */

export interface Progress {
  /** `done` of `total` items of `phase`; a new phase name ends the previous phase's line. */
  update(phase: string, done: number, total: number): void;
  end(): void;
}

export interface ProgressOptions {
  /** Phases whose items are rows (a rate in rows/s means something for them). */
  rowPhases?: ReadonlySet<string>;
  /**
   * While a phase is unfinished and nothing moves (one migration rewriting a large table), the
   * bar is redrawn every second on a terminal (its clock runs), and a line is written every
   * `quietSeconds` in a log (default 30), so that a long step is seen to be alive.
   */
  quietSeconds?: number;
}

/**
 * A progress bar on stderr: phase, bar, percent, count, rows/s and elapsed time of the phase.
 * On a terminal it is redrawn in place (\r, at most ten times a second); in a log (not a TTY),
 * one line per tenth of each phase, so CI output stays short.
 */
export function progressBar(out: NodeJS.WriteStream = process.stderr, opts: ProgressOptions = {}): Progress {
  const tty = out.isTTY === true;
  const rowPhases = opts.rowPhases ?? new Set<string>();
  const quietMs = (opts.quietSeconds ?? 30) * 1000;
  const width = 30;
  let phase = '';
  let phaseStart = 0;
  let lastDraw = 0;
  let lastWrite = 0;
  let lastTenth = -1;
  let lineOpen = false;
  let last: { done: number; total: number } | null = null;
  let ticker: NodeJS.Timeout | null = null;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const stopTicker = () => {
    if (ticker) clearInterval(ticker);
    ticker = null;
  };
  const end = () => {
    stopTicker();
    if (lineOpen) out.write('\n');
    lineOpen = false;
  };
  const lineOf = (p: string, done: number, total: number, now: number) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const secs = (now - phaseStart) / 1000;
    const filled = Math.floor(frac * width);
    const rate = rowPhases.has(p) && secs > 0 && done > 0 ? `  ${fmt(done / secs)} rows/s` : '';
    return `${p.padEnd(13)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%  ${fmt(done)}/${fmt(total)}${rate}  ${secs.toFixed(1)} s`;
  };
  // The heartbeat: the last state again, when nothing else was written for a while.
  const tick = () => {
    if (!last) return;
    const now = Date.now();
    if (tty) {
      out.write(`\r${lineOf(phase, last.done, last.total, now)}\x1b[K`);
      lineOpen = true;
      lastDraw = now;
    } else if (now - lastWrite >= quietMs) {
      out.write(`${lineOf(phase, last.done, last.total, now)}\n`);
      lastWrite = now;
    }
  };
  const update = (p: string, done: number, total: number) => {
    const now = Date.now();
    if (p !== phase) {
      end();
      phase = p;
      phaseStart = now;
      lastDraw = 0;
      lastTenth = -1;
    }
    const finished = done >= total;
    last = finished ? null : { done, total };
    if (finished) stopTicker();
    else if (!ticker) (ticker = setInterval(tick, tty ? 1000 : Math.min(quietMs, 1000))).unref();
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const line = lineOf(p, done, total, now);
    if (tty) {
      if (!finished && now - lastDraw < 100) return;
      lastDraw = now;
      out.write(`\r${line}\x1b[K`);
      lineOpen = true;
    } else {
      const tenth = Math.floor(frac * 10);
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      lastWrite = now;
      out.write(`${line}\n`);
    }
  };
  return { update, end };
}
