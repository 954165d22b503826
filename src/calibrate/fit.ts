import type { DistributionSpec } from '../kernel/distributions.js';
import { formatDuration } from '../kernel/units.js';
import { fitLognormal, roundTripDistribution, serialCeiling } from './estimate.js';
import { simulateLevel, type ModelInputs } from './predict.js';
import type { PrimitiveInfo } from './store.js';
import { clientCpuPerTake, latencies, levelFigures, meanAttempts, type MeasuredLevel } from './rounds.js';

/**
 * Fits the model of predict.ts to one primitive's measurements:
 *
 * - client CPU per take: measured at each level (the process's CPU time
 *   over the level's takes): an input, like
 *   a service demand in operational analysis, because it changes with the
 *   clients (one wake-up per reply with one client, one per batch with a
 *   few, more sockets to poll with hundreds);
 * - the ceiling: 1 / the throughput plateau (each level's median over its
 *   rounds, rounds.ts), the demand of the busiest
 *   serial station;
 * - the store's serial time S: the one free parameter, between 0 and the
 *   slowest level's cycle (1 / its throughput),
 *   chosen so that the simulated throughput curve is closest to the
 *   measured one (least squares on log throughput over all levels);
 * - the round trip outside: the lowest level's mean latency less the
 *   client CPU and S, with the shape of that level's latencies (see
 *   roundTripDistribution in estimate.ts).
 */

/** A primitive's fitted inputs. */
export interface PrimitiveFit {
  /** The store's serial time per take, µs (the scenario's `system.stock.service`). */
  serviceUs: number;
  /** Client-side CPU per take (per try, for an optimistic primitive) at each level, µs, by concurrency (the measuring process: not part of a scenario). */
  clientUs: Record<number, number>;
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

/** Takes per level simulated while searching S (the prediction itself simulates each round's budget). */
const SEARCH_TAKES = 1500;

function roundTripFor(serviceUs: number, clientUs: number, lowestLatencies: readonly number[], lowestMean: number): DistributionSpec {
  return roundTripDistribution(lowestLatencies, lowestMean - clientUs - serviceUs);
}

/**
 * Fits one primitive.
 *
 * @param levels its measured levels (any order; at least one, each with at least one round).
 */
export function fitPrimitive(info: PrimitiveInfo, levels: readonly MeasuredLevel[]): PrimitiveFit {
  const figures = levels.map(levelFigures);
  const plateau = serialCeiling(levels.map((l, i) => ({ concurrency: l.concurrency, throughput: figures[i].throughput })));
  const ceilingUs = plateau > 0 ? 1e6 / plateau : 0;
  // No station can cost more per take than the slowest level's whole cycle: the bound of the search and of the client CPU.
  const slowest = Math.min(...figures.map((f) => f.throughput).filter((x) => x > 0));
  const boundUs = Number.isFinite(slowest) && slowest > 0 ? 1e6 / slowest : ceilingUs;
  // An optimistic primitive's client pays per try: the CPU per take over the mean tries at that level.
  const perTry = (l: MeasuredLevel): number => (info.optimisticAttempts === undefined ? 1 : Math.max(1, meanAttempts(l)));
  const clientUs: Record<number, number> = Object.fromEntries(
    levels.map((l) => [l.concurrency, Math.min(boundUs, clientCpuPerTake(l) / perTry(l))]),
  );
  const lowestIndex = levels.reduce((best, l, i) => (l.concurrency < levels[best].concurrency ? i : best), 0);
  const lowest = levels[lowestIndex];
  const lowestLatencies = latencies(lowest);
  const lowestMean = figures[lowestIndex].mean;
  const lowestClient = clientUs[lowest.concurrency];
  const loss = (serviceUs: number): number => {
    const roundTrip = roundTripFor(serviceUs, lowestClient, lowestLatencies, lowestMean);
    let sum = 0;
    levels.forEach((l, i) => {
      if (figures[i].throughput <= 0) return;
      const inputs: ModelInputs = {
        primitive: info.model,
        serviceUs,
        clientUs: clientUs[l.concurrency],
        roundTrip,
        optimisticAttempts: info.optimisticAttempts,
      };
      const shape = l.rounds[0];
      const p = simulateLevel(inputs, {
        concurrency: l.concurrency,
        takes: Math.min(SEARCH_TAKES, shape.takes.length),
        units: shape.initial,
      });
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
  scan(0, boundUs, 40);
  const step = boundUs / 40;
  scan(Math.max(0, best - step), Math.min(boundUs, best + step), 10);
  const lognormal = fitLognormal(lowestLatencies);
  return {
    latencyLognormal: lognormal ? `lognormal(${formatDuration(lognormal.median)}, ${lognormal.sigma.toFixed(2)})` : null,
    serviceUs: best,
    clientUs,
    roundTripMeanUs: Math.max(0, lowestMean - lowestClient - best),
    roundTrip: roundTripFor(best, lowestClient, lowestLatencies, lowestMean),
    ceilingPerSecond: plateau,
    ceilingUs,
  };
}

/** The model inputs of a fit at one level. */
export function modelInputs(info: PrimitiveInfo, fit: PrimitiveFit, concurrency: number): ModelInputs {
  return {
    primitive: info.model,
    serviceUs: fit.serviceUs,
    clientUs: fit.clientUs[concurrency] ?? 0,
    roundTrip: fit.roundTrip,
    optimisticAttempts: info.optimisticAttempts,
  };
}
