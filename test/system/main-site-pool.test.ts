import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MultiServerQueue } from '../../src/kernel/multi-server-queue.js';
import { Simulation } from '../../src/kernel/simulation.js';
import { MainSitePool } from '../../src/system/main-site-pool.js';

/** What a pool did: each event in order, as [time µs, what, value]. */
type Trace = Array<[number, string, number]>;

interface Case {
  servers: number;
  capacity: number;
  gaps: number[];
  services: number[];
  /** syncTo-style stops (µs), increasing; then everything runs. */
  stops: number[];
}

/** A cycling supply of draws, so that both pools see the same sequence. */
const cycle = (xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length];
};

/** The reference: the same M/G/c/K on a general Simulation and MultiServerQueue. */
function onSimulation(c: Case, arrivals: number): { trace: Trace; events: number } {
  const sim = new Simulation(64);
  const trace: Trace = [];
  const gap = cycle(c.gaps);
  const service = cycle(c.services);
  let sent = 0;
  const queue = new MultiServerQueue(
    sim,
    // Service draws are traced too: a completion starts the next request before it reports its own.
    { name: 'ref', servers: c.servers, capacity: c.capacity, serviceTime: () => (trace.push([sim.now, 'service', 0]), service()) },
    { onDone: (_c, _t, _w, sojourn) => trace.push([sim.now, 'done', sojourn]), onBlocked: () => trace.push([sim.now, 'refused', 0]) },
  );
  const arrive = sim.register('arrive', () => {
    if (sent === arrivals) return;
    sent++;
    trace.push([sim.now, 'arrival', 0]);
    queue.arrive(-1, 0);
    sim.schedule(gap(), arrive);
  });
  sim.schedule(gap(), arrive);
  for (const stop of c.stops) sim.run({ time: stop });
  sim.run();
  return { trace, events: sim.eventsProcessed };
}

function onPool(c: Case, arrivals: number): { trace: Trace; events: number } {
  const trace: Trace = [];
  const gap = cycle(c.gaps);
  const service = cycle(c.services);
  let sent = 0;
  const pool: MainSitePool = new MainSitePool({
    servers: c.servers,
    capacity: c.capacity,
    nextGap: gap,
    nextService: () => (trace.push([pool.now, 'service', 0]), service()),
    onArrival: () => {
      sent++;
      trace.push([pool.now, 'arrival', 0]);
      if (sent === arrivals) pool.stopArrivals();
    },
    onRefused: () => trace.push([pool.now, 'refused', 0]),
    onDone: (sojourn) => trace.push([pool.now, 'done', sojourn]),
  });
  pool.start(gap());
  for (const stop of c.stops) pool.run(stop);
  pool.run();
  return { trace, events: pool.eventsProcessed };
}

describe('MainSitePool', () => {
  it('handles the same events in the same order as a Simulation with a MultiServerQueue (ties in time included)', () => {
    // Small whole-µs gaps and services make ties between arrivals and completions common.
    const draws = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.record({
          servers: fc.integer({ min: 1, max: 4 }),
          capacity: fc.integer({ min: 0, max: 5 }),
          gaps: draws,
          services: draws,
          stops: fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 5 }).map((xs) => [...xs].sort((a, b) => a - b)),
        }),
        (c) => {
          const arrivals = 200;
          const reference = onSimulation(c, arrivals);
          const pool = onPool(c, arrivals);
          expect(pool.trace).toEqual(reference.trace);
          // Both end with one arrival event that does nothing (the reference's generator has stopped; the pool's arrivals are stopped).
          expect(pool.events).toBe(reference.events);
        },
      ),
      { numRuns: 300 },
    );
  });

  // Guards the waiting line's growth when it has wrapped: arrivals every µs, services of 3 µs
  // on one server, so the line first outgrows its 64 slots after ~32 dequeues moved its head.
  it('keeps the waiting line in order when it grows after wrapping around', () => {
    const c: Case = { servers: 1, capacity: 1000, gaps: [1], services: [3], stops: [] };
    const reference = onSimulation(c, 300);
    const pool = onPool(c, 300);
    expect(pool.trace).toEqual(reference.trace);
    expect(pool.trace.filter(([, what]) => what === 'done')).toHaveLength(300);
  });

  it('run(limit) stops before later events and leaves the clock at the limit; maxEvents leaves it at the last event', () => {
    const pool = new MainSitePool({
      servers: 1,
      capacity: 10,
      nextGap: () => 100,
      nextService: () => 50,
      onArrival: () => {},
      onRefused: () => {},
      onDone: () => {},
    });
    pool.start(100);
    pool.run(99);
    expect([pool.eventsProcessed, pool.now, pool.peekTime()]).toEqual([0, 99, 100]);
    pool.run(1000, 1);
    expect([pool.eventsProcessed, pool.now]).toEqual([1, 100]);
    // Next: the completion at 150 (scheduled first), then the arrival at 200.
    pool.run(200);
    expect([pool.eventsProcessed, pool.now]).toEqual([3, 200]);
  });

  it('refuses a negative or NaN delay, as Simulation.schedule does', () => {
    const pool = new MainSitePool({
      servers: 1,
      capacity: 0,
      nextGap: () => 10,
      nextService: () => NaN,
      onArrival: () => {},
      onRefused: () => {},
      onDone: () => {},
    });
    pool.start(10);
    expect(() => pool.run()).toThrow(RangeError);
  });
});
