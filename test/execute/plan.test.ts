import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/execute/plan.js';
import { strategies } from './two-strategies.js';

describe('buildPlan', () => {
  it('is strategy-major, replications and seed from the configs', () => {
    const plan = buildPlan({ name: 's', file: 's.yaml' }, strategies);
    expect(plan.tasks.map((t) => [t.index, t.strategy, t.replication, t.seed])).toEqual([
      [0, 'seed-design', 0, 7],
      [1, 'seed-design', 1, 7],
      [2, 'naive', 0, 7],
      [3, 'naive', 1, 7],
    ]);
  });

  it('refuses empty plans', () => {
    expect(() => buildPlan({ name: 's', file: 's.yaml' }, [])).toThrow(/at least one strategy/);
    expect(() => buildPlan({ name: 's', file: 's.yaml' }, [{ name: 'x', config: { ...strategies[0].config, replications: 0 } }])).toThrow(
      /replications/,
    );
  });

  it("carries the run's seed and replications, and refuses strategies that differ in them", () => {
    expect(buildPlan({ name: 's', file: 's.yaml' }, strategies)).toMatchObject({ seed: 7, replications: 2 });
    const [a, b] = strategies;
    expect(() => buildPlan({ name: 's', file: 's.yaml' }, [a, { ...b, config: { ...b.config, seed: 8 } }])).toThrow(
      'strategy naive has seed 8 and 2 replications, the run 7 and 2: seed and replications belong to the run',
    );
    expect(() => buildPlan({ name: 's', file: 's.yaml' }, [a, { ...b, config: { ...b.config, replications: 3 } }])).toThrow(
      /belong to the run/,
    );
  });
});
