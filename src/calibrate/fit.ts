import type { DistributionSpec } from '../kernel/distributions.js';
import { formatDuration } from '../kernel/units.js';
import { fitLognormal, roundTripDistribution, serialCeiling } from './estimate.js';
import type { LevelMeasurement } from './experiment.js';
import { simulateLevel, type ModelInputs } from './predict.js';
import type { PrimitiveInfo } from './store.js';
import { steadyFigures, type LevelFigures } from './steady.js';

/**
 * Fits the model of predict.ts to one primitive's measurements:
 *
 * - client CPU per take: measured (the process's CPU time over the level's
 *   takes, the median over levels), at most the ceiling's demand;
 * - the ceiling: 1 / the throughput plateau, the demand of the busiest
 *   serial station;
 * - the store's serial time S: the one free parameter, in [0, ceiling],
 *   chosen so that the simulated throughput curve is closest to the
 *   measured one (least squares on log throughput over all levels);
 * - the round trip outside: the lowest level's mean latency less the
 *   client CPU and S, shaped as a lognormal fitted to that level's
 *   latencies.
 */

/** A primitive's fitted inputs. */
export interface PrimitiveFit {
  /** The store's serial time per take, µs (the scenario's `system.stock.service`). */
  serviceUs: number;
  /** Client-side CPU per take, µs (the measuring process: not part of a scenario). */
  clientUs: number;
  /** Mean round trip outside the store and the client CPU, µs. */
  roundTripMeanUs: number;
  /** Its distribution (empirical, the lowest level's shape). */
  roundTrip: DistributionSpec;
  /** The lowest level's latencies as a lognormal (log moments), in the scenario language: `lognormal(52us, 0.95)`. */
  latencyLognormal: string | null;
  /** The throughput plateau, takes/s. */
  ceilingPerSecond: number;
  /** Its inverse, µs per take. */
  ceilingUs: number;
}

/** Takes per level simulated while searching S (the prediction itself simulates the full budget). */
const SEARCH_TAKES = 1500;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The steady-window figures of a measured level. */
export function measuredFigures(level: LevelMeasurement): LevelFigures {
  return steadyFigures(
    level.takes.map((t) => t.startUs),
    level.takes.map((t) => t.endUs),
  );
}

/** The model inputs for a candidate S. */
function inputsFor(info: PrimitiveInfo, serviceUs: number, clientUs: number, lowest: LevelMeasurement, lowestMean: number): ModelInputs {
  const latencies = lowest.takes.map((t) => t.endUs - t.startUs);
  return {
    primitive: info.model,
    serviceUs,
    clientUs,
    roundTrip: roundTripDistribution(latencies, lowestMean - clientUs - serviceUs),
  };
}

/**
 * Fits one primitive.
 *
 * @param levels its measured levels (any order; at least one).
 */
export function fitPrimitive(info: PrimitiveInfo, levels: readonly LevelMeasurement[]): PrimitiveFit {
  const figures = levels.map(measuredFigures);
  const plateau = serialCeiling(figures.map((f) => f.throughput));
  const ceilingUs = plateau > 0 ? 1e6 / plateau : 0;
  const clientUs = Math.min(ceilingUs, median(levels.map((l) => (l.takes.length > 0 ? l.clientCpuUs / l.takes.length : 0))));
  const lowestIndex = levels.reduce((best, l, i) => (l.concurrency < levels[best].concurrency ? i : best), 0);
  const lowest = levels[lowestIndex];
  const lowestMean = figures[lowestIndex].mean;
  const loss = (serviceUs: number): number => {
    const inputs = inputsFor(info, serviceUs, clientUs, lowest, lowestMean);
    let sum = 0;
    levels.forEach((l, i) => {
      if (figures[i].throughput <= 0) return;
      const p = simulateLevel(inputs, { concurrency: l.concurrency, takes: Math.min(SEARCH_TAKES, l.takes.length), units: l.initial });
      sum += Math.log(Math.max(p.throughput, 1e-9) / figures[i].throughput) ** 2;
    });
    return sum;
  };
  // A grid, then a finer one around its best point: the loss is simulated, so not smooth enough for derivatives.
  let best = 0;
  let bestLoss = Infinity;
  const scan = (from: number, to: number, steps: number): void => {
    for (let k = 0; k <= steps; k++) {
      const s = from + ((to - from) * k) / steps;
      const l = loss(s);
      if (l < bestLoss) {
        bestLoss = l;
        best = s;
      }
    }
  };
  scan(0, ceilingUs, 20);
  const step = ceilingUs / 20;
  scan(Math.max(0, best - step), Math.min(ceilingUs, best + step), 10);
  const inputs = inputsFor(info, best, clientUs, lowest, lowestMean);
  const lognormal = fitLognormal(lowest.takes.map((t) => t.endUs - t.startUs));
  return {
    latencyLognormal: lognormal ? `lognormal(${formatDuration(lognormal.median)}, ${lognormal.sigma.toFixed(2)})` : null,
    serviceUs: best,
    clientUs,
    roundTripMeanUs: Math.max(0, lowestMean - clientUs - best),
    roundTrip: inputs.roundTrip,
    ceilingPerSecond: plateau,
    ceilingUs,
  };
}

/** The model inputs of a fit. */
export function modelInputs(info: PrimitiveInfo, fit: PrimitiveFit): ModelInputs {
  return { primitive: info.model, serviceUs: fit.serviceUs, clientUs: fit.clientUs, roundTrip: fit.roundTrip };
}
