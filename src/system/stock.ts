import { FifoRing } from '../kernel/fifo-ring.js';
import type { StockConfig } from '../scenario/schema.js';

/**
 * The stock counter and its four primitives (docs/domain.md, "How real
 * systems keep stock correct").
 *
 * A take is two-phase so that every primitive fits one shape:
 * `begin(now)` decides (or, for the racy primitive, reads) and says when the
 * operation finishes; `complete(read)` is called at that time and performs
 * the racy primitive's write. The outcome of the take is `lastSuccess`.
 *
 * - atomic: decrement-if-positive in one step (Redis DECR guarded, CAS);
 *   operations run in parallel, each taking `service`.
 * - single-thread-server: Redis-Lua style. One operation at a time, each
 *   taking `service`: ops queue FIFO. Serial execution means the decision
 *   can be taken at arrival, in arrival order, with the same outcome.
 * - row-lock: a database hot row. Transactions serialize on the row lock and
 *   hold it for `service`; throughput is at most 1/service. The same
 *   queueing as single-thread-server, with a lock hold time (typically
 *   0.5–2 ms, docs/domain.md) instead of an op time.
 * - check-then-decrement: read, then `service` later write read − 1 if the
 *   read was positive. Concurrent takes read the same value and each
 *   "succeeds": lost updates, the classic oversell. The negative control.
 *
 * An operation that takes nothing costs `soldOutService` (default
 * `service`); at a serial store each also costs `perWaiter` per operation
 * queued ahead of it on arrival (default 0): the store times
 * `sim calibrate stock` fits.
 */
export class Stock {
  #level: number;
  #minLevel: number;
  #sold = 0;
  #returned = 0;
  #operations = 0;
  #lastTaken = 0;
  #lastRead = 0;
  /**
   * Whether operations run one at a time (single-thread-server, row-lock):
   * then the store has a ceiling of 1/service operations per second, and
   * {@link busyUntil} says how close to it it ran.
   */
  readonly serial: boolean;
  private readonly racy: boolean;
  private readonly serviceUs: number;
  /** Service time of an operation that takes nothing (system.stock.soldOutService; `service` when absent). */
  private readonly soldOutServiceUs: number;
  /** Serial primitives: extra service per operation queued ahead, not yet begun, at arrival (system.stock.perWaiter; 0 when absent). */
  private readonly perWaiterUs: number;
  /** With perWaiter: when each queued operation begins service, µs, in arrival order (a serial store is FIFO). */
  private readonly startsAt = new FifoRing(new Float64Array(64));
  private freeAt = 0;
  /**
   * Units taken by operations begun but not finished: a correct primitive
   * decides (and lowers `level`) when the operation reaches the store, in
   * arrival order, but the store shows the change only when the operation
   * ends, which for a serial store can be a long backlog later.
   */
  private takenInFlight = 0;
  /** Service time of every serial operation begun so far, µs. */
  private busyUs = 0;

  /** @param initial units for sale. */
  constructor(
    readonly initial: number,
    config: StockConfig,
  ) {
    this.#level = initial;
    this.#minLevel = initial;
    this.racy = config.primitive === 'check-then-decrement';
    this.serial = config.primitive === 'single-thread-server' || config.primitive === 'row-lock';
    this.serviceUs = config.service;
    this.soldOutServiceUs = config.soldOutService ?? config.service;
    this.perWaiterUs = this.serial ? (config.perWaiter ?? 0) : 0;
  }

  /** Current counter value. */
  get level(): number {
    return this.#level;
  }

  /** Lowest value the counter ever held. */
  get minLevel(): number {
    return this.#minLevel;
  }

  /**
   * Units taken out of the store, gross: returns are counted in `returned`,
   * so initial − sold + returned = level for a correct primitive. With
   * buffers (stock.buffer) they went to order servers' buffers, not all to
   * buyers yet.
   */
  get sold(): number {
    return this.#sold;
  }

  /** Units given back: by failed order steps (compensation) and by orders cancelled unpaid. */
  get returned(): number {
    return this.#returned;
  }

  /** Stock operations asked for (counted when they reach the store; a serial store may still queue them). */
  get operations(): number {
    return this.#operations;
  }

  /** Units the last `begin` took (or, for the racy primitive, will write as taken): min(want, level read), 0 when the read saw none. */
  get lastTaken(): number {
    return this.#lastTaken;
  }

  /** Value read by the last `begin` (what the racy primitive will write from). */
  get lastRead(): number {
    return this.#lastRead;
  }

  /**
   * Starts a take of up to `want` units (default 1) at `nowUs`: one
   * operation, whatever `want` (a batch for an order server's buffer is one
   * `DECRBY` or one `UPDATE … SET n = n - k`). It takes min(want, level).
   * Sets `lastSuccess` (for the racy primitive: whether the read saw
   * stock), `lastTaken` and `lastRead`.
   * @returns when the operation finishes (µs); call {@link complete} then.
   */
  begin(nowUs: number, want = 1): number {
    this.#operations++;
    const read = this.#level;
    const taken = read <= 0 ? 0 : read < want ? read : want;
    // The outcome is known on arrival (a serial store decides in arrival order, the order it serves in), and with it the time.
    const serviceUs = taken > 0 ? this.serviceUs : this.soldOutServiceUs;
    let done: number;
    if (this.serial) {
      const start = this.freeAt > nowUs ? this.freeAt : nowUs;
      const cost = this.perWaiterUs > 0 ? serviceUs + this.perWaiterUs * this.queuedAhead(nowUs, start) : serviceUs;
      done = this.freeAt = start + cost;
      this.busyUs += cost;
    } else {
      done = nowUs + serviceUs;
    }
    this.#lastRead = read;
    this.#lastTaken = taken;
    if (!this.racy && taken > 0) {
      this.decrementTo(read - taken, taken);
      this.takenInFlight += taken;
    }
    return done;
  }

  /**
   * Finishes a take begun with read value `read` that took `taken` units
   * (`lastTaken` at its begin). The racy primitive writes read − taken now,
   * from its stale read: concurrent batches lose whole batches of updates.
   */
  complete(read: number, taken: number): void {
    if (this.racy) {
      if (taken > 0) this.decrementTo(read - taken, taken);
    } else {
      this.takenInFlight -= taken;
    }
  }

  /**
   * The level a reader of the store sees at this moment: that of the
   * operations finished so far (`level` counts those still under way too).
   * The same as `level` once nothing is in flight; for the racy primitive,
   * whose writes land when its operations end, always the same.
   */
  get committedLevel(): number {
    return this.#level + this.takenInFlight;
  }

  /**
   * Units out of the stock now: successful takes minus units given back.
   * Equals initial − level for a correct primitive; exceeds `initial` when
   * the racy one oversells, while its counter still shows stock.
   */
  get handedOut(): number {
    return this.#sold - this.#returned;
  }

  /** Outcome of the last `begin`: whether it took (or, racy, will write as taken) any unit. */
  get lastSuccess(): boolean {
    return this.#lastTaken > 0;
  }

  /**
   * Serial primitives: the store's busy time up to `nowUs` (µs), all
   * operations begun minus the part of the backlog still ahead; differences
   * over an interval give its utilisation there. 0 for parallel primitives,
   * which have no modelled ceiling.
   */
  busyUntil(nowUs: number): number {
    return this.busyUs - (this.freeAt > nowUs ? this.freeAt - nowUs : 0);
  }

  /**
   * Operations queued ahead of one arriving at `nowUs` that have not begun
   * (their start is later than now), then records the arriving one's
   * `startUs`. Charging each operation for those ahead of it at arrival
   * counts the same (earlier, later) pairs as charging it for those
   * waiting behind it when it begins, the hand-over cost calibrate's
   * replay charges (predict.ts), but is known on arrival, when a serial
   * take's finishing time must be.
   */
  private queuedAhead(nowUs: number, startUs: number): number {
    const starts = this.startsAt;
    while (starts.size > 0 && starts.at(0) <= nowUs) starts.shift();
    const ahead = starts.size;
    if (startUs > nowUs) starts.push(startUs);
    return ahead;
  }

  /** Gives a unit back (compensation after a failed order step, or an unpaid order cancelled). */
  giveBack(): void {
    this.#level++;
    this.#returned++;
  }

  private decrementTo(value: number, taken: number): void {
    this.#level = value;
    this.#sold += taken;
    if (value < this.#minLevel) this.#minLevel = value;
  }
}
