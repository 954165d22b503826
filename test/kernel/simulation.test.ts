import { describe, expect, it } from 'vitest';
import { Simulation, type RecordLocality } from '../../src/kernel/simulation.js';
import { lcg } from '../helpers/lcg.js';

describe('Simulation', () => {
  it('runs handlers in time order with the clock at each event, ties first-in first-out', () => {
    const sim = new Simulation();
    const seen: Array<[number, number, number]> = [];
    const kind = sim.register('k', (a, b) => seen.push([sim.now, a, b]));
    sim.schedule(30, kind, 1, 10);
    sim.schedule(10, kind, 2, 20);
    sim.scheduleAt(30, kind, 3, 30);
    sim.schedule(10.4, kind, 4, 40); // rounded to 10 µs
    expect(sim.run()).toBe('empty');
    expect(seen).toEqual([
      [10, 2, 20],
      [10, 4, 40],
      [30, 1, 10],
      [30, 3, 30],
    ]);
    expect(sim.eventsProcessed).toBe(4);
    expect(sim.kindName(kind)).toBe('k');
    expect(sim.kindName(99)).toBe('#99');
  });

  it('refuses negative delays and times in the past, naming the handler', () => {
    const sim = new Simulation();
    const kind = sim.register('user.refresh', () => {});
    expect(() => sim.schedule(-1, kind)).toThrow(/negative or NaN delay -1 for user.refresh/);
    expect(() => sim.schedule(NaN, kind)).toThrow(/NaN/);
    sim.schedule(100, kind);
    sim.run();
    expect(() => sim.scheduleAt(50, kind)).toThrow(/time 50 is before now 100 for user.refresh/);
  });

  // Guards the event queue's precondition (times below 2^53 µs) at the API that promises it:
  // an infinite or overlong delay used to be accepted and fail later, in the queue, with an
  // error blaming another event ("event time 5 µs is beyond 2^53").
  it('refuses delays and times at or beyond 2^53 µs, naming the handler', () => {
    const sim = new Simulation();
    const seen: number[] = [];
    const kind = sim.register('user.refresh', () => seen.push(sim.now));
    expect(() => sim.schedule(Infinity, kind)).toThrow(/delay Infinity for user.refresh is at or beyond 2\^53 µs/);
    expect(() => sim.schedule(2 ** 53, kind)).toThrow(/beyond 2\^53/);
    expect(() => sim.scheduleAt(Infinity, kind)).toThrow(/time Infinity for user.refresh is at or beyond 2\^53 µs/);
    expect(() => sim.scheduleAt(2 ** 53, kind)).toThrow(/beyond 2\^53/);
    sim.schedule(5, kind);
    sim.scheduleAt(2 ** 53 - 1, kind);
    expect(sim.run()).toBe('empty');
    expect(seen).toEqual([5, 2 ** 53 - 1]);
  });

  it('stops at a time (clock left there), a predicate, a number of events or stop()', () => {
    const sim = new Simulation();
    let count = 0;
    let stopAt = -1;
    const tick = sim.register('tick', () => {
      count++;
      if (count === stopAt) sim.stop();
      sim.schedule(100, tick);
    });
    sim.schedule(0, tick);
    expect(sim.run({ time: 250 })).toBe('time');
    expect([count, sim.now]).toEqual([3, 250]); // events at 0, 100, 200
    expect(sim.run({ maxEvents: 2 })).toBe('max-events');
    expect(count).toBe(5);
    expect(sim.run({ predicate: () => count === 7 })).toBe('predicate');
    expect(count).toBe(7);
    stopAt = 9;
    expect(sim.run()).toBe('stopped');
    expect([count, sim.pending]).toEqual([9, 1]);
  });

  // Guards scheduleAt's order of rounding and validation: a time that rounds to now is
  // accepted (checking the unrounded time instead would refuse 99.5 at now 100).
  it('scheduleAt rounds before it checks: a time within half a µs before now is now', () => {
    const sim = new Simulation();
    const seen: number[] = [];
    const kind = sim.register('k', () => seen.push(sim.now));
    sim.scheduleAt(100, kind);
    sim.run();
    expect(() => sim.scheduleAt(99.5, kind)).not.toThrow();
    expect(() => sim.scheduleAt(99.4, kind)).toThrow(/time 99.4 is before now 100/);
    sim.run();
    expect(seen).toEqual([100, 100]);
  });

  // Guards the order of the stop checks: stop() called by a handler wins over a
  // predicate that also holds after that event.
  it('reports stop() rather than the predicate when both hold after the same event', () => {
    const sim = new Simulation();
    const kind = sim.register('k', () => sim.stop());
    sim.schedule(1, kind);
    sim.schedule(2, kind);
    expect(sim.run({ predicate: () => true })).toBe('stopped');
    expect(sim.pending).toBe(1);
  });

  // Guards the reset of stop requests at the start of run(): a stop() from the
  // previous run's last event, or one made between runs, does not end the next run.
  it('a stop() request does not outlive the run it was made in', () => {
    const sim = new Simulation();
    let count = 0;
    const stopper = sim.register('stopper', () => sim.stop());
    const tick = sim.register('tick', () => count++);
    sim.schedule(0, stopper);
    for (let i = 1; i <= 3; i++) sim.schedule(i, tick);
    expect(sim.run()).toBe('stopped');
    sim.stop();
    expect(sim.run()).toBe('empty');
    expect(count).toBe(3);
  });

  // Guards the clamp of progress.every to at least 1: 0 (or a fraction) means every event,
  // not never.
  it('a progress interval below 1 calls the hook after every event', () => {
    for (const every of [0, 0.5]) {
      const sim = new Simulation();
      const kind = sim.register('k', () => {});
      for (let i = 0; i < 3; i++) sim.schedule(i, kind);
      const at: number[] = [];
      sim.run({}, { every, onProgress: (s) => at.push(s.eventsProcessed) });
      expect(at).toEqual([1, 2, 3]);
    }
  });

  it('calls the progress hook every N events', () => {
    const sim = new Simulation();
    const kind = sim.register('k', () => {});
    for (let i = 0; i < 10; i++) sim.schedule(i, kind);
    const at: number[] = [];
    sim.run({}, { every: 4, onProgress: (s) => at.push(s.eventsProcessed) });
    expect(at).toEqual([4, 8]);
  });

  it('warms declared records without changing any event', () => {
    // The same random workload with and without record locality: identical traces.
    const trace = (locality: RecordLocality | undefined): Array<[number, number, number]> => {
      const sim = new Simulation();
      const rnd = lcg(5);
      const events: Array<[number, number, number]> = [];
      const kind = sim.register(
        'user.thing',
        (user, n) => {
          events.push([sim.now, user, n]);
          if (n < 3) sim.schedule(Math.floor(rnd() * 1e6), kind, user, n + 1);
        },
        locality,
      );
      const other = sim.register('other', (a) => events.push([sim.now, a, -1]));
      for (let u = 0; u < 5000; u++) sim.schedule(Math.floor(rnd() * 1e6), kind, u, 0);
      // Out-of-range first arguments must be harmless.
      for (let u = 0; u < 10; u++) sim.schedule(Math.floor(rnd() * 1e6), other, -1 - u * 1e8, 0);
      sim.run();
      return events;
    };
    const plain = trace(undefined);
    expect(trace({ bytes: new Uint8Array(5000 * 16), shift: 4 })).toEqual(plain);
    expect(plain).toHaveLength(20_010);
  });

  it('hands each sorted bucket to the warm-up before serving it', () => {
    // Everything scheduled up front, so runs are served exactly as loaded.
    const sim = new Simulation();
    const rnd = lcg(8);
    const served: number[] = [];
    const kind = sim.register('user.thing', (user) => served.push(user), { bytes: new Uint8Array(64), shift: 0 });
    const warm = sim.queue.onRunLoaded;
    expect(warm).not.toBeNull();
    const loaded: number[] = [];
    let runs = 0;
    sim.queue.onRunLoaded = (kinds, a, length) => {
      expect(served).toEqual(loaded); // the previous run is all served
      runs++;
      for (let i = 0; i < length; i++) {
        expect(kinds[i]).toBe(kind);
        loaded.push(a[i]);
      }
      warm!(kinds, a, length);
    };
    for (let i = 0; i < 20_000; i++) sim.schedule(Math.floor(rnd() * 1e7), kind, i, 0);
    sim.run();
    expect(served).toEqual(loaded);
    expect(served).toHaveLength(20_000);
    expect(runs).toBeGreaterThan(10);
  });

  it('installs no warm-up when no handler declares records', () => {
    const sim = new Simulation();
    sim.register('k', () => {});
    expect(sim.queue.onRunLoaded).toBeNull();
  });
});
