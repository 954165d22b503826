import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundarySearch, exhaustiveSearch, gridPoints, type SearchSpace } from '../../src/app/plan-search.js';

/** A monotone feasibility rule: a weighted sum of an increasing function of each index reaches a target. */
function monotoneSpace(
  sizes: number[],
  weights: number[],
  target: number,
  prices: number[],
): { space: SearchSpace; feasible: (p: readonly number[]) => boolean } {
  const feasible = (p: readonly number[]) => p.reduce((sum, x, d) => sum + weights[d] * Math.sqrt(x + 1), 0) >= target;
  return {
    feasible,
    space: { sizes, monotone: sizes.map(() => true), cost: (p) => p.reduce((sum, x, d) => sum + prices[d] * (x + 1), 0) },
  };
}

function counting(feasible: (p: readonly number[]) => boolean): {
  oracle: (p: readonly number[]) => Promise<boolean>;
  calls: () => number;
} {
  const seen = new Set<string>();
  return {
    oracle: (p) => {
      seen.add(p.join(','));
      return Promise.resolve(feasible(p));
    },
    calls: () => seen.size,
  };
}

describe('plan search', () => {
  it('gridPoints walks the grid with the first dimension slowest', () => {
    expect([...gridPoints([2, 3])]).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
  });

  it('in two monotone dimensions it finds the exhaustive optimum, evaluating fewer candidates', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 25 }),
        fc.integer({ min: 2, max: 25 }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        async (n1, n2, w1, w2, share, p1, p2) => {
          const sizes = [n1, n2];
          const top = w1 * Math.sqrt(n1) + w2 * Math.sqrt(n2);
          const { space, feasible } = monotoneSpace(sizes, [w1, w2], top * share + (1 - share) * (w1 + w2), [p1, p2]);
          const full = await exhaustiveSearch(space, (p) => Promise.resolve(feasible(p)));
          const counted = counting(feasible);
          const found = await boundarySearch(space, counted.oracle);
          if (full.best === null) expect(found.best).toBeNull();
          else expect(space.cost(found.best!)).toBeCloseTo(space.cost(full.best), 12);
          expect(counted.calls()).toBeLessThanOrEqual(n1 * n2);
        },
      ),
      { numRuns: 300, seed: 19 },
    );
  });

  it('in three dimensions it returns a feasible candidate no dearer than the top, and far fewer evaluations than the grid', async () => {
    const sizes = [12, 12, 12];
    const { space, feasible } = monotoneSpace(sizes, [1, 2, 3], 14, [3, 1, 2]);
    const counted = counting(feasible);
    const found = await boundarySearch(space, counted.oracle);
    const full = await exhaustiveSearch(space, (p) => Promise.resolve(feasible(p)));
    expect(feasible(found.best!)).toBe(true);
    expect(space.cost(found.best!)).toBe(space.cost(full.best!));
    expect(counted.calls()).toBeLessThan(12 ** 3 / 4);
  });

  it('a non-monotone dimension is searched value by value; a combination infeasible at its top is skipped', async () => {
    // Dimension 1 is an enumeration: only its value 1 can be feasible.
    const space: SearchSpace = { sizes: [10, 3], monotone: [true, false], cost: (p) => p[0] + 0.5 * p[1] };
    const feasible = (p: readonly number[]) => p[1] === 1 && p[0] >= 4;
    const found = await boundarySearch(space, (p) => Promise.resolve(feasible(p)));
    expect(found.best).toEqual([4, 1]);
    expect(found.tops).toEqual([
      [9, 0],
      [9, 1],
      [9, 2],
    ]);
  });

  it('nothing feasible: no best, and the tops are what was tried', async () => {
    const space: SearchSpace = { sizes: [5, 5], monotone: [true, true], cost: (p) => p[0] + p[1] };
    const found = await boundarySearch(space, () => Promise.resolve(false));
    expect(found.best).toBeNull();
    expect(found.tops).toEqual([[4, 4]]);
  });
});
