import type { Simulation } from '../kernel/simulation.js';
import type { Stock } from './stock.js';
import type { OrderRequests } from './order-requests.js';

/** What a stock step tells the order flow. */
export interface StockStepListener {
  /** Request `request` got its unit, now. */
  onUnit(request: number): void;
  /** Request `request` found no unit, now: sold out as far as its server knows. */
  onNone(request: number): void;
  /** A take that finished at `nowUs` found the store empty or left it so (called before that take's onUnit or onNone). */
  onRanOut(nowUs: number): void;
}

/**
 * How an order request that passed its checks gets its unit: straight from
 * the store ({@link StoreStep}), or from its server's buffer
 * (stock-buffers.ts, with system.stock.buffer). The order flow holds one of
 * the two for the whole run.
 */
export interface StockStep {
  /** Request `request` on `server` takes one unit: the listener hears onUnit or onNone, now or when the store answers. */
  take(server: number, request: number): void;
  /** Units `server` can still sell without the store: its buffer's (0 without buffers). */
  unitsAt(server: number): number;
  /** Units sitting in buffers now (0 without buffers). */
  readonly held: number;
  /** Units handed to requests so far, gross of units given back. */
  readonly sold: number;
}

/**
 * Every sale is one store operation: a take begins when the request
 * reaches the stock step and finishes after the primitive's service time
 * (and, for a serial store, its queue), when the outcome is known.
 */
export class StoreStep implements StockStep {
  private readonly doneKind: number;

  constructor(
    private readonly sim: Simulation,
    private readonly stock: Stock,
    private readonly requests: OrderRequests,
    private readonly listener: StockStepListener,
  ) {
    this.doneKind = sim.register('order.stock-done', (r) => this.done(r));
  }

  get held(): number {
    return 0;
  }

  get sold(): number {
    return this.stock.sold;
  }

  unitsAt(): number {
    return 0;
  }

  take(_server: number, r: number): void {
    const doneAt = this.stock.begin(this.sim.now);
    this.requests.stockRead[r] = this.stock.lastRead;
    this.requests.stockOk[r] = this.stock.lastSuccess ? 1 : 0;
    this.sim.scheduleAt(doneAt, this.doneKind, r);
  }

  private done(r: number): void {
    const ok = this.requests.stockOk[r];
    this.stock.complete(this.requests.stockRead[r], ok);
    if (ok === 0) {
      this.listener.onRanOut(this.sim.now);
      this.listener.onNone(r);
      return;
    }
    if (this.stock.level <= 0) this.listener.onRanOut(this.sim.now);
    this.listener.onUnit(r);
  }
}
