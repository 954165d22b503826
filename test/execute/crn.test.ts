import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareRun } from '../../src/index.js';
import { runPlanOnPool } from '../../src/execute/pool.js';
import type { RunResult } from '../../src/results/result.js';
import { ensureBuilt, ROOT } from '../cli/build.js';

/**
 * Common random numbers at the plan/pool level: every strategy of a run,
 * each simulated in its own worker thread with its own configuration,
 * sees the same users arriving at the same microsecond; another
 * replication sees other arrivals.
 *
 * The fixture worker builds the real model (compiled) for its task, notes
 * when each user's first event fires and runs the simulation to the end.
 */

interface ArrivalResult extends RunResult {
  arrivals: number[];
  threadId: number;
}

beforeAll(() => {
  ensureBuilt();
});

describe('common random numbers across strategies, on the pool', () => {
  it('smoke.yaml: seed-design and naive (no CDN, static URL, unbounded servers) get identical arrivals per replication', async () => {
    const { plan } = prepareRun(join(ROOT, 'scenarios/smoke.yaml'), { replications: 2 });
    expect(plan.strategies.map((s) => s.name)).toEqual(['seed-design', 'naive']);
    const { results } = await runPlanOnPool(plan, { workers: 2, filename: join(ROOT, 'test/execute/fixtures/crn-worker.mjs') });
    const byKey = new Map((results as ArrivalResult[]).map((r) => [`${r.strategy}/${r.replication}`, r]));
    const users = plan.strategies[0].config.users.count;

    for (const replication of [0, 1]) {
      const seed = byKey.get(`seed-design/${replication}`)!;
      const naive = byKey.get(`naive/${replication}`)!;
      // Every user arrived, inside the run.
      expect(seed.arrivals).toHaveLength(users);
      expect(seed.arrivals.every((t) => t >= 0 && t <= plan.strategies[0].config.duration)).toBe(true);
      // Same users, same microsecond, in both strategies...
      expect(naive.arrivals).toEqual(seed.arrivals);
      // ...though the strategies behave very differently afterwards.
      expect(naive.simulation.events).not.toBe(seed.simulation.events);
    }
    // Replications are independent draws.
    const a = byKey.get('seed-design/0')!.arrivals;
    const b = byKey.get('seed-design/1')!.arrivals;
    expect(a.filter((t, u) => t === b[u]).length).toBeLessThan(users / 100);
    // The tasks ran in more than one worker thread.
    expect(new Set((results as ArrivalResult[]).map((r) => r.threadId)).size).toBeGreaterThanOrEqual(2);
  });
});
