import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scenarioValues, type Calibration, type PrimitiveCalibration } from '../../src/calibrate/calibrate.js';
import type { PrimitiveFit } from '../../src/calibrate/fit.js';
import { simulateLevel, type ModelInputs } from '../../src/calibrate/predict.js';
import { scenarioFragment } from '../../src/calibrate/render.js';
import { steadyFigures } from '../../src/calibrate/steady.js';
import type { PrimitiveInfo } from '../../src/calibrate/store.js';
import { RandomSource } from '../../src/kernel/random.js';
import { Simulation } from '../../src/kernel/simulation.js';
import type { StockConfig } from '../../src/scenario/schema.js';
import { OrderFlow, TokenKind, orderFlowStreams } from '../../src/system/order-flow.js';
import { Stock } from '../../src/system/stock.js';
import { tokenSecretSeed } from '../../src/system/token-gate.js';
import { configOf, merge } from '../helpers/flash-config.js';

/**
 * The scenario fragment `sim calibrate stock` writes, pasted into a
 * scenario, must give the flash-sale model's stock component the store
 * calibrate's replay (predict.ts) simulated: the same throughput for the
 * same closed loop. The client's CPU is the measuring process's and no
 * scenario value, so both loops here have none: N clients, each taking,
 * then waiting a round trip, then taking again.
 */

const INFO: PrimitiveInfo = { id: 'update', description: 'UPDATE … WHERE n > 0', correct: true, model: 'row-lock' };
/** A PostgreSQL-like fit: the sold-out take slower than the sold one, a convoy cost per waiter. */
const FIT = { serviceUs: 38, soldOutServiceUs: 68, perWaiterUs: 1.37 } as PrimitiveFit;
const ROUND_TRIP_US = 100;
const TAKES = 3000;
const UNITS = TAKES / 8;

/** The fragment `sim calibrate stock` writes for `fit`, read back as YAML. */
function fragmentOf(fit: PrimitiveFit): Record<string, unknown> {
  const p = { ...INFO, fit, scenario: scenarioValues(INFO, fit) } as PrimitiveCalibration;
  const c = { target: { kind: 'postgresql', url: 'postgresql://127.0.0.1:5432/x' } } as Calibration;
  return parse(scenarioFragment(p, c)) as Record<string, unknown>;
}

/** The fragment's `system.stock`, resolved through the scenario schema. */
function pastedStock(fit: PrimitiveFit): StockConfig {
  return configOf(fragmentOf(fit)).system.stock;
}

/** The closed loop on the stock component, as the order flow drives it (begin, complete at the time begin gave); its steady-window throughput. */
function stockLoop(config: StockConfig, concurrency: number): number {
  const sim = new Simulation();
  const stock = new Stock(UNITS, config);
  const startUs = new Float64Array(TAKES);
  const endUs = new Float64Array(TAKES);
  let issued = 0;
  const read = new Float64Array(TAKES);
  const taken = new Float64Array(TAKES);
  const issue = (): void => {
    if (issued >= TAKES) return;
    const take = issued++;
    startUs[take] = sim.now;
    sim.scheduleAt(stock.begin(sim.now), done, take);
    read[take] = stock.lastRead;
    taken[take] = stock.lastTaken;
  };
  const done = sim.register('done', (take) => {
    stock.complete(read[take], taken[take]);
    sim.schedule(ROUND_TRIP_US, replied, take);
  });
  const replied = sim.register('replied', (take) => {
    endUs[take] = sim.now;
    issue();
  });
  for (let c = 0; c < concurrency; c++) issue();
  sim.run();
  return steadyFigures(startUs, endUs).throughput;
}

/**
 * The same closed loop through the flash-sale model's order flow, with the
 * fragment pasted into a scenario: one order server with `concurrency`
 * slots, every buyer clicking at T0 and queueing for a slot (onFull:
 * queue), a constant order-server service of the round trip, and no
 * sold-out flag, so that every buyer's take reaches the store. A slot is a
 * client: its service, then the store's queue and operation, then the
 * next buyer in line. Its steady-window throughput of answers.
 */
function scenarioLoop(fragment: Record<string, unknown>, concurrency: number): number {
  const config = configOf(
    merge(
      {
        sale: { start: '1s', stock: UNITS },
        system: {
          orderServers: {
            servers: 1,
            slots: concurrency,
            onFull: 'queue',
            maxWait: '10m',
            service: `${ROUND_TRIP_US}us`,
            soldOutFlag: false,
          },
        },
      },
      fragment,
    ),
  );
  const sim = new Simulation();
  const random = new RandomSource(1, 0);
  const answeredAt: number[] = [];
  const flow = new OrderFlow({
    sim,
    config,
    users: TAKES,
    strategy: 'fragment',
    tokenSecret: tokenSecretSeed(1, 0),
    streams: orderFlowStreams(random),
    listener: { onOrderAnswer: () => answeredAt.push(sim.now) },
  });
  const send = sim.register('test.send', (user) => flow.send(user, user, 0, TokenKind.Genuine, sim.now, sim.now, sim.now));
  for (let user = 0; user < TAKES; user++) sim.scheduleAt(config.sale.start, send, user);
  sim.run();
  expect(answeredAt.length).toBe(TAKES);
  return steadyFigures(answeredAt, answeredAt).throughput;
}

/** Calibrate's replay of the same loop with the fitted store and no client CPU. */
function replay(fit: PrimitiveFit, concurrency: number): number {
  const inputs: ModelInputs = { primitive: INFO.model, ...fit, clientUs: 0, roundTrip: { kind: 'constant', value: ROUND_TRIP_US } };
  return simulateLevel(inputs, { concurrency, takes: TAKES, units: UNITS }).throughput;
}

const LEVELS = [1, 4, 16, 64, 256];

describe('the scenario fragment reproduces the calibrated store', () => {
  it('pasted, it gives the closed loop the replay’s throughput within 1% at every level', () => {
    const stock = pastedStock(FIT);
    expect(stock).toMatchObject({ primitive: 'row-lock', service: 38, soldOutService: 68, perWaiter: 1.37 });
    for (const n of LEVELS) {
      const predicted = replay(FIT, n);
      expect(Math.abs(stockLoop(stock, n) / predicted - 1), `${n} clients`).toBeLessThanOrEqual(0.01);
    }
  });

  it('pasted into a scenario, the order flow’s closed loop of order-server slots has the replay’s throughput within 1%', () => {
    const fragment = fragmentOf(FIT);
    for (const n of LEVELS) {
      expect(Math.abs(scenarioLoop(fragment, n) / replay(FIT, n) - 1), `${n} clients`).toBeLessThanOrEqual(0.01);
    }
  });

  it('without soldOutService and perWaiter (the fragment before them) the same loop runs 21% faster at one client, 11 times as fast at 256', () => {
    const before: StockConfig = { primitive: 'row-lock', service: 38, buffer: 0 };
    for (const n of LEVELS) expect(stockLoop(before, n) / replay(FIT, n) - 1, `${n} clients`).toBeGreaterThan(0.2);
  });

  it('the racy primitive’s fragment has no perWaiter (no queue in a scenario) and still loads', () => {
    const racy: PrimitiveInfo = { id: 'get-set', description: 'GET, then SET', correct: false, model: 'check-then-decrement' };
    const values = scenarioValues(racy, FIT);
    expect(values).toEqual({ primitive: 'check-then-decrement', service: '38us', soldOutService: '68us' });
    expect(configOf({ system: { stock: values } }).system.stock.soldOutService).toBe(68);
  });
});
