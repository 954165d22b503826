import { expect } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveStrategies } from '../../src/scenario/strategies.js';
import { runOnce } from '../../src/model/run-once.js';
import type { RunResult } from '../../src/results/result.js';
import { scenarioFile } from './scenario-files.js';

/*
 * What the theory tests share (docs/model.md, "Theory checks"): run a
 * scenario file's strategies through the loader the CLI uses, and compare a
 * formula with the replications' mean and 95% Student-t interval.
 */

/** t(0.975, n − 1) for n replications. */
const T975: Record<number, number> = { 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571, 8: 2.365, 10: 2.262 };

/** Runs every strategy of the scenario file `file` `n` times (seed `seed`); results by strategy. */
export function runStrategies(file: string, n: number, seed: number): Map<string, RunResult[]> {
  const out = new Map<string, RunResult[]>();
  for (const plan of resolveStrategies(loadScenario(file))) {
    const results: RunResult[] = [];
    for (let r = 0; r < n; r++) results.push(runOnce(plan.config, { strategy: plan.name, replication: r, seed }).result);
    out.set(plan.name, results);
  }
  return out;
}

/** Mean and 95% half-width of `xs`. */
export function ci(xs: number[]): { mean: number; half: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, half: (T975[n] * sd) / Math.sqrt(n) };
}

/** Expects `formula` inside the replications' 95% interval (and the interval to be narrow enough to mean something). */
export function agrees(xs: number[], formula: number, widest: number, label = ''): void {
  const { mean, half } = ci(xs);
  // THEORY_TABLE=1 prints the figures of docs/model.md's tables.
  if (process.env.THEORY_TABLE) console.log(`${label}\t${formula}\t${mean} ± ${half}`);
  expect(half, `half-width ${half} too wide to test`).toBeLessThan(widest);
  expect(Math.abs(mean - formula), `${label}: simulated ${mean} ± ${half}, formula ${formula}`).toBeLessThanOrEqual(half);
}

/** Column `name` of the time-series rows lying wholly inside [fromS, toS] (s): the steady part of a run. */
export function steadyColumn(result: RunResult, name: string, fromS: number, toS: number): number[] {
  const { columns, rows, intervalUs } = result.timeseries;
  const c = columns.indexOf(name);
  if (c < 0) throw new Error(`no column ${name}`);
  const width = intervalUs / 1e6;
  return rows.filter((_, r) => r * width >= fromS && (r + 1) * width <= toS).map((row) => row[c]);
}

/** The sum of `xs`. */
export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** A steady stream of users, each clicking once, onto a sale that never sells out (see {@link steadyScenario}). */
export interface SteadyStream {
  /** Scenario name and seed. */
  name: string;
  seed: number;
  /** Users arriving uniformly over `seconds` from T0 = 0 (a Poisson stream of page loads, then of clicks). */
  users: number;
  seconds: number;
  /** Simulated time after the last arrival, s (requests in flight finish). */
  drain: number;
  /** `system.orderServers` as a YAML flow mapping. */
  orderServers: string;
  /** Other `system` entries, each line indented by two spaces (default: a 4-edge CDN of 1 kB pages). */
  system?: string;
  /** Other `users` entries, each line indented by two spaces. */
  usersExtra?: string;
  /** Time-series interval (default the scenario's, 1s). */
  interval?: string;
  /** Units for sale (never reached), and the async order queue and consumers (never the bottleneck). */
  stock?: number;
  queue?: number;
  consumers?: number;
  /** Top-level sections after `system` (strategies:, thresholds:, invariants:, plan:), as written. */
  rest: string;
}

/**
 * The theory tests' sale as a scenario file: users arrive at a steady rate
 * from T0 = 0, click once (no retry) and win (the stock never runs out:
 * async orders, a store that takes no time), so what reaches the order
 * servers is a Poisson stream. Returns the file's path.
 */
export function steadyScenario(s: SteadyStream): string {
  return scenarioFile(`version: 1
name: ${s.name}
seed: ${s.seed}
duration: ${s.seconds + s.drain}s
${s.interval ? `interval: ${s.interval}\n` : ''}sale: { start: 0s, stock: ${s.stock ?? 100000000} }
users:
  count: ${s.users}
  arrival: { kind: ramp, from: 0s, to: ${s.seconds}s, shape: uniform }
  retry: { policy: none, maxAttempts: 1 }
${s.usersExtra ?? ''}system:
${s.system ?? '  cdn: { edges: 4, pageBytes: 1kB }\n'}  orderServers: ${s.orderServers}
  stock: { primitive: atomic, service: 0s }
  orders: { mode: async, queue: ${s.queue ?? 100000000}, consumers: ${s.consumers ?? 1000}, service: 0s }
  mainSite: { rps: 1/s }
${s.rest}`);
}
