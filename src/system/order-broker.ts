import type { OrdersConfig } from '../scenario/schema.js';
import type { RandomSequence, RandomStream } from '../kernel/random.js';
import type { OrderSubsystem } from './order-subsystem.js';
import { Delivery } from './order-requests.js';

/**
 * The delivery semantics of the async order queue's broker, between the
 * order servers and the consumers: messages lost after they were accepted
 * (orders.lossRate), delivered twice (orders.duplicateRate, at-least-once
 * delivery), and whether a consumer recognises a second delivery
 * (orders.idempotent). With every rate at 0% it draws nothing and changes
 * nothing. Synchronous orders never go through it.
 */
export class OrderBroker {
  #lostMessages = 0;
  #duplicatedMessages = 0;
  #droppedDuplicates = 0;
  private readonly lossRate: number;
  private readonly duplicateRate: number;
  private readonly idempotent: boolean;
  /** Per user, async order messages accepted so far: keys the duplicate draw (empty without orders.duplicateRate). */
  private readonly messagesOf: Int32Array;

  /**
   * @param users population size (per-user message counts).
   * @param orders the subsystem whose queue the messages go through.
   * @param lossDraws which accepted messages are lost, in acceptance order.
   * @param duplicateDraws which messages are delivered twice, keyed by (user, the user's accepted message number).
   */
  constructor(
    config: Pick<OrdersConfig, 'lossRate' | 'duplicateRate' | 'idempotent'>,
    users: number,
    private readonly orders: OrderSubsystem,
    private readonly lossDraws: RandomSequence,
    private readonly duplicateDraws: RandomStream,
  ) {
    this.lossRate = config.lossRate;
    this.duplicateRate = config.duplicateRate;
    this.idempotent = config.idempotent;
    this.messagesOf = new Int32Array(config.duplicateRate > 0 ? users : 0);
  }

  /** Async order messages lost after "won": no order, and the unit is never given back. */
  get lostMessages(): number {
    return this.#lostMessages;
  }

  /** Async order messages the broker delivered a second time. */
  get duplicatedMessages(): number {
    return this.#duplicatedMessages;
  }

  /** Second deliveries an idempotent consumer recognised and dropped; the others created a second order. */
  get droppedDuplicates(): number {
    return this.#droppedDuplicates;
  }

  /**
   * Whether the message about to be offered is accepted and then lost. A
   * message the full queue refuses is never acknowledged, so never lost:
   * the draw is taken only when the queue has room.
   */
  loses(): boolean {
    if (this.lossRate > 0 && this.orders.hasRoom && this.lossDraws.next() < this.lossRate) {
      this.#lostMessages++;
      return true;
    }
    return false;
  }

  /**
   * The {@link Delivery} of `user`'s message just accepted: a draw keyed by
   * (user, the user's accepted message number), so every strategy
   * duplicates the same buyers' messages (common random numbers), whatever
   * order they reach the queue in.
   */
  deliveryOf(user: number): Delivery {
    if (this.duplicateRate > 0 && this.duplicateDraws.uniform(user, ++this.messagesOf[user]) < this.duplicateRate)
      return Delivery.FirstOfTwo;
    return Delivery.Once;
  }

  /**
   * A consumer took a delivery of kind `delivery`: whether it creates an
   * order. An idempotent consumer's insert of a second delivery hits the
   * order's unique key (its request and token) and the message is
   * acknowledged and dropped.
   */
  creates(delivery: Delivery): boolean {
    if (delivery === Delivery.Redelivery && this.idempotent) {
      this.#droppedDuplicates++;
      return false;
    }
    return true;
  }

  /**
   * The first delivery of `request`'s message was consumed, but its
   * acknowledgement never reached the broker: the message goes back to the
   * tail of the queue now (a real broker waits for an ack timeout first;
   * that would only delay the duplicate). It always finds room: the
   * consumer that just finished freed a consumer or, by taking the next
   * message, a place in the queue — a place a new order may then miss.
   */
  redeliver(request: number): void {
    this.#duplicatedMessages++;
    if (!this.orders.submit(request)) throw new Error('internal: a redelivered order message found the order queue full');
  }
}
