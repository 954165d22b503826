import type { Simulation } from '../kernel/simulation.js';
import type { RandomStream } from '../kernel/random.js';
import type { OrdersConfig } from '../scenario/schema.js';

/** What the payment deadlines do to the rest of the system. */
export interface PaymentListener {
  /**
   * Order `orderId` of `user` went unpaid past its deadline and is
   * cancelled now: record it, return its unit to the stock, release the
   * user's per-user count.
   */
  onCancelled(orderId: number, user: number): void;
}

/**
 * Payment of created orders (orders.unpaid, orders.paymentTimeout): the
 * share `unpaid` of the orders is never paid, and each of those is
 * cancelled `paymentTimeout` after its creation. Paid orders are final.
 *
 * Which orders go unpaid is a keyed draw on (user, the user's n-th order
 * from 0), not a draw in creation order: every strategy sees the same buyers
 * paying or not (common random numbers), whenever and in whatever order
 * their orders are created.
 *
 * A deadline at or after `duration` is not reached in the run: the run
 * drains what is in flight after `duration`, and a wait for payment is no
 * such work (a 15-minute deadline would stretch the run by 15 minutes of
 * nothing). Such an order ends awaiting payment, holding its unit
 * ({@link awaitingAtEnd}).
 */
export class PaymentDeadlines {
  #unpaid = 0;
  #cancelled = 0;
  #awaitingAtEnd = 0;

  private readonly share: number;
  private readonly timeoutUs: number;
  private readonly deadlineKind: number;
  /** Orders created per buyer so far: the index of a user's next draw. */
  private readonly ordersOf = new Map<number, number>();

  /**
   * @param endUs the run's `duration`, µs: deadlines from then on are not reached.
   * @param draws the stream of payment draws, keyed by (user, n-th order).
   */
  constructor(
    private readonly sim: Simulation,
    config: Pick<OrdersConfig, 'unpaid' | 'paymentTimeout'>,
    private readonly endUs: number,
    private readonly draws: RandomStream,
    private readonly listener: PaymentListener,
  ) {
    this.share = config.unpaid;
    this.timeoutUs = config.paymentTimeout;
    this.deadlineKind = sim.register('order.payment-deadline', (orderId, user) => this.deadline(orderId, user));
  }

  /** Orders drawn unpaid (cancelled, or awaiting payment at the end). */
  get unpaid(): number {
    return this.#unpaid;
  }

  /** Unpaid orders cancelled at their deadline (each returned one unit). */
  get cancelled(): number {
    return this.#cancelled;
  }

  /** Unpaid orders whose deadline falls at or after `duration`: still awaiting payment at the end, holding their units. */
  get awaitingAtEnd(): number {
    return this.#awaitingAtEnd;
  }

  /** Order `orderId` of `user` was created now: decides whether it will be paid, and arms its deadline if not. */
  created(orderId: number, user: number): void {
    const n = this.ordersOf.get(user) ?? 0;
    this.ordersOf.set(user, n + 1);
    if (this.draws.uniform(user, n) >= this.share) return;
    this.#unpaid++;
    const dueUs = this.sim.now + this.timeoutUs;
    if (dueUs >= this.endUs) {
      this.#awaitingAtEnd++;
      return;
    }
    this.sim.scheduleAt(dueUs, this.deadlineKind, orderId, user);
  }

  private deadline(orderId: number, user: number): void {
    this.#cancelled++;
    this.listener.onCancelled(orderId, user);
  }
}
