import type { RunPlan, RunTask } from './plan.js';

/*
 * Splitting a plan across machines (`--shard i/N`): a static assignment of
 * the plan's tasks (the work units: point × strategy × replication) to N
 * shards, computed the same way by every shard and by `sim merge`, so that
 * no coordinator is needed. docs/scale-out.md explains the choice.
 */

/** One shard of N: `index` from 0 to `count` − 1. */
export interface ShardSpec {
  /** 0-based shard index. */
  index: number;
  /** Number of shards, at least 1. */
  count: number;
}

/**
 * Fixed cost of a run whatever its population, in user-seconds: building the
 * model, the series recorder's ticks and the result. It keeps tiny runs from
 * being estimated as free.
 */
export const TASK_BASE_COST = 1000;

/**
 * The estimated simulation cost of a task, in user-seconds: its population
 * times its simulated duration (s), plus {@link TASK_BASE_COST}. The event
 * count, and so the wall time, grows with both (src/execute/memory.ts sizes
 * runs by the population for the same reason); the estimate only has to
 * rank and balance tasks, not predict seconds. It is a function of the
 * task's configuration alone, so every shard computes the same figure.
 */
export function estimateTaskCost(task: Pick<RunTask, 'config'>): number {
  return task.config.users.count * (task.config.duration / 1e6) + TASK_BASE_COST;
}

/**
 * Assigns every task of `plan` to one of `count` shards, balancing the
 * estimated cost (longest processing time first): tasks taken from the
 * most to the least costly (equal costs in plan order), each given to the
 * shard with the least estimated cost so far (equal loads: the lowest
 * index). With equal costs (one point, or points of the same population)
 * this deals the tasks round-robin in plan order: task k goes to shard
 * k mod count. The greedy rule keeps the largest shard within the largest
 * task of the ideal 1/count share.
 *
 * @returns for each shard, its task indices in plan order.
 * @throws {RangeError} when `count` is not a positive integer.
 */
export function assignShards(plan: Pick<RunPlan, 'tasks'>, count: number): number[][] {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`the shard count must be a positive integer, got ${count}`);
  const order = plan.tasks
    .map((task, position) => ({ position, cost: estimateTaskCost(task) }))
    .sort((a, b) => b.cost - a.cost || a.position - b.position);
  const load = new Array<number>(count).fill(0);
  const shards = Array.from({ length: count }, () => [] as number[]);
  for (const { position, cost } of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s] < load[best]) best = s;
    load[best] += cost;
    shards[best].push(plan.tasks[position].index);
  }
  for (const shard of shards) shard.sort((a, b) => a - b);
  return shards;
}

/** The tasks of shard `shard.index` of `shard.count`, in plan order. */
export function shardTasks(plan: RunPlan, shard: ShardSpec): RunTask[] {
  const mine = new Set(assignShards(plan, shard.count)[shard.index]);
  return plan.tasks.filter((task) => mine.has(task.index));
}

/** The sub-plan a shard runs: the plan with only its tasks (each keeps its plan index). */
export function shardPlan(plan: RunPlan, shard: ShardSpec): RunPlan {
  return { ...plan, tasks: shardTasks(plan, shard) };
}
