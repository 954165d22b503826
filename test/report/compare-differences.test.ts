import { describe, expect, it } from 'vitest';
import { runDifferences } from '../../src/report/compare.js';
import type { RunSummary } from '../../src/results/summary.js';

function summary(over: { name?: string; users?: number; set?: string[]; seed?: number; count?: number }): RunSummary {
  return {
    tool: { name: 'flashsim', version: '1.0.0' },
    scenario: { name: over.name ?? 'smoke', file: 'scenarios/smoke.yaml', description: null },
    seed: over.seed ?? 42,
    replications: 1,
    options: { strategies: null, seed: null, replications: null, users: over.users ?? null, set: over.set ?? [] },
    strategies: [{ name: 'seed-design', config: { users: { count: over.count ?? 2000 }, system: { origin: { servers: 4 } } } }],
  } as unknown as RunSummary;
}

describe('runDifferences', () => {
  it('says nothing differs for the same run', () => {
    expect(runDifferences(summary({}), summary({}))).toEqual({ differences: [], warnings: [] });
  });

  it('names --users, --set, the seed and the config paths, and warns on another population', () => {
    const d = runDifferences(summary({}), summary({ users: 5000, count: 5000, set: ['system.origin.servers=2'], seed: 7 }));
    expect(d.differences).toEqual([
      'seed: 42 → 7',
      '--users: (unset) → 5000',
      '--set: (none) → system.origin.servers=2',
      'seed-design config: users.count 2000 → 5000',
    ]);
    expect(d.warnings.join('\n')).toMatch(/users\.count differ/);
  });

  it('warns when the scenarios differ', () => {
    expect(runDifferences(summary({}), summary({ name: 'bots' })).warnings[0]).toMatch(/different scenarios \(smoke, bots\)/);
  });
});
