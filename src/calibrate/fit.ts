import type { DistributionSpec } from '../kernel/distributions.js';
import { latencyLognormal, roundTripDistribution, serialCeiling } from './estimate.js';
import { nelderMead } from './minimize.js';
import { simulateLevel, type ModelInputs, type Prediction } from './predict.js';
import type { PrimitiveInfo } from './store.js';
import { steadyClientTimePerTake, latencies, levelFigures, type MeasuredLevel } from './rounds.js';

/**
 * Fits the model of predict.ts to one primitive's measurements: a few
 * parameters for all levels, each level then predicted by simulating it.
 *
 * - the client's CPU, per visit and per wake-up of its idle thread: linear
 *   least squares of the CPU per take measured at each level (the main
 *   thread's CPU time over the round's takes) against the visits and
 *   wake-ups per take the simulation shows at that level (both over
 *   the steady window): one wake-up per
 *   take with one client, fewer as more replies arrive while the thread is
 *   busy;
 * - the store's serial time of a take that sells, of one that finds no
 *   stock, and per take waiting behind it: Nelder–Mead on the squared log
 *   ratios of simulated to measured throughput over the levels fitted on;
 * - the round trip outside: the lowest level's mean latency less what the
 *   simulation spends in the two stations there, with the shape of that
 *   level's latencies (roundTripDistribution in estimate.ts).
 *
 * The client and the store are fitted in turn, twice: the visits and
 * wake-ups depend on the store's times, and the store's times on the
 * client's cost.
 */

/** A primitive's fitted inputs. */
export interface PrimitiveFit {
  /** The store's serial time of a take that sells, µs (the scenario's `system.stock.service`). */
  serviceUs: number;
  /** The store's serial time of a take that finds no stock, µs. */
  soldOutServiceUs: number;
  /** The store's extra serial time per take waiting behind the one it begins, µs. */
  perWaiterUs: number;
  /** Client CPU per visit (a take, or a store request of a try), µs (the measuring process: not part of a scenario). */
  clientUs: number;
  /** Client CPU to wake its idle thread, µs. */
  clientWakeUpUs: number;
  /** Client CPU per visit per connection, µs: the cost of a visit grows with the connections the thread serves (its garbage collector scans every one's pending command). */
  perClientUs: number;
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
  /** The concurrency levels the parameters were fitted on (the others are predicted out of sample). */
  fittedOn: number[];
  /** Simulations of a level the fit ran. */
  simulations: number;
}

/** What to fit on. */
export interface FitOptions {
  /** Fit on these levels only (default: all); the rest are then a hold-out. */
  fitOn?: readonly number[];
}

/** Takes per level simulated while fitting (the prediction itself simulates each round's budget). */
const SEARCH_TAKES = 1500;
/** Loss evaluations per search of the store's times. */
const SEARCH_EVALUATIONS = [60, 30];
/** Points per axis of the grid the search starts from. */
const GRID = 4;
/** Shift of the per-waiter cost's logarithm, µs: lets the search reach 0. */
const WAITER_SHIFT_US = 0.05;

interface Store {
  serviceUs: number;
  soldOutServiceUs: number;
  perWaiterUs: number;
}

interface Client {
  clientUs: number;
  clientWakeUpUs: number;
  perClientUs: number;
}

/**
 * The client's costs by non-negative least squares on relative errors:
 * measured CPU per take ≈ visits·(clientUs + perClientUs·N) + wake-ups·clientWakeUpUs,
 * with visits and wake-ups per take from the simulation of each level.
 * Every subset of the three coefficients is solved and the best
 * non-negative one kept (three unknowns: eight small systems).
 */
function fitClient(rows: ReadonlyArray<{ visits: number; wakeUps: number; clients: number; cpu: number }>): Client {
  const use = rows.filter((r) => r.cpu > 0 && r.visits > 0);
  const none: Client = { clientUs: 0, clientWakeUpUs: 0, perClientUs: 0 };
  if (use.length === 0) return none;
  const features = use.map((r) => [r.visits, r.visits * r.clients, r.wakeUps].map((f) => f / r.cpu));
  const error = (b: number[]): number => features.reduce((s, f) => s + (f[0] * b[0] + f[1] * b[1] + f[2] * b[2] - 1) ** 2, 0);
  let best = [0, 0, 0];
  let bestError = error(best);
  for (let mask = 1; mask < 8; mask++) {
    const idx = [0, 1, 2].filter((i) => mask & (1 << i));
    const b = solveLeastSquares(
      features.map((f) => idx.map((i) => f[i])),
      features.map(() => 1),
    );
    if (!b || b.some((x) => !(x >= 0))) continue;
    const full = [0, 0, 0];
    idx.forEach((i, k) => (full[i] = b[k]));
    const e = error(full);
    if (e < bestError) {
      bestError = e;
      best = full;
    }
  }
  return { clientUs: best[0], perClientUs: best[1], clientWakeUpUs: best[2] };
}

/** Ordinary least squares by the normal equations (Gaussian elimination); null when singular. */
function solveLeastSquares(a: number[][], y: number[]): number[] | null {
  const k = a[0]?.length ?? 0;
  const m = Array.from({ length: k }, (_, i) => [
    ...Array.from({ length: k }, (_, j) => a.reduce((s, row) => s + row[i] * row[j], 0)),
    a.reduce((s, row, r) => s + row[i] * y[r], 0),
  ]);
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    if (!(Math.abs(m[pivot][c]) > 1e-12 * Math.max(1e-300, Math.abs(m[c][c]) + Math.abs(m[pivot][c])))) return null;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= k; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[k] / row[i]);
}

/**
 * Fits one primitive.
 *
 * @param levels its measured levels (any order; at least one, each with at least one round).
 */
export function fitPrimitive(info: PrimitiveInfo, levels: readonly MeasuredLevel[], options: FitOptions = {}): PrimitiveFit {
  const sorted = [...levels].sort((a, b) => a.concurrency - b.concurrency);
  const figures = sorted.map(levelFigures);
  const plateau = serialCeiling(sorted.map((l, i) => ({ concurrency: l.concurrency, throughput: figures[i].throughput })));
  const ceilingUs = plateau > 0 ? 1e6 / plateau : 0;
  // No station can cost more per take than the slowest level's whole cycle: the bound of the search.
  const slowest = Math.min(...figures.map((f) => f.throughput).filter((x) => x > 0));
  const boundUs = Number.isFinite(slowest) && slowest > 0 ? 1e6 / slowest : Math.max(1, ceilingUs);
  const fitted = sorted
    .map((l, i) => ({ level: l, figures: figures[i], cpu: steadyClientTimePerTake(l) }))
    .filter((x) => x.figures.throughput > 0 && (options.fitOn === undefined || options.fitOn.includes(x.level.concurrency)));
  const lowest = sorted[0];
  const lowestLatencies = latencies(lowest);
  const lowestMean = figures[0].mean;
  let simulations = 0;

  const shape = (l: MeasuredLevel) => ({
    concurrency: l.concurrency,
    takes: Math.min(SEARCH_TAKES, l.rounds[0].takes.length),
    units: l.rounds[0].initial,
  });
  const simulate = (inputs: ModelInputs, l: MeasuredLevel): Prediction => {
    simulations++;
    return simulateLevel(inputs, shape(l));
  };
  const inputsOf = (store: Store, client: Client, roundTrip: DistributionSpec): ModelInputs => ({
    primitive: info.model,
    ...store,
    ...client,
    roundTrip,
    optimisticAttempts: info.optimisticAttempts,
  });
  /** The round trip that makes the lowest level's simulated mean latency the measured one. */
  const roundTripOf = (store: Store, client: Client): { spec: DistributionSpec; meanUs: number } => {
    const inside = simulate(inputsOf(store, client, { kind: 'constant', value: 0 }), lowest).mean;
    const meanUs = Math.max(0, lowestMean - inside);
    return { spec: roundTripDistribution(lowestLatencies, meanUs), meanUs };
  };
  const clamp = (x: number): number => Math.min(boundUs, Math.max(0.1, x));
  const storeOf = (x: number[]): Store => ({
    serviceUs: clamp(Math.exp(x[0])),
    soldOutServiceUs: clamp(Math.exp(x[1])),
    perWaiterUs: Math.min(boundUs, Math.max(0, Math.exp(x[2]) - WAITER_SHIFT_US)),
  });
  const loss = (store: Store, client: Client): number => {
    const roundTrip = roundTripOf(store, client).spec;
    let sum = 0;
    for (const x of fitted) {
      const p = simulate(inputsOf(store, client, roundTrip), x.level);
      sum += Math.log(Math.max(p.throughput, 1e-9) / x.figures.throughput) ** 2;
    }
    return sum;
  };
  const clientRows = (store: Store, client: Client) => {
    const roundTrip = roundTripOf(store, client).spec;
    return fitted.map((x) => {
      const p = simulate(inputsOf(store, client, roundTrip), x.level);
      return { visits: p.clientVisits, wakeUps: p.clientWakeUps, clients: x.level.concurrency, cpu: x.cpu };
    });
  };

  // Start: the store at half the plateau's cycle, the client at its busiest level's CPU per take, all wake-ups at one client.
  const busiest = Math.min(...fitted.map((x) => x.cpu).filter((c) => c > 0), Infinity);
  let client: Client = { clientUs: Number.isFinite(busiest) ? busiest : 0, clientWakeUpUs: 0, perClientUs: 0 };
  const s0 = clamp(Math.max(1, Math.min(ceilingUs, boundUs) / 2));
  let x = [Math.log(s0), Math.log(s0), Math.log(WAITER_SHIFT_US + 0.1)];
  client = fitClient(clientRows(storeOf(x), client));
  // Two starts, the better kept: the loss of a simulation has local minima. One at half the plateau's cycle, one
  // at the best point of a coarse grid of the two service times (no per-waiter cost).
  const starts = [x];
  {
    const c = client;
    let bestLoss = Infinity;
    let bestPoint = x;
    const top = Math.log(Math.max(1, Math.min(boundUs, 2 * Math.max(ceilingUs, 1))));
    const at = (k: number): number => top - (k * (top - Math.log(0.5))) / (GRID - 1);
    for (let i = 0; i < GRID; i++) {
      for (let j = 0; j < GRID; j++) {
        const y = [at(i), at(j), Math.log(WAITER_SHIFT_US)];
        const l = loss(storeOf(y), c);
        if (l < bestLoss) {
          bestLoss = l;
          bestPoint = [y[0], y[1], Math.log(WAITER_SHIFT_US + 0.1)];
        }
      }
    }
    starts.push(bestPoint);
  }
  let best = { x, client, loss: Infinity };
  for (const start of starts) {
    let y = start;
    let c = client;
    for (const budget of SEARCH_EVALUATIONS) {
      const fixed = c;
      y = nelderMead((z) => loss(storeOf(z), fixed), y, [0.7, 0.7, 2], budget).x;
      c = fitClient(clientRows(storeOf(y), c));
    }
    // Judged with the client refitted to it: the point and the client that go together.
    const value = loss(storeOf(y), c);
    if (value < best.loss) best = { x: y, client: c, loss: value };
  }
  x = best.x;
  client = best.client;
  const store = storeOf(x);
  const roundTrip = roundTripOf(store, client);
  return {
    ...store,
    ...client,
    latencyLognormal: latencyLognormal(lowestLatencies),
    roundTripMeanUs: roundTrip.meanUs,
    roundTrip: roundTrip.spec,
    ceilingPerSecond: plateau,
    ceilingUs,
    fittedOn: fitted.map((f) => f.level.concurrency),
    simulations,
  };
}

/** The model inputs of a fit (the same at every level). */
export function modelInputs(info: PrimitiveInfo, fit: PrimitiveFit): ModelInputs {
  return {
    primitive: info.model,
    serviceUs: fit.serviceUs,
    soldOutServiceUs: fit.soldOutServiceUs,
    perWaiterUs: fit.perWaiterUs,
    clientUs: fit.clientUs,
    clientWakeUpUs: fit.clientWakeUpUs,
    perClientUs: fit.perClientUs,
    roundTrip: fit.roundTrip,
    optimisticAttempts: info.optimisticAttempts,
  };
}
