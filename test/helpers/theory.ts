import { expect } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveStrategies } from '../../src/scenario/strategies.js';
import { runOnce } from '../../src/model/run-once.js';
import type { RunResult } from '../../src/results/result.js';

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
