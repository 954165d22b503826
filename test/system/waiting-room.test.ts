import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/simulation.js';
import { RandomSource } from '../../src/kernel/random.js';
import { WaitingRoom } from '../../src/system/waiting-room.js';
import type { WaitingRoomConfig } from '../../src/scenario/schema.js';

const T0 = 10_000_000;

/** A room on its own simulation; `arrivals` are (time µs, user) pairs, the request index being the pair's index. */
function run(config: Partial<WaitingRoomConfig>, arrivals: Array<[number, number]>, soldOutAt = Infinity, seed = 7, closesAt = Infinity) {
  const sim = new Simulation();
  const out: Array<{ request: number; at: number }> = [];
  const replaced: number[] = [];
  const users = Math.max(0, ...arrivals.map(([, user]) => user)) + 1;
  const room = new WaitingRoom(
    sim,
    { mode: 'fifo', window: 3_000_000, rate: 1000, ...config },
    T0,
    closesAt,
    users,
    new RandomSource(seed, 0).stream('room-ticket'),
    {
      onLetThrough: (request) => out.push({ request, at: sim.now }),
      soldOut: () => sim.now >= soldOutAt,
      onReplaced: (request) => replaced.push(request),
    },
  );
  const enter = sim.register('enter', (request, user) => room.enter(request, user));
  // The order flow tells the room when the servers will know, as soon as the stock runs out.
  if (soldOutAt !== Infinity) room.soldOutKnownAt(soldOutAt);
  arrivals.forEach(([at, user], request) => sim.scheduleAt(at, enter, request, user));
  sim.run();
  return { out, room, replaced };
}

describe('waiting room', () => {
  it("a place is the user's: a later request takes it over, the earlier one is dropped", () => {
    // User 5 fires three shots before T0 and clicks at T0 + 1 ms, within the lottery window; user 6 comes in between.
    const { out, replaced, room } = run({ mode: 'random', window: 3_000_000, rate: 1000 }, [
      [T0 - 3_000, 5],
      [T0 - 2_000, 6],
      [T0 - 1_000, 5],
      [T0 - 500, 5],
      [T0 + 1_000, 5],
    ]);
    expect(replaced).toEqual([0, 2, 3]);
    // One ticket each: user 5's place now holds the click (request 4).
    expect(out.map((o) => o.request).sort()).toEqual([1, 4]);
    expect(out.map((o) => o.at)).toEqual([T0 + 3_000_000, T0 + 3_001_000]);
    expect(room.entries).toBe(5);
    expect(room.peak).toBe(2);
  });

  it('after leaving the line a user may queue again, at the back', () => {
    const { out, replaced } = run({ mode: 'fifo', rate: 1000 }, [
      [T0, 1],
      [T0 + 10, 2],
      [T0 + 500, 1],
    ]);
    expect(replaced).toEqual([]);
    expect(out.map((o) => o.request)).toEqual([0, 1, 2]);
  });

  it('fifo: nobody before T0, then one request per 1/rate in the order they came', () => {
    const { out, room } = run({ mode: 'fifo', rate: 1000 }, [
      [T0 - 5_000_000, 10],
      [T0 - 1, 11],
      [T0 + 500, 12],
    ]);
    expect(out).toEqual([
      { request: 0, at: T0 },
      { request: 1, at: T0 + 1000 },
      { request: 2, at: T0 + 2000 },
    ]);
    expect(room.entries).toBe(3);
    expect(room.peak).toBe(2);
    expect(room.waiting).toBe(0);
  });

  it('fifo: an empty line lets a newcomer through at once, but never faster than the rate', () => {
    const { out } = run({ mode: 'fifo', rate: 1000 }, [
      [T0 + 5_000, 1],
      [T0 + 5_100, 2],
      [T0 + 20_000, 3],
    ]);
    expect(out.map((o) => o.at)).toEqual([T0 + 5_000, T0 + 6_000, T0 + 20_000]);
  });

  it('random: the window is a lottery drawn when it closes; later requests queue behind in order', () => {
    const arrivals: Array<[number, number]> = Array.from({ length: 200 }, (_, k) => [T0 + k * 10_000, 1000 + k]);
    arrivals.push([T0 + 3_000_000, 5000], [T0 + 3_000_001, 5001]);
    const { out } = run({ mode: 'random', window: 3_000_000, rate: 10_000 }, arrivals);
    const pool = out.slice(0, 200).map((o) => o.request);
    // Everyone of the window, once, in an order that is not the arrival order.
    expect([...pool].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, k) => k));
    expect(pool).not.toEqual(Array.from({ length: 200 }, (_, k) => k));
    // The fastest clickers are not favoured: the first 100 let through are about half early, half late.
    const early = pool.slice(0, 100).filter((r) => r < 100).length;
    expect(early).toBeGreaterThan(30);
    expect(early).toBeLessThan(70);
    expect(out.slice(200).map((o) => o.request)).toEqual([200, 201]);
    expect(out[0].at).toBe(T0 + 3_000_000);
    expect(out[1].at).toBe(T0 + 3_000_100);
  });

  it('random: a user keeps their ticket (common random numbers); another seed draws another order', () => {
    const arrivals: Array<[number, number]> = Array.from({ length: 50 }, (_, k) => [T0 + k, k]);
    const order = (seed: number) => run({ mode: 'random' }, arrivals, Infinity, seed).out.map((o) => o.request);
    expect(order(7)).toEqual(order(7));
    expect(order(7)).not.toEqual(order(8));
    // Entering later within the window changes nothing: the ticket is the user's.
    const later = run(
      { mode: 'random' },
      arrivals.map(([at, user]) => [at + 1_000_000, user] as [number, number]),
      Infinity,
      7,
    ).out.map((o) => o.request);
    expect(later).toEqual(order(7));
  });

  it('closes at the end of the run: nothing is let through from then on, however slow the rate', () => {
    const arrivals: Array<[number, number]> = Array.from({ length: 10 }, (_, k) => [T0, k]);
    const { out, room } = run({ mode: 'fifo', rate: 1 }, arrivals, Infinity, 7, T0 + 3_500_000);
    expect(out.map((o) => o.at)).toEqual([T0, T0 + 1_000_000, T0 + 2_000_000, T0 + 3_000_000]);
    expect(room.waiting).toBe(6);
    // One per 10^10 s: the second place would be beyond 2^53 µs.
    expect(run({ mode: 'fifo', rate: 1e-10 }, arrivals, Infinity, 7, T0 + 3_500_000).out).toHaveLength(1);
    // A lottery that would be drawn at or after the close is never drawn.
    expect(run({ mode: 'random', window: 3_000_000 }, arrivals, Infinity, 7, T0 + 3_000_000).room.waiting).toBe(10);
  });

  it('forEachWaiting visits every request still waiting, in the line and in the lottery pool, by its latest request', () => {
    const waitingOf = (room: WaitingRoom): number[] => {
      const seen: number[] = [];
      room.forEachWaiting((request) => seen.push(request));
      return seen.sort((a, b) => a - b);
    };
    // fifo at 1/s closing at T0 + 1.5 s: users 0 and 1 are let through, 2 and 3 stay (user 3's second request holds its place).
    const fifo = run(
      { mode: 'fifo', rate: 1 },
      [
        [T0, 0],
        [T0, 1],
        [T0, 2],
        [T0, 3],
        [T0 + 1, 3],
      ],
      Infinity,
      7,
      T0 + 1_500_000,
    );
    expect(fifo.out.map((o) => o.request)).toEqual([0, 1]);
    expect(waitingOf(fifo.room)).toEqual([2, 4]);
    // random, closing before the draw: everyone is still in the pool.
    const pool = run(
      { mode: 'random', window: 3_000_000 },
      [
        [T0, 0],
        [T0 + 1, 1],
        [T0 + 2, 0],
      ],
      Infinity,
      7,
      T0 + 2_000_000,
    );
    expect(pool.out).toEqual([]);
    expect(waitingOf(pool.room)).toEqual([1, 2]);
  });

  it('learning the stock is gone at or after the close lets nobody through', () => {
    const arrivals: Array<[number, number]> = Array.from({ length: 5 }, (_, k) => [T0, k]);
    for (const soldOutAt of [T0 + 3_000_000, T0 + 4_000_000]) {
      const { out, room } = run({ mode: 'fifo', rate: 1 }, arrivals, soldOutAt, 7, T0 + 3_000_000);
      expect(out.map((o) => o.at)).toEqual([T0, T0 + 1_000_000, T0 + 2_000_000]);
      expect(room.waiting).toBe(2);
    }
  });

  it('once the servers know stock is gone, the whole line is let through at once', () => {
    const arrivals: Array<[number, number]> = Array.from({ length: 10 }, (_, k) => [T0, k]);
    const { out } = run({ mode: 'fifo', rate: 10 }, arrivals, T0 + 250_000);
    // 10/s: one at T0, T0 + 100ms, T0 + 200ms; at T0 + 250ms the servers know: the other 7 go together, then.
    expect(out.map((o) => o.at)).toEqual([T0, T0 + 100_000, T0 + 200_000, ...Array(7).fill(T0 + 250_000)]);
  });

  it('a slow room lets the line through when the servers learn, not at its next place; and newcomers at once', () => {
    const arrivals: Array<[number, number]> = Array.from({ length: 5 }, (_, k) => [T0, k]);
    arrivals.push([T0 + 12_000_000, 5], [T0 + 25_000_000, 6]);
    // One per 10 s; the servers know from T0 + 11 s.
    const { out, room } = run({ mode: 'fifo', rate: 0.1 }, arrivals, T0 + 11_000_000);
    expect(out).toEqual([
      { request: 0, at: T0 },
      { request: 1, at: T0 + 10_000_000 },
      { request: 2, at: T0 + 11_000_000 },
      { request: 3, at: T0 + 11_000_000 },
      { request: 4, at: T0 + 11_000_000 },
      { request: 5, at: T0 + 12_000_000 },
      { request: 6, at: T0 + 25_000_000 },
    ]);
    expect(room.waiting).toBe(0);
  });
});
