import { describe, expect, it } from 'vitest';
import { samplerOf, type DistributionSpec } from '../../src/kernel/distributions.js';
import { RandomSource } from '../../src/kernel/random.js';
import { parseDistribution } from '../../src/kernel/units.js';
import { loadScenario } from '../../src/scenario/load.js';
import { fitFamily, momentsOf, PARAMETRIC_FAMILIES } from '../../src/fit/families.js';
import { fitDistributions, fitSamples, type FitResult } from '../../src/fit/fit.js';
import { formatSpec } from '../../src/fit/format.js';
import { renderFitJson, renderFitText, scenarioLine } from '../../src/fit/render.js';

const samplers = new Map<DistributionSpec, ReturnType<typeof samplerOf>>();

/** n draws of spec from a seeded stream (entity `seed`, index i). */
function draws(spec: DistributionSpec, n: number, seed = 0): Float64Array {
  if (!samplers.has(spec)) samplers.set(spec, samplerOf(spec));
  const sampler = samplers.get(spec)!;
  const stream = new RandomSource(3, 0).stream('fit-test');
  return Float64Array.from({ length: n }, (_, i) => sampler(stream.uniform(seed, i)));
}

/** The true parameters by the fit's names. */
function truth(spec: DistributionSpec): Record<string, number> {
  const { kind: _kind, ...rest } = spec as unknown as Record<string, number>;
  return rest;
}

const TRUE: Array<[string, DistributionSpec]> = [
  ['lognormal(14.2ms, 0.38)', { kind: 'lognormal', median: 14_200, sigma: 0.38 }],
  ['weibull(20ms, 1.5)', { kind: 'weibull', scale: 20_000, shape: 1.5 }],
  ['gamma(2.5, 6ms)', { kind: 'gamma', shape: 2.5, scale: 6_000 }],
  ['exp(20ms)', { kind: 'exponential', mean: 20_000 }],
];

describe('fitSamples on draws of a known distribution', () => {
  it.each(TRUE)('%s: the fit recovers every parameter within its 95 per cent interval and ranks the family first', (_label, spec) => {
    const fits = fitDistributions(draws(spec, 2000), { bootstrap: 0 });
    const best = fits[0];
    expect(best.rank).toBe(1);
    expect(best.spec.kind).toBe(spec.kind);
    for (const p of best.parameters) {
      const value = truth(spec)[p.name];
      expect(value, p.name).toBeGreaterThanOrEqual(p.low);
      expect(value, p.name).toBeLessThanOrEqual(p.high);
      // Not vacuous: an interval of a few per cent at 2,000 samples.
      expect((p.high - p.low) / p.value).toBeLessThan(0.15);
    }
  });

  it('the 95% intervals cover the truth in about 95% of 200 samples of 200 (every family, every parameter)', () => {
    for (const [label, spec] of TRUE) {
      const family = spec.kind as (typeof PARAMETRIC_FAMILIES)[number];
      const covered: Record<string, number> = {};
      const runs = 200;
      for (let seed = 1; seed <= runs; seed++) {
        const xs = draws(spec, 200, seed);
        const fit = fitFamily(family, xs, momentsOf(xs))!;
        for (const p of fit.parameters) {
          const v = truth(spec)[p.name];
          covered[p.name] = (covered[p.name] ?? 0) + (v >= p.low && v <= p.high ? 1 : 0);
        }
      }
      for (const [name, count] of Object.entries(covered)) {
        // Binomial(200, 0.95): 190 ± 3.1; Wald intervals at n = 200 run a little short.
        expect(count / runs, `${label} ${name}`).toBeGreaterThan(0.89);
        expect(count / runs, `${label} ${name}`).toBeLessThanOrEqual(0.99);
      }
    }
  });

  it('bootstrap p-values: the true family passes, the wrong ones fail; the same seed gives the same p-values', () => {
    const xs = draws(TRUE[0][1], 1000);
    const report = fitSamples(xs, { bootstrap: 60, seed: 5 });
    const by = (family: string): FitResult => report.fits.find((f) => f.family === family)!;
    expect(by('lognormal').adPValue!).toBeGreaterThan(0.05);
    expect(by('lognormal').ksPValue!).toBeGreaterThan(0.05);
    for (const wrong of ['exponential', 'normal', 'uniform', 'weibull']) expect(by(wrong).adPValue, wrong).toBe(1 / 61);
    const again = fitSamples(xs, { bootstrap: 60, seed: 5 });
    expect(again.fits.map((f) => [f.ksPValue, f.adPValue])).toEqual(report.fits.map((f) => [f.ksPValue, f.adPValue]));
  });

  it('constant samples give only the constant', () => {
    const report = fitSamples(new Float64Array(30).fill(5_000));
    expect(report.fits.map((f) => f.value)).toEqual(['5ms']);
    expect(report.skipped).toHaveLength(PARAMETRIC_FAMILIES.length);
  });

  it('a zero sample rules out the log-scale families, and says so', () => {
    const xs = draws({ kind: 'exponential', mean: 1_000 }, 200);
    xs[0] = 0;
    const report = fitSamples(xs, { bootstrap: 0 });
    expect(report.skipped.map((s) => s.family).sort()).toEqual(['gamma', 'lognormal', 'weibull']);
    expect(report.best.family).toBe('exponential');
  });

  it('refuses too few samples, negative ones and an out-of-range bootstrap', () => {
    expect(() => fitSamples([1, 2, 3])).toThrow('3 samples; a fit needs at least 20');
    expect(() => fitSamples([...draws(TRUE[0][1], 30), -1])).toThrow('non-negative');
    expect(() => fitSamples(draws(TRUE[0][1], 30), { bootstrap: 5000 })).toThrow('--bootstrap');
  });
});

describe('the printed scenario value', () => {
  it.each(TRUE)('%s: the best fit and the empirical line parse back through the scenario loader', (_label, spec) => {
    const report = fitSamples(draws(spec, 2000), { bootstrap: 0 });
    for (const fit of [report.best, report.fits.find((f) => f.family === 'empirical')!]) {
      const line = scenarioLine(fit);
      const value = /^service: '(.*)'$/.exec(line)![1];
      const loaded = loadScenario('scenarios/smoke.yaml', { set: [`system.orderServers.service='${value}'`] });
      const parsed = loaded.scenario.system.orderServers.service;
      expect(parsed.kind).toBe(fit.spec.kind);
      // 3 significant digits: within 0.5% of the estimate (integer µs aside).
      const numbers = (spec: DistributionSpec): number[] => Object.values(truth(spec)).flat<unknown[], 2>(2).map(Number);
      const a = numbers(parsed);
      const b = numbers(fit.spec);
      a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(0.005 * Math.abs(b[i]) + 1));
    }
  });

  it('formatSpec writes every kind in the language', () => {
    const specs: DistributionSpec[] = [
      { kind: 'constant', value: 5_000 },
      { kind: 'uniform', min: 1_000, max: 3_000 },
      { kind: 'exponential', mean: 20_000 },
      { kind: 'normal', mean: 100_000, sd: 20_000 },
      { kind: 'lognormal', median: 14_213, sigma: 0.3812 },
      { kind: 'weibull', scale: 1_234_567, shape: 1.5 },
      { kind: 'gamma', shape: 2.5, scale: 850 },
    ];
    expect(specs.map(formatSpec)).toEqual([
      '5ms',
      'uniform(1ms, 3ms)',
      'exp(20ms)',
      'normal(100ms, 20ms)',
      'lognormal(14.2ms, 0.381)',
      'weibull(1.23s, 1.5)',
      'gamma(2.5, 850us)',
    ]);
    for (const text of specs.map(formatSpec)) expect(() => parseDistribution(text, 'duration')).not.toThrow();
  });
});

describe('renderFitText and renderFitJson', () => {
  const report = fitSamples(draws(TRUE[0][1], 500), { bootstrap: 20 });
  const source = { file: 'lat.csv', format: 'csv', what: 'column "ms"' };

  it('a table row per fit, the intervals and the line to paste', () => {
    const text = renderFitText(report, source);
    expect(text).toContain('lat.csv: 500 samples (csv, column "ms")');
    expect(text).toMatch(/rank +distribution +KS D +p\(KS\) +AD A² +p\(AD\) +log L +AIC/);
    expect(text).toContain(`   1  ${report.best.value}`);
    expect(text).toMatch(/ - +empirical \(15 points\)/);
    expect(text).toContain('≤0.048');
    expect(text).toContain(`95% intervals of the best fit: median`);
    expect(text.trimEnd().endsWith(`service: '${report.best.value}'`)).toBe(true);
  });

  it('fit.json holds the best line and every fit', () => {
    const json = JSON.parse(renderFitJson(report, source));
    expect(json.best.line).toBe(`service: '${report.best.value}'`);
    expect(json.fits).toHaveLength(report.fits.length);
    expect(json.unit).toBe('us');
    expect(json.bootstrap).toEqual({ replicates: 20, sampleSize: 500, seed: 1 });
  });
});
