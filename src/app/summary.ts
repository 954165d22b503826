import { formatMetricValue } from '../report/console-table.js';
import { aggregateStrategy, type StrategyAggregate } from '../results/aggregate.js';
import { LATENCY_NAMES, toSummaryRun, type LatencyName, type LatencySummary, type RunResult, type SummaryRun } from '../results/result.js';
import {
  SUMMARY_SCHEMA_VERSION,
  toolVersion,
  checkVerdict,
  summaryVerdict,
  verdictHolds,
  type InvariantOutcome,
  type RunSummary,
  type StrategySummary,
  type ThresholdOutcome,
} from '../results/summary.js';
import { expressionParts } from '../metrics/thresholds.js';
import { audit, type AuditReport } from '../verify/audit.js';
import { evaluateThresholds, type ThresholdResult } from '../verify/thresholds.js';
import type { PreparedRun } from './prepare.js';
import { strategyChecks } from '../scenario/expectations.js';
import { hourlyCostOf } from '../scenario/plan.js';
import { planCost } from '../results/plan.js';

/**
 * The strategy's pooled result, against which thresholds are evaluated:
 * latencies from the histograms merged over all replications (k6 style:
 * percentiles of all samples), every other metric at its mean across
 * replications — or null (which fails the threshold) when some
 * replication did not measure it.
 */
function pooledResult(runs: readonly SummaryRun[], aggregate: StrategyAggregate): SummaryRun {
  const latency = {} as Record<LatencyName, LatencySummary>;
  for (const kind of LATENCY_NAMES) {
    const { p50Estimate: _p50, p99Estimate: _p99, ...merged } = aggregate.latency[kind];
    latency[kind] = merged;
  }
  // The aggregate's names are every non-latency catalogue metric of a run.
  const metrics = {} as RunResult['metrics'];
  for (const [name, e] of Object.entries(aggregate.metrics)) metrics[name as keyof RunResult['metrics']] = e.missing ? null : e.mean;
  return { ...runs[0], latency, metrics };
}

function describeThreshold(t: ThresholdResult, perReplication: ThresholdResult[]): string {
  const { aggregation, op } = expressionParts(t.expression);
  const actual = t.actual === null ? 'not measured' : formatMetricValue(t.metric, t.actual);
  const limit = formatMetricValue(t.metric, t.limit);
  let message =
    t.actual === null ? `${aggregation} not measured (fails)` : `${aggregation} = ${actual}, ${t.passed ? '' : 'not '}${op} ${limit}`;
  if (perReplication.length > 1) {
    const values = perReplication.map((r) => (r.actual === null ? '—' : formatMetricValue(t.metric, r.actual)));
    message += ` (per replication: ${values.join(', ')})`;
  }
  return message;
}

function invariantOutcomes(reports: readonly AuditReport[], violates: readonly string[]): InvariantOutcome[] {
  if (reports.length === 0) return [];
  return reports[0].invariants.map((first, i) => {
    const perReplication = reports.map((r) => ({ replication: r.replication, check: r.invariants[i] }));
    const failing = perReplication.filter((r) => !r.check.passed);
    const passed = failing.length === 0;
    const message = passed
      ? reports.length === 1
        ? first.message
        : `holds in all ${reports.length} replications (replication 0: ${first.message})`
      : `${reports.length > 1 ? `${failing.length} of ${reports.length} replications; ` : ''}replication ${failing[0].replication}: ${failing[0].check.message}`;
    const expectViolation = violates.includes(first.name);
    return {
      name: first.name,
      passed,
      expectViolation,
      verdict: checkVerdict(passed, expectViolation),
      message,
      replications: perReplication.map(({ replication, check }) => ({
        replication,
        passed: check.passed,
        message: check.message,
        offending: check.offending,
        ...(check.offendingCount > check.offending.length ? { offendingCount: check.offendingCount } : {}),
      })),
    };
  });
}

/**
 * Audits, evaluates thresholds and aggregates the results of a plan (in
 * plan order) into the summary.
 */
export function buildSummary(prepared: PreparedRun, results: readonly RunResult[]): RunSummary {
  const { loaded, plan } = prepared;
  const invariants = loaded.scenario.invariants;
  const thresholds = loaded.scenario.thresholds as Record<string, string[]>;
  const strategies: StrategySummary[] = plan.strategies.map(({ name, config }) => {
    const runs = results.filter((r) => r.strategy === name).sort((a, b) => a.replication - b.replication);
    if (runs.length === 0) throw new RangeError(`no result for strategy ${name}`);
    const checks = strategyChecks(loaded.scenario, name);
    const aggregate = aggregateStrategy(runs);
    // The secret each replication's token gate was built with, as the plan derived it.
    const audits = runs.map((r) => audit(r, checks.invariants, { tokenSecret: plan.tokenSecrets[r.replication] }));
    const pooled = evaluateThresholds(pooledResult(runs, aggregate), checks.thresholds);
    const perRun = runs.map((r) => evaluateThresholds(r, checks.thresholds));
    const thresholdOutcomes: ThresholdOutcome[] = pooled.map((t, i) => ({
      metric: t.metric,
      expression: t.expression,
      passed: t.passed,
      expectViolation: checks.violates.includes(t.metric),
      verdict: checkVerdict(t.passed, checks.violates.includes(t.metric)),
      actual: t.actual,
      message: describeThreshold(
        t,
        perRun.map((r) => r[i]),
      ),
    }));
    const invariantResults = invariantOutcomes(audits, checks.violates);
    return {
      name,
      config,
      invariantsPassed: invariantResults.every((i) => verdictHolds(i.verdict)),
      thresholdsPassed: thresholdOutcomes.every((t) => verdictHolds(t.verdict)),
      expect: { violates: checks.violates },
      thresholdsApplied: checks.thresholds,
      invariants: invariantResults,
      thresholds: thresholdOutcomes,
      aggregate,
      // The per-record data stays with the results (the Parquet tables), out of summary.json.
      runs: runs.map(toSummaryRun),
      // Only a scenario that prices its capacity (plan:) gets the key: the others' summary.json stays as it was.
      ...(loaded.plan
        ? {
            cost: planCost(
              loaded.plan,
              hourlyCostOf(loaded.plan, config).perHour,
              runs.map((r) => r.outcomes.won),
            ),
          }
        : {}),
    };
  });
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    tool: { name: 'flashsim', version: toolVersion() },
    scenario: { name: plan.scenario.name, file: plan.scenario.file, description: loaded.scenario.description ?? null },
    seed: plan.seed,
    replications: plan.replications,
    options: prepared.options,
    invariants: [...invariants],
    thresholds,
    verdict: summaryVerdict(strategies),
    strategies,
  };
}
