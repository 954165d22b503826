import { describe, expect, it } from 'vitest';
import { executePlan, type TaskProgress, type TaskRunner } from '../../src/execute/execute.js';
import { buildPlan } from '../../src/execute/plan.js';
import { makeResult } from '../helpers/run-result.js';
import { strategies } from './two-strategies.js';

const once = strategies.map((s) => ({ ...s, config: { ...s.config, replications: 1 } }));

const timing = { wallMs: 1, events: 1234, eventsPerSecond: 1e6, peakRssBytes: 1e8 };

describe('executePlan', () => {
  it('returns results in plan order with progress from start to done', async () => {
    const plan = buildPlan({ name: 's', file: 's.yaml' }, strategies);
    const seen: string[] = [];
    const runner: TaskRunner = async (task, onProgress) => {
      // Later tasks finish first: order must still be the plan's.
      await new Promise((r) => setTimeout(r, (4 - task.index) * 5));
      onProgress({ simulatedUs: 5_000_000, durationUs: task.config.duration, events: 10 });
      seen.push(`${task.strategy}/${task.replication}/${task.seed}`);
      return { result: makeResult({ strategy: task.strategy, replication: task.replication }), timing };
    };
    const progress: TaskProgress[] = [];
    const { results, timings } = await executePlan(plan, { workers: 3, runner, onProgress: (p) => progress.push(p) });
    expect(results.map((r) => `${r.strategy}/${r.replication}`)).toEqual(['seed-design/0', 'seed-design/1', 'naive/0', 'naive/1']);
    expect(timings.map((t) => `${t.strategy}/${t.replication}`)).toEqual(['seed-design/0', 'seed-design/1', 'naive/0', 'naive/1']);
    expect(seen).toEqual(['seed-design/0/7', 'seed-design/1/7', 'naive/0/7', 'naive/1/7']);
    expect(progress.filter((p) => p.task === 0).map((p) => p.phase)).toEqual(['start', 'progress', 'done']);
    expect(progress.find((p) => p.phase === 'progress')).toMatchObject({ simulatedUs: 5_000_000, durationUs: 10_000_000, events: 10 });
  });

  it('stops at the first failing task and rethrows its error', async () => {
    const plan = buildPlan({ name: 's', file: 's.yaml' }, once);
    let calls = 0;
    const runner: TaskRunner = () => {
      calls++;
      throw new Error('boom');
    };
    await expect(executePlan(plan, { runner })).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });

  it('stops when aborted', async () => {
    const plan = buildPlan({ name: 's', file: 's.yaml' }, strategies);
    const controller = new AbortController();
    let calls = 0;
    const runner: TaskRunner = (task) => {
      calls++;
      if (calls === 2) controller.abort();
      return { result: makeResult({ strategy: task.strategy, replication: task.replication }), timing };
    };
    await expect(executePlan(plan, { runner, signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(calls).toBe(2);
  });

  it('rejects a bad worker count', async () => {
    const plan = buildPlan({ name: 's', file: 's.yaml' }, once);
    await expect(executePlan(plan, { workers: 0, runner: () => ({ result: makeResult(), timing }) })).rejects.toThrow(/workers/);
  });
});
