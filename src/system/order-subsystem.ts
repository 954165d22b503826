import type { OrdersConfig } from '../scenario/schema.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RandomSequence } from '../kernel/random.js';
import { samplerOf } from '../kernel/distributions.js';
import { MultiServerQueue } from '../kernel/multi-server-queue.js';

/** Receives created orders. */
export interface OrderSubsystemListener {
  /** The order of `request` has been created now. */
  onOrderCreated(request: number): void;
}

/**
 * The order subsystem behind the order servers. `sync`: the order server
 * waits while one of `consumers` writers creates the order. `async`: the
 * order goes onto a message queue of at most `queue` entries and the buyer
 * is answered at once; `consumers` create orders from it. A full queue
 * refuses the order (the caller gives the stock back).
 */
export class OrderSubsystem {
  /** The `consumers` writers and, in async mode, the message queue in front of them. */
  readonly pool: MultiServerQueue;
  private lastRefused = false;

  /** @param draws draws for order-creation times (µs, from `config.service`). */
  constructor(
    sim: Simulation,
    readonly config: OrdersConfig,
    draws: RandomSequence,
    listener: OrderSubsystemListener,
  ) {
    const service = samplerOf(config.service);
    this.pool = new MultiServerQueue(
      sim,
      {
        name: 'orders',
        servers: config.consumers,
        capacity: config.mode === 'async' ? config.queue : Infinity,
        serviceTime: () => service(draws.next()),
      },
      {
        onDone: (request) => listener.onOrderCreated(request),
        onBlocked: () => {
          this.lastRefused = true;
        },
      },
    );
  }

  /** Whether buyers wait for the order to exist before being answered. */
  get synchronous(): boolean {
    return this.config.mode === 'sync';
  }

  /**
   * Submits the order of `request`.
   * @returns false if the queue was full and the order was refused.
   */
  submit(request: number): boolean {
    this.lastRefused = false;
    this.pool.arrive(request, 0);
    return !this.lastRefused;
  }

  /** Whether an order submitted now would be accepted (a consumer is free or the queue has room). */
  get hasRoom(): boolean {
    return this.pool.accepting;
  }

  /** Orders accepted but not yet created. */
  get backlog(): number {
    return this.pool.inSystem;
  }
}
