import { samplerOf, type DistributionSpec } from '../kernel/distributions.js';
import { MultiServerQueue } from '../kernel/multi-server-queue.js';
import { RandomSource } from '../kernel/random.js';
import { Simulation } from '../kernel/simulation.js';
import { Stock } from '../system/stock.js';
import { CALIBRATE_STREAM } from '../system/streams.js';
import type { ModelPrimitive } from './store.js';
import { STEADY_CUT, steadyFigures, type LevelFigures } from './steady.js';

/**
 * The measured experiment replayed in flashsim: N closed-loop clients on a
 * kernel `Simulation`, each take passing through
 *
 * 1. the client side's CPU, one shared serial station (the driver and the
 *    event loop of the measuring process: one thread for every
 *    connection): `clientUs` per visit, plus `clientWakeUpUs` when the
 *    visit finds the thread idle (it must be woken, as an event loop
 *    blocked in epoll is; replies that arrive while it is busy are taken
 *    in the same wake-up);
 * 2. the store, a serial station (`MultiServerQueue` with one server:
 *    Redis runs one command at a time, a hot row is held by one
 *    transaction at a time): `serviceUs` for a take that sells,
 *    `soldOutServiceUs` for one that finds none (PostgreSQL's UPDATE takes
 *    no row lock and writes no WAL when its WHERE fails), plus
 *    `perWaiterUs` for every take waiting behind it when it begins (each
 *    hand-over of a row lock wakes every backend waiting on it, and
 *    hundreds of runnable backends share the cores); the outcome is decided
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
  /** Store's serial time of a take that sells, µs. */
  serviceUs: number;
  /** Store's serial time of a take that finds no stock, µs (default `serviceUs`). */
  soldOutServiceUs?: number;
  /** Store's extra serial time per take waiting behind the one it begins, µs (default 0). */
  perWaiterUs?: number;
  /** Client CPU per visit, µs (serial across all clients). */
  clientUs: number;
  /** Client CPU to wake its idle thread, µs, paid by a visit that finds it idle (default 0). */
  clientWakeUpUs?: number;
  /** Client CPU per visit per closed-loop client, µs (default 0): a visit costs `clientUs + perClientUs · N`. */
  perClientUs?: number;
  /** Round trip outside the two stations. */
  roundTrip: DistributionSpec;
  /**
   * Optimistic primitive (WATCH/MULTI/EXEC): most tries per take. A try is
   * three requests, each a visit of the client, a visit of the store and a
   * third of a round trip: WATCH (the version is noted), GET, then EXEC,
   * which commits only if no take committed since the WATCH (else the take
   * tries again), or UNWATCH when the GET saw none. The store's time is
   * `soldOutServiceUs` over the three requests of a try that finds none and
   * `serviceUs` over those of one that commits or aborts. Absent: one visit
   * of each station per take.
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
  /** Mean tries per take (1 for a primitive that does not retry). */
  meanAttempts: number;
  /** Client visits per take (what `clientUs` is paid for). */
  clientVisits: number;
  /** Client wake-ups per take (what `clientWakeUpUs` is paid for). */
  clientWakeUps: number;
}

/**
 * The client's serial station: `clientUs` per visit, plus the wake-up when
 * the thread was idle. Counts both over the steady window, as the
 * measurement reads the thread's CPU (experiment.ts): from the completion
 * of take ⌊n/10⌋ to that of take ⌈9n/10⌉.
 */
class ClientStation {
  readonly queue: MultiServerQueue;
  visits = 0;
  wakeUps = 0;
  private freeAt = -1;
  private completed = 0;
  private counting = false;
  private readonly from: number;
  private readonly to: number;

  constructor(sim: Simulation, inputs: ModelInputs, takes: number, clients: number, onDone: (client: number, tag: number) => void) {
    this.from = Math.floor(takes * STEADY_CUT);
    this.to = Math.ceil(takes * (1 - STEADY_CUT));
    const perVisit = inputs.clientUs + (inputs.perClientUs ?? 0) * clients;
    const wakeUp = inputs.clientWakeUpUs ?? 0;
    this.queue = new MultiServerQueue(
      sim,
      {
        servers: 1,
        capacity: Infinity,
        name: 'calibrate.client',
        serviceTime: () => {
          // A visit begun the instant the last one ended was queued behind it: the thread was busy, no wake-up.
          const woke = sim.now > this.freeAt;
          if (this.counting) {
            this.visits++;
            if (woke) this.wakeUps++;
          }
          const cost = perVisit + (woke ? wakeUp : 0);
          this.freeAt = sim.now + cost;
          return cost;
        },
      },
      { onDone, onBlocked: () => {} },
    );
  }

  /** A take completed: the window opens and closes on completions. */
  completion(): void {
    this.completed++;
    this.counting = this.completed >= this.from && this.completed < this.to;
  }

  /** Visits and wake-ups per take of the window. */
  perTake(): { clientVisits: number; clientWakeUps: number } {
    const takes = Math.max(1, this.to - this.from);
    return { clientVisits: this.visits / takes, clientWakeUps: this.wakeUps / takes };
  }
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
/** The requests of a try, in order (the store visit tags). */
const WATCH = 0;
const GET = 1;
const EXEC = 2;
/** Requests per try: WATCH, GET, then MULTI/DECR/EXEC (one pipelined write) or UNWATCH. */
const REQUESTS_PER_TRY = 3;

/** The optimistic closed loop (see {@link ModelInputs.optimisticAttempts}): its own counter and version, as WATCH sees them. */
function simulateOptimistic(inputs: ModelInputs, level: LevelShape, seed: number | string): Prediction {
  const sim = new Simulation();
  const n = level.concurrency;
  const maxAttempts = inputs.optimisticAttempts ?? 1;
  const draw = samplerOf(inputs.roundTrip);
  const random = new RandomSource(seed, level.concurrency).stream(CALIBRATE_STREAM.roundTrip).sequence();
  // A try that finds none costs soldOutServiceUs over its three requests; one that commits, serviceUs.
  const requestUs = Math.min(inputs.soldOutServiceUs ?? inputs.serviceUs, inputs.serviceUs) / REQUESTS_PER_TRY;
  const execUs = inputs.serviceUs - 2 * requestUs;
  const perWaiter = inputs.perWaiterUs ?? 0;
  const startUs = new Float64Array(level.takes);
  const endUs = new Float64Array(level.takes);
  const takeOf = new Int32Array(n);
  const attempts = new Int32Array(n);
  const versionWatched = new Float64Array(n);
  const outcome = new Uint8Array(n);
  let units = level.units;
  let version = 0;
  let issued = 0;
  let sold = 0;
  let tries = 0;

  const attempt = (client: number): void => {
    attempts[client]++;
    tries++;
    outcome[client] = 0;
    cpu.queue.arrive(client, WATCH);
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
    cpu.completion();
    if (outcome[client] === SOLD) sold++;
    issue(client);
  });
  const retry = sim.register('calibrate.retry', (client) => attempt(client));
  // Each reply reaches the client, which sends the try's next request: a visit of its CPU each.
  const next = sim.register('calibrate.next', (client, request) => cpu.queue.arrive(client, request));
  const store: MultiServerQueue = new MultiServerQueue(
    sim,
    {
      servers: 1,
      capacity: Infinity,
      name: 'calibrate.store',
      serviceTime: (client, request) => {
        const queued = perWaiter * store.waiting;
        if (request === WATCH) {
          versionWatched[client] = version;
          return requestUs + queued;
        }
        if (request === GET) {
          if (units <= 0) outcome[client] = SOLD_OUT;
          return requestUs + queued;
        }
        if (outcome[client] === SOLD_OUT) return requestUs + queued;
        // EXEC: runs only if no take committed since the WATCH.
        if (version === versionWatched[client] && units > 0) {
          units--;
          version++;
          outcome[client] = SOLD;
        } else {
          outcome[client] = attempts[client] >= maxAttempts ? FAILED : ABORTED;
        }
        return execUs + queued;
      },
    },
    {
      onDone: (client, request) => {
        const rt = draw(random.next()) / REQUESTS_PER_TRY;
        if (request !== EXEC) sim.schedule(rt, next, client, request + 1);
        else if (outcome[client] === ABORTED) sim.schedule(rt, retry, client);
        else sim.schedule(rt, replied, client);
      },
      onBlocked: () => {},
    },
  );
  const cpu = new ClientStation(sim, inputs, level.takes, level.concurrency, (client, request) => store.arrive(client, request));
  for (let c = 0; c < n; c++) issue(c);
  sim.run();
  return result(startUs, endUs, sold, level, tries, cpu);
}

function result(
  startUs: Float64Array,
  endUs: Float64Array,
  sold: number,
  level: LevelShape,
  tries: number,
  cpu: ClientStation,
): Prediction {
  const takes = Math.max(1, level.takes);
  return {
    ...steadyFigures(startUs, endUs),
    sold,
    oversell: Math.max(0, sold - level.units),
    meanAttempts: tries / takes,
    ...cpu.perTake(),
  };
}

/** One store visit per take, the outcome decided by flashsim's Stock component. */
function simulatePessimistic(inputs: ModelInputs, level: LevelShape, seed: number | string): Prediction {
  const sim = new Simulation();
  const n = level.concurrency;
  const draw = samplerOf(inputs.roundTrip);
  const random = new RandomSource(seed, level.concurrency).stream(CALIBRATE_STREAM.roundTrip).sequence();
  const stock = new Stock(level.units, { primitive: inputs.primitive, service: inputs.serviceUs, buffer: 0 });
  const soldOutUs = inputs.soldOutServiceUs ?? inputs.serviceUs;
  const perWaiter = inputs.perWaiterUs ?? 0;
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
    cpu.queue.arrive(client, take);
  };
  const replied = sim.register('calibrate.reply', (client) => {
    stock.complete(read[client], taken[client]);
    endUs[takeOf[client]] = sim.now;
    cpu.completion();
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
        return (stock.lastSuccess ? inputs.serviceUs : soldOutUs) + perWaiter * store.waiting;
      },
    },
    { onDone: (client) => sim.schedule(draw(random.next()), replied, client), onBlocked: () => {} },
  );
  const cpu = new ClientStation(sim, inputs, level.takes, level.concurrency, (client, take) => store.arrive(client, take));
  for (let c = 0; c < n; c++) issue(c);
  sim.run();
  return result(startUs, endUs, sold, level, level.takes, cpu);
}
