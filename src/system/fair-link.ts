import type { Simulation } from '../kernel/simulation.js';
import { grownTo } from '../kernel/typed-arrays.js';

/**
 * Told when a transfer's last byte has left a {@link FairLink}: the three
 * numbers given to {@link FairLink.send} and the time (µs, the current time).
 * `a`, `b` are int32, `c`, `d` float64.
 */
export type FairLinkSink = (a: number, b: number, c: number, d: number, doneUs: number) => void;

/** A departure event closer than this (µs) to now is due now: absorbs rounding of the virtual clock. */
const DUE_US = 1e-3;

/**
 * A network link of fixed capacity shared fairly by the transfers on it
 * (processor sharing, what TCP flows on one bottleneck approximate): with n
 * transfers under way each gets capacity / n, so a 1 kB script finishes in
 * about n kB of link time instead of waiting behind every page ahead of it
 * (docs/model.md, "Links").
 *
 * Virtual-time form: the virtual clock `v` counts the bytes each active
 * transfer has received (it runs at capacity / n bytes per µs); a transfer
 * of x bytes arriving at virtual time v finishes when the clock reaches its
 * tag v + x. The transfers wait in a binary heap by tag (ties by arrival),
 * and one pending event marks the next departure, so an arrival or a
 * departure costs O(log n). An arrival only delays the others, so the event
 * is moved earlier only when the new transfer would leave first; an event
 * that fires early (arrivals came since) schedules the next one.
 *
 * Busy time is the same as a FIFO link's: the unfinished work of a
 * work-conserving link does not depend on the order it serves in, so the
 * link's busy fraction over any interval is the same function of its
 * arrivals under either discipline.
 */
export class FairLink {
  /** Capacity in bytes per µs (bytes/s ÷ 1e6). */
  private readonly bytesPerUs: number;
  private readonly kind: number;
  /** Virtual clock (bytes per active transfer), at `lastUs`. */
  private v = 0;
  private lastUs = 0;
  /** Heap of flow slots by (tag, seq); `size` = active transfers. */
  private heap = new Int32Array(64);
  private size = 0;
  private tag = new Float64Array(64);
  private seq = new Float64Array(64);
  private pa = new Int32Array(64);
  private pb = new Int32Array(64);
  private pc = new Float64Array(64);
  private pd = new Float64Array(64);
  private free = new Int32Array(64);
  private freeTop = 0;
  private highWater = 0;
  private arrivals = 0;
  /** The valid pending departure event: its generation and time (µs); -1 when none. */
  private eventGen = 0;
  private eventAt = -1;
  /** Work accounting, as in the FIFO link (µs). */
  private freeAt = 0;
  private busyUs = 0;
  #bytes = 0;

  /**
   * @param bytesPerSecond capacity in bytes/s (finite).
   * @param name diagnostic name of the departure event kind.
   * @param sink told of every finished transfer, at its finish.
   */
  constructor(
    private readonly sim: Simulation,
    bytesPerSecond: number,
    name: string,
    private readonly sink: FairLinkSink,
  ) {
    this.bytesPerUs = bytesPerSecond / 1e6;
    this.kind = sim.register(name, (gen) => this.depart(gen));
  }

  /** Starts a transfer of `bytes` now; the sink hears of it with (a, b, c, d) when its last byte leaves. */
  send(bytes: number, a: number, b: number, c: number, d: number): void {
    const now = this.sim.now;
    this.advance(now);
    // Work accounting (discipline-independent).
    const duration = bytes / this.bytesPerUs;
    this.freeAt = (this.freeAt > now ? this.freeAt : now) + duration;
    this.busyUs += duration;
    this.#bytes += bytes;
    if (this.size === 0) this.v = 0;
    const slot = this.alloc();
    this.tag[slot] = this.v + bytes;
    this.seq[slot] = this.arrivals++;
    this.pa[slot] = a;
    this.pb[slot] = b;
    this.pc[slot] = c;
    this.pd[slot] = d;
    this.push(slot);
    // A departure due at this µs whose event has not run yet leaves at this µs.
    const dueAt = Math.max(now, Math.ceil(now + this.untilFirst()));
    if (this.eventAt < 0 || dueAt < this.eventAt) this.scheduleDeparture(dueAt);
  }

  /** Bytes sent so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Transfers under way now. */
  get active(): number {
    return this.size;
  }

  /** Busy time accumulated up to `nowUs` (µs), as {@link Link.busyUntil}. */
  busyUntil(nowUs: number): number {
    return this.busyUs - (this.freeAt > nowUs ? this.freeAt - nowUs : 0);
  }

  /** Real time (µs) until the first transfer in the heap leaves, if nobody else arrives. */
  private untilFirst(): number {
    return ((this.tag[this.heap[0]] - this.v) * this.size) / this.bytesPerUs;
  }

  private advance(now: number): void {
    if (this.size > 0) this.v += ((now - this.lastUs) * this.bytesPerUs) / this.size;
    this.lastUs = now;
  }

  private scheduleDeparture(atUs: number): void {
    this.eventGen = (this.eventGen + 1) | 0;
    this.eventAt = atUs;
    this.sim.scheduleAt(atUs, this.kind, this.eventGen);
  }

  private depart(gen: number): void {
    if (gen !== this.eventGen) return;
    this.eventAt = -1;
    const now = this.sim.now;
    this.advance(now);
    while (this.size > 0) {
      const wait = this.untilFirst();
      if (wait > DUE_US) {
        this.scheduleDeparture(Math.ceil(now + wait));
        return;
      }
      const slot = this.pop();
      this.free[this.freeTop++] = slot;
      // The heap is consistent before the sink runs, in case it sends again.
      this.sink(this.pa[slot], this.pb[slot], this.pc[slot], this.pd[slot], now);
    }
    this.v = 0;
  }

  private alloc(): number {
    if (this.freeTop > 0) return this.free[--this.freeTop];
    if (this.highWater === this.tag.length) this.grow();
    return this.highWater++;
  }

  private grow(): void {
    const n = this.tag.length * 2;
    this.heap = grownTo(this.heap, n);
    this.tag = grownTo(this.tag, n);
    this.seq = grownTo(this.seq, n);
    this.pa = grownTo(this.pa, n);
    this.pb = grownTo(this.pb, n);
    this.pc = grownTo(this.pc, n);
    this.pd = grownTo(this.pd, n);
    this.free = grownTo(this.free, n);
  }

  private less(x: number, y: number): boolean {
    const tx = this.tag[x],
      ty = this.tag[y];
    return tx < ty || (tx === ty && this.seq[x] < this.seq[y]);
  }

  private push(slot: number): void {
    const heap = this.heap;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(slot, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = slot;
  }

  private pop(): number {
    const heap = this.heap;
    const top = heap[0];
    const last = heap[--this.size];
    const n = this.size;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(heap[child + 1], heap[child])) child++;
      if (!this.less(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    if (n > 0) heap[i] = last;
    return top;
  }
}
