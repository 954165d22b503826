import { describe, expect, it } from 'vitest';
import { decisivelyWorse, monotonicityViolations, type IndexedCandidate } from '../../src/app/plan-monotonicity.js';
import type { ConstraintOutcome, PlanConstraint } from '../../src/results/plan.js';

const lower: PlanConstraint = {
  id: 'order_latency p(99)<1s',
  kind: 'threshold',
  metric: 'order_latency',
  expression: 'p(99)<1s',
  limit: 1e6,
  better: 'lower',
};
const higher: PlanConstraint = {
  id: 'decided_within_2s rate>90%',
  kind: 'threshold',
  metric: 'decided_within_2s',
  expression: 'rate>90%',
  limit: 0.9,
  better: 'higher',
};
const invariant: PlanConstraint = { id: 'no-oversell', kind: 'invariant' };

const at = (low: number | null, high: number | null, holds: boolean | null = true): ConstraintOutcome => ({
  id: 'x',
  n: 3,
  mean: low === null || high === null ? null : (low + high) / 2,
  low,
  high,
  holds,
});

describe('decisivelyWorse', () => {
  it('lower is better: the larger candidate’s interval wholly above the smaller’s', () => {
    expect(decisivelyWorse(lower, at(100, 200), at(201, 300))).toBe('interval');
    // Touching or overlapping intervals decide nothing; better with more is no violation.
    expect(decisivelyWorse(lower, at(100, 200), at(200, 300))).toBeUndefined();
    expect(decisivelyWorse(lower, at(100, 200), at(150, 300))).toBeUndefined();
    expect(decisivelyWorse(lower, at(201, 300), at(100, 200))).toBeUndefined();
    expect(decisivelyWorse(lower, at(null, null, null), at(100, 200))).toBeUndefined();
  });

  it('higher is better: the larger candidate’s interval wholly below', () => {
    expect(decisivelyWorse(higher, at(0.95, 0.99), at(0.9, 0.94))).toBe('interval');
    expect(decisivelyWorse(higher, at(0.9, 0.94), at(0.95, 0.99))).toBeUndefined();
  });

  it('holds with less, fails with more: a verdict violation, invariants included', () => {
    expect(decisivelyWorse(invariant, at(null, null, true), at(null, null, false))).toBe('verdict');
    expect(decisivelyWorse(invariant, at(null, null, false), at(null, null, true))).toBeUndefined();
    // An undecided side decides nothing.
    expect(decisivelyWorse(lower, at(100, 200, true), at(150, 300, null))).toBeUndefined();
  });
});

describe('monotonicityViolations', () => {
  const parameters = [
    { path: 'a', monotone: true },
    { path: 'b', monotone: false },
  ];
  const candidate = (index: number[], low: number, high: number): IndexedCandidate => ({
    index,
    record: {
      values: { a: index[0], b: index[1] },
      cost: { perHour: 0, total: 0, per1000Orders: null, currency: 'USD' },
      verdict: 'feasible',
      replications: 3,
      constraints: [{ ...at(low, high), id: lower.id }],
    },
  });

  it('compares only pairs that differ in one monotone parameter, larger against smaller', () => {
    const list = [
      candidate([2, 0], 500, 600), // more a, worse than [0, 0]: a violation
      candidate([0, 0], 100, 200),
      candidate([0, 1], 700, 800), // differs in b (not monotone) from [0, 0]: not compared
      candidate([1, 1], 100, 200), // differs from [0, 0] in two parameters: not compared; better than [0, 1]
    ];
    const found = monotonicityViolations(parameters, [lower], list);
    expect(found).toEqual([
      {
        path: 'a',
        constraint: lower.id,
        metric: 'order_latency',
        kind: 'interval',
        smaller: { values: { a: 0, b: 0 }, outcome: list[1].record.constraints[0] },
        larger: { values: { a: 2, b: 0 }, outcome: list[0].record.constraints[0] },
      },
    ]);
  });

  it('a parameter declared not monotone is never blamed', () => {
    const list = [candidate([2, 0], 500, 600), candidate([0, 0], 100, 200)];
    expect(monotonicityViolations([{ path: 'a', monotone: false }, parameters[1]], [lower], list)).toEqual([]);
  });
});
