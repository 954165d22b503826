/**
 * Peer benchmark: the M/M/c/c loss model (Poisson arrivals, exponential
 * service, c servers, a customer who finds them all busy is lost) with a
 * million customers, written on flashsim's kernel and on SimPy
 * (bench/peer_simpy.py, run with python3 when `import simpy` works), same
 * parameters. Both report the blocking probability, with a 95% interval
 * from batch means, against Erlang B, and model events per second: an
 * arrival, and a departure per customer served, counted alike on both
 * sides. Target: flashsim ≥ 20x SimPy's events/s.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './child.js';
import { BenchRandom, formatRate, median, type BenchOptions, type BenchSection } from './section.js';
import { Simulation } from '../src/kernel/simulation.js';

const CUSTOMERS = 1_000_000;
const SERVERS = 10;
/** Mean service time, µs (1 s). */
const MEAN_SERVICE_US = 1_000_000;
/** Offered load, Erlang: arrival rate × mean service time. */
const OFFERED = 8;
const BATCHES = 20;
const TARGET_RATIO = 20;

/** Erlang B: the blocking probability of c servers offered `a` Erlang (the stable recursion). */
export function erlangB(a: number, c: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** What one side reports. */
export interface PeerRun {
  customers: number;
  blocked: number;
  /** Arrivals plus departures. */
  events: number;
  seconds: number;
  /** Blocking probability of each batch of customers, in arrival order. */
  batchBlocking: number[];
}

/** Mean and 95% half-width (Student t, 19 degrees of freedom for 20 batches) of the batch values. */
function interval(values: readonly number[]): { mean: number; halfWidth: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  const t = n === BATCHES ? 2.093 : 1.96;
  return { mean, halfWidth: t * Math.sqrt(variance / n) };
}

/** The model on flashsim's kernel: two event kinds, the busy count in a closure variable. */
export function kernelLossModel(customers: number, seed = 1): PeerRun {
  const random = new BenchRandom(seed);
  // As Python's random.expovariate: -log(1 - U) × mean.
  const exponential = (mean: number): number => -Math.log(1 - random.unit()) * mean;
  const meanGap = MEAN_SERVICE_US / OFFERED;
  const sim = new Simulation();
  const perBatch = Math.ceil(customers / BATCHES);
  const batchBlocked = new Array<number>(BATCHES).fill(0);
  let busy = 0;
  let arrived = 0;
  let blocked = 0;
  const depart = sim.register('peer.depart', () => {
    busy--;
  });
  const arrive = sim.register('peer.arrive', () => {
    arrived++;
    if (busy < SERVERS) {
      busy++;
      sim.schedule(exponential(MEAN_SERVICE_US), depart);
    } else {
      // The batch is worked out for a lost customer only, as the SimPy side does.
      blocked++;
      batchBlocked[Math.floor((arrived - 1) / perBatch)]++;
    }
    if (arrived < customers) sim.schedule(exponential(meanGap), arrive);
  });
  sim.schedule(exponential(meanGap), arrive);
  const start = process.hrtime.bigint();
  sim.run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const batchBlocking = batchBlocked.map((b, i) => b / Math.min(perBatch, customers - i * perBatch));
  return { customers, blocked, events: sim.eventsProcessed, seconds, batchBlocking };
}

/** Exits 0 when SimPy 3+ (`simpy`) or SimPy 2 (`SimPy`, Debian's python3-simpy) can be imported. */
const HAS_SIMPY = "import importlib.util as u, sys; sys.exit(0 if u.find_spec('simpy') or u.find_spec('SimPy') else 1)";

/** Interpreters tried for SimPy, in order. */
const PYTHONS = ['python3', '/usr/bin/python3'];

/** The SimPy side, or why it cannot run. */
function simpyLossModel(customers: number): PeerRun | string {
  // The first python3 on PATH may be a private one (pyenv, a venv) without Debian's python3-simpy.
  const python = PYTHONS.find((exe) => spawnSync(exe, ['-c', HAS_SIMPY], { encoding: 'utf8' }).status === 0);
  if (python === undefined) return `no ${PYTHONS.join(' or ')} with SimPy (Debian: apt-get install python3-simpy)`;
  const script = join(ROOT, 'bench/peer_simpy.py');
  const args = [script, String(customers), String(SERVERS), String(MEAN_SERVICE_US / 1e6), String(OFFERED), String(BATCHES)];
  const run = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) return `${python} ${args.join(' ')} failed: ${run.stderr.trim()}`;
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as PeerRun;
}

export const peerSection: BenchSection = {
  name: 'peer',
  description: `M/M/${SERVERS}/${SERVERS} loss model, 1M customers: flashsim's kernel vs SimPy (python3), blocking vs Erlang B, events/s`,
  run(options: BenchOptions) {
    const customers = Math.max(20_000, Math.round(CUSTOMERS * options.scale));
    const rounds = Math.min(options.rounds, 3);
    options.log(`peer: kernel, ${customers.toLocaleString('en')} customers × ${rounds} after a warm-up run …`);
    // The warm-up lets V8 compile the handlers before timing; CPython has no JIT to wait for.
    kernelLossModel(customers);
    const kernelRuns = Array.from({ length: rounds }, () => kernelLossModel(customers));
    const kernel = kernelRuns[0];
    const kernelRate = median(kernelRuns.map((r) => r.events / r.seconds));
    options.log(`peer: SimPy, ${customers.toLocaleString('en')} customers …`);
    const simpy = simpyLossModel(customers);
    const expected = erlangB(OFFERED, SERVERS);
    const side = (name: string, run: PeerRun, rate: number) => {
      const { mean, halfWidth } = interval(run.batchBlocking);
      const agrees = Math.abs(mean - expected) <= halfWidth;
      return {
        json: { blocking: mean, halfWidth, agreesWithErlangB: agrees, events: run.events, eventsPerSecond: Math.round(rate) },
        line: `  ${name}: blocking ${mean.toFixed(4)} ± ${halfWidth.toFixed(4)} (${agrees ? 'agrees with' : 'DIFFERS from'} Erlang B), ${run.events.toLocaleString('en')} events, ${formatRate(rate)} events/s`,
      };
    };
    const k = side('flashsim kernel', kernel, kernelRate);
    const lines = [
      `peer: M/M/${SERVERS}/${SERVERS} loss model, ${OFFERED} Erlang offered, mean service 1 s, ${customers.toLocaleString('en')} customers; Erlang B ${expected.toFixed(4)}`,
      k.line,
    ];
    const json: Record<string, unknown> = { customers, servers: SERVERS, offeredErlang: OFFERED, erlangB: expected, kernel: k.json };
    if (typeof simpy === 'string') {
      lines.push(`  SimPy: skipped (${simpy}); ratio not measured (target ≥ ${TARGET_RATIO}x)`);
      json.simpy = { skipped: simpy };
    } else {
      const simpyRate = simpy.events / simpy.seconds;
      const s = side('SimPy', simpy, simpyRate);
      const ratio = kernelRate / simpyRate;
      lines.push(s.line, `  flashsim/SimPy ${ratio.toFixed(1)}x (target ≥ ${TARGET_RATIO}x): ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`);
      json.simpy = s.json;
      json.ratio = Math.round(ratio * 10) / 10;
      json.target = { ratio: TARGET_RATIO, met: ratio >= TARGET_RATIO };
    }
    return { json: { peer: json }, lines };
  },
};
