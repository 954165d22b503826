import { grownTo } from '../kernel/typed-arrays.js';
import { FifoRing } from '../kernel/fifo-ring.js';

/**
 * The isolated main site's own event loop: Poisson arrivals into a FIFO pool
 * of `servers` (c) with at most `capacity` (K) waiting, an M/G/c/K queue
 * that shares nothing with the sale.
 *
 * Its pending events are the next arrival and one completion per busy
 * server, a few dozen at 2,000 requests/s. On a general {@link Simulation}
 * each cost a trip through the ladder queue, a closure dispatch and the
 * multi-server queue's bookkeeping (slots, gauges, sums nobody reads). Here
 * the next arrival is a single pending time and the completions sit in a
 * small binary heap, all keyed by (time, sequence number), the order a
 * Simulation gives them, so every draw, every latency and every counter is
 * the same. The main site's events are a fixed cost of every run (2,000/s
 * over 15 minutes are 3.6M), as much work as the sale itself in the focused
 * scenarios (20k–200k users).
 *
 * Event order, as on a Simulation: an arrival starts service (scheduling its
 * completion) before it schedules the next arrival; a completion starts the
 * next waiting request before reporting its own. Times are whole µs (delays
 * rounded as `Simulation.schedule` does).
 */
export interface MainSitePoolOptions {
  /** c: requests served at once (servers × concurrency). */
  servers: number;
  /** K: requests that may wait; an arrival beyond is refused. */
  capacity: number;
  /** Time to the next arrival, µs (called once per arrival). */
  nextGap: () => number;
  /** Service time of a request starting now, µs (called when service starts). */
  nextService: () => number;
  /** A request arrived now (called whether it is served, waits or is refused). */
  onArrival: () => void;
  /** A request was refused: every server busy and `capacity` waiting. */
  onRefused: () => void;
  /** A request's service ended now, `sojournUs` after it arrived. */
  onDone: (sojournUs: number) => void;
}

export class MainSitePool {
  /** Current time, µs: the last event's, or the limit a {@link run} stopped at. */
  now = 0;
  /** Events handled (arrivals, including those after {@link stopArrivals}, and completions). */
  eventsProcessed = 0;
  private readonly options: MainSitePoolOptions;
  private busy = 0;
  private stopped = false;
  /** Sequence number of the next event scheduled: ties in time go in scheduling order. */
  private sequence = 0;
  /** The next arrival's time (µs; Infinity when none is pending) and sequence number. */
  private arrivalTime = Infinity;
  private arrivalSequence = 0;
  // Pending completions: a binary min-heap on (time, sequence), with the
  // arrival time of the request each one completes.
  private heapSize = 0;
  private times = new Float64Array(64);
  private sequences = new Float64Array(64);
  private arrived = new Float64Array(64);
  // Waiting requests' arrival times (µs), first in first out.
  private readonly line = new FifoRing(new Float64Array(64));

  constructor(options: MainSitePoolOptions) {
    this.options = options;
  }

  /** Schedules the first arrival `firstGapUs` (µs) from now. */
  start(firstGapUs: number): void {
    this.scheduleArrival(firstGapUs);
  }

  /** Time of the earliest pending event, µs (Infinity when none). */
  peekTime(): number {
    return Math.min(this.arrivalTime, this.heapSize > 0 ? this.times[0] : Infinity);
  }

  /** From now on arrivals are ignored (the next one still runs, as an event that does nothing) and none is scheduled. */
  stopArrivals(): void {
    this.stopped = true;
  }

  /**
   * Handles events up to and including time `limitUs`, at most `maxEvents`
   * of them; the clock then stands at `limitUs` if that is later (as
   * `Simulation.run` leaves it).
   */
  run(limitUs = Infinity, maxEvents = Infinity): void {
    let left = maxEvents;
    while (left > 0) {
      const arrival = this.arrivalTime;
      const completion = this.heapSize > 0 ? this.times[0] : Infinity;
      const arrivalFirst = arrival < completion || (arrival === completion && this.arrivalSequence < this.sequences[0]);
      const time = arrivalFirst ? arrival : completion;
      if (time === Infinity || time > limitUs) break;
      left--;
      this.now = time;
      this.eventsProcessed++;
      if (arrivalFirst) {
        this.arrivalTime = Infinity;
        this.arrive();
      } else {
        const arrived = this.arrived[0];
        this.popTop();
        this.complete(arrived);
      }
    }
    if (left > 0 && limitUs !== Infinity && limitUs > this.now) this.now = limitUs;
  }

  private arrive(): void {
    if (this.stopped) return;
    const o = this.options;
    o.onArrival();
    if (this.busy < o.servers) this.serve(this.now);
    else if (this.line.size >= o.capacity) o.onRefused();
    else this.line.push(this.now);
    this.scheduleArrival(o.nextGap());
  }

  private complete(arrivedUs: number): void {
    this.busy--;
    if (this.line.size > 0) this.serve(this.line.shift());
    this.options.onDone(this.now - arrivedUs);
  }

  /** Starts serving a request that arrived at `arrivedUs`: its completion is scheduled. */
  private serve(arrivedUs: number): void {
    this.busy++;
    this.schedule(this.options.nextService(), arrivedUs);
  }

  private scheduleArrival(delayUs: number): void {
    this.arrivalTime = this.timeAfter(delayUs);
    this.arrivalSequence = this.sequence++;
  }

  /** The whole µs `delayUs` from now, as `Simulation.schedule` computes it. */
  private timeAfter(delayUs: number): number {
    if (!(delayUs >= 0)) throw new RangeError(`negative or NaN delay ${delayUs} in the main site's pool`);
    return this.now + Math.round(delayUs);
  }

  /** Schedules the completion of a request that arrived at `arrivedUs`, `delayUs` from now. */
  private schedule(delayUs: number, arrivedUs: number): void {
    const time = this.timeAfter(delayUs);
    if (this.heapSize === this.times.length) this.growHeap();
    const sequence = this.sequence++;
    // Sift up from the new leaf.
    let i = this.heapSize++;
    const times = this.times;
    const sequences = this.sequences;
    const arrived = this.arrived;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < time || (pt === time && sequences[parent] < sequence)) break;
      times[i] = pt;
      sequences[i] = sequences[parent];
      arrived[i] = arrived[parent];
      i = parent;
    }
    times[i] = time;
    sequences[i] = sequence;
    arrived[i] = arrivedUs;
  }

  private popTop(): void {
    const n = --this.heapSize;
    if (n === 0) return;
    const times = this.times;
    const sequences = this.sequences;
    const arrived = this.arrived;
    // Sift the last entry down from the root.
    const time = times[n];
    const sequence = sequences[n];
    const last = arrived[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (times[right] < times[child] || (times[right] === times[child] && sequences[right] < sequences[child])))
        child = right;
      const ct = times[child];
      if (time < ct || (time === ct && sequence < sequences[child])) break;
      times[i] = ct;
      sequences[i] = sequences[child];
      arrived[i] = arrived[child];
      i = child;
    }
    times[i] = time;
    sequences[i] = sequence;
    arrived[i] = last;
  }

  private growHeap(): void {
    const size = this.times.length * 2;
    this.times = grownTo(this.times, size);
    this.sequences = grownTo(this.sequences, size);
    this.arrived = grownTo(this.arrived, size);
  }
}
