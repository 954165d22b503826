import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareRun } from '../../src/index.js';
import { runPlanOnPool, WorkerTaskError } from '../../src/execute/pool.js';
import { executePlan, openExecutor, type TaskProgress } from '../../src/execute/execute.js';
import { buildPlan, type RunPlan } from '../../src/execute/plan.js';
import { ensureBuilt, ROOT } from '../cli/build.js';

/**
 * The piscina pool: the real worker (compiled dist/src/execute/worker.js)
 * on a tiny scenario, and fixture workers (test/execute/fixtures/*.mjs)
 * that throw, die or hang.
 */

const fixture = (name: string) => join(ROOT, 'test/execute/fixtures', name);
const PASS = join(ROOT, 'test/cli/fixtures/pass.yaml');

/** pass.yaml: two strategies × 2 replications, 500 users: 4 small tasks. */
let plan: RunPlan;
beforeAll(() => {
  ensureBuilt();
  plan = prepareRun(PASS, { replications: 2 }).plan;
});

/** A plan of `n` tasks for the fixture workers (they only look at index, strategy, replication and duration). */
function stubPlan(n: number): RunPlan {
  const base = plan.strategies[0].config;
  return buildPlan({ name: 'stub', file: 'stub.yaml' }, [{ name: 'only', config: { ...base, replications: n } }]);
}

describe('runPlanOnPool with the real worker', () => {
  it('gives the in-process results, in plan order, for 2 and 4 workers', async () => {
    const inProcess = await executePlan(plan, { workers: 1 });
    for (const workers of [2, 4]) {
      const pooled = await runPlanOnPool(plan, { workers });
      expect(pooled.results.map((r) => `${r.strategy}/${r.replication}`)).toEqual([
        'seed-design/0',
        'seed-design/1',
        'more-servers/0',
        'more-servers/1',
      ]);
      // Byte for byte what summary.json is built from.
      expect(JSON.stringify(pooled.results)).toBe(JSON.stringify(inProcess.results));
      expect(pooled.timings.map((t) => `${t.strategy}/${t.replication}`)).toEqual(
        pooled.results.map((r) => `${r.strategy}/${r.replication}`),
      );
      for (const t of pooled.timings) {
        expect(t.worker?.threadId).toBeGreaterThan(0);
        expect(t.worker?.peakBytes).toBeGreaterThan(0);
        expect(t.events).toBeGreaterThan(0);
      }
    }
  });

  it('executePlan uses the pool for workers > 1 (tasks run in worker threads, not this one)', async () => {
    const { timings } = await executePlan(plan, { workers: 2 });
    const threads = new Set(timings.map((t) => t.worker?.threadId));
    expect(threads.has(undefined)).toBe(false);
    expect(threads.has(0)).toBe(false); // 0 is the main thread
    const inProcess = await executePlan(plan, { workers: 1 });
    expect(inProcess.timings.every((t) => t.worker === undefined)).toBe(true);
  });

  it('relays progress from the workers: start first, done last, for every task', async () => {
    const seen: TaskProgress[] = [];
    await runPlanOnPool(plan, { workers: 2, progressIntervalMs: 0, onProgress: (p) => seen.push(p) });
    for (const task of plan.tasks) {
      const mine = seen.filter((p) => p.task === task.index);
      expect(mine[0]).toMatchObject({ phase: 'start', strategy: task.strategy, replication: task.replication, simulatedUs: 0 });
      expect(mine.at(-1)).toMatchObject({ phase: 'done', durationUs: task.config.duration });
      expect(mine.at(-1)!.events).toBeGreaterThan(0);
      expect(mine.filter((p) => p.phase === 'done')).toHaveLength(1);
    }
  });
});

describe('openExecutor: one pool for plans run one after another', () => {
  it('runs every plan on the same threads, with the in-process results', async () => {
    const inProcess = await executePlan(plan, { workers: 1 });
    const executor = await openExecutor({ workers: 2 });
    const threads: Array<Set<number | undefined>> = [];
    try {
      for (let round = 0; round < 3; round++) {
        const { results, timings } = await executor.run(plan);
        expect(JSON.stringify(results)).toBe(JSON.stringify(inProcess.results));
        threads.push(new Set(timings.map((t) => t.worker?.threadId)));
      }
    } finally {
      await executor.close();
    }
    // A pool started per plan would give new thread ids every round.
    const all = new Set(threads.flatMap((t) => [...t]));
    expect(all.has(undefined)).toBe(false);
    expect(all.size).toBeLessThanOrEqual(2);
  });

  it('after a failed plan, the next one still runs (and closing stops the threads)', async () => {
    const { WorkerPool } = await import('../../src/execute/pool.js');
    const pool = new WorkerPool({ threads: 2, filename: fixture('throwing-worker.mjs') });
    try {
      await expect(pool.run(stubPlan(4))).rejects.toThrow('model exploded at task 1');
      const one = buildPlan({ name: 'stub', file: 'stub.yaml' }, [
        { name: 'only', config: { ...plan.strategies[0].config, replications: 1 } },
      ]);
      const { results } = await pool.run(one);
      expect(results.map((r) => r.replication)).toEqual([0]);
    } finally {
      await pool.destroy();
    }
  });
});

describe('faults', () => {
  it('a task that throws fails the run with a message naming the task, and the other tasks stop', async () => {
    const run = runPlanOnPool(stubPlan(4), { workers: 2, filename: fixture('throwing-worker.mjs') });
    await expect(run).rejects.toThrow(WorkerTaskError);
    await expect(run).rejects.toThrow('task 1 (strategy only, replication 1) failed in a worker thread: model exploded at task 1');
  });

  it('results that arrive after a failure stopped the run are dropped quietly (no uncaught error from the pool)', async () => {
    // A task's result can be in flight when another task's failure aborts
    // it; piscina then reports "Unexpected message from Worker" on the pool
    // as an 'error' event, an uncaught exception without a listener (vitest
    // flags it as an unhandled error). Many quick tasks make the race likely.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', onUncaught);
    try {
      for (let round = 0; round < 30; round++) {
        const run = runPlanOnPool(stubPlan(24), { workers: 2, filename: fixture('throwing-worker.mjs') });
        await expect(run).rejects.toThrow('task 1 (strategy only, replication 1) failed in a worker thread: model exploded at task 1');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('stopping the pool while threads are still loading their module never aborts the process', () => {
    // Node 20.19+ aborts the process when a thread is terminated while
    // require() instantiates an ES module, which piscina tries before
    // import() (hence src/execute/worker-entry.cts); each failed run stops
    // the pool while replacement threads load. Without the entry, children
    // of 150 runs died with SIGABRT 1 to 2 times in 3 (so this takes 300).
    // The child also runs with a V8 flag, which worker threads must not be
    // handed explicitly (ERR_WORKER_INVALID_EXEC_ARGV: a first fix did that).
    const child = spawnSync(process.execPath, ['--max-old-space-size=4096', fixture('failing-runs.mjs'), '300'], {
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(child.stderr).not.toMatch(/FATAL ERROR/);
    expect({ status: child.status, signal: child.signal }).toEqual({ status: 0, signal: null });
  });

  it('a worker thread that dies (process.exit) fails the run, never hangs', async () => {
    const started = performance.now();
    const run = runPlanOnPool(stubPlan(5), { workers: 2, filename: fixture('exiting-worker.mjs') });
    await expect(run).rejects.toThrow(
      'task 2 (strategy only, replication 2) failed in a worker thread: the worker thread died (exit code 7)',
    );
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('the error is an internal error (exit 70 in the CLI) with the task attached', async () => {
    const error = await runPlanOnPool(stubPlan(2), { workers: 2, filename: fixture('throwing-worker.mjs') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerTaskError);
    expect((error as WorkerTaskError).task).toMatchObject({ index: 1, strategy: 'only', replication: 1 });
    expect((error as Error).name).toBe('WorkerTaskError');
    expect(((error as Error).cause as Error).message).toBe('model exploded at task 1');
  });

  it('aborting stops running tasks at once (threads terminated) with an AbortError', async () => {
    const controller = new AbortController();
    let starts = 0;
    const started = performance.now();
    const run = runPlanOnPool(stubPlan(3), {
      workers: 2,
      filename: fixture('hanging-worker.mjs'),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'start' && ++starts === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('an already aborted signal runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runPlanOnPool(plan, { workers: 2, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
