import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/kernel/simulation.js';
import { RandomSource } from '../../src/kernel/random.js';
import { summarize } from '../../src/kernel/stats/summary.js';
import { FairLink } from '../../src/system/fair-link.js';
import { Link } from '../../src/system/link.js';

describe('FairLink', () => {
  it('shares the capacity equally among the transfers under way', () => {
    const sim = new Simulation();
    const done: Array<[number, number]> = [];
    const link = new FairLink(sim, 1e6, 'link.done', (a, _b, _c, _d, doneUs) => done.push([a, doneUs])); // 1 byte/µs
    const start = sim.register('start', (id, bytes) => link.send(bytes, id, 0, 0, 0));
    sim.scheduleAt(0, start, 1, 100);
    sim.scheduleAt(50, start, 2, 10); // 50 bytes of #1 left: #2 gets half the link for 20 µs
    sim.scheduleAt(500, start, 3, 100);
    sim.scheduleAt(500, start, 4, 100); // equal sizes, same moment: both finish together, in arrival order
    sim.run();
    expect(done).toEqual([
      [2, 70],
      [1, 110],
      [3, 700],
      [4, 700],
    ]);
    expect(link.bytes).toBe(310);
    // Busy time does not depend on the discipline: 310 µs of work.
    expect(link.busyUntil(1000)).toBe(310);
    expect(link.active).toBe(0);
  });

  it('keeps the busy accounting of a FIFO link', () => {
    const sim = new Simulation();
    const fair = new FairLink(sim, 1e6, 'link.done', () => {});
    const fifo = new Link(1e6);
    const start = sim.register('start', (bytes) => {
      fair.send(bytes, 0, 0, 0, 0);
      fifo.transmit(sim.now, bytes);
    });
    for (const [t, b] of [
      [0, 100],
      [30, 40],
      [90, 300],
      [800, 5],
    ])
      sim.scheduleAt(t, start, b);
    for (const t of [0, 50, 200, 439, 440, 803, 900]) {
      sim.run({ time: t });
      expect(fair.busyUntil(t)).toBeCloseTo(fifo.busyUntil(t), 9);
    }
  });
});

/**
 * Poisson arrivals at load ρ on one link, `n` transfers of mean `meanBytes`
 * (deterministic or exponential sizes); returns the mean time in the link (µs).
 */
function meanSojourn(discipline: 'fair' | 'fifo', sizes: 'det' | 'exp', rho: number, n: number, replication: number): number {
  const bytesPerSecond = 1e9; // 1,000 bytes/µs
  const meanBytes = 50_000; // 50 µs at 1 byte/ns... x = 50 µs of link time
  const sim = new Simulation();
  const random = new RandomSource(16, replication).stream('link-theory');
  const meanGapUs = 50 / rho;
  const sentAt = new Float64Array(n);
  let total = 0;
  let count = 0;
  const record = (id: number, doneUs: number) => {
    total += doneUs - sentAt[id];
    count++;
  };
  const fair =
    discipline === 'fair' ? new FairLink(sim, bytesPerSecond, 'link.done', (id, _b, _c, _d, doneUs) => record(id, doneUs)) : null;
  const fifo = new Link(bytesPerSecond);
  const arrive = sim.register('arrive', (id) => {
    const bytes = sizes === 'det' ? meanBytes : -meanBytes * Math.log(random.uniform(id, 1));
    sentAt[id] = sim.now;
    if (fair) fair.send(bytes, id, 0, 0, 0);
    else record(id, fifo.transmit(sim.now, bytes));
  });
  // Arrival times in µs, not rounded: the µs grid of the clock is fine next to a 50 µs transfer.
  let t = 0;
  for (let id = 0; id < n; id++) {
    t += -meanGapUs * Math.log(random.uniform(id, 0));
    sim.scheduleAt(t, arrive, id);
  }
  sim.run();
  return total / count;
}

describe('FairLink theory: M/G/1-PS and M/D/1 on one link', () => {
  const rho = 0.8;
  const x = 50; // mean transfer time, µs
  const replications = 10;
  const n = 40_000;
  const cases: Array<{ name: string; discipline: 'fair' | 'fifo'; sizes: 'det' | 'exp'; expected: number }> = [
    { name: 'PS, deterministic sizes: x/(1−ρ)', discipline: 'fair', sizes: 'det', expected: x / (1 - rho) },
    { name: 'PS, exponential sizes: x/(1−ρ)', discipline: 'fair', sizes: 'exp', expected: x / (1 - rho) },
    {
      name: 'FIFO, deterministic sizes (M/D/1): x + ρx/(2(1−ρ))',
      discipline: 'fifo',
      sizes: 'det',
      expected: x + (rho * x) / (2 * (1 - rho)),
    },
    { name: 'FIFO, exponential sizes (M/M/1): x/(1−ρ)', discipline: 'fifo', sizes: 'exp', expected: x / (1 - rho) },
  ];
  for (const c of cases) {
    it(`${c.name} = ${c.expected.toFixed(1)} µs inside the 95% CI`, () => {
      const means = Array.from({ length: replications }, (_, r) => meanSojourn(c.discipline, c.sizes, rho, n, r));
      const s = summarize(means);
      expect(Math.abs(s.mean - c.expected)).toBeLessThanOrEqual(s.halfWidth);
    });
  }
});
