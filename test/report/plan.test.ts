import { describe, expect, it } from 'vitest';
import { monotonicityLines, renderPlanMarkdown, renderPlanText } from '../../src/report/plan.js';
import type { MonotonicityViolation, PlanCandidate, PlanResult } from '../../src/results/plan.js';

const path = 'system.orderServers.maxWait';
const constraint = 'order_latency p(99)<2s';

function candidate(wait: string, mean: number, low: number, high: number): PlanCandidate {
  return {
    values: { [path]: wait },
    cost: { perHour: 1, total: 1, per1000Orders: null, currency: 'USD' },
    verdict: 'feasible',
    replications: 3,
    constraints: [{ id: constraint, n: 3, mean, low, high, holds: true }],
  };
}

function plan(violations: MonotonicityViolation[]): PlanResult {
  const small = candidate('100ms', 234_000, 199_000, 269_000);
  return {
    schemaVersion: 1,
    kind: 'flashsim-plan',
    tool: { name: 'flashsim', version: '0.0.0' },
    scenario: { name: 'mono', file: 'mono.yaml', description: null },
    strategy: 'base',
    seed: 1,
    search: 'boundary',
    currency: 'USD',
    hours: 1,
    replications: { batch: 3, max: 12 },
    parameters: [{ path, kind: 'duration', monotone: true, values: ['100ms', '300ms'] }],
    uncertain: [],
    constraints: [{ id: constraint, kind: 'threshold', metric: 'order_latency', expression: 'p(99)<2s', limit: 2e6, better: 'lower' }],
    feasible: true,
    best: small,
    binding: [],
    candidates: [small, candidate('300ms', 415_000, 371_000, 460_000)],
    runs: 6,
    gridSize: 2,
    gridRuns: 6,
    inferred: 0,
    monotonicityViolations: violations,
    front: [],
    sensitivity: [],
  };
}

const violation = (): MonotonicityViolation => {
  const p = plan([]);
  return {
    path,
    constraint,
    metric: 'order_latency',
    kind: 'interval',
    smaller: { values: p.candidates[0].values, outcome: p.candidates[0].constraints[0] },
    larger: { values: p.candidates[1].values, outcome: p.candidates[1].constraints[0] },
  };
};

describe('plan reports: monotonicity violations', () => {
  it('the console and plan.md name the parameter, the two intervals and the fix; the best plan stays', () => {
    const p = plan([violation()]);
    const text = renderPlanText(p);
    expect(text).toContain('cheapest feasible plan: system.orderServers.maxWait=100ms');
    expect(text).toContain(
      'not monotone: more of system.orderServers.maxWait was decisively worse between two simulated candidates, order_latency p(99)<2s: 234ms [199ms, 269ms] (holds) at 100ms → 415ms [371ms, 460ms] (holds) at 300ms',
    );
    expect(text).toContain('declare `monotone: false` for system.orderServers.maxWait');
    const md = renderPlanMarkdown(p);
    expect(md).toContain('## Monotonicity violations');
    expect(md).toContain(
      '| `system.orderServers.maxWait` | `order_latency p(99)<2s` | 100ms: 234ms [199ms, 269ms] | 300ms: 415ms [371ms, 460ms] | interval |',
    );
  });

  it('several pairs of one parameter: one line, with the count', () => {
    expect(monotonicityLines(plan([violation(), violation()]))).toHaveLength(1);
    expect(monotonicityLines(plan([violation(), violation()]))[0]).toContain('(2 pairs in all)');
  });

  it('none: nothing is said', () => {
    const p = plan([]);
    expect(monotonicityLines(p)).toEqual([]);
    expect(renderPlanText(p)).not.toContain('monotone');
    expect(renderPlanMarkdown(p)).not.toContain('Monotonicity violations');
  });
});
