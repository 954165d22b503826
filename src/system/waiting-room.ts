import type { WaitingRoomConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RandomStream } from '../kernel/random.js';
import { grownTo } from '../kernel/typed-arrays.js';
import { FifoRing } from '../kernel/fifo-ring.js';

/** Receives the requests the room lets through. */
export interface WaitingRoomListener {
  /** Request `request` leaves the line now, towards the order servers. */
  onLetThrough(request: number): void;
  /** Whether the servers know the stock is gone (then the whole line is let through at once, to hear "sold out"). */
  soldOut(): boolean;
  /** Request `request` lost its place to a newer request of the same user (see {@link WaitingRoom.enter}): it never reaches the servers. */
  onReplaced(request: number): void;
}

/**
 * A waiting room (Queue-it style) between the clicks and the order servers:
 * every order request joins the line (one place per user: see below), and
 * the room lets them through at `rate` per second, so the servers see a steady flow instead of the
 * herd, and — in `random` mode — the first places are a lottery among
 * everyone who clicked within `window` of T0, so a bot reacting in 5 ms has
 * no edge over a person reacting in 600 ms.
 *
 * - fifo: places in the order requests reached the room; letting through
 *   starts at T0 (requests before T0, such as bots' shots at a static URL,
 *   wait for it).
 * - random: requests that reach the room before T0 + window are shuffled by
 *   a draw per user (common random numbers: the same user gets the same
 *   ticket in every strategy) when the window closes, and letting through
 *   starts then; later requests queue behind them in order.
 *
 * Once the servers know the stock is gone, the whole line is let through at
 * once: each then gets the servers' fast "sold out" (a real room would show
 * the same page). The order flow tells the room when that will be
 * ({@link WaitingRoom.soldOutKnownAt}), so a slow room does not keep its
 * line until its next place; newcomers from then on are let through at once.
 *
 * The room closes with the run (at `duration`): nobody is let through from
 * then on, and those still in line never reach the servers (they end the
 * run undecided). Letting the line drain instead would sell on after the
 * run at the room's pace, for hours at a slow rate, outside the time series.
 *
 * A place belongs to a user, not to a request (a real room keys it on the
 * visitor's session): a user's later request takes over their place, and
 * the earlier one is dropped. A bot firing twenty shots before T0 holds one
 * place, like everyone else, and its click after T0 takes it over.
 *
 * The line is a ring of users; each user's place holds the order flow's
 * record index of their latest request.
 */
export class WaitingRoom {
  #entries = 0;
  #peak = 0;

  private readonly sim: Simulation;
  private readonly listener: WaitingRoomListener;
  private readonly draws: RandomStream;
  private readonly random: boolean;
  /** When letting through starts: T0 (fifo) or T0 + window (random), µs. */
  private readonly opensAt: number;
  /** The end of the run, µs: nothing is let through from then on. */
  private readonly closesAt: number;
  /** µs between two requests let through: 1 s / rate. */
  private readonly spacingUs: number;
  private readonly letThroughKind: number;
  private readonly flushKind: number;
  /** Earliest time the next request may be let through, µs (not rounded: the spacing need not be whole µs). */
  private nextAt: number;
  private scheduled = false;
  /**
   * When the latest planned flush fires, µs (-Infinity: none planned). A
   * flush planned for a sold-out flag that was then cleared
   * (orderServers.reopenOnReturn) may still be pending when the flag is set
   * again for a later time: that one is planned too.
   */
  private flushAt = -Infinity;
  private lotteryOpen: boolean;

  /** Per user, the request holding their place (-1: none). */
  private readonly placeOf: Int32Array;
  /** The line: users, first in first out. */
  private readonly line = new FifoRing(new Int32Array(64));
  // The lottery pool (random mode, until the window closes): users and their tickets.
  private poolUsers = new Int32Array(64);
  private poolTickets = new Float64Array(64);
  private poolCount = 0;

  /**
   * @param saleStartUs T0, µs.
   * @param closesAtUs the end of the run (`duration`), µs: nobody is let through from then on.
   * @param users population size (users are 0 … users − 1).
   * @param draws the lottery tickets, one per user.
   */
  constructor(
    sim: Simulation,
    config: WaitingRoomConfig,
    saleStartUs: number,
    closesAtUs: number,
    users: number,
    draws: RandomStream,
    listener: WaitingRoomListener,
  ) {
    this.placeOf = new Int32Array(users).fill(-1);
    this.sim = sim;
    this.listener = listener;
    this.draws = draws;
    this.random = config.mode === 'random';
    this.opensAt = saleStartUs + (this.random ? config.window : 0);
    this.closesAt = closesAtUs;
    this.spacingUs = 1_000_000 / config.rate;
    this.nextAt = this.opensAt;
    this.lotteryOpen = this.random;
    this.letThroughKind = sim.register('room.let-through', () => this.letThrough());
    this.flushKind = sim.register('room.flush', () => this.plannedFlush());
    if (this.random && this.opensAt < closesAtUs)
      sim.scheduleAt(
        Math.max(sim.now, this.opensAt),
        sim.register('room.draw', () => this.draw()),
      );
  }

  /** Requests that reached the room (those that took over their user's place included). */
  get entries(): number {
    return this.#entries;
  }

  /** Most places taken in line at once (the lottery pool included). */
  get peak(): number {
    return this.#peak;
  }

  /** Calls `visit` with every request still in line (the lottery pool included), in no particular order. */
  forEachWaiting(visit: (request: number) => void): void {
    for (let k = 0; k < this.line.size; k++) visit(this.placeOf[this.line.at(k)]);
    for (let k = 0; k < this.poolCount; k++) visit(this.placeOf[this.poolUsers[k]]);
  }

  /** Requests in line now (the lottery pool included). */
  get waiting(): number {
    return this.line.size + this.poolCount;
  }

  /**
   * Request `request` of `user` reaches the room now: it takes a place in
   * line, or, if the user holds one, takes it over (the earlier request is
   * dropped through `onReplaced`).
   */
  enter(request: number, user: number): void {
    this.#entries++;
    const earlier = this.placeOf[user];
    this.placeOf[user] = request;
    if (earlier >= 0) {
      this.listener.onReplaced(earlier);
      return;
    }
    if (this.lotteryOpen) {
      if (this.poolCount === this.poolUsers.length) {
        this.poolUsers = grownTo(this.poolUsers, this.poolCount * 2);
        this.poolTickets = grownTo(this.poolTickets, this.poolCount * 2);
      }
      this.poolUsers[this.poolCount] = user;
      this.poolTickets[this.poolCount] = this.draws.uniform(user, 0);
      this.poolCount++;
    } else {
      this.line.push(user);
      if (this.listener.soldOut()) this.scheduleFlush(this.sim.now);
      else this.ensureScheduled();
    }
    if (this.waiting > this.#peak) this.#peak = this.waiting;
  }

  /** The window closes: the pool, in ticket order, goes to the head of the line. */
  private draw(): void {
    this.lotteryOpen = false;
    const order = Array.from({ length: this.poolCount }, (_, i) => i);
    // Ties (two users with the same 32-bit ticket) keep their arrival order: sort is stable.
    order.sort((x, y) => this.poolTickets[x] - this.poolTickets[y]);
    // Nothing can be in the ring yet (every entry so far went to the pool).
    for (const i of order) this.line.push(this.poolUsers[i]);
    this.poolCount = 0;
    this.poolUsers = new Int32Array(0);
    this.poolTickets = new Float64Array(0);
    this.ensureScheduled();
  }

  /** The servers know the stock is gone from `atUs` on (µs, not in the past): the whole line is let through then. */
  soldOutKnownAt(atUs: number): void {
    this.scheduleFlush(atUs);
  }

  private scheduleFlush(at: number): void {
    if (at <= this.flushAt || at >= this.closesAt) return;
    this.flushAt = at;
    this.sim.scheduleAt(at, this.flushKind);
  }

  /**
   * A flush planned for when the servers would know the stock is gone. A
   * unit that came back since (a cancelled unpaid order or a compensation,
   * with orderServers.reopenOnReturn) cleared their flag: the stock is on
   * sale again, so the room goes on letting people through at its rate
   * instead of sending the whole line at once to the servers.
   */
  private plannedFlush(): void {
    if (this.sim.now >= this.flushAt) this.flushAt = -Infinity;
    if (this.listener.soldOut()) this.flush();
    else this.ensureScheduled();
  }

  /** Lets the whole line through (the servers know the stock is gone). */
  private flush(): void {
    while (this.line.size > 0) this.listener.onLetThrough(this.leave());
  }

  private letThrough(): void {
    this.scheduled = false;
    if (this.listener.soldOut()) {
      this.flush();
      return;
    }
    if (this.line.size === 0) return;
    this.nextAt = Math.max(this.nextAt, this.sim.now) + this.spacingUs;
    this.listener.onLetThrough(this.leave());
    this.ensureScheduled();
  }

  private ensureScheduled(): void {
    if (this.scheduled || this.line.size === 0) return;
    const at = Math.max(this.sim.now, Math.round(this.nextAt));
    // Closed by then (the run's close comes first at the same time): the line stays.
    if (at >= this.closesAt) return;
    this.scheduled = true;
    this.sim.scheduleAt(at, this.letThroughKind);
  }

  /** The user at the head of the line leaves it: their request, and their place is free again. */
  private leave(): number {
    const user = this.line.shift();
    const request = this.placeOf[user];
    this.placeOf[user] = -1;
    return request;
  }
}
