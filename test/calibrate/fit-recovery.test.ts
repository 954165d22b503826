import { describe, expect, it } from 'vitest';
import type { LevelMeasurement, TakeRecord } from '../../src/calibrate/experiment.js';
import { fitPrimitive, modelInputs, type PrimitiveFit } from '../../src/calibrate/fit.js';
import { simulateLevel, type ModelInputs } from '../../src/calibrate/predict.js';
import type { MeasuredLevel } from '../../src/calibrate/rounds.js';
import { STEADY_CUT } from '../../src/calibrate/steady.js';
import type { PrimitiveInfo } from '../../src/calibrate/store.js';
import { lcg } from '../helpers/lcg.js';

/**
 * Synthetic recovery of `sim calibrate`'s fit (fitPrimitive): the
 * "measurements" are predict.ts's closed loop simulated with known inputs,
 * fitted by the same code, and the fit must give the inputs back. A
 * PostgreSQL-like store that is the bottleneck from 8 clients on.
 */
const TRUTH: ModelInputs = {
  primitive: 'row-lock',
  serviceUs: 60,
  soldOutServiceUs: 40,
  perWaiterUs: 0.5,
  clientUs: 15,
  perClientUs: 0.1,
  clientWakeUpUs: 30,
  roundTrip: { kind: 'constant', value: 80 },
};
const INFO: PrimitiveInfo = { id: 'update', description: 'synthetic', correct: true, model: 'row-lock' };
/** Levels and takes per level: sized so that one fit takes about a second. */
const LEVELS = [1, 2, 4, 8, 16, 32, 64];
const TAKES = 800;
/** An eighth of the takes sell, as `sim calibrate`'s default stock. */
const UNITS = TAKES / 8;

/**
 * One measured level (one round) of the simulated experiment: takes whose
 * steady-window throughput is the simulated one times (1 + noise), each
 * client issuing its next take at its reply (so latency = N / throughput),
 * and the client thread's time per take in the window as the true costs
 * give it for the simulated visits and wake-ups, times (1 + noise).
 */
function measure(truth: ModelInputs, concurrency: number, noise: () => number): MeasuredLevel {
  const p = simulateLevel(truth, { concurrency, takes: TAKES, units: UNITS });
  const throughput = p.throughput * (1 + noise());
  const cycleUs = (concurrency * 1e6) / throughput;
  const takes: TakeRecord[] = Array.from({ length: TAKES }, (_, i) => {
    const client = i % concurrency;
    const startUs = Math.floor(i / concurrency) * cycleUs + (client * 1e6) / throughput;
    return { user: i, client, startUs, endUs: startUs + cycleUs, result: i < UNITS ? 'sold' : 'sold-out', attempts: 1 };
  });
  const window = Math.ceil(TAKES * (1 - STEADY_CUT)) - Math.floor(TAKES * STEADY_CUT);
  const perVisit = truth.clientUs + (truth.perClientUs ?? 0) * concurrency;
  const perTake = (p.clientVisits * perVisit + p.clientWakeUps * (truth.clientWakeUpUs ?? 0)) * (1 + noise());
  const round: LevelMeasurement = {
    concurrency,
    initial: UNITS,
    remaining: 0,
    takes,
    elapsedUs: (TAKES * 1e6) / throughput,
    clientCpuUs: perTake * TAKES,
    clientWaitUs: 0,
    steadyClientCpu: { cpuUs: perTake * window, waitUs: 0, takes: window },
    timedOut: false,
  };
  return { concurrency, rounds: [round] };
}

/** The fit of the measurement of `truth` with uniform relative noise in ±amplitude, and its throughput error per level against the truth's. */
function recover(truth: ModelInputs, amplitude: number, seed: number): { fit: PrimitiveFit; errors: number[] } {
  const random = lcg(seed);
  const noise = (): number => (random() * 2 - 1) * amplitude;
  const fit = fitPrimitive(
    INFO,
    LEVELS.map((c) => measure(truth, c, noise)),
  );
  const errors = LEVELS.map((concurrency) => {
    const shape = { concurrency, takes: TAKES, units: UNITS };
    return simulateLevel(modelInputs(INFO, fit), shape).throughput / simulateLevel(truth, shape).throughput - 1;
  });
  return { fit, errors };
}

const within = (x: number, truth: number, tolerance: number): void => {
  expect(Math.abs(x / truth - 1), `${x} against ${truth}`).toBeLessThanOrEqual(tolerance);
};

describe('the fit recovers known inputs from a simulated measurement', () => {
  it('without noise: the throughput within 6% at every level, the identifiable inputs within 10–15%', () => {
    const { fit, errors } = recover(TRUTH, 0, 1);
    for (const e of errors) expect(Math.abs(e)).toBeLessThanOrEqual(0.06);
    within(fit.soldOutServiceUs, TRUTH.soldOutServiceUs!, 0.1);
    within(fit.perWaiterUs, TRUTH.perWaiterUs!, 0.1);
    // Where the store is the bottleneck every visit wakes the client's thread: only the sum per lone take is determined.
    within(fit.clientUs + fit.perClientUs + fit.clientWakeUpUs, TRUTH.clientUs + TRUTH.perClientUs! + TRUTH.clientWakeUpUs!, 0.15);
    within(fit.roundTripMeanUs, 80, 0.05);
    // Not asserted: serviceUs. Only the takes before the stock runs out pay it, an eighth of a round, and the
    // steady window cuts the first tenth: about 3% of the window's takes, too few for the throughput to determine it.
  });

  // Known defects, recorded rather than hidden (docs/calibration.md, "How well the fit recovers known inputs"):
  // each fails today by far more than its tolerance. When the fit is fixed, these fail: make them plain tests.
  it.fails('with ±2% noise: the throughput within 6% at every level (today +35% at 64 clients)', () => {
    const { errors } = recover(TRUTH, 0.02, 1);
    for (const e of errors) expect(Math.abs(e)).toBeLessThanOrEqual(0.06);
  });

  it.fails('a client-bound truth without noise: the throughput within 6% at every level (today +81% at 16 clients)', () => {
    const { errors } = recover({ ...TRUTH, perWaiterUs: 0, serviceUs: 10, soldOutServiceUs: 8 }, 0, 1);
    for (const e of errors) expect(Math.abs(e)).toBeLessThanOrEqual(0.06);
  });
});
