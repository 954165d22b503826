import type { OrderServersConfig } from '../scenario/schema.js';
import type { RandomStream } from '../kernel/random.js';
import { unwrappedTo } from '../kernel/typed-arrays.js';

/** What happened to an order request arriving at a server. */
export const enum Admission {
  /** A slot was free (or the servers are unbounded): the request is in service. */
  Admitted = 0,
  /** All slots busy, onFull = queue: the request waits for a slot (up to maxWait). */
  Queued = 1,
  /** All slots busy, onFull = reject: the "sale ended" page. */
  Rejected = 2,
}

/**
 * Bounded order servers (a seed-design defence, docs/domain.md): S servers
 * × K slots behind a balancer. Slot accounting and waiting lines only; what
 * a request does while it holds a slot is the order flow's business. A slot
 * is held from admission to the answer, so a slow stock or order step keeps
 * it busy.
 */
export class OrderServers {
  /** S, the number of servers. */
  readonly count: number;
  /** K, slots per server. */
  readonly slots: number;
  /** Requests holding a slot, per server. */
  readonly busy: Int32Array;
  /** Requests still waiting, per server (onFull = queue): not those that gave up at their deadline. */
  readonly waiting: Int32Array;
  /** Admitted requests per server (fairness across servers). */
  readonly admitted: Float64Array;
  /** Requests per server refused on arrival or given up in its line at the deadline. */
  readonly rejected: Float64Array;
  private readonly mode: OrderServersConfig['onFull'];
  private readonly balancer: OrderServersConfig['balancer'];
  private nextRoundRobin = 0;
  /** Per-server FIFO of waiting request ids: ring buffers. */
  private readonly lines: Int32Array[];
  private readonly heads: Int32Array;
  /**
   * Entries in each line: the requests still waiting plus those that gave
   * up at their deadline, which stay in the line until it reaches them.
   */
  private readonly lineLengths: Int32Array;
  /** Time (µs) from which servers answer "sold out" locally; Infinity until stock runs out. */
  soldOutFlagAt = Infinity;

  /** @param balancerDraws the stream the random balancer draws from, keyed by (user, attempt). */
  constructor(
    private readonly config: OrderServersConfig,
    private readonly balancerDraws: RandomStream,
  ) {
    this.count = config.servers;
    this.slots = config.slots;
    this.mode = config.onFull;
    this.balancer = config.balancer;
    this.busy = new Int32Array(this.count);
    this.waiting = new Int32Array(this.count);
    this.admitted = new Float64Array(this.count);
    this.rejected = new Float64Array(this.count);
    this.lines = Array.from({ length: this.count }, () => new Int32Array(16));
    this.heads = new Int32Array(this.count);
    this.lineLengths = new Int32Array(this.count);
  }

  /**
   * Chooses the server for `user`'s `attempt`-th order request. Random
   * balancing draws from a stream keyed by (user, attempt), so every
   * strategy sends the same attempt to the same server.
   */
  pick(user: number, attempt: number): number {
    switch (this.balancer) {
      case 'random':
        return Math.floor(this.balancerDraws.uniform(user, attempt) * this.count);
      case 'round-robin': {
        const server = this.nextRoundRobin;
        this.nextRoundRobin = server + 1 === this.count ? 0 : server + 1;
        return server;
      }
      case 'least-loaded': {
        let best = 0;
        let bestLoad = Infinity;
        for (let s = 0; s < this.count; s++) {
          const load = this.busy[s] + this.waiting[s];
          if (load < bestLoad) {
            bestLoad = load;
            best = s;
          }
        }
        return best;
      }
    }
  }

  /** Whether the servers (all of them: the flag is shared) answer "sold out" by themselves at `nowUs`. */
  knowsSoldOut(nowUs: number): boolean {
    return this.config.soldOutFlag && nowUs >= this.soldOutFlagAt;
  }

  /** Stock ran out at `nowUs`: servers learn it after the configured delay. */
  stockRanOut(nowUs: number): void {
    if (this.soldOutFlagAt === Infinity) this.soldOutFlagAt = nowUs + this.config.soldOutFlagDelay;
  }

  /**
   * Stock came back (a unit returned): forgets that it ran out, so that the
   * servers sell again and learn it afresh when it runs out again. Only
   * with orderServers.reopenOnReturn: otherwise the flag, once set, stays.
   */
  reopen(): void {
    if (this.config.reopenOnReturn) this.soldOutFlagAt = Infinity;
  }

  /** Tries to give request `request` a slot on `server`. */
  admit(server: number, request: number): Admission {
    if (this.busy[server] < this.slots || this.mode === 'unbounded') {
      this.busy[server]++;
      this.admitted[server]++;
      return Admission.Admitted;
    }
    if (this.mode === 'queue') {
      this.enqueue(server, request);
      return Admission.Queued;
    }
    this.rejected[server]++;
    return Admission.Rejected;
  }

  /**
   * Multiplier of the service time for a request admitted to `server` now:
   * 1 within the slots; with onFull = unbounded, contention slows every
   * request by `overloadFactor` per request beyond the slots.
   */
  slowdown(server: number): number {
    const excess = this.busy[server] - this.slots;
    return excess > 0 ? 1 + this.config.overloadFactor * excess : 1;
  }

  /**
   * Frees a slot on `server`. With waiting requests, the oldest one still
   * waiting takes the slot and is returned (the caller starts it); else -1.
   * `isWaiting(request)` tells whether a queued request is still waiting
   * (it may have given up at its deadline).
   */
  release(server: number, isWaiting: (request: number) => boolean): number {
    this.busy[server]--;
    while (this.lineLengths[server] > 0) {
      const request = this.dequeue(server);
      if (isWaiting(request)) {
        this.waiting[server]--;
        this.busy[server]++;
        this.admitted[server]++;
        return request;
      }
    }
    return -1;
  }

  /** A queued request left the line at its deadline: no longer waiting (the line skips its entry later). */
  abandoned(server: number): void {
    this.waiting[server]--;
    this.rejected[server]++;
  }

  private enqueue(server: number, request: number): void {
    let line = this.lines[server];
    const n = this.lineLengths[server];
    if (n === line.length) {
      this.lines[server] = line = unwrappedTo(line, this.heads[server], n, line.length * 2);
      this.heads[server] = 0;
    }
    line[(this.heads[server] + n) % line.length] = request;
    this.lineLengths[server] = n + 1;
    this.waiting[server]++;
  }

  private dequeue(server: number): number {
    const line = this.lines[server];
    const head = this.heads[server];
    this.heads[server] = (head + 1) % line.length;
    this.lineLengths[server]--;
    return line[head];
  }
}
