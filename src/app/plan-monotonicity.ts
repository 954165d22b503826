/**
 * The check of `sim plan`'s monotonicity assumption against what it
 * simulated. The search bisects a parameter declared monotone and rules
 * out candidates below an infeasible one without simulating them; both are
 * right only if more of that parameter never hurts a constraint. Every
 * pair of simulated candidates that differ in one monotone parameter alone
 * is a free test of that: when the one with more is decisively worse, the
 * declaration is wrong (docs/planning.md, "Monotonicity check").
 */
import type { ConstraintOutcome, MonotonicityViolation, PlanCandidate, PlanConstraint } from '../results/plan.js';

/** A simulated candidate: its index in each parameter's value list and its record. */
export interface IndexedCandidate {
  index: readonly number[];
  record: PlanCandidate;
}

/**
 * How `larger` is decisively worse than `smaller` on `constraint`, if it is:
 * `verdict` when the constraint holds at the smaller and fails at the
 * larger, `interval` when the larger's 95% interval lies wholly on the
 * wrong side of the smaller's (strictly: touching intervals do not count).
 * An undecided verdict or a missing interval decides nothing.
 */
export function decisivelyWorse(
  constraint: PlanConstraint,
  smaller: ConstraintOutcome,
  larger: ConstraintOutcome,
): MonotonicityViolation['kind'] | undefined {
  if (smaller.holds === true && larger.holds === false) return 'verdict';
  if (constraint.kind !== 'threshold') return undefined;
  if (constraint.better === 'lower' && smaller.high !== null && larger.low !== null && larger.low > smaller.high) return 'interval';
  if (constraint.better === 'higher' && smaller.low !== null && larger.high !== null && larger.high < smaller.low) return 'interval';
  return undefined;
}

/**
 * Every violation among `candidates` (in the order they were first
 * evaluated: pairs by the later one, then the earlier), for the pairs that
 * differ in exactly one parameter, declared monotone. Pairs differing in
 * several are left out: which parameter hurt would be a guess.
 */
export function monotonicityViolations(
  parameters: ReadonlyArray<{ path: string; monotone: boolean }>,
  constraints: readonly PlanConstraint[],
  candidates: readonly IndexedCandidate[],
): MonotonicityViolation[] {
  const violations: MonotonicityViolation[] = [];
  for (let j = 1; j < candidates.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = candidates[i];
      const b = candidates[j];
      const differ = parameters.map((_, d) => d).filter((d) => a.index[d] !== b.index[d]);
      if (differ.length !== 1 || !parameters[differ[0]].monotone) continue;
      const d = differ[0];
      const [smaller, larger] = a.index[d] < b.index[d] ? [a.record, b.record] : [b.record, a.record];
      constraints.forEach((c, k) => {
        const kind = decisivelyWorse(c, smaller.constraints[k], larger.constraints[k]);
        if (!kind) return;
        violations.push({
          path: parameters[d].path,
          constraint: c.id,
          metric: c.metric ?? c.id,
          kind,
          smaller: { values: smaller.values, outcome: smaller.constraints[k] },
          larger: { values: larger.values, outcome: larger.constraints[k] },
        });
      });
    }
  }
  return violations;
}
