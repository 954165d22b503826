import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RandomSource, RandomStream } from '../../src/kernel/random.js';
import { inverseNormalCdf } from '../../src/kernel/distributions.js';

const N = 100_000;
const BINS = 100;

/**
 * Upper p-quantile of the chi-square distribution with k degrees of freedom,
 * by the Wilson–Hilferty approximation: k·(1 − 2/(9k) + z_p·√(2/(9k)))³.
 * chi2(0.999, 99) ≈ 148.2 (tables: 148.23).
 */
function chiSquareCritical(p: number, k: number): number {
  const a = 2 / (9 * k);
  return k * (1 - a + inverseNormalCdf(p) * Math.sqrt(a)) ** 3;
}

const CRITICAL = chiSquareCritical(0.999, BINS - 1);
/** Below this, the counts are too even to be random (a stratified or lattice sequence). */
const TOO_GOOD = chiSquareCritical(0.001, BINS - 1);

/** Pearson's chi-square statistic of `draws` (in [0, 1)) against the uniform distribution over `bins` equal bins. */
function chiSquare(draws: ArrayLike<number>, bins = BINS): number {
  const counts = new Float64Array(bins);
  for (let i = 0; i < draws.length; i++) counts[Math.min(bins - 1, Math.floor(draws[i] * bins))]++;
  const expected = draws.length / bins;
  let x2 = 0;
  for (const c of counts) x2 += ((c - expected) * (c - expected)) / expected;
  return x2;
}

/** Pearson's correlation coefficient of two equal-length samples. */
function correlation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** n draws of f(k) for k = 0..n-1. */
function draws(n: number, f: (k: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = f(k);
  return out;
}

const source = new RandomSource(42, 0);
const arrivals = source.stream('arrival');

describe('the chi-square and correlation checks themselves', () => {
  it('the Wilson–Hilferty critical values match the tables: chi2(0.999, 99) = 148.23, chi2(0.001, 99) = 61.14', () => {
    expect(Math.abs(CRITICAL - 148.23)).toBeLessThan(0.1);
    expect(Math.abs(TOO_GOOD - 61.14)).toBeLessThan(0.1);
  });

  it('reject generators that are constant, skewed, or copy their neighbour', () => {
    expect(chiSquare(draws(N, () => 0.5))).toBeGreaterThan(CRITICAL);
    expect(chiSquare(draws(N, (k) => (k + 0.5) / N))).toBeLessThan(TOO_GOOD);
    expect(chiSquare(draws(N, (k) => arrivals.uniform(k, 0) ** 1.1))).toBeGreaterThan(CRITICAL);
    const xs = draws(N, (k) => arrivals.uniform(k, 0));
    const copied = draws(N, (k) => 0.9 * xs[k] + 0.1 * arrivals.uniform(k, 1));
    expect(Math.abs(correlation(xs, copied))).toBeGreaterThan(0.01);
  });
});

describe('RandomStream determinism', () => {
  it('the same (seed, replication, name, entity, index) gives the same value, from fresh objects too', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.string()),
        fc.nat({ max: 1000 }),
        fc.string(),
        fc.nat({ max: 2 ** 32 - 1 }),
        fc.nat({ max: 2 ** 32 - 1 }),
        (seed, rep, name, entity, index) => {
          const a = new RandomSource(seed, rep).stream(name).uniform(entity, index);
          const b = new RandomSource(seed, rep).stream(name).uniform(entity, index);
          return a === b;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order or number of other draws', () => {
    const first = arrivals.uniform(12345, 7);
    for (let k = 0; k < 1000; k++) arrivals.uniform(k, k);
    source.stream('other').uniform(12345, 7);
    expect(arrivals.uniform(12345, 7)).toBe(first);
  });

  it('sequence(entity).next() walks the indices 0, 1, 2, ... of that entity', () => {
    const seq = arrivals.sequence(99);
    const walked = draws(50, () => seq.next());
    expect(walked).toEqual(draws(50, (i) => arrivals.uniform(99, i)));
  });

  it('entity and index are taken modulo 2^32', () => {
    expect(arrivals.uniform(2 ** 32 + 5, 3)).toBe(arrivals.uniform(5, 3));
    expect(arrivals.uniform(5, 2 ** 32 + 3)).toBe(arrivals.uniform(5, 3));
    expect(arrivals.uniform(-1, 0)).toBe(arrivals.uniform(2 ** 32 - 1, 0));
  });

  it('is pinned: seed 42, replication 0, "arrival" gives the numbers it gave when this test was written', () => {
    // A change here changes every scenario's results: make it deliberately, and say so in the changelog.
    const pinned = [arrivals.uniform(0, 0), arrivals.uniform(1, 0), arrivals.uniform(0, 1), arrivals.uniform(999_999, 41)];
    expect(pinned).toEqual([0.03086738067213446, 0.3692908867960796, 0.41905018885154277, 0.7157103075878695]);
  });
});

describe('RandomStream keys: every coordinate matters', () => {
  /** How many of n draws f(k) equal g(k). */
  function equalCount(n: number, f: (k: number) => number, g: (k: number) => number): number {
    let same = 0;
    for (let k = 0; k < n; k++) if (f(k) === g(k)) same++;
    return same;
  }
  const n = 10_000;

  it('a different replication gives different values', () => {
    const other = new RandomSource(42, 1).stream('arrival');
    expect(
      equalCount(
        n,
        (k) => arrivals.uniform(k, 0),
        (k) => other.uniform(k, 0),
      ),
    ).toBe(0);
  });

  it('a different seed gives different values (and 42 is not "42 " nor 43)', () => {
    for (const seed of [43, '42 ', 0]) {
      const other = new RandomSource(seed, 0).stream('arrival');
      expect(
        equalCount(
          n,
          (k) => arrivals.uniform(k, 0),
          (k) => other.uniform(k, 0),
        ),
      ).toBe(0);
    }
  });

  it('a different stream name gives different values', () => {
    const other = source.stream('refresh');
    expect(
      equalCount(
        n,
        (k) => arrivals.uniform(k, 0),
        (k) => other.uniform(k, 0),
      ),
    ).toBe(0);
  });

  it('a different entity gives different values', () => {
    expect(
      equalCount(
        n,
        (k) => arrivals.uniform(k, 0),
        (k) => arrivals.uniform(k + 1, 0),
      ),
    ).toBe(0);
  });

  it('a different index gives different values', () => {
    expect(
      equalCount(
        n,
        (k) => arrivals.uniform(0, k),
        (k) => arrivals.uniform(0, k + 1),
      ),
    ).toBe(0);
  });

  it('entity and index are not interchangeable', () => {
    expect(
      equalCount(
        n,
        (k) => arrivals.uniform(k, k + 1),
        (k) => arrivals.uniform(k + 1, k),
      ),
    ).toBe(0);
  });

  it('stream keys of many names and replications are distinct', () => {
    const keys = new Set<string>();
    for (let rep = 0; rep < 50; rep++) {
      const s = new RandomSource(42, rep);
      for (const name of ['arrival', 'refresh', 'reaction', 'patience', 'bots', 'cdn', 'origin', 'orders']) {
        const stream = s.stream(name);
        keys.add(`${stream.key0},${stream.key1}`);
      }
    }
    expect(keys.size).toBe(50 * 8);
  });
});

describe('RandomStream uniformity', () => {
  it('draws lie in the open interval (0, 1)', () => {
    let min = 1;
    let max = 0;
    for (let k = 0; k < N; k++) {
      for (const u of [arrivals.uniform(k, 0), arrivals.uniform(0, k), arrivals.uniform(k, k)]) {
        if (u < min) min = u;
        if (u > max) max = u;
      }
    }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    // …and spread over it: 300k draws leave no gap of 1e-4 at either end.
    expect(min).toBeLessThan(1e-4);
    expect(max).toBeGreaterThan(1 - 1e-4);
  });

  it.each<[string, (k: number) => number]>([
    ['over entities (index 0)', (k) => arrivals.uniform(k, 0)],
    ['over indices (entity 0)', (k) => arrivals.uniform(0, k)],
    ['over indices of a large entity', (k) => arrivals.uniform(987_654_321, k)],
    ['along the diagonal (entity = index)', (k) => arrivals.uniform(k, k)],
    ['over replications (same entity and index)', (k) => new RandomSource(42, k).stream('arrival').uniform(0, 0)],
  ])('chi-square over 100 bins is below chi2(0.999, 99) ≈ 148.2, %s', (_label, f) => {
    const n = _label.startsWith('over replications') ? 20_000 : N;
    const x2 = chiSquare(draws(n, f));
    expect(x2).toBeLessThan(CRITICAL);
    expect(x2).toBeGreaterThan(TOO_GOOD);
  });

  it('pairs (entity e, index 0) and (e, index 1) are uniform on the unit square (10×10 bins)', () => {
    const cells = draws(N, (k) => {
      const x = Math.floor(arrivals.uniform(k, 0) * 10);
      const y = Math.floor(arrivals.uniform(k, 1) * 10);
      return (x * 10 + y + 0.5) / 100;
    });
    const x2 = chiSquare(cells);
    expect(x2).toBeLessThan(CRITICAL);
    expect(x2).toBeGreaterThan(TOO_GOOD);
  });
});

describe('RandomStream independence', () => {
  const xs = draws(N, (k) => arrivals.uniform(k, 0));

  it('draws of entity e and e+1 are uncorrelated (|r| < 0.01 over 100k pairs)', () => {
    const next = draws(N, (k) => arrivals.uniform(k + 1, 0));
    expect(Math.abs(correlation(xs, next))).toBeLessThan(0.01);
  });

  it('draws of index i and i+1 are uncorrelated (|r| < 0.01 over 100k pairs)', () => {
    const a = draws(N, (k) => arrivals.uniform(3, k));
    const b = draws(N, (k) => arrivals.uniform(3, k + 1));
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.01);
  });

  it('draws of index 0 and 1 of the same entity are uncorrelated', () => {
    expect(
      Math.abs(
        correlation(
          xs,
          draws(N, (k) => arrivals.uniform(k, 1)),
        ),
      ),
    ).toBeLessThan(0.01);
  });

  it('consecutive replications give uncorrelated streams', () => {
    for (const rep of [0, 1, 2]) {
      const a = new RandomSource(42, rep).stream('arrival');
      const b = new RandomSource(42, rep + 1).stream('arrival');
      const r = correlation(
        draws(N, (k) => a.uniform(k, 0)),
        draws(N, (k) => b.uniform(k, 0)),
      );
      expect(Math.abs(r)).toBeLessThan(0.01);
    }
  });

  it('consecutive seeds and different names give uncorrelated streams', () => {
    const pairs: Array<[RandomStream, RandomStream]> = [
      [new RandomSource(42, 0).stream('arrival'), new RandomSource(43, 0).stream('arrival')],
      [source.stream('arrival'), source.stream('refresh')],
      [source.stream('user-1'), source.stream('user-2')],
    ];
    for (const [a, b] of pairs) {
      const r = correlation(
        draws(N, (k) => a.uniform(k, 0)),
        draws(N, (k) => b.uniform(k, 0)),
      );
      expect(Math.abs(r)).toBeLessThan(0.01);
    }
  });
});

describe('RandomSource.derivedInt', () => {
  it('is a deterministic unsigned 32-bit integer that depends on seed, replication and name', () => {
    const v = source.derivedInt('hmac');
    expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
    expect(new RandomSource(42, 0).derivedInt('hmac')).toBe(v);
    expect(new RandomSource(42, 1).derivedInt('hmac')).not.toBe(v);
    expect(new RandomSource(43, 0).derivedInt('hmac')).not.toBe(v);
    expect(source.derivedInt('hmac2')).not.toBe(v);
  });
});
