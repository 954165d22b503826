import type { OrderServersConfig } from '../scenario/schema.js';
import type { RandomStream } from '../kernel/random.js';
import { unwrappedTo, type ReadonlyNumbers } from '../kernel/typed-arrays.js';

/** What happened to an order request arriving at a server. */
export const enum Admission {
  /** A slot was free (or the servers are unbounded): the request is in service. */
  Admitted = 0,
  /** All slots busy, onFull = queue: the request waits for a slot (up to maxWait). */
  Queued = 1,
  /** All slots busy, onFull = reject, or the server's quota is spent: the "sale ended" page. */
  Rejected = 2,
}

/**
 * Bounded order servers (a seed-design defence, docs/domain.md): S servers
 * × K slots behind a balancer, and optionally a quota of N orders per
 * server. Slot accounting, quotas and waiting lines only; what a request
 * does while it holds a slot is the order flow's business. A slot is held
 * from admission to the answer, so a slow stock or order step keeps it
 * busy.
 *
 * The quota (orderServers.quota) counts the orders a server passes on to
 * the stock step ({@link passOn}): requests that passed its token check and
 * the per-user limit. Once N have, every later request to that server is
 * refused on arrival ("sale ended"), whether slots are free or not, and one
 * already in service when the N-th went on is refused at its check.
 * Forged, expired or early tokens and duplicates do not count: counting
 * what arrives would let bots' forged shots before T0 spend every quota
 * before the sale opens.
 */
export class OrderServers {
  /** S, the number of servers. */
  readonly count: number;
  /** K, slots per server. */
  readonly slots: number;
  /** N, requests each server takes in at most (Infinity: no quota). */
  readonly quota: number;
  readonly #busy: Int32Array;
  readonly #waiting: Int32Array;
  readonly #admitted: Float64Array;
  readonly #rejected: Float64Array;
  /** Orders each server passed on to the stock step: what the quota counts. */
  readonly #passedOn: Float64Array;
  #quotaRefusals = 0;
  #soldOutFlagAt = Infinity;
  // Occupancy, for the theory metrics (order_wait_rate, order_slots_busy, order_queue_length).
  #asked = 0;
  #queued = 0;
  /** Requests holding a slot / waiting, all servers. */
  #held = 0;
  #lined = 0;
  /** Their integrals over the window, request·µs, up to #areaAt. */
  #heldArea = 0;
  #linedArea = 0;
  #areaAt = 0;
  private readonly windowFrom: number;
  private readonly windowTo: number;
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

  /**
   * @param balancerDraws the stream the random balancer draws from, keyed by (user, attempt).
   * @param window the span (µs) over which occupancy is integrated ({@link heldArea}, {@link linedArea}): the sale, T0 to duration.
   */
  constructor(
    private readonly config: OrderServersConfig,
    private readonly balancerDraws: RandomStream,
    window: { fromUs: number; toUs: number } = { fromUs: 0, toUs: Infinity },
  ) {
    this.windowFrom = window.fromUs;
    this.windowTo = window.toUs;
    this.count = config.servers;
    this.slots = config.slots;
    this.quota = config.quota ?? Infinity;
    this.mode = config.onFull;
    this.balancer = config.balancer;
    this.#busy = new Int32Array(this.count);
    this.#waiting = new Int32Array(this.count);
    this.#admitted = new Float64Array(this.count);
    this.#rejected = new Float64Array(this.count);
    this.#passedOn = new Float64Array(this.count);
    this.lines = Array.from({ length: this.count }, () => new Int32Array(16));
    this.heads = new Int32Array(this.count);
    this.lineLengths = new Int32Array(this.count);
  }

  /** Requests holding a slot, per server. */
  get busy(): ReadonlyNumbers {
    return this.#busy;
  }

  /** Requests still waiting, per server (onFull = queue): not those that gave up at their deadline. */
  get waiting(): ReadonlyNumbers {
    return this.#waiting;
  }

  /** Admitted requests (given a slot, on arrival or from the line) per server: fairness across servers. */
  get admitted(): ReadonlyNumbers {
    return this.#admitted;
  }

  /** Requests per server refused on arrival (full, or its quota spent), at the check for its spent quota, or given up in its line at the deadline. */
  get rejected(): ReadonlyNumbers {
    return this.#rejected;
  }

  /** Orders per server passed on to the stock step (what the quota counts). */
  get passedOn(): ReadonlyNumbers {
    return this.#passedOn;
  }

  /** Requests refused because their server's quota was spent, on arrival or at the check (all servers). */
  get quotaRefusals(): number {
    return this.#quotaRefusals;
  }

  /** Requests that asked a server for a slot (all but those its spent quota refused on arrival). */
  get asked(): number {
    return this.#asked;
  }

  /** Requests that found every slot of their server busy and took a place in its line (onFull: queue). */
  get queued(): number {
    return this.#queued;
  }

  /** Integral over the window of the requests holding a slot (all servers), request·µs, up to the last change or {@link closeWindow}. */
  get heldArea(): number {
    return this.#heldArea;
  }

  /** Integral over the window of the requests waiting in lines (all servers), request·µs, as {@link heldArea}. */
  get linedArea(): number {
    return this.#linedArea;
  }

  /** Brings the occupancy integrals up to `nowUs` (at the end of the window, so that they cover all of it). */
  closeWindow(nowUs: number): void {
    this.#advance(nowUs);
  }

  /** Time (µs) from which servers answer "sold out" locally; Infinity until stock runs out (or again after a reopen). */
  get soldOutFlagAt(): number {
    return this.#soldOutFlagAt;
  }

  /**
   * Chooses the server for `user`'s `attempt`-th order request. Random
   * balancing is blind (a DNS-level or client-side pick): it draws from a
   * stream keyed by (user, attempt), so every strategy sends the same
   * attempt to the same server, and the order flow makes the pick at the
   * click. Round-robin and least-loaded sit in front of the servers: the
   * flow calls them when the request arrives, and least-loaded counts the
   * requests each server holds then (in service or waiting for a slot), as
   * a least-connections balancer does.
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
          const load = this.#busy[s] + this.#waiting[s];
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
    return this.config.soldOutFlag && nowUs >= this.#soldOutFlagAt;
  }

  /** Stock ran out at `nowUs`: servers learn it after the configured delay. */
  stockRanOut(nowUs: number): void {
    if (this.#soldOutFlagAt === Infinity) this.#soldOutFlagAt = nowUs + this.config.soldOutFlagDelay;
  }

  /**
   * Stock came back (a unit returned): forgets that it ran out, so that the
   * servers sell again and learn it afresh when it runs out again. Only
   * with orderServers.reopenOnReturn: otherwise the flag, once set, stays.
   */
  reopen(): void {
    if (this.config.reopenOnReturn) this.#soldOutFlagAt = Infinity;
  }

  /** Tries to give request `request` a slot on `server` (or a place in its line), unless its quota is spent. */
  admit(server: number, request: number, nowUs: number): Admission {
    if (this.#refusedByQuota(server)) return Admission.Rejected;
    this.#asked++;
    if (this.#busy[server] < this.slots || this.mode === 'unbounded') {
      this.#advance(nowUs);
      this.#held++;
      this.#busy[server]++;
      this.#admitted[server]++;
      return Admission.Admitted;
    }
    if (this.mode === 'queue') {
      this.#advance(nowUs);
      this.#lined++;
      this.#queued++;
      this.enqueue(server, request);
      return Admission.Queued;
    }
    this.#rejected[server]++;
    return Admission.Rejected;
  }

  /**
   * A request on `server` passed its checks: whether it may go on to the
   * stock step within the server's quota (counted if so). False: refused,
   * the N-th having gone on while it was in service.
   */
  passOn(server: number): boolean {
    if (this.#refusedByQuota(server)) return false;
    this.#passedOn[server]++;
    return true;
  }

  /** Whether `server`'s quota is spent; a refusal is counted if so. */
  #refusedByQuota(server: number): boolean {
    if (this.#passedOn[server] < this.quota) return false;
    this.#quotaRefusals++;
    this.#rejected[server]++;
    return true;
  }

  /**
   * Multiplier of the service time for a request admitted to `server` now:
   * 1 within the slots; with onFull = unbounded, contention slows every
   * request by `overloadFactor` per request beyond the slots.
   */
  slowdown(server: number): number {
    const excess = this.#busy[server] - this.slots;
    return excess > 0 ? 1 + this.config.overloadFactor * excess : 1;
  }

  /**
   * Frees a slot on `server`. With waiting requests, the oldest one still
   * waiting takes the slot and is returned (the caller starts it); else -1.
   * `isWaiting(request)` tells whether a queued request is still waiting
   * (it may have given up at its deadline).
   */
  release(server: number, isWaiting: (request: number) => boolean, nowUs: number): number {
    this.#advance(nowUs);
    this.#held--;
    this.#busy[server]--;
    while (this.lineLengths[server] > 0) {
      const request = this.dequeue(server);
      if (isWaiting(request)) {
        this.#lined--;
        this.#held++;
        this.#waiting[server]--;
        this.#busy[server]++;
        this.#admitted[server]++;
        return request;
      }
    }
    return -1;
  }

  /** A queued request left the line at its deadline: no longer waiting (the line skips its entry later). */
  abandoned(server: number, nowUs: number): void {
    this.#advance(nowUs);
    this.#lined--;
    this.#waiting[server]--;
    this.#rejected[server]++;
  }

  /** Adds the occupancy since the last change, clipped to the window, to the integrals. */
  #advance(nowUs: number): void {
    const from = this.#areaAt > this.windowFrom ? this.#areaAt : this.windowFrom;
    const to = nowUs < this.windowTo ? nowUs : this.windowTo;
    if (to > from) {
      this.#heldArea += this.#held * (to - from);
      this.#linedArea += this.#lined * (to - from);
    }
    this.#areaAt = nowUs;
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
    this.#waiting[server]++;
  }

  private dequeue(server: number): number {
    const line = this.lines[server];
    const head = this.heads[server];
    this.heads[server] = (head + 1) % line.length;
    this.lineLengths[server]--;
    return line[head];
  }
}
