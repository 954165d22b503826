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
   * Behind a waiting room only: when the attempt presented its token at the
   * room's door, µs, the time its token is judged at (see OrderFlow). Absent
   * without a room: the token is judged at `acceptedUs`.
   */
  presentedUs?: number;
  /** Order server that handled the attempt. */
  server: number;
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

  /** Number of orders. */
  get size(): number {
    return this.records.length;
  }

  /** The records, oldest first (a copy: the ledger stays append-only). */
  toArray(): LedgerRecord[] {
    return this.records.slice();
  }
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
  /** Its rank among the user's orders, from 1. */
  n: number;
}

/**
 * The orders beyond each user's `limit`, counting in the order given (the
 * first `limit` orders of a user are within it), and how many users bought.
 */
export function ordersBeyondLimit(orders: readonly LedgerRecord[], limit: number): { extra: ExtraOrder[]; buyers: number } {
  const seen = new Map<number, number>();
  const extra: ExtraOrder[] = [];
  for (const order of orders) {
    const n = (seen.get(order.user) ?? 0) + 1;
    seen.set(order.user, n);
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
