/**
 * plan.json, the result of `sim plan`: the cheapest candidate found that
 * meets every constraint, every candidate simulated with its verdict and
 * intervals, how many simulations the search ran against the grid, the
 * Pareto front of cost against each constrained metric, and the
 * sensitivity at the best plan. Deterministic: a function of the scenario,
 * the options and the seed (no wall-clock figure; timing.json has those).
 */

import type { ThresholdInterval } from './threshold-interval.js';

/** plan.json's format version. */
export const PLAN_SCHEMA_VERSION = 1;

/** What a plan costs. */
export interface PlanCost {
  /** Fixed cost plus each parameter's price at its value, per hour. */
  perHour: number;
  /** `perHour` × the hours the capacity is held. */
  total: number;
  /** `total` per 1,000 successful orders (users told "won", mean over replications); null when there were none. */
  per1000Orders: number | null;
  /** The plan's currency name. */
  currency: string;
}

const round6 = (x: number): number => Number(x.toFixed(6));

/**
 * What a plan costs, from its hourly cost and the users told "won" in each
 * replication: total over `hours`, and per 1,000 of the mean successful
 * orders. Rounded to 6 decimals, so reports do not show float noise.
 */
export function planCost(pricing: { hours: number; currency: string }, perHour: number, won: readonly number[]): PlanCost {
  const total = perHour * pricing.hours;
  const orders = won.length > 0 ? won.reduce((a, b) => a + b, 0) / won.length : 0;
  return {
    perHour: round6(perHour),
    total: round6(total),
    per1000Orders: orders > 0 ? round6((total / orders) * 1000) : null,
    currency: pricing.currency,
  };
}

/** One constraint: a threshold expression, or an invariant. */
export interface PlanConstraint {
  /** `order_latency p(99)<500ms`, or the invariant's name. */
  id: string;
  /** `threshold` or `invariant`. */
  kind: 'threshold' | 'invariant';
  /** The metric of a threshold. */
  metric?: string;
  /** The expression of a threshold. */
  expression?: string;
  /** The limit in the metric's internal unit (µs, fraction, count). */
  limit?: number;
  /** `lower` when smaller values are safer (`<`, `<=`), `higher` when larger are, `equal` for `==`/`!=`. */
  better?: 'lower' | 'higher' | 'equal';
}

/**
 * A constraint measured on one candidate: a threshold's interval as
 * {@link ThresholdInterval} gives it, without the half-width (plan.json
 * never had it); for an invariant, `mean` is the share of replications
 * holding, `low` and `high` are null, and `holds` is true only when every
 * replication held. A threshold fails too when a replication did not
 * measure it.
 */
export type ConstraintOutcome = Omit<ThresholdInterval, 'halfWidth'>;

/** The verdict on a candidate. */
export type CandidateVerdict = 'feasible' | 'infeasible' | 'undecided';

/** One candidate simulated. */
export interface PlanCandidate {
  /** Parameter path → value (as reports show it). */
  values: Record<string, string | number>;
  cost: PlanCost;
  /** `undecided` (the intervals did not decide within maxReplications) counts as infeasible. */
  verdict: CandidateVerdict;
  /** Why it is not feasible, in a sentence (absent when feasible). */
  reason?: string;
  /** Replications simulated. */
  replications: number;
  /** Every constraint, in the order of `constraints`. */
  constraints: ConstraintOutcome[];
}

/** One side of a sensitivity bar: the plan with one parameter one step away. */
export interface SensitivitySide {
  /** The parameter's value there. */
  value: string | number;
  /** Cost per hour there minus the best's. */
  costDelta: number;
  /** Constraint id → mean there minus the best's (null when either is not measured). */
  deltas: Record<string, number | null>;
  /** The verdict there. */
  verdict: CandidateVerdict;
}

/** The sensitivity of the best plan to one parameter. */
export interface Sensitivity {
  path: string;
  /** One step down (absent at the range's lowest value). */
  down?: SensitivitySide;
  /** One step up (absent at the highest). */
  up?: SensitivitySide;
}

/** Candidates on the Pareto front of cost against one constrained metric. */
export interface FrontSeries {
  /** {@link PlanConstraint.id}. */
  id: string;
  /** Non-dominated candidates (cheaper, or better on the metric), by increasing cost. */
  points: Array<{ values: Record<string, string | number>; perHour: number; mean: number; verdict: CandidateVerdict }>;
}

/** One candidate of a {@link MonotonicityViolation}. */
export interface MonotonicitySide {
  /** The candidate's values (parameter path → value). */
  values: Record<string, string | number>;
  /** The constraint measured there: its mean, 95% interval and verdict. */
  outcome: ConstraintOutcome;
}

/**
 * Two simulated candidates that differ in one parameter declared monotone
 * ("more never hurts"), where the one with more is decisively worse on a
 * constraint: the assumption the search bisects and prunes on is wrong
 * there (docs/planning.md, "Monotonicity check").
 */
export interface MonotonicityViolation {
  /** The parameter declared monotone: the only one the two candidates differ in. */
  path: string;
  /** {@link PlanConstraint.id}. */
  constraint: string;
  /** The threshold's metric, or the invariant's name. */
  metric: string;
  /** `verdict`: the constraint holds with less and fails with more; `interval`: the interval with more lies wholly on the wrong side of the one with less. */
  kind: 'verdict' | 'interval';
  /** The candidate with the smaller value of `path`. */
  smaller: MonotonicitySide;
  /** The candidate with the larger value. */
  larger: MonotonicitySide;
}

/** plan.json. */
export interface PlanResult {
  schemaVersion: number;
  kind: 'flashsim-plan';
  tool: { name: string; version: string };
  scenario: { name: string; file: string; description: string | null };
  /** The strategy planned. */
  strategy: string;
  seed: number | string;
  /** `boundary` (bisection and local search) or `exhaustive` (every candidate). */
  search: 'boundary' | 'exhaustive';
  currency: string;
  hours: number;
  /** Replications per batch and the most per candidate. */
  replications: { batch: number; max: number };
  parameters: Array<{ path: string; kind: string; monotone: boolean; values: Array<string | number> }>;
  uncertain: Array<{ path: string; low: number; high: number; distribution: string }>;
  constraints: PlanConstraint[];
  /** Whether a feasible plan exists within the ranges (as far as the search saw). */
  feasible: boolean;
  /** The cheapest feasible candidate, or null. */
  best: PlanCandidate | null;
  /** With no feasible plan: the constraints that fail at the largest values (the top of each combination), with why. */
  binding: Array<{ id: string; reason: string }>;
  /** Every candidate simulated, in the order first evaluated. */
  candidates: PlanCandidate[];
  /** Simulations run (replications over all candidates). */
  runs: number;
  /** Candidates in the full grid. */
  gridSize: number;
  /** Simulations an exhaustive evaluation would need at least (gridSize × the first batch). */
  gridRuns: number;
  /** Candidates judged infeasible by monotonicity without a simulation. */
  inferred: number;
  /** Pairs of simulated candidates that contradict a parameter's `monotone` (empty when none do); the best plan is reported anyway. */
  monotonicityViolations: MonotonicityViolation[];
  front: FrontSeries[];
  sensitivity: Sensitivity[];
}

/** plan.json's text: stable key order, two-space indent, a final newline. */
export function renderPlanJson(plan: PlanResult): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
