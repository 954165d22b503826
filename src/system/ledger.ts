/**
 * The order ledger: append-only, the source of truth for the audit. One
 * record per order the order subsystem created.
 */
export interface LedgerRecord {
  /** 0, 1, 2, ... in creation order within one strategy's run. */
  orderId: number;
  /** The buyer's user id. */
  user: number;
  /** When the order was created, µs. */
  timeUs: number;
  /** When the order server accepted the attempt (token checked, before the stock step), µs. */
  acceptedUs: number;
  /** The token the attempt presented, kept so that the audit can re-verify it. */
  token: string;
  /**
   * When the attempt presented its token where it is judged, µs: at the
   * waiting room's door behind a room, else on arrival at its order server
   * (tokenGate.checkAt: admission, the default). Absent when the token is
   * checked after the service without a room: it is judged at `acceptedUs`.
   */
  presentedUs?: number;
  /** Order server that handled the attempt. */
  server: number;
  /**
   * When the order was cancelled for non-payment (orders.unpaid), µs: from
   * then on it holds no unit and does not count against its user's limit.
   * Absent for an order that stands (paid, or still awaiting payment at the end).
   */
  cancelledUs?: number;
  /** Name of the strategy whose run created the order. */
  strategy: string;
}

/** One run's ledger of {@link LedgerRecord}s. */
export class Ledger {
  private readonly records: LedgerRecord[] = [];

  /** @param strategy written into every record. */
  constructor(private readonly strategy: string) {}

  /** Appends an order; returns its id (0, 1, 2, ... in creation order). `presentedUs`: see {@link LedgerRecord.presentedUs}. */
  append(user: number, timeUs: number, acceptedUs: number, token: string, server: number, presentedUs?: number): number {
    const orderId = this.records.length;
    const record: LedgerRecord = { orderId, user, timeUs, acceptedUs, token, server, strategy: this.strategy };
    if (presentedUs !== undefined) record.presentedUs = presentedUs;
    this.records.push(record);
    return orderId;
  }

  /**
   * Records that order `orderId` was cancelled at `timeUs` (an unpaid order
   * past its payment deadline). Appended to a list of its own: the order's
   * record is never rewritten, and {@link toArray} shows the cancellation
   * as its `cancelledUs`.
   */
  cancel(orderId: number, timeUs: number): void {
    if (!(orderId >= 0 && orderId < this.records.length)) throw new RangeError(`no order ${orderId} to cancel`);
    this.cancellations.push({ orderId, timeUs });
  }

  /** Number of orders, cancelled ones included. */
  get size(): number {
    return this.records.length;
  }

  /** Orders cancelled so far. */
  get cancelled(): number {
    return this.cancellations.length;
  }

  /** The records, oldest first, each cancelled one with its `cancelledUs` (copies: the ledger stays append-only). */
  toArray(): LedgerRecord[] {
    if (this.cancellations.length === 0) return this.records.slice();
    const out = this.records.map((record) => ({ ...record }));
    for (const { orderId, timeUs } of this.cancellations) out[orderId].cancelledUs = timeUs;
    return out;
  }

  private readonly cancellations: Array<{ orderId: number; timeUs: number }> = [];
}

/**
 * Ledger records in acceptance order (ties: creation time, then order id):
 * the order in which the order servers took their decisions, which the
 * audit blames orders in and the live-order counts below expect.
 */
export function inAcceptanceOrder(orders: readonly LedgerRecord[]): LedgerRecord[] {
  return [...orders].sort((a, b) => a.acceptedUs - b.acceptedUs || a.timeUs - b.timeUs || a.orderId - b.orderId);
}

/**
 * Cancellation times of earlier orders, sorted, to count how many of them
 * had been cancelled by a given time (cancelled orders hold nothing).
 */
class Cancellations {
  private readonly times: number[] = [];

  add(order: LedgerRecord): void {
    if (order.cancelledUs === undefined) return;
    this.times.splice(this.countBy(order.cancelledUs), 0, order.cancelledUs);
  }

  /** How many were cancelled at or before `timeUs`. */
  countBy(timeUs: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] <= timeUs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** An order that found the stock fully held when it was created. */
export interface OrderBeyondStock {
  /** The order. */
  order: LedgerRecord;
  /** Orders holding a unit at its creation, itself included (> the stock). */
  live: number;
}

/**
 * The orders beyond the stock, in the order given (acceptance order, see
 * {@link inAcceptanceOrder}): an order is beyond when, at its creation
 * (`timeUs`), `stock` orders accepted before it still held their units.
 * An order cancelled at or before that moment holds none (its unit went
 * back to the stock before this order's take, which precedes its creation),
 * so a unit sold, cancelled and sold again is two orders over time, not an
 * oversell. Without cancellations these are the orders after the first
 * `stock` ones. `peak` is the most orders counted as holding units at once.
 */
export function ordersBeyondStock(orders: readonly LedgerRecord[], stock: number): { beyond: OrderBeyondStock[]; peak: number } {
  const cancellations = new Cancellations();
  const beyond: OrderBeyondStock[] = [];
  let peak = 0;
  orders.forEach((order, earlier) => {
    const live = earlier - cancellations.countBy(order.timeUs) + 1;
    if (live > peak) peak = live;
    if (live > stock) beyond.push({ order, live });
    cancellations.add(order);
  });
  return { beyond, peak };
}

/** Orders that stand at the end: not cancelled for non-payment (paid, or still awaiting payment). */
export function liveOrders(orders: readonly LedgerRecord[]): number {
  let live = 0;
  for (const order of orders) if (order.cancelledUs === undefined) live++;
  return live;
}

// Facts about a ledger that both the run's metrics and the audit report:
// one definition each, so a metric and its invariant cannot disagree.

/**
 * Whether an order was accepted or created before T0 (`startUs`), or, behind
 * a waiting room, presented at its door before T0: the room holds such a
 * shot until T0, but the token gate judges it as of the door, so it is as
 * early as an order accepted before T0 without a room.
 */
export function isEarlyOrder(order: LedgerRecord, startUs: number): boolean {
  return order.acceptedUs < startUs || order.timeUs < startUs || (order.presentedUs !== undefined && order.presentedUs < startUs);
}

/** An order beyond its user's limit: the user's `n`-th order (n > limit). */
export interface ExtraOrder {
  /** The order beyond the limit. */
  order: LedgerRecord;
  /** The user's orders standing at its acceptance, itself included (its rank among the user's orders without cancellations). */
  n: number;
}

/**
 * The orders beyond each user's `limit`, counting in the order given
 * (acceptance order, see {@link inAcceptanceOrder}; the first `limit`
 * orders of a user are within it), and how many users bought. An order of
 * the user cancelled at or before another's acceptance (`acceptedUs`, when
 * the order server checks the limit) no longer counts against it: a user
 * whose unpaid order was cancelled may buy again.
 */
export function ordersBeyondLimit(orders: readonly LedgerRecord[], limit: number): { extra: ExtraOrder[]; buyers: number } {
  const seen = new Map<number, { orders: number; cancellations: Cancellations }>();
  const extra: ExtraOrder[] = [];
  for (const order of orders) {
    let user = seen.get(order.user);
    if (user === undefined) seen.set(order.user, (user = { orders: 0, cancellations: new Cancellations() }));
    const n = user.orders - user.cancellations.countBy(order.acceptedUs) + 1;
    user.orders++;
    user.cancellations.add(order);
    if (n > limit) extra.push({ order, n });
  }
  return { extra, buyers: seen.size };
}

/** A user whose ledger orders and "won" answers differ in number. */
export interface LedgerMismatch {
  /** The user id. */
  user: number;
  /** The user's records in the ledger. */
  orders: number;
  /** "Won" answers the user got. */
  won: number;
}

/** Every user whose number of ledger orders differs from the number of "won" answers they got, by user id. */
export function ledgerWonMismatches(orders: readonly LedgerRecord[], wonResponses: readonly number[]): LedgerMismatch[] {
  const ledger = new Map<number, number>();
  for (const order of orders) ledger.set(order.user, (ledger.get(order.user) ?? 0) + 1);
  const won = new Map<number, number>();
  for (const user of wonResponses) won.set(user, (won.get(user) ?? 0) + 1);
  const users = [...new Set([...ledger.keys(), ...won.keys()])].sort((a, b) => a - b);
  const mismatches: LedgerMismatch[] = [];
  for (const user of users) {
    const l = ledger.get(user) ?? 0;
    const w = won.get(user) ?? 0;
    if (l !== w) mismatches.push({ user, orders: l, won: w });
  }
  return mismatches;
}
