import { cpus, loadavg } from 'node:os';
import { UsageError } from '../errors.js';
import { formatDuration } from '../kernel/units.js';
import { runLevel, type LevelBounds } from './experiment.js';
import { fitPrimitive, modelInputs, type PrimitiveFit } from './fit.js';
import { auditLevel } from './ledger-audit.js';
import { PostgresStore } from './postgres-store.js';
import { simulateLevel, type Prediction } from './predict.js';
import { RedisStore } from './redis-store.js';
import {
  clientCpuPerTake,
  clientWaitPerTake,
  levelFigures,
  throughputSpread,
  median,
  medianFigures,
  roundFigures,
  type MeasuredLevel,
} from './rounds.js';
import type { LevelFigures } from './steady.js';
import type { PrimitiveInfo, StockStore } from './store.js';
import type { Target } from './target.js';

/**
 * `sim calibrate stock`: measure a real store's primitives at each
 * concurrency level, audit every level's ledger, fit the model's inputs and
 * predict the same levels in flashsim. Nothing here prints: progress goes
 * to a callback.
 */

/** Default rounds per level. */
export const DEFAULT_ROUNDS = 3;

/** Default concurrency levels: 1 to 256 by powers of two. */
export const DEFAULT_CONCURRENCY = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** Connections the store must have to spare beyond the largest level (the control connection, other users). */
const SPARE_CONNECTIONS = 2;

/** What to measure. */
export interface CalibrateOptions {
  /** The store (loopback only, see target.ts). */
  target: Target;
  /** Concurrency levels, ascending. */
  concurrency: number[];
  /** Whether the levels were asked for (then too many for the store is an error) or are the default (then they are cut to what it accepts). */
  concurrencyGiven: boolean;
  /** Take budget per level, split evenly over its rounds. */
  takes: number;
  /** Longest a level runs, µs, split evenly over its rounds. */
  durationUs: number;
  /** Rounds per level (default {@link DEFAULT_ROUNDS}), interleaved across levels (rounds.ts). */
  rounds?: number;
  /** Units at each round's start (default: the round's takes / 8, at least 1). */
  units?: number;
  /** Also fit on every other level only and report the error at the levels left out (doubles the fitting time). */
  holdOut?: boolean;
  /** Primitive ids to measure (default: all of the store's). */
  primitives?: string[];
  /** Stops between takes (Ctrl-C, SIGTERM). */
  signal?: AbortSignal;
  /** One line per step, for progress. */
  onProgress?: (line: string) => void;
}

/** The relative errors of a prediction: (predicted − measured) / measured. */
export interface LevelErrors {
  throughput: number;
  p50: number;
  p99: number;
}

/** One primitive at one level: measured, predicted, audited. */
export interface CalibrationLevel {
  /** The primitive's id. */
  primitive: string;
  /** Closed-loop clients. */
  concurrency: number;
  /** Measured figures (steady window) and the level's totals. */
  measured: LevelFigures & {
    takes: number;
    sold: number;
    soldOut: number;
    errors: number;
    /** Mean tries per take (optimistic primitives retry). */
    meanAttempts: number;
    /** Client main-thread CPU per take, µs. */
    clientCpuUs: number;
    /** Time the client's main thread waited for a core, per take, µs: other load on the machine (0 where not measured). */
    clientWaitUs: number;
    /** How far the rounds' throughputs differ, (highest − lowest) / median: the measurement's own noise. */
    spread: number;
    /** The level ended on --duration before its take budget. */
    timedOut: boolean;
  };
  /** Simulated figures with the fitted inputs. */
  predicted: Prediction;
  /** Relative errors. */
  error: LevelErrors;
  /** The audit of the level's ledger. */
  audit: {
    passed: boolean;
    /** Units sold beyond the stock, for real: takes told "sold" − initial stock, summed over the rounds (0 when none). */
    oversell: number;
    /** Units at the start, summed over the rounds. */
    initial: number;
    /** Units the store held at the end, summed over the rounds. */
    remaining: number;
    /** Rounds whose audit failed. */
    roundsFailed: number;
    invariants: Array<{ name: string; passed: boolean; message: string }>;
  };
}

/** One primitive's calibration. */
export interface PrimitiveCalibration extends PrimitiveInfo {
  /** The fitted inputs. */
  fit: PrimitiveFit;
  /** The scenario values: system.stock.primitive, service, soldOutService and (serial primitives) perWaiter. */
  scenario: { primitive: string; service: string; soldOutService: string; perWaiter?: string };
  /** Largest |relative throughput error| over the levels. */
  maxThroughputError: number;
  /** Whether every level's audit passed. */
  auditPassed: boolean;
  /** Largest real oversell of a level. */
  maxOversell: number;
  /**
   * With `holdOut`: the model fitted again on every other level only (the
   * lowest, the third, …), and its throughput error at each level left out:
   * a prediction proper, not a goodness of fit.
   */
  holdOut?: {
    fittedOn: number[];
    /** Relative throughput error at each level left out, by concurrency. */
    throughputError: Record<number, number>;
    /** The largest |error| of those. */
    maxThroughputError: number;
  };
}

/** The whole calibration (calibration.json). */
export interface Calibration {
  /** The store measured. */
  target: { kind: string; url: string; objectName: string };
  /** What was run. */
  settings: { concurrency: number[]; takes: number; rounds: number; duration: string; units: number; notes: string[] };
  /** The machine: cores and the load average at the start and the end (other load makes the measurement noisier). */
  machine: { cores: number; loadAverageStart: number[]; loadAverageEnd: number[] };
  /** Per primitive: fit, scenario values, errors, audit. */
  primitives: PrimitiveCalibration[];
  /** `maxThroughputError` by primitive id. */
  maxThroughputError: Record<string, number>;
  /** Every primitive × concurrency level. */
  levels: CalibrationLevel[];
}

function storeFor(target: Target): StockStore {
  return target.kind === 'redis' ? new RedisStore(target) : new PostgresStore(target);
}

function relative(predicted: number, measured: number): number {
  return measured > 0 ? (predicted - measured) / measured : 0;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * A fit as scenario values (system.stock): durations in whole µs, at least
 * 1 µs (the schema's resolution), the per-waiter cost in fractional µs to 3
 * significant digits (it is paid hundreds of times per take at a crowded
 * store, where a whole µs would be a large error), for a serial primitive
 * only: the racy check-then-decrement has no queue in a scenario.
 */
export function scenarioValues(p: PrimitiveInfo, fit: PrimitiveFit): PrimitiveCalibration['scenario'] {
  return {
    primitive: p.model,
    service: formatDuration(Math.max(1, fit.serviceUs)),
    soldOutService: formatDuration(Math.max(1, fit.soldOutServiceUs)),
    ...(p.model === 'check-then-decrement' ? {} : { perWaiter: `${Number(fit.perWaiterUs.toPrecision(3))}us` }),
  };
}

/** The audit of every round of a level: passed when all pass; the oversell summed; the invariants of the first round that failed (else the first). */
function auditRounds(level: MeasuredLevel, primitive: string): CalibrationLevel['audit'] {
  const reports = level.rounds.map((m) => auditLevel(m, primitive));
  const failed = reports.findIndex((r) => !r.passed);
  const shown = failed >= 0 ? failed : 0;
  const oversell = level.rounds.reduce((s, m) => s + Math.max(0, m.takes.filter((t) => t.result === 'sold').length - m.initial), 0);
  return {
    passed: failed < 0,
    oversell,
    initial: level.rounds.reduce((s, m) => s + m.initial, 0),
    remaining: level.rounds.reduce((s, m) => s + m.remaining, 0),
    roundsFailed: reports.filter((r) => !r.passed).length,
    invariants: reports[shown].invariants.map((c) => ({
      name: c.name,
      passed: c.passed,
      message: level.rounds.length > 1 ? `round ${shown + 1}: ${c.message}` : c.message,
    })),
  };
}

/** Levels the store can take: all of them, or (default list) those within its connection headroom. */
async function levelsFor(store: StockStore, options: CalibrateOptions, notes: string[]): Promise<number[]> {
  const headroom = await store.connectionHeadroom();
  if (headroom === undefined) return options.concurrency;
  const limit = headroom - SPARE_CONNECTIONS;
  const fits = options.concurrency.filter((c) => c <= limit);
  if (fits.length === options.concurrency.length) return fits;
  if (options.concurrencyGiven || fits.length === 0) {
    throw new UsageError(
      `--concurrency: the store accepts about ${limit} more connections now, fewer than ${Math.max(...options.concurrency)} (raise its connection limit or ask for fewer clients)`,
    );
  }
  notes.push(`levels above ${limit} clients left out: the store accepts only about ${limit} more connections`);
  return fits;
}

/** What the store did, before any fitting: the input of {@link analyseStock} (kept apart so that a model can be refitted to the same measurement). */
export interface StockMeasurement {
  /** The store measured. */
  target: Calibration['target'];
  /** What was run. */
  settings: Calibration['settings'];
  /** The machine, as in calibration.json. */
  machine: Calibration['machine'];
  /** Each primitive measured, with its levels. */
  primitives: Array<{ info: PrimitiveInfo; levels: MeasuredLevel[] }>;
}

/**
 * Measures every chosen primitive at every level. The key or table is
 * created first and removed at the end, also when a level fails or the
 * signal stops it.
 *
 * @throws {UsageError} for a primitive the store does not have or more clients than it accepts; the store's own errors as they come.
 */
export async function measureStock(options: CalibrateOptions): Promise<StockMeasurement> {
  const store = storeFor(options.target);
  const known = store.primitives.map((p) => p.id);
  const unknown = (options.primitives ?? []).filter((p) => !known.includes(p));
  if (unknown.length > 0) {
    throw new UsageError(`--primitive: ${unknown.join(', ')} not a ${store.kind} primitive; it has ${known.join(', ')}`);
  }
  const chosen = store.primitives.filter((p) => options.primitives === undefined || options.primitives.includes(p.id));
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  const perRound = Math.max(1, Math.floor(options.takes / rounds));
  const units = options.units ?? Math.max(1, Math.floor(perRound / 8));
  const bounds: LevelBounds = { takes: perRound, durationUs: options.durationUs / rounds, units };
  const loadAverageStart = loadavg().map((x) => round(x, 2));
  const notes: string[] = [];
  const cores = cpus().length;
  if (loadAverageStart[0] > cores) {
    // Measured before the first connection: the load is others', and it makes every figure noisier.
    notes.push(
      `the machine was busy before the calibration began (load average ${loadAverageStart[0]} on ${cores} cores): expect a large rounds spread and larger errors`,
    );
  }
  const progress = options.onProgress ?? (() => {});
  const measured = new Map<string, MeasuredLevel[]>();
  let concurrency: number[];
  let cleanupError: string | undefined;
  try {
    try {
      await store.open(units);
    } catch (error) {
      // The store refused the connection, the credentials or the key/table: the user's to fix.
      throw new UsageError(`--target ${options.target.display}: ${(error as Error).message}`, { cause: error });
    }
    concurrency = await levelsFor(store, options, notes);
    let nextUser = 0;
    for (const p of chosen) {
      // A short unmeasured level first: the client's JIT and the server's caches warm up outside the figures.
      const warm = await runLevel(
        store,
        p.id,
        Math.min(4, Math.max(...concurrency)),
        { ...bounds, takes: Math.min(500, Math.max(50, Math.floor(perRound / 4))) },
        nextUser,
        options.signal,
      );
      nextUser += warm.takes.length;
      const levels: MeasuredLevel[] = concurrency.map((c) => ({ concurrency: c, rounds: [] }));
      for (let r = 0; r < rounds; r++) {
        for (const level of levels) {
          if (options.signal?.aborted) throw options.signal.reason;
          const m = await runLevel(store, p.id, level.concurrency, bounds, nextUser, options.signal);
          nextUser += m.takes.length;
          level.rounds.push(m);
          const f = roundFigures(m);
          const sold = m.takes.filter((t) => t.result === 'sold').length;
          progress(
            `${store.kind} ${p.id} ×${level.concurrency} round ${r + 1}/${rounds}: ${Math.round(f.throughput)} takes/s, p50 ${formatDuration(f.p50)}, p99 ${formatDuration(f.p99)}, sold ${sold} of ${m.initial}`,
          );
        }
      }
      if (options.signal?.aborted) throw options.signal.reason;
      measured.set(p.id, levels);
    }
  } finally {
    cleanupError = await store.close();
  }
  if (cleanupError) notes.push(cleanupError);

  return {
    target: { kind: store.kind, url: options.target.display, objectName: store.objectName },
    settings: { concurrency, takes: options.takes, rounds, duration: formatDuration(options.durationUs), units, notes },
    machine: { cores, loadAverageStart, loadAverageEnd: loadavg().map((x) => round(x, 2)) },
    primitives: chosen.map((info) => ({ info, levels: measured.get(info.id)! })),
  };
}

/** The hold-out: fitted on every other level from the lowest (which sets the round trip), judged on the rest. */
function holdOut(
  info: PrimitiveInfo,
  levels: readonly MeasuredLevel[],
  predict: (f: PrimitiveFit, level: MeasuredLevel) => Prediction,
): NonNullable<PrimitiveCalibration['holdOut']> {
  const sorted = [...levels].sort((a, b) => a.concurrency - b.concurrency);
  const fittedOn = sorted.filter((_, i) => i % 2 === 0).map((l) => l.concurrency);
  const fit = fitPrimitive(info, sorted, { fitOn: fittedOn });
  const throughputError: Record<number, number> = {};
  for (const level of sorted) {
    if (fittedOn.includes(level.concurrency)) continue;
    throughputError[level.concurrency] = round(relative(predict(fit, level).throughput, levelFigures(level).throughput));
  }
  const errors = Object.values(throughputError).map(Math.abs);
  return { fittedOn, throughputError, maxThroughputError: errors.length > 0 ? Math.max(...errors) : 0 };
}

/** Fits the model to a measurement and predicts every level (pure: the same measurement gives the same calibration). */
export function analyseStock(measurement: StockMeasurement, options: { holdOut?: boolean } = {}): Calibration {
  const primitives: PrimitiveCalibration[] = [];
  const levels: CalibrationLevel[] = [];
  for (const { info: p, levels: ms } of measurement.primitives) {
    const fit = fitPrimitive(p, ms);
    const predict = (f: PrimitiveFit, level: MeasuredLevel): Prediction => {
      // The same shape as each measured round, one simulated replication per round, medians as measured.
      const runs = level.rounds.map((m, r) =>
        simulateLevel(modelInputs(p, f), { concurrency: m.concurrency, takes: m.takes.length, units: m.initial }, r + 1),
      );
      return {
        ...medianFigures(runs),
        sold: runs.reduce((s, x) => s + x.sold, 0),
        oversell: runs.reduce((s, x) => s + x.oversell, 0),
        meanAttempts: median(runs.map((x) => x.meanAttempts)),
        clientVisits: median(runs.map((x) => x.clientVisits)),
        clientWakeUps: median(runs.map((x) => x.clientWakeUps)),
      };
    };
    const rows = ms.map((level): CalibrationLevel => {
      const f = levelFigures(level);
      const predicted = predict(fit, level);
      const takes = level.rounds.flatMap((m) => m.takes);
      const sold = takes.filter((t) => t.result === 'sold').length;
      const errors = takes.filter((t) => t.result === 'error').length;
      return {
        primitive: p.id,
        concurrency: level.concurrency,
        measured: {
          ...f,
          takes: takes.length,
          sold,
          soldOut: takes.length - sold - errors,
          errors,
          meanAttempts: round(takes.reduce((s, t) => s + t.attempts, 0) / Math.max(1, takes.length), 3),
          clientCpuUs: round(clientCpuPerTake(level), 1),
          clientWaitUs: round(clientWaitPerTake(level), 1),
          spread: round(throughputSpread(level), 3),
          timedOut: level.rounds.some((m) => m.timedOut),
        },
        predicted,
        error: {
          throughput: round(relative(predicted.throughput, f.throughput)),
          p50: round(relative(predicted.p50, f.p50)),
          p99: round(relative(predicted.p99, f.p99)),
        },
        audit: auditRounds(level, p.id),
      };
    });
    levels.push(...rows);
    primitives.push({
      ...p,
      fit,
      scenario: scenarioValues(p, fit),
      maxThroughputError: Math.max(...rows.map((r) => Math.abs(r.error.throughput))),
      auditPassed: rows.every((r) => r.audit.passed),
      maxOversell: Math.max(...rows.map((r) => r.audit.oversell)),
      ...(options.holdOut ? { holdOut: holdOut(p, ms, predict) } : {}),
    });
  }
  return {
    ...measurement,
    primitives,
    maxThroughputError: Object.fromEntries(primitives.map((p) => [p.id, p.maxThroughputError])),
    levels,
  };
}

/** Measures, then analyses: `sim calibrate stock`. */
export async function calibrateStock(options: CalibrateOptions): Promise<Calibration> {
  const measurement = await measureStock(options);
  options.onProgress?.(`fitting the model to ${measurement.primitives.length} primitives${options.holdOut ? ', twice (--hold-out)' : ''}`);
  return analyseStock(measurement, { holdOut: options.holdOut });
}
