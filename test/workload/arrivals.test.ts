import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arrivalSampler } from '../../src/workload/arrivals.js';
import { normalCdf } from '../../src/kernel/distributions.js';
import { configOf } from '../helpers/flash-config.js';

function sampler(arrival: Record<string, unknown>) {
  return arrivalSampler(configOf({ users: { arrival } }).users.arrival);
}

const S = 1_000_000;
const uniforms = fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true });

describe('arrival distributions (inverse CDFs)', () => {
  it('ramp/uniform is flat over [from, to]', () => {
    const f = sampler({ kind: 'ramp', from: '10s', to: '20s', shape: 'uniform' });
    expect(f(0)).toBe(10 * S);
    expect(f(0.25)).toBe(12.5 * S);
    expect(f(1)).toBe(20 * S);
  });

  it('ramp/linear has a density rising linearly: P(T ≤ from + x·span) = x²', () => {
    const f = sampler({ kind: 'ramp', from: '0s', to: '100s', shape: 'linear' });
    expect(f(0.25)).toBeCloseTo(50 * S, 3);
    expect(f(0.01)).toBeCloseTo(10 * S, 3);
  });

  it('ramp/exponential: F(t) = (e^{(t−to)/scale} − e^{−span/scale}) / (1 − e^{−span/scale}) (property)', () => {
    const from = 30 * S;
    const to = 630 * S;
    const scale = 60 * S;
    const f = sampler({ kind: 'ramp', from: '30s', to: '630s', shape: 'exponential', scale: '60s' });
    const floor = Math.exp(-(to - from) / scale);
    const cdf = (t: number) => (Math.exp((t - to) / scale) - floor) / (1 - floor);
    fc.assert(
      fc.property(uniforms, (u) => {
        const t = f(u);
        return t >= from && t <= to && Math.abs(cdf(t) - u) < 1e-9;
      }),
    );
    // Dense near `to`: the last e-folding time holds 1 − 1/e of the crowd.
    expect(1 - cdf(to - scale)).toBeCloseTo(1 - Math.exp(-1), 4);
  });

  it('ramp/exponential does not overflow for a span of many scales', () => {
    const f = sampler({ kind: 'ramp', from: '0s', to: '10h', shape: 'exponential', scale: '1s' });
    for (const u of [1e-12, 1e-6, 0.5, 1 - 1e-12]) {
      const t = f(u);
      expect(Number.isFinite(t)).toBe(true);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThanOrEqual(36_000 * S);
    }
  });

  it('burst is normal around `at` with sd `spread`, clamped at 0', () => {
    const f = sampler({ kind: 'burst', at: '10m', spread: '2s' });
    expect(f(0.5)).toBeCloseTo(600 * S, 0);
    expect(f(normalCdf(1))).toBeCloseTo(602 * S, -1);
    expect(f(normalCdf(-2))).toBeCloseTo(596 * S, -1);
    const early = sampler({ kind: 'burst', at: '1s', spread: '10s' });
    expect(early(0.001)).toBe(0);
  });

  for (const arrival of [
    { kind: 'ramp', shape: 'uniform' },
    { kind: 'ramp', shape: 'linear' },
    { kind: 'ramp', shape: 'exponential' },
    { kind: 'burst' },
  ]) {
    it(`${arrival.kind}/${arrival.shape ?? ''} is non-decreasing in u (property)`, () => {
      const f = sampler(arrival);
      fc.assert(fc.property(uniforms, uniforms, (a, b) => (a <= b ? f(a) <= f(b) : f(a) >= f(b))));
    });
  }
});
