import type { Simulation } from './simulation.js';
import { TimeWeightedGauge } from './stats/gauge.js';
import { grownTo, unwrappedTo } from './typed-arrays.js';

/** What a {@link MultiServerQueue} tells its owner about each customer. */
export interface QueueListener {
  /** Service finished; sojournUs = departure − arrival, waitUs = start − arrival. */
  onDone(customer: number, tag: number, waitUs: number, sojournUs: number): void;
  /** Refused on arrival: all servers busy and the queue is full (capacity 0 = pure loss, Erlang B). */
  onBlocked(customer: number, tag: number): void;
  /** Left the queue after waiting maxWaitUs without starting service (exactly at arrival + maxWaitUs). */
  onReneged?(customer: number, tag: number): void;
}

/** Shape and service of a {@link MultiServerQueue}. */
export interface MultiServerQueueOptions {
  /** c, the number of servers: a positive integer, or Infinity (every arrival is served at once). */
  servers: number;
  /** Most customers waiting (not in service): a non-negative integer or Infinity; 0 = loss system. */
  capacity: number;
  /** Optional reneging deadline (µs): a customer still waiting at arrival + maxWaitUs leaves. */
  maxWaitUs?: number;
  /**
   * Service time in µs (rounded to a whole µs by the simulation), called
   * when service starts; `busy` already counts the customer being started,
   * so a caller can make service load-dependent.
   */
  serviceTime: (customer: number, tag: number) => number;
  /** For diagnostics (event handler names). */
  name: string;
}

const INITIAL_RING = 16;
const INITIAL_SLOTS = 16;
/** Ring entry states. */
const FREE = 0;
const WAITING = 1;
const RENEGED = 2;

/**
 * A FIFO queue in front of c identical servers (G/G/c/K with optional
 * reneging): the building block of origin pools, order servers and links.
 *
 * Layout (nothing is allocated per customer once the arrays have grown to
 * the peak population):
 * - the waiting line is a ring buffer of typed arrays (customer, tag,
 *   arrival time, state), growing by doubling;
 * - customers in service sit in slots of typed arrays with a free-list
 *   stack; a completion event carries the slot index;
 * - every arrival that queues takes the next ticket (an int32 sequence
 *   number); entries in the ring are in ticket order, so a ticket locates
 *   its entry even after the ring has grown. A reneging deadline is an event
 *   carrying the ticket; when it fires, the entry is still there and
 *   waiting only if the ticket is not yet dequeued (the generation check),
 *   in which case it is marked reneged (a tombstone, skipped lazily when the
 *   line is served). `waiting` counts live entries only, so it is exact.
 *
 * Re-entrancy: on a completion the next waiting customer is put into
 * service before `onDone` runs, so a listener that calls {@link arrive}
 * from `onDone` cannot overtake the line. Listeners are called from inside
 * event handlers and from {@link arrive} (`onBlocked`).
 *
 * Ties: a deadline and a completion at the same µs run in scheduling order
 * (the simulation's FIFO tie-break).
 *
 * Statistics (all reset by {@link resetStatistics}, the warm-up cut):
 * - counters `arrivals`, `served`, `blocked`, `reneged`; at any time
 *   `arrivals + inSystemAtReset = served + blocked + reneged + inSystem`
 *   (`inSystemAtReset` is 0 before any cut);
 * - `busyGauge` (servers busy; utilisation = busyGauge.mean(now) / servers)
 *   and `queueGauge` (customers waiting);
 * - sums over customers whose service completed: `waitSumUs`,
 *   `sojournSumUs` (mean wait = waitSumUs / served), and `maxWaitSeenUs`.
 *   For distributions, record the `waitUs`/`sojournUs` that `onDone` receives
 *   into a LatencyHistogram.
 */
export class MultiServerQueue {
  /** Diagnostic name (prefix of its event kinds). */
  readonly name: string;
  /** c, as given: a positive integer or Infinity. */
  readonly servers: number;
  /** Most customers waiting, as given: an integer ≥ 0 or Infinity. */
  readonly capacity: number;
  /** Reneging deadline after arrival, µs; Infinity when none was given. */
  readonly maxWaitUs: number;

  /** Arrivals since construction or the last cut. */
  arrivals = 0;
  /** Services completed since construction or the last cut. */
  served = 0;
  /** Arrivals refused since construction or the last cut. */
  blocked = 0;
  /** Customers who gave up waiting since construction or the last cut. */
  reneged = 0;
  /** Customers in the system at the last cut (0 before any). */
  inSystemAtReset = 0;
  /** Sum of waits (start − arrival) of customers served since the cut, µs. */
  waitSumUs = 0;
  /** Sum of sojourns (departure − arrival) of customers served since the cut, µs. */
  sojournSumUs = 0;
  /** Longest wait of a customer served since the cut, µs. */
  maxWaitSeenUs = 0;
  /** Servers busy, time-weighted. */
  readonly busyGauge: TimeWeightedGauge;
  /** Customers waiting, time-weighted. */
  readonly queueGauge: TimeWeightedGauge;

  private readonly sim: Simulation;
  private readonly listener: QueueListener;
  private readonly serviceTime: (customer: number, tag: number) => number;
  private readonly doneKind: number;
  private readonly renegeKind: number;

  private busyCount = 0;
  private waitingCount = 0;

  // Service slots.
  private slotCustomer: Int32Array;
  private slotTag: Int32Array;
  private slotArrival: Float64Array;
  private slotStart: Float64Array;
  private freeSlots: Int32Array;
  private freeTop = 0;
  private slotHighWater = 0;

  // Waiting line: ring of `ringSize` (a power of two) entries from `head`.
  private ringCustomer: Int32Array;
  private ringTag: Int32Array;
  private ringArrival: Float64Array;
  private ringState: Uint8Array;
  private ringMask: number;
  private head = 0;
  /** Physical entries in the ring, tombstones included. */
  private ringCount = 0;
  /** Ticket of the entry at `head` (int32, wrapping). */
  private headTicket = 0;

  /**
   * Registers the queue's completion and reneging event kinds with `sim`.
   * @throws {RangeError} for invalid servers, capacity or maxWaitUs.
   */
  constructor(sim: Simulation, options: MultiServerQueueOptions, listener: QueueListener) {
    const { servers, capacity, maxWaitUs, name } = options;
    if (!(servers === Infinity || (Number.isInteger(servers) && servers >= 1))) {
      throw new RangeError(`queue ${name}: servers must be a positive integer or Infinity, got ${servers}`);
    }
    if (!(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 0))) {
      throw new RangeError(`queue ${name}: capacity must be a non-negative integer or Infinity, got ${capacity}`);
    }
    if (maxWaitUs !== undefined && !(maxWaitUs >= 0)) {
      throw new RangeError(`queue ${name}: maxWaitUs must be non-negative, got ${maxWaitUs}`);
    }
    this.sim = sim;
    this.name = name;
    this.servers = servers;
    this.capacity = capacity;
    this.maxWaitUs = maxWaitUs ?? Infinity;
    this.serviceTime = options.serviceTime;
    this.listener = listener;
    this.busyGauge = new TimeWeightedGauge(sim.now);
    this.queueGauge = new TimeWeightedGauge(sim.now);

    const slots = Math.min(servers, INITIAL_SLOTS);
    this.slotCustomer = new Int32Array(slots);
    this.slotTag = new Int32Array(slots);
    this.slotArrival = new Float64Array(slots);
    this.slotStart = new Float64Array(slots);
    this.freeSlots = new Int32Array(slots);

    this.ringCustomer = new Int32Array(INITIAL_RING);
    this.ringTag = new Int32Array(INITIAL_RING);
    this.ringArrival = new Float64Array(INITIAL_RING);
    this.ringState = new Uint8Array(INITIAL_RING);
    this.ringMask = INITIAL_RING - 1;

    this.doneKind = sim.register(`${name}:done`, (slot) => this.complete(slot));
    this.renegeKind = sim.register(`${name}:renege`, (ticket) => this.deadline(ticket));
  }

  /** Customers in service. */
  get busy(): number {
    return this.busyCount;
  }

  /** Customers waiting (reneged customers excluded). */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Customers in service or waiting. */
  get inSystem(): number {
    return this.busyCount + this.waitingCount;
  }

  /** Whether a customer arriving now would be served or queued rather than refused ({@link arrive}'s rule). */
  get accepting(): boolean {
    return this.busyCount < this.servers || this.waitingCount < this.capacity;
  }

  /** A customer arrives now: served at once, queued, or refused (`onBlocked`, synchronously). */
  arrive(customer: number, tag: number): void {
    this.arrivals++;
    const now = this.sim.now;
    if (this.busyCount < this.servers) {
      this.start(customer, tag, now, now);
      return;
    }
    if (this.waitingCount >= this.capacity) {
      this.blocked++;
      this.listener.onBlocked(customer, tag);
      return;
    }
    if (this.ringCount > this.ringMask) this.growRing();
    const i = (this.head + this.ringCount) & this.ringMask;
    const ticket = (this.headTicket + this.ringCount) | 0;
    this.ringCustomer[i] = customer;
    this.ringTag[i] = tag;
    this.ringArrival[i] = now;
    this.ringState[i] = WAITING;
    this.ringCount++;
    this.waitingCount++;
    this.queueGauge.set(now, this.waitingCount);
    if (this.maxWaitUs !== Infinity) this.sim.scheduleAt(now + this.maxWaitUs, this.renegeKind, ticket, 0);
  }

  /**
   * The warm-up cut: zeroes the counters and sums and restarts both gauges'
   * averages at `nowUs` (default and normally `sim.now`).
   */
  resetStatistics(nowUs: number = this.sim.now): void {
    this.inSystemAtReset = this.inSystem;
    this.arrivals = 0;
    this.served = 0;
    this.blocked = 0;
    this.reneged = 0;
    this.waitSumUs = 0;
    this.sojournSumUs = 0;
    this.maxWaitSeenUs = 0;
    this.busyGauge.resetAt(nowUs);
    this.queueGauge.resetAt(nowUs);
  }

  private start(customer: number, tag: number, arrival: number, now: number): void {
    let slot: number;
    if (this.freeTop > 0) {
      slot = this.freeSlots[--this.freeTop];
    } else {
      if (this.slotHighWater === this.slotCustomer.length) this.growSlots();
      slot = this.slotHighWater++;
    }
    this.slotCustomer[slot] = customer;
    this.slotTag[slot] = tag;
    this.slotArrival[slot] = arrival;
    this.slotStart[slot] = now;
    this.busyCount++;
    this.busyGauge.set(now, this.busyCount);
    this.sim.schedule(this.serviceTime(customer, tag), this.doneKind, slot, 0);
  }

  private complete(slot: number): void {
    const now = this.sim.now;
    const customer = this.slotCustomer[slot];
    const tag = this.slotTag[slot];
    const arrival = this.slotArrival[slot];
    const wait = this.slotStart[slot] - arrival;
    const sojourn = now - arrival;
    this.freeSlots[this.freeTop++] = slot;
    this.busyCount--;
    this.served++;
    this.waitSumUs += wait;
    this.sojournSumUs += sojourn;
    if (wait > this.maxWaitSeenUs) this.maxWaitSeenUs = wait;
    // Serve the line before telling the listener, so a re-entrant arrive()
    // cannot take the freed server ahead of customers already waiting.
    if (this.waitingCount > 0) this.startNextWaiting(now);
    else this.busyGauge.set(now, this.busyCount);
    this.listener.onDone(customer, tag, wait, sojourn);
  }

  /** Dequeues the first live entry (skipping tombstones) into service. */
  private startNextWaiting(now: number): void {
    const mask = this.ringMask;
    const state = this.ringState;
    while (state[this.head] === RENEGED) this.popHead(mask);
    const i = this.head;
    const customer = this.ringCustomer[i];
    const tag = this.ringTag[i];
    const arrival = this.ringArrival[i];
    this.popHead(mask);
    this.waitingCount--;
    this.queueGauge.set(now, this.waitingCount);
    this.start(customer, tag, arrival, now);
  }

  private popHead(mask: number): void {
    this.ringState[this.head] = FREE;
    this.head = (this.head + 1) & mask;
    this.ringCount--;
    this.headTicket = (this.headTicket + 1) | 0;
  }

  private deadline(ticket: number): void {
    const offset = (ticket - this.headTicket) | 0;
    // offset < 0: already dequeued (served); offset ≥ ringCount cannot happen
    // while the entry's deadline is pending, but is checked for safety.
    if (offset < 0 || offset >= this.ringCount) return;
    const i = (this.head + offset) & this.ringMask;
    if (this.ringState[i] !== WAITING) return;
    this.ringState[i] = RENEGED;
    this.waitingCount--;
    this.reneged++;
    const now = this.sim.now;
    this.queueGauge.set(now, this.waitingCount);
    // Drop tombstones at the head at once so the ring stays compact.
    const mask = this.ringMask;
    while (this.ringCount > 0 && this.ringState[this.head] === RENEGED) this.popHead(mask);
    this.listener.onReneged?.(this.ringCustomer[i], this.ringTag[i]);
  }

  private growRing(): void {
    const next = (this.ringMask + 1) * 2;
    const { head, ringCount } = this;
    this.ringCustomer = unwrappedTo(this.ringCustomer, head, ringCount, next);
    this.ringTag = unwrappedTo(this.ringTag, head, ringCount, next);
    this.ringArrival = unwrappedTo(this.ringArrival, head, ringCount, next);
    this.ringState = unwrappedTo(this.ringState, head, ringCount, next);
    this.ringMask = next - 1;
    this.head = 0;
  }

  private growSlots(): void {
    const size = Math.min(this.servers, this.slotCustomer.length * 2);
    this.slotCustomer = grownTo(this.slotCustomer, size);
    this.slotTag = grownTo(this.slotTag, size);
    this.slotArrival = grownTo(this.slotArrival, size);
    this.slotStart = grownTo(this.slotStart, size);
    this.freeSlots = grownTo(this.freeSlots, size);
  }
}
