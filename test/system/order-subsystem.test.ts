import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/simulation.js';
import { RandomSource } from '../../src/kernel/random.js';
import { OrderSubsystem } from '../../src/system/order-subsystem.js';
import { configOf } from '../helpers/flash-config.js';

function setup(orders: Record<string, unknown>) {
  const sim = new Simulation();
  const config = configOf({ system: { orders } }).system.orders;
  const created: Array<[request: number, at: number]> = [];
  const subsystem = new OrderSubsystem(sim, config, new RandomSource(1, 0).stream('orders').sequence(), {
    onOrderCreated: (r) => created.push([r, sim.now]),
  });
  return { sim, subsystem, created };
}

describe('order subsystem', () => {
  it('async: accepts consumers + queue orders, refuses the next, and creates the accepted ones FIFO', () => {
    const { sim, subsystem, created } = setup({ mode: 'async', consumers: 2, queue: 3, service: '5ms' });
    expect(subsystem.synchronous).toBe(false);
    const accepted = Array.from({ length: 7 }, (_, r) => subsystem.submit(r));
    expect(accepted).toEqual([true, true, true, true, true, false, false]);
    expect(subsystem.backlog).toBe(5);
    sim.run();
    expect(created).toEqual([
      [0, 5000],
      [1, 5000],
      [2, 10_000],
      [3, 10_000],
      [4, 15_000],
    ]);
    expect(subsystem.backlog).toBe(0);
    // Room again once the queue drained.
    expect(subsystem.submit(9)).toBe(true);
  });

  it('async with queue 0: only as many orders as consumers are in flight', () => {
    const { subsystem } = setup({ mode: 'async', consumers: 1, queue: 0 });
    expect([subsystem.submit(0), subsystem.submit(1)]).toEqual([true, false]);
  });

  it('sync: never refuses; orders wait for one of the writers', () => {
    const { sim, subsystem, created } = setup({ mode: 'sync', consumers: 1, queue: 0, service: '2ms' });
    expect(subsystem.synchronous).toBe(true);
    for (let r = 0; r < 50; r++) expect(subsystem.submit(r)).toBe(true);
    sim.run();
    expect(created.map(([r]) => r)).toEqual(Array.from({ length: 50 }, (_, r) => r));
    expect(created.map(([, t]) => t)).toEqual(Array.from({ length: 50 }, (_, r) => 2000 * (r + 1)));
  });
});
