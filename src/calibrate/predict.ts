import { samplerOf, type DistributionSpec } from '../kernel/distributions.js';
import { MultiServerQueue } from '../kernel/multi-server-queue.js';
import { RandomSource } from '../kernel/random.js';
import { Simulation } from '../kernel/simulation.js';
import { Stock } from '../system/stock.js';
import { CALIBRATE_STREAM } from '../system/streams.js';
import type { ModelPrimitive } from './store.js';
import { steadyFigures, type LevelFigures } from './steady.js';

/**
 * The measured experiment replayed in flashsim: N closed-loop clients on a
 * kernel `Simulation`, each take passing through
 *
 * 1. the client side's CPU, one shared serial station (the driver and the
 *    event loop of the measuring process: one thread for every
 *    connection), `clientUs` per take;
 * 2. the store, a serial station (`MultiServerQueue` with one server:
 *    Redis runs one command at a time, a hot row is held by one
 *    transaction at a time), `serviceUs` per take; the outcome is decided
 *    by flashsim's `Stock` component with the primitive the store's
 *    primitive is modelled as, begun when the store starts the take;
 * 3. the round trip outside both (network stack, wake-ups, the store's
 *    parallel work), an infinite-server delay drawn from `roundTrip`; at
 *    its end the take's reply arrives, the racy primitive's write lands
 *    (its race window is the round trip), and the client issues the next.
 */

/** What the simulation needs of one primitive (all durations µs). */
export interface ModelInputs {
  /** The flashsim primitive deciding outcomes. */
  primitive: ModelPrimitive;
  /** Store's serial time per take, µs. */
  serviceUs: number;
  /** Client CPU per take, µs (serial across all clients). */
  clientUs: number;
  /** Round trip outside the two stations. */
  roundTrip: DistributionSpec;
  /**
   * Optimistic primitive (WATCH/MULTI/EXEC): most tries per take. Each try
   * reads at the store (half of `serviceUs`), waits half a round trip,
   * and commits (the other half) only if no take committed since its read;
   * else it tries again, paying the client CPU (`clientUs` is then per
   * try) and the round trip again. Absent: one visit per take.
   */
  optimisticAttempts?: number;
}

/** One simulated level. */
export interface LevelShape {
  /** Closed-loop clients. */
  concurrency: number;
  /** Takes to simulate. */
  takes: number;
  /** Units at the start. */
  units: number;
}

/** The simulated level's figures and sales. */
export interface Prediction extends LevelFigures {
  /** Takes told "sold". */
  sold: number;
  /** Units sold beyond the stock (sold − units, at least 0). */
  oversell: number;
}

/** Simulates one level; deterministic for a given `seed`. */
export function simulateLevel(inputs: ModelInputs, level: LevelShape, seed: number | string = 1): Prediction {
  return inputs.optimisticAttempts === undefined ? simulatePessimistic(inputs, level, seed) : simulateOptimistic(inputs, level, seed);
}

/** Outcome codes of a try, per client. */
const SOLD = 1;
const SOLD_OUT = 2;
const ABORTED = 3;
const FAILED = 4;
/** Store visit tags. */
const READ = 0;
const COMMIT = 1;

/** The optimistic closed loop (see {@link ModelInputs.optimisticAttempts}): its own counter and version, as WATCH sees them. */
function simulateOptimistic(inputs: ModelInputs, level: LevelShape, seed: number | string): Prediction {
  const sim = new Simulation();
  const n = level.concurrency;
  const maxAttempts = inputs.optimisticAttempts ?? 1;
  const draw = samplerOf(inputs.roundTrip);
  const random = new RandomSource(seed, level.concurrency).stream(CALIBRATE_STREAM.roundTrip).sequence();
  const half = inputs.serviceUs / 2;
  const startUs = new Float64Array(level.takes);
  const endUs = new Float64Array(level.takes);
  const takeOf = new Int32Array(n);
  const attempts = new Int32Array(n);
  const versionRead = new Float64Array(n);
  const outcome = new Uint8Array(n);
  let units = level.units;
  let version = 0;
  let issued = 0;
  let sold = 0;

  const attempt = (client: number): void => {
    attempts[client]++;
    cpu.arrive(client, READ);
  };
  const issue = (client: number): void => {
    if (issued >= level.takes) return;
    const take = issued++;
    takeOf[client] = take;
    startUs[take] = sim.now;
    attempts[client] = 0;
    attempt(client);
  };
  const replied = sim.register('calibrate.reply', (client) => {
    endUs[takeOf[client]] = sim.now;
    if (outcome[client] === SOLD) sold++;
    issue(client);
  });
  const retry = sim.register('calibrate.retry', (client) => attempt(client));
  const commit = sim.register('calibrate.commit', (client) => store.arrive(client, COMMIT));
  const store: MultiServerQueue = new MultiServerQueue(
    sim,
    {
      servers: 1,
      capacity: Infinity,
      name: 'calibrate.store',
      serviceTime: (client, tag) => {
        if (tag === READ) {
          versionRead[client] = version;
          outcome[client] = units > 0 ? 0 : SOLD_OUT;
        } else if (version === versionRead[client] && units > 0) {
          units--;
          version++;
          outcome[client] = SOLD;
        } else {
          outcome[client] = attempts[client] >= maxAttempts ? FAILED : ABORTED;
        }
        return half;
      },
    },
    {
      onDone: (client, tag) => {
        const rt = draw(random.next());
        if (tag === READ && outcome[client] === 0) sim.schedule(rt / 2, commit, client);
        else if (outcome[client] === ABORTED) sim.schedule(rt / 2, retry, client);
        else sim.schedule(tag === READ ? rt : rt / 2, replied, client);
      },
      onBlocked: () => {},
    },
  );
  const cpu: MultiServerQueue = new MultiServerQueue(
    sim,
    { servers: 1, capacity: Infinity, name: 'calibrate.client', serviceTime: () => inputs.clientUs },
    { onDone: (client, tag) => store.arrive(client, tag), onBlocked: () => {} },
  );
  for (let c = 0; c < n; c++) issue(c);
  sim.run();
  return { ...steadyFigures(startUs, endUs), sold, oversell: Math.max(0, sold - level.units) };
}

/** One store visit per take, the outcome decided by flashsim's Stock component. */
function simulatePessimistic(inputs: ModelInputs, level: LevelShape, seed: number | string): Prediction {
  const sim = new Simulation();
  const n = level.concurrency;
  const draw = samplerOf(inputs.roundTrip);
  const random = new RandomSource(seed, level.concurrency).stream(CALIBRATE_STREAM.roundTrip).sequence();
  const stock = new Stock(level.units, { primitive: inputs.primitive, service: inputs.serviceUs, buffer: 0 });
  const startUs = new Float64Array(level.takes);
  const endUs = new Float64Array(level.takes);
  const takeOf = new Int32Array(n);
  const read = new Float64Array(n);
  const taken = new Float64Array(n);
  const success = new Uint8Array(n);
  let issued = 0;
  let sold = 0;

  const issue = (client: number): void => {
    if (issued >= level.takes) return;
    const take = issued++;
    takeOf[client] = take;
    startUs[take] = sim.now;
    cpu.arrive(client, take);
  };
  const replied = sim.register('calibrate.reply', (client) => {
    stock.complete(read[client], taken[client]);
    endUs[takeOf[client]] = sim.now;
    if (success[client]) sold++;
    issue(client);
  });
  const store: MultiServerQueue = new MultiServerQueue(
    sim,
    {
      servers: 1,
      capacity: Infinity,
      name: 'calibrate.store',
      serviceTime: (client) => {
        stock.begin(sim.now);
        read[client] = stock.lastRead;
        taken[client] = stock.lastTaken;
        success[client] = stock.lastSuccess ? 1 : 0;
        return inputs.serviceUs;
      },
    },
    { onDone: (client) => sim.schedule(draw(random.next()), replied, client), onBlocked: () => {} },
  );
  const cpu: MultiServerQueue = new MultiServerQueue(
    sim,
    { servers: 1, capacity: Infinity, name: 'calibrate.client', serviceTime: () => inputs.clientUs },
    { onDone: (client, take) => store.arrive(client, take), onBlocked: () => {} },
  );
  for (let c = 0; c < n; c++) issue(c);
  sim.run();
  return { ...steadyFigures(startUs, endUs), sold, oversell: Math.max(0, sold - level.units) };
}
