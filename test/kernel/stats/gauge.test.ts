import { describe, expect, it } from 'vitest';
import { TimeWeightedGauge } from '../../../src/kernel/stats/gauge.js';

describe('TimeWeightedGauge', () => {
  it('integrates the level over time', () => {
    const g = new TimeWeightedGauge();
    g.set(0, 2); // 2 on [0, 10)
    g.add(10, 3); // 5 on [10, 20)
    g.add(20, -5); // 0 on [20, 40)
    expect(g.level).toBe(0);
    expect(g.max).toBe(5);
    expect(g.mean(20)).toBe((2 * 10 + 5 * 10) / 20);
    expect(g.mean(40)).toBe(70 / 40);
    expect(g.integral(40)).toBe(70);
  });

  it('averages from its start time, and from the warm-up cut after resetAt', () => {
    const g = new TimeWeightedGauge(100);
    g.set(100, 4);
    g.set(150, 1);
    expect(g.mean(200)).toBe((4 * 50 + 1 * 50) / 100);
    g.resetAt(200);
    expect(g.max).toBe(1); // restarts at the current level
    expect(g.mean(200)).toBe(1); // no time elapsed: the current level
    g.set(300, 3);
    expect(g.mean(400)).toBe((1 * 100 + 3 * 100) / 200);
    expect(g.max).toBe(3);
  });

  it('utilisation is mean / capacity', () => {
    const busy = new TimeWeightedGauge();
    busy.set(0, 8);
    busy.set(500, 4);
    expect(busy.mean(1000) / 10).toBeCloseTo(0.6, 12);
  });
});
