import { largestDraw, type DistributionSpec } from '../kernel/distributions.js';
import { RandomSource } from '../kernel/random.js';
import { parseDistribution, UnitError } from '../kernel/units.js';
import { UsageError } from '../errors.js';
import { LIMITS } from '../scenario/schema.js';
import { cdfOf, fitFamily, momentsOf, PARAMETRIC_FAMILIES, quantileOf, type FamilyFit, type FamilyName } from './families.js';
import { formatSpec } from './format.js';
import { goodnessOfFit } from './goodness.js';
import { MIN_SAMPLES } from './read.js';

/**
 * Fitting measured latencies: every family of the scenario language by
 * maximum likelihood, then goodness of fit and a ranking.
 *
 * Ranking: by Anderson–Darling's A², smallest first (it weighs the tails,
 * where latency targets live), with one rule of parsimony: the exponential
 * is the Weibull and the gamma of shape 1, which always fit at least as
 * well, so it goes ahead of them when their shape's 95% interval contains
 * 1 (the extra parameter is not supported by the data). The empirical distribution is listed, not
 * ranked: it is the data itself. p-values come from a seeded parametric
 * bootstrap, because the parameters are estimated from the same samples
 * (the textbook KS and AD tables assume known parameters and would be far
 * too lenient): B samples are drawn from the fitted distribution, each is
 * refitted, and p = (1 + #{statistic* ≥ statistic}) / (B + 1). Each
 * bootstrap sample has min(n, {@link BOOTSTRAP_SAMPLE_CAP}) draws; when
 * that is fewer than n, √m·D* is compared with √n·D, and A²* with A² (both
 * converge to a limit law that does not depend on the sample size), so the
 * cost is bounded whatever n is.
 */

/** Most bootstrap replicates per family. */
export const MAX_BOOTSTRAP = 2000;
/** Default bootstrap replicates per family (p-values to steps of 1/201). */
export const DEFAULT_BOOTSTRAP = 200;
/** Draws per bootstrap replicate at most (see the module comment). */
export const BOOTSTRAP_SAMPLE_CAP = 2000;

/** Probabilities of the empirical distribution's points (0.999 only from 2,000 samples on). */
const EMPIRICAL_PROBABILITIES = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1];

/** Options of {@link fitDistributions}. */
export interface FitOptions {
  /** Bootstrap replicates per family for the p-values (0: none, p-values null). Default {@link DEFAULT_BOOTSTRAP}. */
  bootstrap?: number;
  /** Seed of the bootstrap draws (default 1): the same seed gives the same p-values. */
  seed?: number;
}

/** One fitted family with its goodness of fit. */
export interface FitResult extends FamilyFit {
  /** The fitted distribution as a scenario value (3 significant digits): `lognormal(14.2ms, 0.38)`. */
  value: string;
  /** Kolmogorov–Smirnov D against the samples. */
  ks: number;
  /** Anderson–Darling A² against the samples. */
  ad: number;
  /** Bootstrap p-value of D (null without a bootstrap, for constant and empirical). */
  ksPValue: number | null;
  /** Bootstrap p-value of A². */
  adPValue: number | null;
  /** Akaike's criterion 2k − 2 ln L (null without a likelihood). */
  aic: number | null;
  /** 1 for the best fit; null for the empirical distribution and for fits outside the language's limits. */
  rank: number | null;
  /** Why a fit is not ranked, when it is not. */
  note?: string;
}

/** Order statistics of the samples, µs. */
export interface SampleSummary {
  n: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Everything {@link fitSamples} finds. */
export interface FitReport {
  summary: SampleSummary;
  /** Ranked fits first (best first), then the unranked ones. */
  fits: FitResult[];
  /** Families that could not be fitted, and why. */
  skipped: Array<{ family: FamilyName; reason: string }>;
  /** The bootstrap behind the p-values. */
  bootstrap: { replicates: number; sampleSize: number; seed: number };
  /** The best ranked fit (the first of `fits`). */
  best: FitResult;
}

/** The type-7 quantile (linear between order statistics) of ascending samples. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo);
}

/** The empirical distribution as quantile points: a piecewise-linear CDF through the samples' quantiles. */
export function empiricalSpec(sorted: ArrayLike<number>): DistributionSpec {
  const probabilities = EMPIRICAL_PROBABILITIES.filter((p) => p !== 0.999 || sorted.length >= 2000);
  return { kind: 'empirical', points: probabilities.map((p): [number, number] => [quantileSorted(sorted, p), p]) };
}

/** Why a spec cannot be pasted into a scenario (outside the parser's ranges or the duration limit), or undefined. */
function notExpressible(spec: DistributionSpec): string | undefined {
  try {
    const parsed = parseDistribution(formatSpec(spec), 'duration');
    if (!(largestDraw(parsed) <= LIMITS.anyDurationUs)) return 'its far tail is beyond the longest duration a scenario accepts';
    return undefined;
  } catch (error) {
    if (error instanceof UnitError) return `outside the scenario language's limits: ${error.message}`;
    throw error;
  }
}

/**
 * The stream of a family's bootstrap draws. Not a run's stream (those are
 * listed in src/system/streams.ts, a layer above this one): it lives in its
 * own `RandomSource`, so it can share no draws with a simulation.
 */
export const bootstrapStreamName = (family: string): string => `fit-bootstrap-${family}`;

/**
 * The bootstrap p-values of one fit: seeded draws from the fitted
 * distribution, refitted, their D and A² compared with the samples'.
 */
function bootstrapPValues(fit: FamilyFit, n: number, ks: number, ad: number, replicates: number, seed: number): [number, number] {
  const m = Math.min(n, BOOTSTRAP_SAMPLE_CAP);
  const quantile = quantileOf(fit.spec);
  const stream = new RandomSource(seed, 0).stream(bootstrapStreamName(fit.family));
  const draws = new Float64Array(m);
  const ksScaled = ks * Math.sqrt(n / m);
  let ksAbove = 0;
  let adAbove = 0;
  for (let b = 0; b < replicates; b++) {
    for (let i = 0; i < m; i++) draws[i] = quantile(stream.uniform(b, i));
    draws.sort();
    const refit = fitFamily(fit.family as (typeof PARAMETRIC_FAMILIES)[number], draws);
    // A draw the family cannot be fitted to (no spread at all) is as far from it as can be.
    if (!refit) {
      ksAbove++;
      adAbove++;
      continue;
    }
    const stats = goodnessOfFit(draws, cdfOf(refit.spec));
    if (stats.ks >= ksScaled) ksAbove++;
    if (stats.ad >= ad) adAbove++;
  }
  return [(ksAbove + 1) / (replicates + 1), (adAbove + 1) / (replicates + 1)];
}

/** Moves the exponential ahead of the Weibull and gamma fits whose shape interval contains 1 (see the module comment). */
function parsimonious(ranked: FitResult[]): FitResult[] {
  const e = ranked.findIndex((r) => r.family === 'exponential');
  if (e < 0) return ranked;
  const nestsIt = (r: FitResult): boolean => {
    const shape = r.parameters.find((p) => p.name === 'shape');
    return (r.family === 'weibull' || r.family === 'gamma') && shape !== undefined && shape.low <= 1 && shape.high >= 1;
  };
  const first = ranked.findIndex((r, i) => i < e && nestsIt(r));
  if (first < 0) return ranked;
  const out = ranked.filter((_, i) => i !== e);
  out.splice(first, 0, ranked[e]);
  return out;
}

/**
 * Fits every family of the scenario language to measured latencies and
 * ranks them (see the module comment for the method).
 *
 * @param samplesUs the latencies, µs, ≥ 0, at least {@link MIN_SAMPLES}.
 * @param options bootstrap replicates and seed.
 * @returns the report: summary, fits (best first), skipped families, best.
 * @throws {UsageError} for fewer than {@link MIN_SAMPLES} samples, negative or non-finite ones, or a bootstrap count out of range.
 */
export function fitSamples(samplesUs: ArrayLike<number>, options: FitOptions = {}): FitReport {
  const replicates = options.bootstrap ?? DEFAULT_BOOTSTRAP;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(replicates) || replicates < 0 || replicates > MAX_BOOTSTRAP) {
    throw new UsageError(`--bootstrap: expected a whole number from 0 to ${MAX_BOOTSTRAP} (got ${replicates})`);
  }
  const n = samplesUs.length;
  if (n < MIN_SAMPLES) throw new UsageError(`${n} samples; a fit needs at least ${MIN_SAMPLES}`);
  const sorted = Float64Array.from(samplesUs).sort();
  if (!(sorted[0] >= 0) || !Number.isFinite(sorted[n - 1])) throw new UsageError('samples must be finite and non-negative');
  const moments = momentsOf(sorted);
  const summary: SampleSummary = {
    n,
    mean: moments.mean,
    min: sorted[0],
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[n - 1],
  };
  const bootstrap = { replicates, sampleSize: Math.min(n, BOOTSTRAP_SAMPLE_CAP), seed };

  if (sorted[0] === sorted[n - 1]) {
    const spec: DistributionSpec = { kind: 'constant', value: sorted[0] };
    const only: FitResult = {
      family: 'constant',
      spec,
      parameters: [{ name: 'value', value: sorted[0], low: sorted[0], high: sorted[0], unit: 'us' }],
      logLikelihood: null,
      value: formatSpec(spec),
      ks: 0,
      ad: 0,
      ksPValue: null,
      adPValue: null,
      aic: null,
      rank: 1,
    };
    const skipped = PARAMETRIC_FAMILIES.map((family) => ({ family, reason: 'every sample is the same value' }));
    return { summary, fits: [only], skipped, bootstrap, best: only };
  }

  const skipped: FitReport['skipped'] = [];
  const results: FitResult[] = [];
  for (const family of PARAMETRIC_FAMILIES) {
    const fit = fitFamily(family, sorted, moments);
    if (!fit) {
      const logScale = family === 'lognormal' || family === 'weibull' || family === 'gamma';
      skipped.push({ family, reason: logScale && sorted[0] === 0 ? 'a sample is 0, outside its support' : 'no fit to these samples' });
      continue;
    }
    const { ks, ad } = goodnessOfFit(sorted, cdfOf(fit.spec));
    const [ksPValue, adPValue] = replicates > 0 ? bootstrapPValues(fit, n, ks, ad, replicates, seed) : [null, null];
    const note = notExpressible(fit.spec);
    results.push({
      ...fit,
      value: formatSpec(fit.spec),
      ks,
      ad,
      ksPValue,
      adPValue,
      aic: 2 * fit.parameters.length - 2 * fit.logLikelihood!,
      rank: null,
      ...(note !== undefined ? { note } : {}),
    });
  }
  const ranked = parsimonious(results.filter((r) => r.note === undefined).sort((a, b) => a.ad - b.ad));
  ranked.forEach((r, i) => (r.rank = i + 1));
  const empirical = empiricalSpec(sorted);
  const empiricalStats = goodnessOfFit(sorted, cdfOf(empirical));
  const empiricalResult: FitResult = {
    family: 'empirical',
    spec: empirical,
    parameters: [],
    logLikelihood: null,
    value: formatSpec(empirical),
    ...empiricalStats,
    ksPValue: null,
    adPValue: null,
    aic: null,
    rank: null,
    note: 'the data itself: not ranked',
  };
  const fits = [...ranked, ...results.filter((r) => r.note !== undefined), empiricalResult];
  return { summary, fits, skipped, bootstrap, best: ranked[0] ?? empiricalResult };
}

/**
 * The fitted families, best first: {@link fitSamples}'s `fits`. A small
 * entry point for code that fits service times from measured µs.
 *
 * @param samplesUs latencies in µs.
 */
export function fitDistributions(samplesUs: ArrayLike<number>, options: FitOptions = {}): FitResult[] {
  return fitSamples(samplesUs, options).fits;
}
