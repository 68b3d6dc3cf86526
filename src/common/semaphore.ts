/** Thrown when a permit cannot be had: the queue is full, or the wait ran out. */
export class SemaphoreBusy extends Error {
  constructor(readonly reason: 'queue full' | 'timeout' | 'closed') {
    super(`semaphore busy (${reason})`);
  }
}

/**
 * At most `permits` holders at once; others wait in order (FIFO), at most `maxQueue` of them,
 * each for at most `timeoutMs`. `acquire` resolves to the function that gives the permit back
 * (calling it twice gives back one permit).
 */
export class Semaphore {
  private active = 0;
  private closed = false;
  private readonly waiting: { grant: () => void; refuse: () => void }[] = [];

  constructor(
    readonly permits: number,
    readonly maxQueue: number,
    readonly timeoutMs: number,
  ) {
    if (!(permits >= 1 && maxQueue >= 0 && timeoutMs >= 0)) throw new Error('Semaphore: permits >= 1, maxQueue >= 0, timeoutMs >= 0');
  }

  /** Holders now, and callers waiting. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /** Refuses every caller waiting and every later one ('closed'); holders keep their permits. */
  close(): void {
    this.closed = true;
    for (const entry of this.waiting.splice(0)) entry.refuse();
  }

  acquire(): Promise<() => void> {
    if (this.closed) return Promise.reject(new SemaphoreBusy('closed'));
    if (this.active < this.permits) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new SemaphoreBusy('queue full'));
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          clearTimeout(timer);
          this.active++;
          resolve(this.releaser());
        },
        refuse: () => {
          clearTimeout(timer);
          reject(new SemaphoreBusy('closed'));
        },
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new SemaphoreBusy('timeout'));
      }, this.timeoutMs);
      timer.unref();
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.grant();
    };
  }
}
