/**
 * What each strategy is checked against: the scenario's thresholds with the
 * strategy's per-metric overrides, the invariants, and the violations the
 * strategy declares it exists to show (a negative control). The rules are
 * in docs/verdicts.md.
 */
import type { ScenarioIssue } from '../errors.js';
import { METRIC_CATALOGUE } from '../metrics/catalogue.js';
import type { SourceMap } from './positions.js';
import { INVARIANTS, type InvariantName, type Scenario } from './schema.js';

/** The checks one strategy's results are judged by. */
export interface StrategyChecks {
  /** Invariants the auditor checks (the scenario's). */
  invariants: InvariantName[];
  /** Threshold expressions by metric: the scenario's, with the strategy's overrides applied per metric. */
  thresholds: Record<string, string[]>;
  /** Invariant and metric names the strategy expects to be violated, in the order written, without repeats. */
  violates: string[];
}

/** The checks for strategy `name` of a parsed scenario (a missing strategy gets the scenario's). */
export function strategyChecks(scenario: Scenario, name: string): StrategyChecks {
  const strategy = Object.hasOwn(scenario.strategies, name) ? scenario.strategies[name] : {};
  const thresholds: Record<string, string[]> = {};
  for (const [metric, expressions] of Object.entries(scenario.thresholds)) if (expressions) thresholds[metric] = [...expressions];
  for (const [metric, expressions] of Object.entries(strategy.thresholds ?? {})) {
    if (!expressions || expressions.length === 0) delete thresholds[metric];
    else thresholds[metric] = [...expressions];
  }
  return { invariants: [...scenario.invariants], thresholds, violates: [...new Set(strategy.expect?.violates ?? [])] };
}

/**
 * Issues for `expect.violates` entries that name nothing this strategy is
 * checked against, located at the entry.
 */
export function expectIssues(scenario: Scenario, source: SourceMap): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  for (const [name, strategy] of Object.entries(scenario.strategies)) {
    const declared = strategy.expect?.violates ?? [];
    if (declared.length === 0) continue;
    const checks = strategyChecks(scenario, name);
    const seen = new Set<string>();
    declared.forEach((entry, i) => {
      const problem = expectProblem(entry, checks, name, seen);
      seen.add(entry);
      if (problem) issues.push(source.issue(['strategies', name, 'expect', 'violates', i], problem));
    });
  }
  return issues;
}

function expectProblem(entry: string, checks: StrategyChecks, strategy: string, seen: ReadonlySet<string>): string | undefined {
  if (seen.has(entry)) return `"${entry}" is listed twice`;
  if ((INVARIANTS as readonly string[]).includes(entry)) {
    return (checks.invariants as readonly string[]).includes(entry)
      ? undefined
      : `invariant ${entry} is not checked by this scenario (invariants: ${checks.invariants.join(', ') || 'none'}): add it there or drop it here`;
  }
  if (Object.hasOwn(METRIC_CATALOGUE, entry)) {
    return Object.hasOwn(checks.thresholds, entry)
      ? undefined
      : `metric ${entry} has no threshold for strategy "${strategy}": give it one under thresholds (the scenario's or the strategy's) or drop it here`;
  }
  const metrics = Object.keys(checks.thresholds);
  return `"${entry}" is neither an invariant (${INVARIANTS.join(', ')}) nor a metric with a threshold for strategy "${strategy}"${metrics.length ? ` (${metrics.join(', ')})` : ' (it has none)'}`;
}
