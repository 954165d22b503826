/**
 * The order ledger: append-only, the source of truth for the audit. One
 * record per order the order subsystem created.
 */
export interface LedgerRecord {
  orderId: number;
  user: number;
  /** When the order was created, µs. */
  timeUs: number;
  /** When the order server accepted the attempt (token checked, before the stock step), µs. */
  acceptedUs: number;
  token: string;
  /** Order server that handled the attempt. */
  server: number;
  strategy: string;
}

export class Ledger {
  private readonly records: LedgerRecord[] = [];

  constructor(private readonly strategy: string) {}

  /** Appends an order; returns its id (0, 1, 2, ... in creation order). */
  append(user: number, timeUs: number, acceptedUs: number, token: string, server: number): number {
    const orderId = this.records.length;
    this.records.push({ orderId, user, timeUs, acceptedUs, token, server, strategy: this.strategy });
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
