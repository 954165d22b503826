import { describe, expect, it } from 'vitest';
import { latencyLognormal, roundTripDistribution, serialCeiling } from '../../src/calibrate/estimate.js';
import { nelderMead } from '../../src/calibrate/minimize.js';
import type { LevelMeasurement, TakeRecord } from '../../src/calibrate/experiment.js';
import { auditLevel } from '../../src/calibrate/ledger-audit.js';
import { simulateLevel } from '../../src/calibrate/predict.js';
import { steadyFigures } from '../../src/calibrate/steady.js';
import { meanOf, samplerOf } from '../../src/kernel/distributions.js';
import { RandomSource } from '../../src/kernel/random.js';

describe('the local estimators', () => {
  it('latencyLognormal recovers a known lognormal through src/fit, as a scenario value', () => {
    const draw = samplerOf({ kind: 'lognormal', median: 200, sigma: 0.5 });
    const random = new RandomSource(7, 0).stream('test').sequence();
    const samples = Array.from({ length: 20_000 }, () => draw(random.next()));
    const value = latencyLognormal(samples)!;
    const [, median, sigma] = /^lognormal\(([\d.]+)us, ([\d.]+)\)$/.exec(value)!;
    expect(Number(median)).toBeGreaterThan(200 * 0.98);
    expect(Number(median)).toBeLessThan(200 * 1.02);
    expect(Number(sigma)).toBeGreaterThan(0.49);
    expect(Number(sigma)).toBeLessThan(0.51);
    expect(latencyLognormal([5])).toBeNull();
  });

  it('nelderMead finds the minimum of a narrow valley', () => {
    const m = nelderMead(([x, y]) => (x - 3) ** 2 + 10 * (y + 1) ** 2 + 0.5 * (x - 3) * (y + 1), [0, 0], [1, 1], 400, 1e-12);
    expect(m.x[0]).toBeCloseTo(3, 3);
    expect(m.x[1]).toBeCloseTo(-1, 3);
    expect(m.evaluations).toBeLessThanOrEqual(400);
  });

  it('roundTripDistribution keeps the samples’ shape and has the asked mean', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => (i < 950 ? 50 + (i % 10) : 5000));
    const spec = roundTripDistribution(samples, 100);
    expect(spec.kind).toBe('empirical');
    expect(meanOf(spec)).toBeCloseTo(100, 6);
    expect(roundTripDistribution(samples, 0)).toEqual({ kind: 'constant', value: 0 });
  });

  it('serialCeiling is the median of the upper half of the levels', () => {
    const levels = [1, 2, 4, 8, 16, 32].map((concurrency, i) => ({ concurrency, throughput: [1000, 2000, 9000, 4000, 5000, 4500][i] }));
    expect(serialCeiling(levels)).toBe(4500);
    expect(serialCeiling([{ concurrency: 8, throughput: 300 }])).toBe(300);
  });
});

describe('the simulated closed loop', () => {
  it('one client cycles through the client CPU, the store and the round trip: X = 1 / (C + S + Z)', () => {
    const p = simulateLevel(
      { primitive: 'single-thread-server', serviceUs: 40, clientUs: 10, roundTrip: { kind: 'constant', value: 50 } },
      { concurrency: 1, takes: 2000, units: 100 },
    );
    expect(p.throughput).toBeCloseTo(1e6 / 100, 0);
    expect(p.p50).toBeCloseTo(100, -1);
    expect(p.sold).toBe(100);
    expect(p.oversell).toBe(0);
  });

  it('many clients saturate the slowest serial station: X = 1 / max(C, S)', () => {
    const inputs = { primitive: 'row-lock' as const, serviceUs: 200, clientUs: 20, roundTrip: { kind: 'constant' as const, value: 300 } };
    const p = simulateLevel(inputs, { concurrency: 64, takes: 5000, units: 500 });
    expect(p.throughput / 5000).toBeGreaterThan(0.99);
    expect(p.throughput / 5000).toBeLessThan(1.01);
    // Little's law: N = X · R.
    expect((64 * 1e6) / p.throughput / p.mean).toBeCloseTo(1, 1);
    expect(p.oversell).toBe(0);
  });

  it('the racy primitive oversells under concurrency in the model too', () => {
    const p = simulateLevel(
      { primitive: 'check-then-decrement', serviceUs: 20, clientUs: 5, roundTrip: { kind: 'constant', value: 100 } },
      { concurrency: 8, takes: 2000, units: 100 },
    );
    expect(p.oversell).toBeGreaterThan(0);
  });

  it('a per-waiter cost lowers the serial ceiling by the takes queued behind each one: X = 1 / (S + w·(N − 1))', () => {
    const base = { primitive: 'row-lock' as const, serviceUs: 100, clientUs: 1, roundTrip: { kind: 'constant' as const, value: 0 } };
    const level = { concurrency: 64, takes: 4000, units: 4000 };
    const plain = simulateLevel(base, level);
    const convoy = simulateLevel({ ...base, perWaiterUs: 2 }, level);
    expect(plain.throughput / 1e4).toBeCloseTo(1, 1);
    // Nearly every other client waits at the store: 62 or 63 behind each take.
    expect(convoy.throughput / (1e6 / (100 + 2 * 62.5))).toBeGreaterThan(0.97);
    expect(convoy.throughput / (1e6 / (100 + 2 * 62.5))).toBeLessThan(1.03);
  });

  it('a take that finds no stock costs the store its own time', () => {
    const inputs = {
      primitive: 'row-lock' as const,
      serviceUs: 400,
      soldOutServiceUs: 50,
      clientUs: 1,
      roundTrip: { kind: 'constant' as const, value: 0 },
    };
    // Sold out from the start: every take costs 50 µs at the store.
    const out = simulateLevel(inputs, { concurrency: 16, takes: 3000, units: 0 });
    expect(out.throughput / 2e4).toBeGreaterThan(0.97);
    expect(out.throughput / 2e4).toBeLessThan(1.03);
    const sold = simulateLevel(inputs, { concurrency: 16, takes: 3000, units: 3000 });
    expect(sold.throughput / 2500).toBeCloseTo(1, 1);
  });

  it('the client pays a wake-up per take alone and none when saturated', () => {
    const inputs = {
      primitive: 'single-thread-server' as const,
      serviceUs: 1,
      clientUs: 20,
      clientWakeUpUs: 30,
      roundTrip: { kind: 'constant' as const, value: 100 },
    };
    const one = simulateLevel(inputs, { concurrency: 1, takes: 2000, units: 100 });
    expect(one.clientWakeUps).toBeCloseTo(1, 6);
    expect(one.throughput).toBeCloseTo(1e6 / (20 + 30 + 1 + 100), -1);
    const many = simulateLevel(inputs, { concurrency: 64, takes: 4000, units: 100 });
    expect(many.clientWakeUps).toBeLessThan(0.01);
    expect(many.throughput / (1e6 / 20)).toBeGreaterThan(0.98);
    // perClientUs: each visit costs 20 + 0.5·64 µs.
    const crowded = simulateLevel({ ...inputs, perClientUs: 0.5 }, { concurrency: 64, takes: 4000, units: 100 });
    expect(crowded.throughput / (1e6 / 52)).toBeCloseTo(1, 1);
  });

  it('WATCH/MULTI tries again when another take commits between its WATCH and its EXEC, and never oversells', () => {
    const inputs = {
      primitive: 'single-thread-server' as const,
      serviceUs: 6,
      soldOutServiceUs: 3,
      clientUs: 10,
      roundTrip: { kind: 'constant' as const, value: 60 },
      optimisticAttempts: 100,
    };
    const alone = simulateLevel(inputs, { concurrency: 1, takes: 1000, units: 500 });
    expect(alone.meanAttempts).toBe(1);
    expect(alone.clientVisits).toBeCloseTo(3, 6);
    const crowd = simulateLevel(inputs, { concurrency: 32, takes: 2000, units: 500 });
    expect(crowd.meanAttempts).toBeGreaterThan(2);
    expect(crowd.sold).toBe(500);
    expect(crowd.oversell).toBe(0);
  });

  it('steadyFigures cuts the first and last tenth of completions', () => {
    const start = Array.from({ length: 100 }, (_, i) => i * 10);
    const end = start.map((s) => s + 10);
    const f = steadyFigures(start, end);
    expect(f.throughput).toBeCloseTo(1e5, -2);
    expect(f.p50).toBe(10);
    expect(f.count).toBe(79);
  });
});

describe('the audit of a store’s ledger', () => {
  const level = (sold: number, initial: number, remaining: number): LevelMeasurement => {
    const takes: TakeRecord[] = Array.from({ length: sold + 5 }, (_, i) => ({
      user: 1000 + i,
      client: i % 4,
      startUs: i * 10,
      endUs: i * 10 + 5,
      result: i < sold ? 'sold' : 'sold-out',
      attempts: 1,
    }));
    return { concurrency: 4, initial, remaining, takes, elapsedUs: 1000, clientCpuUs: 100, clientWaitUs: 0, timedOut: false };
  };

  it('passes a correct level', () => {
    const report = auditLevel(level(10, 10, 0), 'lua');
    expect(report.passed).toBe(true);
  });

  it('catches an oversell by the ledger and by conservation', () => {
    const report = auditLevel(level(13, 10, 0), 'get-set');
    expect(report.passed).toBe(false);
    const byName = Object.fromEntries(report.invariants.map((c) => [c.name, c]));
    expect(byName['no-oversell'].passed).toBe(false);
    expect(byName['no-oversell'].message).toContain('3 oversold');
    expect(byName['conservation'].passed).toBe(false);
    expect(byName['one-per-user'].passed).toBe(true);
  });

  it('catches a lost update that left units the ledger did not sell (conservation)', () => {
    const report = auditLevel(level(10, 10, 2), 'get-set');
    expect(report.invariants.find((c) => c.name === 'conservation')!.passed).toBe(false);
  });
});
