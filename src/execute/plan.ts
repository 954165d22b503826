import type { ResolvedConfig } from '../scenario/schema.js';
import { tokenSecretSeed } from '../system/token-gate.js';

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
  /** Strategy name. */
  name: string;
  /** Base with the strategy's overlay applied, parsed. */
  config: ResolvedConfig;
}

/** One simulation to run: a strategy and a replication. */
export interface RunTask {
  /** Position in the plan (0-based). */
  index: number;
  /** The strategy's name. */
  strategy: string;
  /** Replication number, from 0. */
  replication: number;
  /**
   * The master seed (`config.seed`). Every strategy and replication gets the same master
   * seed: the simulator derives the streams from (seed, replication, user),
   * so strategies see the same users (common random numbers) and
   * replications see independent ones.
   */
  seed: number | string;
  /** The token gate's secret seed: the plan's `tokenSecrets[replication]`. */
  tokenSecret: number;
  /** The strategy's resolved configuration. */
  config: ResolvedConfig;
}

/** Every task of one scenario run, strategy-major. */
export interface RunPlan {
  /** The scenario's name and file. */
  scenario: { name: string; file: string };
  /** The run's master seed: every strategy's `config.seed`. */
  seed: number | string;
  /** The run's replications per strategy: every strategy's `config.replications`. */
  replications: number;
  /**
   * The token gate's secret seed per replication (tokenSecretSeed of the seed
   * and replication), derived once for the run: each replication's gate is
   * built with it, whatever the strategy, and the auditor re-checks tokens with it.
   */
  tokenSecrets: number[];
  /** The strategies, in task order. */
  strategies: PlannedStrategy[];
  /** One per (strategy, replication). */
  tasks: RunTask[];
}

/**
 * Builds the plan: for each strategy, `config.replications` tasks, each
 * with `config.seed` (the scenario's seed, or the one --seed gave). Seed
 * and replications are the run's, the same for every strategy; the scenario
 * layer refuses overlays that would make them differ.
 *
 * @throws {RangeError} when there is no strategy, a replication count is not
 *   a positive integer, or two strategies differ in seed or replications.
 */
export function buildPlan(scenario: { name: string; file: string }, strategies: readonly PlannedStrategy[]): RunPlan {
  if (strategies.length === 0) throw new RangeError('a run plan needs at least one strategy');
  const { seed, replications } = strategies[0].config;
  const tokenSecrets = Array.from({ length: replications }, (_, replication) => tokenSecretSeed(seed, replication));
  const tasks: RunTask[] = [];
  for (const { name, config } of strategies) {
    if (!(Number.isInteger(config.replications) && config.replications >= 1)) {
      throw new RangeError(`replications must be a positive integer, got ${config.replications}`);
    }
    if (config.seed !== seed || config.replications !== replications) {
      throw new RangeError(
        `strategy ${name} has seed ${config.seed} and ${config.replications} replications, the run ${seed} and ${replications}: seed and replications belong to the run`,
      );
    }
    for (let replication = 0; replication < config.replications; replication++) {
      tasks.push({ index: tasks.length, strategy: name, replication, seed, tokenSecret: tokenSecrets[replication], config });
    }
  }
  return {
    scenario: { ...scenario },
    seed,
    replications,
    tokenSecrets,
    strategies: strategies.map((s) => ({ name: s.name, config: s.config })),
    tasks,
  };
}
