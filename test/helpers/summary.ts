/** Hand-made summaries for report and comparison tests, from the RunResults of ./run-result.ts. */
import type { RunResult } from '../../src/results/result.js';
import type { RunSummary, StrategySummary } from '../../src/results/summary.js';
import { SUMMARY_SCHEMA_VERSION, checkVerdict, summaryVerdict, verdictHolds } from '../../src/results/summary.js';
import { aggregateStrategy } from '../../src/results/aggregate.js';
import { makeResult } from './run-result.js';

export interface StrategyOptions {
  name: string;
  results: RunResult[];
  invariantFailures?: string[];
  /** Invariant and metric names declared in `expect.violates`. */
  violates?: string[];
  thresholds?: Array<{ metric: string; expression: string; passed: boolean; actual?: number | null }>;
}

export function makeStrategy(o: StrategyOptions): StrategySummary {
  const invariants = ['no-oversell', 'one-per-user'].map((name) => {
    const passed = !(o.invariantFailures ?? []).includes(name);
    const expectViolation = (o.violates ?? []).includes(name);
    return {
      name,
      passed,
      expectViolation,
      verdict: checkVerdict(passed, expectViolation),
      message: passed ? 'holds in every replication' : `replication 0: 1 unit oversold <&> "quoted"`,
      replications: o.results.map((r) => ({
        replication: r.replication,
        passed,
        message: passed ? 'ok' : 'oversold',
        offending: passed ? [] : [{ user: 1 }],
      })),
    };
  });
  const thresholds = (o.thresholds ?? []).map((t) => ({
    metric: t.metric,
    expression: t.expression,
    passed: t.passed,
    expectViolation: (o.violates ?? []).includes(t.metric),
    verdict: checkVerdict(t.passed, (o.violates ?? []).includes(t.metric)),
    actual: t.actual ?? 1,
    message: t.passed ? 'ok' : 'p(99)=600ms, wanted <500ms',
  }));
  return {
    name: o.name,
    config: o.results[0].config,
    invariantsPassed: invariants.every((i) => verdictHolds(i.verdict)),
    thresholdsPassed: thresholds.every((t) => verdictHolds(t.verdict)),
    expect: { violates: o.violates ?? [] },
    thresholdsApplied: Object.fromEntries(thresholds.map((t) => [t.metric, [t.expression]])),
    invariants,
    thresholds,
    aggregate: aggregateStrategy(o.results),
    runs: o.results,
  };
}

export function makeSummary(strategies: StrategySummary[], name = 'hand-made'): RunSummary {
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    tool: { name: 'flashsim', version: '0.0.0-test' },
    scenario: { name, file: 'scenarios/hand-made.yaml', description: 'A | hand-made <scenario>' },
    seed: 42,
    replications: strategies[0].runs.length,
    options: { strategies: null, seed: null, replications: null, users: null, set: ['sale.stock=10'] },
    invariants: ['no-oversell', 'one-per-user'],
    thresholds: {},
    verdict: summaryVerdict(strategies),
    strategies,
  };
}

/** Two strategies of two replications: seed-design passes everything; naive oversells and fails its threshold. */
export function twoStrategies() {
  return makeSummary([
    makeStrategy({
      name: 'seed-design',
      results: [
        makeResult({ strategy: 'seed-design', replication: 0 }),
        makeResult({ strategy: 'seed-design', replication: 1, orders: 9 }),
      ],
      thresholds: [{ metric: 'order_latency', expression: 'p(99)<500ms', passed: true }],
    }),
    makeStrategy({
      name: 'naive',
      results: [
        makeResult({ strategy: 'naive', replication: 0, oversell: 2 }),
        makeResult({ strategy: 'naive', replication: 1, oversell: 1 }),
      ],
      invariantFailures: ['no-oversell'],
      thresholds: [{ metric: 'order_latency', expression: 'p(99)<500ms', passed: false, actual: 600_000 }],
    }),
  ]);
}
