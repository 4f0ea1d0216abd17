/**
 * The provider's request budget: at most `perWindow` API requests in any
 * window of `windowMs` (netcup locks an account out at about 180 requests a
 * minute). Every request the session sends first takes a slot (the HTTP
 * client's onRequest hook, awaited before the request's own timeout starts);
 * when none is free it waits, first come first served, until the oldest
 * request of the window has aged out. So a burst of challenges is slowed
 * down, never locked out.
 */
export class RequestBudget {
  private readonly sent: number[] = [];
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly perWindow: number,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Requests waiting for a slot now. */
  get queueDepth(): number {
    return this.waiting.length;
  }

  /** Requests sent within the current window. */
  get used(): number {
    this.prune();
    return this.sent.length;
  }

  /** Resolves when the caller may send one request (and counts it as sent). */
  acquire(): Promise<void> {
    this.prune();
    if (this.waiting.length === 0 && this.sent.length < this.perWindow) {
      this.sent.push(this.now());
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Stops the timer (the waiting callers stay waiting: only for shutdown). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private prune(): void {
    const cutoff = this.now() - this.windowMs;
    while (this.sent.length > 0 && this.sent[0]! <= cutoff) this.sent.shift();
  }

  private release(): void {
    this.timer = undefined;
    this.prune();
    while (this.waiting.length > 0 && this.sent.length < this.perWindow) {
      this.sent.push(this.now());
      this.waiting.shift()!();
    }
    if (this.waiting.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    const oldest = this.sent[0];
    const delay = oldest === undefined ? 0 : Math.max(0, oldest + this.windowMs - this.now()) + 1;
    this.timer = setTimeout(() => this.release(), delay);
  }
}

/**
 * Counts events per key in a sliding window, for limits that refuse rather
 * than wait: requests per client, failed authentications per source address.
 */
export class WindowCounter {
  private readonly events = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Events of `key` within the window. */
  count(key: string): number {
    return this.recent(key).length;
  }

  /** Has `key` reached the limit? */
  exhausted(key: string): boolean {
    return this.count(key) >= this.limit;
  }

  /** Records an event; false when the limit was reached already (the event is then not counted). */
  take(key: string): boolean {
    const list = this.recent(key);
    if (list.length >= this.limit) return false;
    list.push(this.now());
    this.events.set(key, list);
    return true;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.events.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.events.delete(key);
    else this.events.set(key, list);
    // Keys of sources long gone must not pile up.
    if (this.events.size > 10_000) for (const k of this.events.keys()) if (!this.events.get(k)!.some((t) => t > cutoff)) this.events.delete(k);
    return list;
  }
}
