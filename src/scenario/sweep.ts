/**
 * Sweep expansion for `sim sweep`: `path=v1,v2,v3` parameters become the
 * cartesian grid of `--set`-style assignments.
 */
import { UsageError } from '../errors.js';
import { RUN_KEYS, runKeyOf } from './overlay.js';
import { checkPath, splitPath } from './paths.js';
import { BaseSchema } from './schema.js';

/**
 * Most grid points in one sweep. Each point is a full run of every strategy
 * (times replications); a thousand points is already hours at a million
 * users, and more than the sweep chart or table can show. A larger product
 * of `--param` values is a typo more often than a plan.
 */
export const MAX_SWEEP_POINTS = 1_000;

/** Splits on commas outside brackets and quotes: `lognormal(5s, 0.6),exp(5s)` → two values. */
function splitValues(text: string): string[] {
  const values: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    } else if (c === ',' && depth === 0) {
      values.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  values.push(text.slice(start).trim());
  return values;
}

/**
 * Expands sweep parameters into a grid of assignments.
 *
 * Each parameter is `path=v1,v2,…` (commas inside parentheses, brackets,
 * braces or quotes do not split, so `users.refresh=lognormal(5s, 0.6),exp(5s)`
 * has two values). The grid is in a stable order: the first parameter
 * varies slowest, values in the order given (like nested loops). No
 * parameters give one point with no assignments.
 *
 * @returns one list of `path=value` strings per grid point, ready for `--set`.
 * @throws {UsageError} for a parameter without `=`, an unknown path or a
 *   run-level one (`seed`, `replications`), an
 *   empty value, a value given twice for one path, the same path swept
 *   twice, or a grid of more than {@link MAX_SWEEP_POINTS} points.
 */
export function expandSweep(params: readonly string[]): string[][] {
  const axes: Array<{ path: string; values: string[] }> = [];
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0)
      throw new UsageError(`sweep parameter ${JSON.stringify(param)}: expected path=v1,v2,… such as system.orderServers.servers=5,10,20`);
    const path = param.slice(0, eq).trim();
    const segments = splitPath(path);
    const why = segments ? checkPath(BaseSchema, segments) : 'the path has an empty segment';
    if (why) throw new UsageError(`sweep parameter ${JSON.stringify(param)}: unknown path: ${why}`);
    // Every point runs with the run's seed and replications (common random numbers across points).
    const runKey = runKeyOf(segments!);
    if (runKey)
      throw new UsageError(
        `sweep parameter ${JSON.stringify(param)}: ${runKey} belongs to the run, not to a point: every point runs with the same ${runKey}; set it with ${RUN_KEYS[runKey].option}`,
      );
    if (axes.some((axis) => axis.path === path)) throw new UsageError(`sweep parameter ${JSON.stringify(param)}: ${path} is swept twice`);
    const values = splitValues(param.slice(eq + 1));
    if (values.some((v) => v === '')) throw new UsageError(`sweep parameter ${JSON.stringify(param)}: empty value`);
    // The same value twice would run the same point twice and draw it twice on the chart.
    const repeated = values.find((v, i) => values.indexOf(v) !== i);
    if (repeated !== undefined) throw new UsageError(`sweep parameter ${JSON.stringify(param)}: value ${repeated} is given twice`);
    axes.push({ path, values });
  }
  const points = axes.reduce((n, axis) => n * axis.values.length, 1);
  if (points > MAX_SWEEP_POINTS) {
    const sizes = axes.map((axis) => `${axis.values.length} (${axis.path})`).join(' × ');
    throw new UsageError(
      `the sweep grid has ${points.toLocaleString('en')} points (${sizes}); at most ${MAX_SWEEP_POINTS.toLocaleString('en')}: sweep fewer values, or split the sweep`,
    );
  }
  let grid: string[][] = [[]];
  for (const axis of axes) {
    grid = grid.flatMap((point) => axis.values.map((value) => [...point, `${axis.path}=${value}`]));
  }
  return grid;
}
