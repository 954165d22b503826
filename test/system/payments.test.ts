import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/simulation.js';
import { RandomStream } from '../../src/kernel/random.js';
import { PaymentDeadlines } from '../../src/system/payments.js';

const MIN = 60_000_000;

/** Payment draws given per (user, n); 0.99 (paid at any share below 99%) for the rest. */
class KeyedDraws extends RandomStream {
  readonly asked: Array<[number, number]> = [];
  constructor(private readonly draws: Record<string, number>) {
    super(0, 0);
  }
  override uniform(entity: number, index: number): number {
    this.asked.push([entity, index]);
    return this.draws[`${entity}/${index}`] ?? 0.99;
  }
}

function setup(draws: Record<string, number>, unpaid = 0.5, timeoutUs = 2 * MIN, endUs = 15 * MIN) {
  const sim = new Simulation();
  const cancelled: Array<{ orderId: number; user: number; at: number }> = [];
  const stream = new KeyedDraws(draws);
  const payments = new PaymentDeadlines(sim, { unpaid, paymentTimeout: timeoutUs }, endUs, stream, {
    onCancelled: (orderId, user) => cancelled.push({ orderId, user, at: sim.now }),
  });
  const create = sim.register('test.create', (orderId, user) => payments.created(orderId, user));
  /** Order `orderId` of `user` is created at `at`. */
  const created = (at: number, orderId: number, user: number) => sim.scheduleAt(at, create, orderId, user);
  return { sim, payments, cancelled, created, stream };
}

describe('payment deadlines (orders.unpaid, orders.paymentTimeout)', () => {
  it('an unpaid order is cancelled at exactly created + paymentTimeout; a paid one never', () => {
    const { sim, payments, cancelled, created } = setup({ '7/0': 0.3, '8/0': 0.7 });
    created(10 * MIN + 123, 0, 7);
    created(10 * MIN + 456, 1, 8);
    sim.run();
    expect(cancelled).toEqual([{ orderId: 0, user: 7, at: 12 * MIN + 123 }]);
    expect(payments.unpaid).toBe(1);
    expect(payments.cancelled).toBe(1);
    expect(payments.awaitingAtEnd).toBe(0);
  });

  it("a deadline at or after the run's end is not reached: the order ends awaiting payment, and the run is not stretched", () => {
    const { sim, payments, cancelled, created } = setup({ '1/0': 0.1, '2/0': 0.1, '3/0': 0.1 });
    created(12 * MIN, 0, 1); // due 14m: cancelled
    created(13 * MIN, 1, 2); // due 15m = the end: awaiting
    created(14 * MIN, 2, 3); // due 16m: awaiting
    sim.run();
    expect(cancelled.map((c) => c.orderId)).toEqual([0]);
    expect(payments.awaitingAtEnd).toBe(2);
    expect(payments.unpaid).toBe(3);
    expect(sim.now).toBe(14 * MIN);
  });

  it("the draw is keyed by (user, the user's n-th order), not by creation order", () => {
    const { sim, cancelled, created, stream } = setup({ '5/1': 0.2 });
    created(10 * MIN, 0, 9);
    created(10 * MIN + 1, 1, 5); // user 5's first order: draw (5, 0), paid
    created(11 * MIN, 2, 5); // user 5's second order: draw (5, 1), unpaid
    sim.run();
    expect(stream.asked).toEqual([
      [9, 0],
      [5, 0],
      [5, 1],
    ]);
    expect(cancelled).toEqual([{ orderId: 2, user: 5, at: 13 * MIN }]);
  });
});
