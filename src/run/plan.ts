import type { ResolvedConfig } from '../scenario/schema.js';

/**
 * A run plan: every (strategy, replication) of one scenario run, as plain
 * serialisable data, so that it can be handed to worker threads as is.
 *
 * Task order is strategy-major (all replications of the first strategy,
 * then the next), and results are always merged in this order, never in
 * completion order.
 */

/** One strategy with its resolved configuration. */
export interface PlannedStrategy {
  name: string;
  config: ResolvedConfig;
}

/** One simulation to run: a strategy and a replication. */
export interface RunTask {
  /** Position in the plan (0-based). */
  index: number;
  strategy: string;
  replication: number;
  /**
   * The master seed. Every strategy and replication gets the same master
   * seed: the simulator derives the streams from (seed, replication, user),
   * so strategies see the same users (common random numbers) and
   * replications see independent ones.
   */
  seed: number | string;
  config: ResolvedConfig;
}

export interface RunPlan {
  scenario: { name: string; file: string };
  seed: number | string;
  replications: number;
  strategies: PlannedStrategy[];
  tasks: RunTask[];
}

/**
 * Builds the plan for `strategies` × `replications`.
 *
 * @param seed the master seed (the scenario's or the --seed override).
 * @throws {RangeError} when there is no strategy or replications < 1.
 */
export function buildPlan(
  scenario: { name: string; file: string },
  strategies: readonly PlannedStrategy[],
  options: { seed: number | string; replications: number },
): RunPlan {
  if (strategies.length === 0) throw new RangeError('a run plan needs at least one strategy');
  if (!(Number.isInteger(options.replications) && options.replications >= 1)) {
    throw new RangeError(`replications must be a positive integer, got ${options.replications}`);
  }
  const tasks: RunTask[] = [];
  for (const { name, config } of strategies) {
    for (let replication = 0; replication < options.replications; replication++) {
      tasks.push({ index: tasks.length, strategy: name, replication, seed: options.seed, config });
    }
  }
  return {
    scenario: { ...scenario },
    seed: options.seed,
    replications: options.replications,
    strategies: strategies.map((s) => ({ name: s.name, config: s.config })),
    tasks,
  };
}
