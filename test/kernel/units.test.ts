import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  UnitError,
  formatBytes,
  formatDuration,
  parseBandwidth,
  parseBytes,
  parseCount,
  parseDistribution,
  parseDuration,
  parseFineDuration,
  parsePercent,
  parseRate,
} from '../../src/kernel/units.js';

/** The UnitError message thrown by f(), failing the test if f does not throw one. */
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UnitError);
    return (e as Error).message;
  }
  throw new Error('expected a UnitError, nothing was thrown');
}

const DURATION = 'expected a duration such as 250us, 15ms, 5s or 10m30s';
const SIZE = 'expected a size such as 800B, 250kB, 2.6MB or 1MiB';
const BANDWIDTH = 'expected a bandwidth such as 1Gbps, 100Mbps or 10MB/s';
const RATE = 'expected a rate such as 2000/s, 120/min or 5/ms, or a plain number per second';
const PERCENT = 'expected a fraction from 0 to 1 or a percentage from 0% to 100% such as 0.5%';

describe('parseDuration (→ µs)', () => {
  it.each<[string | number, number]>([
    ['250us', 250],
    ['250µs', 250], // U+00B5 micro sign
    ['250μs', 250], // U+03BC Greek mu
    ['15ms', 15_000],
    ['5s', 5_000_000],
    ['1.5s', 1_500_000],
    ['.5s', 500_000],
    ['10m', 600_000_000],
    ['10min', 600_000_000],
    ['10m30s', 630_000_000],
    ['10m 30s', 630_000_000],
    ['1h', 3_600_000_000],
    ['1h2m3.5s', 3_723_500_000],
    ['1h500ms', 3_600_500_000],
    [' 5 s ', 5_000_000],
    ['1e3ms', 1_000_000],
    ['0', 0],
    ['0s', 0],
    [0, 0],
    ['1.0000004s', 1_000_000], // rounds to the nearest µs
    ['1.0000006s', 1_000_001],
    ['0.5us', 1],
  ])('%j → %d', (text, us) => {
    expect(parseDuration(text)).toBe(us);
  });

  it.each<[string | number, string]>([
    ['5 parsecs', `${DURATION} (got "5 parsecs": unknown unit "parsecs", expected h, m, s, ms or us)`],
    ['5S', `${DURATION} (got "5S": unknown unit "S", expected h, m, s, ms or us)`],
    ['500ns', `${DURATION} (got "500ns": unknown unit "ns", expected h, m, s, ms or us)`],
    [60, 'expected a duration with a unit such as 60s or 60ms (got 60: a bare number is ambiguous)'],
    ['60', 'expected a duration with a unit such as 60s or 60ms (got "60": a bare number is ambiguous)'],
    ['-5s', 'expected a non-negative duration such as 250us, 15ms, 5s or 10m30s (got "-5s")'],
    [-1, 'expected a non-negative duration such as 250us, 15ms, 5s or 10m30s (got -1)'],
    ['10m30', `${DURATION} (got "10m30": "30" has no unit)`],
    ['30s10m', `${DURATION} (got "30s10m": units must go from largest to smallest, each once)`],
    ['5m5m', `${DURATION} (got "5m5m": units must go from largest to smallest, each once)`],
    ['', `${DURATION} (got "")`],
    ['s', `${DURATION} (got "s")`],
    ['5s!', `${DURATION} (got "5s!")`],
    [Number.NaN, `${DURATION} (got NaN)`],
    [Number.POSITIVE_INFINITY, `${DURATION} (got Infinity)`],
    ['1e30h', `${DURATION} (got "1e30h": too large)`],
  ])('rejects %j', (text, message) => {
    expect(messageOf(() => parseDuration(text))).toBe(message);
  });
});

describe('parseFineDuration (→ fractional µs)', () => {
  it('takes one number and one unit, ns to s, not rounded', () => {
    expect(parseFineDuration('210ns')).toBeCloseTo(0.21, 12);
    expect(parseFineDuration('0.21us')).toBe(0.21);
    expect(parseFineDuration('1.5 µs')).toBe(1.5);
    expect(parseFineDuration('2ms')).toBe(2000);
    expect(parseFineDuration(0)).toBe(0);
  });

  it('refuses bare numbers, negatives, unknown units and compound durations', () => {
    const expected = 'expected a non-negative duration such as 210ns or 0.5us';
    expect(messageOf(() => parseFineDuration(3))).toBe(`${expected} (got 3: a bare number is ambiguous)`);
    expect(messageOf(() => parseFineDuration('-1us'))).toBe(`${expected} (got "-1us")`);
    expect(messageOf(() => parseFineDuration('5ps'))).toBe(`${expected} (got "5ps")`);
    expect(messageOf(() => parseFineDuration('1ms5us'))).toBe(`${expected} (got "1ms5us")`);
  });
});

describe('parseBytes (→ bytes)', () => {
  it.each<[string | number, number]>([
    ['800B', 800],
    ['250kB', 250_000],
    ['250KB', 250_000],
    ['250 kB', 250_000],
    ['1MB', 1_000_000],
    ['2.6MB', 2_600_000],
    ['1GB', 1_000_000_000],
    ['1TB', 1e12],
    ['1KiB', 1024],
    ['1kiB', 1024],
    ['1MiB', 1_048_576],
    ['1GiB', 1_073_741_824],
    ['0.5KiB', 512],
    [800, 800],
    ['800', 800],
    [0, 0],
    ['1.4B', 1],
  ])('%j → %d', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each<[string | number, string]>([
    ['10Mb', `${SIZE} (got "10Mb": "Mb" is bits; sizes are in bytes (B), and a transfer rate is a bandwidth such as 10Mbps)`],
    ['1Gb', `${SIZE} (got "1Gb": "Gb" is bits; sizes are in bytes (B), and a transfer rate is a bandwidth such as 1Gbps)`],
    ['1Gbit', `${SIZE} (got "1Gbit": "Gbit" is bits; sizes are in bytes (B), and a transfer rate is a bandwidth such as 1Gbps)`],
    ['1mB', `${SIZE} (got "1mB")`],
    ['5 parsecs', `${SIZE} (got "5 parsecs")`],
    ['-1kB', 'expected a non-negative size such as 800B, 250kB, 2.6MB or 1MiB (got "-1kB")'],
    [-1, 'expected a non-negative size such as 800B, 250kB, 2.6MB or 1MiB (got -1)'],
    ['', `${SIZE} (got "")`],
  ])('rejects %j', (text, message) => {
    expect(messageOf(() => parseBytes(text))).toBe(message);
  });
});

describe('parseBandwidth (→ bytes/s)', () => {
  it.each<[string | number, number]>([
    ['1Gbps', 125_000_000],
    ['100Mbps', 12_500_000],
    ['10kbps', 1_250],
    ['10Kbps', 1_250],
    ['4Gbps', 500_000_000],
    ['1.5Gbps', 187_500_000],
    ['10Gbps', 1_250_000_000],
    ['8bps', 1],
    ['1Gbit/s', 125_000_000],
    ['10MB/s', 10_000_000],
    ['10 MB / s', 10_000_000],
    ['1GiB/s', 1_073_741_824],
    ['1kB/s', 1000],
    [0, 0],
    ['0', 0],
  ])('%j → %d', (text, bytesPerSecond) => {
    expect(parseBandwidth(text)).toBe(bytesPerSecond);
  });

  it.each<[string | number, string]>([
    [100, 'expected a bandwidth with a unit such as 100Mbps or 100MB/s (got 100: a bare number is ambiguous)'],
    ['10MB', `${BANDWIDTH} (got "10MB": that is a size; did you mean 10MB/s?)`],
    ['1GBps', `${BANDWIDTH} (got "1GBps")`],
    ['1Gb', `${BANDWIDTH} (got "1Gb")`],
    ['-1Gbps', 'expected a non-negative bandwidth such as 1Gbps, 100Mbps or 10MB/s (got "-1Gbps")'],
    ['fast', `${BANDWIDTH} (got "fast")`],
  ])('rejects %j', (text, message) => {
    expect(messageOf(() => parseBandwidth(text))).toBe(message);
  });
});

describe('parseRate (→ events/s)', () => {
  it.each<[string | number, number]>([
    ['2000/s', 2000],
    ['120/min', 2],
    ['120/m', 2],
    ['5/ms', 5000],
    ['3600/h', 1],
    ['1/us', 1_000_000],
    ['2000 / s', 2000],
    ['0.5/s', 0.5],
    [2000, 2000],
    ['2000', 2000],
    [0, 0],
  ])('%j → %d', (text, perSecond) => {
    expect(parseRate(text)).toBe(perSecond);
  });

  it.each<[string | number, string]>([
    ['5/parsec', `${RATE} (got "5/parsec")`],
    ['5s', `${RATE} (got "5s")`],
    ['5/', `${RATE} (got "5/")`],
    ['-5/s', 'expected a non-negative rate such as 2000/s, 120/min or 5/ms (got "-5/s")'],
    [-5, 'expected a non-negative rate such as 2000/s, 120/min or 5/ms (got -5)'],
  ])('rejects %j', (text, message) => {
    expect(messageOf(() => parseRate(text))).toBe(message);
  });
});

describe('parsePercent (→ fraction)', () => {
  it.each<[string | number, number]>([
    ['0.5%', 0.005],
    ['100%', 1],
    ['0%', 0],
    ['50 %', 0.5],
    [0.5, 0.5],
    ['0.25', 0.25],
    [0, 0],
    [1, 1],
  ])('%j → %d', (text, fraction) => {
    expect(parsePercent(text)).toBe(fraction);
  });

  it.each<[string | number, string]>([
    ['150%', `${PERCENT} (got "150%")`],
    ['-1%', `${PERCENT} (got "-1%")`],
    [-0.5, `${PERCENT} (got -0.5)`],
    [5, `${PERCENT} (got 5: did you mean 5%?)`],
    [150, `${PERCENT} (got 150)`],
    ['half', `${PERCENT} (got "half")`],
    ['5s', `${PERCENT} (got "5s")`],
  ])('rejects %j', (text, message) => {
    expect(messageOf(() => parsePercent(text))).toBe(message);
  });
});

describe('parseDistribution', () => {
  it.each<[string | number, Parameters<typeof parseDistribution>[1], unknown]>([
    ['lognormal(5s, 0.6)', 'duration', { kind: 'lognormal', median: 5_000_000, sigma: 0.6 }],
    ['weibull(20ms, 1.5)', 'duration', { kind: 'weibull', scale: 20_000, shape: 1.5 }],
    ['Gamma( 2.5 , 6ms )', 'duration', { kind: 'gamma', shape: 2.5, scale: 6_000 }],
    ['  LogNormal ( 600ms ,0.5 )  ', 'duration', { kind: 'lognormal', median: 600_000, sigma: 0.5 }],
    ['lognormal(5s, 0)', 'duration', { kind: 'lognormal', median: 5_000_000, sigma: 0 }],
    ['exp(20ms)', 'duration', { kind: 'exponential', mean: 20_000 }],
    ['exponential(20ms)', 'duration', { kind: 'exponential', mean: 20_000 }],
    ['uniform(1s, 3s)', 'duration', { kind: 'uniform', min: 1_000_000, max: 3_000_000 }],
    ['uniform(0, 3s)', 'duration', { kind: 'uniform', min: 0, max: 3_000_000 }],
    ['uniform(2s, 2s)', 'duration', { kind: 'uniform', min: 2_000_000, max: 2_000_000 }],
    ['normal(100ms, 20ms)', 'duration', { kind: 'normal', mean: 100_000, sd: 20_000 }],
    ['const(5ms)', 'duration', { kind: 'constant', value: 5_000 }],
    ['constant(5ms)', 'duration', { kind: 'constant', value: 5_000 }],
    ['5ms', 'duration', { kind: 'constant', value: 5_000 }],
    [' 10m30s ', 'duration', { kind: 'constant', value: 630_000_000 }],
    [0, 'duration', { kind: 'constant', value: 0 }],
    [
      'empirical(10ms: 0.5, 50ms: 0.9, 200ms: 1)',
      'duration',
      {
        kind: 'empirical',
        points: [
          [10_000, 0.5],
          [50_000, 0.9],
          [200_000, 1],
        ],
      },
    ],
    [
      'empirical(10ms:50%,10ms:60%,20ms:100%)',
      'duration',
      {
        kind: 'empirical',
        points: [
          [10_000, 0.5],
          [10_000, 0.6],
          [20_000, 1],
        ],
      },
    ],
    ['empirical(5ms: 1)', 'duration', { kind: 'empirical', points: [[5_000, 1]] }],
    ['lognormal(250kB, 0.3)', 'bytes', { kind: 'lognormal', median: 250_000, sigma: 0.3 }],
    ['uniform(1KiB, 1MB)', 'bytes', { kind: 'uniform', min: 1024, max: 1_000_000 }],
    ['800B', 'bytes', { kind: 'constant', value: 800 }],
    ['normal(10, 2.5)', 'number', { kind: 'normal', mean: 10, sd: 2.5 }],
    ['exp(3)', 'number', { kind: 'exponential', mean: 3 }],
    ['7', 'number', { kind: 'constant', value: 7 }],
    [7, 'number', { kind: 'constant', value: 7 }],
  ])('%j as %s', (text, quantity, spec) => {
    expect(parseDistribution(text, quantity)).toEqual(spec);
  });

  it.each<[string, string]>([
    ['lognormal(-5s, 0.6)', 'expected lognormal(median, sigma) with a positive median (got "lognormal(-5s, 0.6)")'],
    ['lognormal(0, 0.6)', 'expected lognormal(median, sigma) with a positive median (got "lognormal(0, 0.6)")'],
    ['lognormal(5s, -0.6)', 'expected lognormal(median, sigma) with sigma a plain number from 0 to 5 (got "lognormal(5s, -0.6)")'],
    ['lognormal(5s, 0.6s)', 'expected lognormal(median, sigma) with sigma a plain number from 0 to 5 (got "lognormal(5s, 0.6s)")'],
    ['lognormal(5s)', 'expected lognormal(median, sigma) with 2 arguments (got "lognormal(5s)")'],
    ['lognormal', 'expected lognormal(median, sigma) (got "lognormal")'],
    ['lognormal(5s, 0.6', 'expected lognormal(median, sigma) (got "lognormal(5s, 0.6")'],
    [
      'lognormal(5 parsecs, 0.6)',
      `${DURATION} (got "5 parsecs": unknown unit "parsecs", expected h, m, s, ms or us) in "lognormal(5 parsecs, 0.6)"`,
    ],
    [
      'beta(2, 1s)',
      'unknown distribution "beta" (expected one of: lognormal, exp, exponential, uniform, normal, const, constant, empirical, weibull, gamma, or a plain value)',
    ],
    ['weibull(20ms)', 'expected weibull(scale, shape) with 2 arguments (got "weibull(20ms)")'],
    ['weibull(0s, 1.5)', 'expected weibull(scale, shape) with a positive scale (got "weibull(0s, 1.5)")'],
    ['weibull(20ms, 0.05)', 'expected weibull(scale, shape) with shape a plain number from 0.1 to 100 (got "weibull(20ms, 0.05)")'],
    ['weibull(20ms, 2ms)', 'expected weibull(scale, shape) with shape a plain number from 0.1 to 100 (got "weibull(20ms, 2ms)")'],
    ['gamma(6ms, 2.5)', 'expected gamma(shape, scale) with shape a plain number from 0.05 to 1000 (got "gamma(6ms, 2.5)")'],
    ['gamma(2.5, 0s)', 'expected gamma(shape, scale) with a positive scale (got "gamma(2.5, 0s)")'],
    ['gamma(2000, 1ms)', 'expected gamma(shape, scale) with shape a plain number from 0.05 to 1000 (got "gamma(2000, 1ms)")'],
    ['exp()', 'expected exp(mean) with 1 argument (got "exp()")'],
    ['exp(-20ms)', 'expected exp(mean) with a non-negative mean (got "exp(-20ms)")'],
    ['exponential(1s, 2s)', 'expected exponential(mean) with 1 argument (got "exponential(1s, 2s)")'],
    ['uniform(3s, 1s)', 'expected uniform(min, max) with 0 <= min <= max (got "uniform(3s, 1s)")'],
    ['uniform(-1s, 1s)', 'expected uniform(min, max) with 0 <= min <= max (got "uniform(-1s, 1s)")'],
    ['normal(100ms, -20ms)', 'expected normal(mean, sd) with a non-negative mean and sd (got "normal(100ms, -20ms)")'],
    ['normal(-100ms, 20ms)', 'expected normal(mean, sd) with a non-negative mean and sd (got "normal(-100ms, 20ms)")'],
    ['const(-5ms)', 'expected const(value) with a non-negative value (got "const(-5ms)")'],
    ['constant()', 'expected constant(value) with 1 argument (got "constant()")'],
    ['uniform(1, 3s)', `expected a duration with a unit such as 1s or 1ms (got "1": a bare number is ambiguous) in "uniform(1, 3s)"`],
    ['-5ms', 'expected a non-negative duration such as 250us, 15ms, 5s or 10m30s (got "-5ms")'],
    ['empirical()', 'expected empirical(value: probability, ...) with at least one point (got "empirical()")'],
    [
      'empirical(10ms 0.5, 20ms: 1)',
      'expected empirical(value: probability, ...) with each point written value: probability (got "empirical(10ms 0.5, 20ms: 1)")',
    ],
    [
      'empirical(50ms: 0.5, 10ms: 1)',
      'expected empirical(value: probability, ...) with non-decreasing values (got "empirical(50ms: 0.5, 10ms: 1)")',
    ],
    [
      'empirical(10ms: 0.9, 50ms: 0.5, 60ms: 1)',
      'expected empirical(value: probability, ...) with probabilities from 0 to 1, non-decreasing (got "empirical(10ms: 0.9, 50ms: 0.5, 60ms: 1)")',
    ],
    [
      'empirical(10ms: 0.5, 50ms: 1.5)',
      'expected empirical(value: probability, ...) with probabilities from 0 to 1, non-decreasing (got "empirical(10ms: 0.5, 50ms: 1.5)")',
    ],
    [
      'empirical(10ms: 0.5, 50ms: 0.9)',
      'expected empirical(value: probability, ...) with the last probability 1 (got "empirical(10ms: 0.5, 50ms: 0.9)")',
    ],
  ])('rejects %j', (text, message) => {
    expect(messageOf(() => parseDistribution(text, 'duration'))).toBe(message);
  });

  it('rejects values of the wrong quantity', () => {
    expect(messageOf(() => parseDistribution('exp(5ms)', 'number'))).toBe('expected a non-negative plain number (got "5ms") in "exp(5ms)"');
    expect(messageOf(() => parseDistribution('uniform(1Mb, 2MB)', 'bytes'))).toBe(
      `${SIZE} (got "1Mb": "Mb" is bits; sizes are in bytes (B), and a transfer rate is a bandwidth such as 1Mbps) in "uniform(1Mb, 2MB)"`,
    );
  });

  it('error messages start lower-case', () => {
    for (const bad of ['lognormal(-5s, 0.6)', 'gamma(1)', '5 parsecs', 'empirical()']) {
      expect(messageOf(() => parseDistribution(bad, 'duration'))).toMatch(/^[a-z]/);
    }
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [1, '1us'],
    [250, '250us'],
    [15_000, '15ms'],
    [1_500, '1.5ms'],
    [999_999, '999.999ms'],
    [1_500_000, '1.5s'],
    [5_000_000, '5s'],
    [1_000_001, '1.000001s'],
    [60_000_000, '1m'],
    [630_000_000, '10m30s'],
    [600_500_000, '10m0.5s'],
    [3_600_000_000, '1h'],
    [3_723_500_000, '1h2m3.5s'],
    [7_200_000_001, '2h0.000001s'],
    [-5_000_000, '-5s'],
    [1_499.6, '1.5ms'],
  ])('%d µs → %s', (us, text) => {
    expect(formatDuration(us)).toBe(text);
  });

  it.each(['250us', '15ms', '1.5s', '10m30s', '1h2m3.5s', '1h', '59.999999s'])('round-trips %s', (text) => {
    expect(formatDuration(parseDuration(text))).toBe(text);
  });

  it('parseDuration(formatDuration(n)) === n for every integer µs n', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat({ max: 10_000_000_000 }), fc.maxSafeNat()), (n) => parseDuration(formatDuration(n)) === n),
      { numRuns: 5000 },
    );
  });
});

describe('formatBytes', () => {
  it.each<[number, string]>([
    [0, '0B'],
    [800, '800B'],
    [1000, '1kB'],
    [250_000, '250kB'],
    [1_200_000, '1.2MB'],
    [1_234_567, '1.23MB'],
    [2_600_000, '2.6MB'],
    [999_999, '1MB'],
    [1_000_000_000, '1GB'],
    [1024, '1.02kB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('round-trips to 3 significant digits', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e15 }), (n) => {
        const back = parseBytes(formatBytes(n));
        return Math.abs(back - n) <= 0.005 * n + 0.5;
      }),
    );
  });
});

describe('values too large to be finite, and lognormal sigma', () => {
  it('rejects a rate that overflows to Infinity', () => {
    expect(messageOf(() => parseRate('1e400/s'))).toBe(`${RATE} (got "1e400/s": too large)`);
    expect(messageOf(() => parseRate('1e400'))).toBe(`${RATE} (got "1e400")`);
    expect(parseRate('1e300/s')).toBe(1e300);
  });

  it('rejects a bandwidth that overflows to Infinity', () => {
    expect(messageOf(() => parseBandwidth('1e400Gbps'))).toBe(`${BANDWIDTH} (got "1e400Gbps": too large)`);
    expect(messageOf(() => parseBandwidth('1e308GB/s'))).toBe(`${BANDWIDTH} (got "1e308GB/s": too large)`);
  });

  it('accepts lognormal sigma up to 5 and no more (1e6 sampled NaN, 50 times beyond 2^53 µs)', () => {
    expect(parseDistribution('lognormal(20ms, 5)', 'duration')).toEqual({ kind: 'lognormal', median: 20_000, sigma: 5 });
    for (const sigma of ['5.01', '50', '1e6']) {
      const text = `lognormal(20ms, ${sigma})`;
      expect(messageOf(() => parseDistribution(text, 'duration'))).toBe(
        `expected lognormal(median, sigma) with sigma a plain number from 0 to 5 (got "${text}")`,
      );
    }
  });
});

describe('parseCount', () => {
  it('takes whole numbers and k/M suffixes, as --users does', () => {
    expect(['10000', '10k', '10K', '1.5M', '1.5m', '1e6', '100_000', ' 2k '].map(parseCount)).toEqual([
      10_000, 10_000, 10_000, 1_500_000, 1_500_000, 1_000_000, 100_000, 2_000,
    ]);
    expect(parseCount(42)).toBe(42);
    expect(parseCount('1.1k')).toBe(1100);
  });

  it('refuses zero, negatives, fractions of one and other units', () => {
    for (const bad of ['0', 0, -5, '-5', '1.5', 2.5, '5x', '10kB', '', '1e400']) {
      expect(() => parseCount(bad), String(bad)).toThrow(UnitError);
    }
  });
});
