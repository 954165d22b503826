import type { Simulation } from '../kernel/simulation.js';
import { FifoRing } from '../kernel/fifo-ring.js';
import type { Stock } from './stock.js';
import type { StockStep, StockStepListener } from './stock-step.js';

/**
 * Sharded stock with a buffer per order server (system.stock.buffer;
 * docs/model.md, "Stock buffers"): each server sells from units it took from
 * the central store in batches, so the store sees one operation per batch
 * instead of one per sale.
 *
 * - A take on a server with units in its buffer is served at once, with no
 *   store operation and no time (a local counter decrement costs
 *   nanoseconds next to the order server's milliseconds of service).
 * - A take on an empty buffer refills it: ONE store operation (the
 *   configured primitive, with its service time and, for serial primitives,
 *   its queue and ceiling) taking min(batch, level) units. Takes on the same
 *   server while that refill is in flight wait for it in arrival order
 *   instead of each starting one (one refill in flight per server, like a
 *   single-flight loader). When it arrives its units go to the waiting takes
 *   first; if more takes wait than it brought, a new refill starts for them.
 *   A refill that brought nothing answers every take still waiting "none"
 *   (sold out), while other servers may still hold units: the stranded units
 *   of failure mode 8 in docs/domain.md.
 * - With the racy check-then-decrement primitive a refill writes
 *   read − batch from its stale read, so concurrent refills lose whole
 *   batches of updates (oversell by batches).
 *
 * Units sold from a buffer are counted in {@link sold}; units given back by
 * a failed order step go to the store (Stock.giveBack), not to a buffer.
 * So at any time `stock.sold = sold + held + units in refills in flight`,
 * and at the end of a run (no refill in flight) `stock.sold = sold + held`.
 */
export class StockBuffers implements StockStep {
  #sold = 0;
  #held = 0;
  /** Units in each server's buffer. */
  private readonly level: Int32Array;
  /** Whether each server has a refill in flight. */
  private readonly refilling: Uint8Array;
  /** Level the in-flight refill read, and units it takes, per server (the racy primitive writes from them when it completes). */
  private readonly refillRead: Int32Array;
  private readonly refillTaken: Int32Array;
  /** Per server: requests waiting for its refill, in arrival order. */
  private readonly waiting: FifoRing[];
  private readonly refillDoneKind: number;

  /**
   * @param batch units per refill (system.stock.buffer, > 0).
   * @param servers number of order servers.
   */
  constructor(
    private readonly sim: Simulation,
    private readonly stock: Stock,
    readonly batch: number,
    servers: number,
    private readonly listener: StockStepListener,
  ) {
    this.level = new Int32Array(servers);
    this.refilling = new Uint8Array(servers);
    this.refillRead = new Int32Array(servers);
    this.refillTaken = new Int32Array(servers);
    this.waiting = Array.from({ length: servers }, () => new FifoRing(new Int32Array(4)));
    this.refillDoneKind = sim.register('order.refill-done', (s) => this.refillDone(s));
  }

  /** Units sold from the buffers (to requests), gross of units given back. */
  get sold(): number {
    return this.#sold;
  }

  /** Units sitting in all buffers now (not those of refills in flight). */
  get held(): number {
    return this.#held;
  }

  /** Units in `server`'s buffer now. */
  unitsAt(server: number): number {
    return this.level[server];
  }

  /**
   * Request `request` on `server` takes one unit: from the buffer now
   * (listener.onUnit before this returns), or after a refill (onUnit or
   * onNone when it arrives; onRanOut first if that refill found the store
   * empty or emptied it).
   */
  take(server: number, request: number): void {
    if (this.level[server] > 0) {
      this.hand(server, request);
      return;
    }
    this.waiting[server].push(request);
    if (this.refilling[server] === 0) this.refill(server);
  }

  private refill(server: number): void {
    const doneAt = this.stock.begin(this.sim.now, this.batch);
    this.refilling[server] = 1;
    this.refillRead[server] = this.stock.lastRead;
    this.refillTaken[server] = this.stock.lastTaken;
    this.sim.scheduleAt(doneAt, this.refillDoneKind, server);
  }

  private refillDone(server: number): void {
    const taken = this.refillTaken[server];
    this.stock.complete(this.refillRead[server], taken);
    this.refilling[server] = 0;
    this.level[server] += taken;
    this.#held += taken;
    if (taken === 0 || this.stock.level <= 0) this.listener.onRanOut(this.sim.now);
    const line = this.waiting[server];
    while (line.size > 0 && this.level[server] > 0) this.hand(server, line.shift());
    if (line.size === 0) return;
    if (taken > 0) {
      // More takes waited than the batch brought: they wait for the next one.
      this.refill(server);
      return;
    }
    while (line.size > 0) this.listener.onNone(line.shift());
  }

  private hand(server: number, request: number): void {
    this.level[server]--;
    this.#held--;
    this.#sold++;
    this.listener.onUnit(request);
  }
}
