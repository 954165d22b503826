import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPlan, type RunPlan } from '../../src/execute/plan.js';
import { assignShards, estimateTaskCost, shardPlan, TASK_BASE_COST } from '../../src/execute/shard.js';
import { handMadeConfig } from '../helpers/run-result.js';
import { strategies } from './two-strategies.js';

/** A plan whose tasks have these populations (one strategy per task, 1 replication each, 1 minute). */
function planOf(populations: readonly number[]): RunPlan {
  const base = handMadeConfig({ seed: 7, replications: 1 });
  return buildPlan(
    { name: 's', file: 's.yaml' },
    populations.map((count, i) => ({ name: `p${i}`, config: { ...base, duration: 60e6, users: { ...base.users, count } } })),
  );
}

describe('assignShards', () => {
  it('deals equal-cost tasks round-robin in plan order: task k to shard k mod N', () => {
    const plan = buildPlan({ name: 's', file: 's.yaml' }, strategies);
    expect(assignShards(plan, 3)).toEqual([[0, 3], [1], [2]]);
    expect(assignShards(plan, 1)).toEqual([[0, 1, 2, 3]]);
    expect(assignShards(plan, 6)).toEqual([[0], [1], [2], [3], [], []]);
  });

  it('balances by estimated cost, longest first to the least loaded shard', () => {
    // 600-user tasks cost about twice the 300-user ones: each shard gets 1,200 users.
    const shards = assignShards(planOf([300, 300, 300, 300, 600, 600, 600, 600]), 3);
    expect(shards).toEqual([
      [4, 7],
      [0, 2, 5],
      [1, 3, 6],
    ]);
  });

  it('estimates a task as users × simulated seconds plus a base', () => {
    expect(estimateTaskCost(planOf([1000]).tasks[0])).toBe(1000 * 60 + TASK_BASE_COST);
  });

  it('puts every task in exactly one shard, keeps the largest within one task of the ideal share, and is deterministic', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        (pops, n) => {
          const plan = planOf(pops);
          const shards = assignShards(plan, n);
          expect(shards).toHaveLength(n);
          expect(shards.flat().sort((a, b) => a - b)).toEqual(plan.tasks.map((t) => t.index));
          for (const s of shards) expect(s).toEqual([...s].sort((a, b) => a - b));
          const cost = (s: number[]) => s.reduce((sum, i) => sum + estimateTaskCost(plan.tasks[i]), 0);
          const total = plan.tasks.reduce((sum, t) => sum + estimateTaskCost(t), 0);
          const largest = Math.max(...plan.tasks.map(estimateTaskCost));
          for (const s of shards) expect(cost(s)).toBeLessThanOrEqual(total / n + largest + 1e-6);
          expect(assignShards(plan, n)).toEqual(shards);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a shard count that is not a positive integer', () => {
    const plan = planOf([10]);
    expect(() => assignShards(plan, 0)).toThrow(/positive integer/);
    expect(() => assignShards(plan, 1.5)).toThrow(/positive integer/);
  });
});

describe('shardPlan', () => {
  it("keeps the plan and only the shard's tasks, with their plan indices", () => {
    const plan = buildPlan({ name: 's', file: 's.yaml' }, strategies);
    const mine = shardPlan(plan, { index: 0, count: 3 });
    expect(mine.tasks.map((t) => t.index)).toEqual([0, 3]);
    expect(mine.tokenSecrets).toEqual(plan.tokenSecrets);
    expect(mine.strategies).toBe(plan.strategies);
  });
});
