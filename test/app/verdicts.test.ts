import { describe, expect, it } from 'vitest';
import { buildSummary } from '../../src/app/summary.js';
import { prepareRun } from '../../src/app/prepare.js';
import { executePlan } from '../../src/execute/execute.js';
import { scenarioFile } from '../helpers/scenario-files.js';

/** A tiny sale: the seed design, and a racy design that oversells (and, with a static URL, orders before T0). */
function scenario(strategies: string): string {
  return scenarioFile(`version: 1
name: verdicts
seed: 7
duration: 1m
sale: { start: 30s, stock: 20 }
users:
  count: 500
  arrival: { kind: ramp, from: 0s, to: 35s, shape: exponential, scale: 10s }
system:
  cdn: { edges: 2 }
  orderServers: { servers: 2, slots: 10 }
  mainSite: { rps: 50/s }
thresholds:
  order_latency: ['p(99)<10s']
  oversell: ['count==0']
strategies:
${strategies}`);
}

const RACY = `system.orderServers.onFull: unbounded, system.stock.primitive: check-then-decrement, system.stock.service: 2ms`;

async function summarise(file: string) {
  const prepared = prepareRun(file, {});
  const { results } = await executePlan(prepared.plan, { workers: 1 });
  return buildSummary(prepared, results);
}

describe('declared violations (negative controls)', () => {
  it('a declared violation that happens is caught and passes; the undeclared rest still counts', async () => {
    const summary = await summarise(
      scenario(`  seed-design: {}\n  racy: { ${RACY}, expect: { violates: [no-oversell, conservation, oversell] } }\n`),
    );
    const racy = summary.strategies[1];
    const verdicts = Object.fromEntries(racy.invariants.map((i) => [i.name, i.verdict]));
    expect(verdicts).toMatchObject({ 'no-oversell': 'caught', conservation: 'caught', 'one-per-user': 'pass' });
    expect(racy.invariants.find((i) => i.name === 'no-oversell')).toMatchObject({ passed: false, expectViolation: true });
    expect(racy.thresholds.map((t) => [t.metric, t.verdict])).toEqual([
      ['order_latency', 'pass'],
      ['oversell', 'caught'],
    ]);
    expect(racy).toMatchObject({
      invariantsPassed: true,
      thresholdsPassed: true,
      expect: { violates: ['no-oversell', 'conservation', 'oversell'] },
    });
    expect(summary.verdict).toEqual({
      invariantsPassed: true,
      thresholdsPassed: true,
      expected: { declared: 3, caught: 3, missed: 0 },
      exitCode: 0,
    });
  });

  it('the same violation undeclared fails the run (exit 1), as before negative controls existed', async () => {
    const summary = await summarise(scenario(`  seed-design: {}\n  racy: { ${RACY}, expect: { violates: [no-oversell, oversell] } }\n`));
    // conservation breaks too and is not declared.
    expect(summary.strategies[1].invariants.find((i) => i.name === 'conservation')?.verdict).toBe('fail');
    expect(summary.verdict.exitCode).toBe(1);
  });

  it('a declared violation that does not happen is missed: exit 1, whether invariant or threshold', async () => {
    const invariant = await summarise(scenario(`  seed-design: { expect: { violates: [no-oversell] } }\n`));
    expect(invariant.strategies[0].invariants[0]).toMatchObject({ name: 'no-oversell', passed: true, verdict: 'missed' });
    expect(invariant.verdict).toMatchObject({ invariantsPassed: false, expected: { declared: 1, caught: 0, missed: 1 }, exitCode: 1 });
    const threshold = await summarise(scenario(`  seed-design: { expect: { violates: [order_latency] } }\n`));
    expect(threshold.strategies[0].thresholds[0]).toMatchObject({ metric: 'order_latency', passed: true, verdict: 'missed' });
    // A missed threshold violation is a broken negative control (1), not a failed threshold (99).
    expect(threshold.verdict.exitCode).toBe(1);
  });

  it("a strategy's thresholds override the scenario's: a failing threshold made lenient passes, a strict one fails with 99", async () => {
    const summary = await summarise(
      scenario(
        `  lenient: { thresholds: { order_latency: ['p(99)<1h'] } }\n  strict: { thresholds: { order_latency: ['p(99)<1us'], oversell: [] } }\n`,
      ),
    );
    const [lenient, strict] = summary.strategies;
    expect(lenient.thresholdsApplied).toEqual({ order_latency: ['p(99)<1h'], oversell: ['count==0'] });
    expect(lenient.thresholds.map((t) => t.verdict)).toEqual(['pass', 'pass']);
    expect(strict.thresholds.map((t) => [t.expression, t.verdict])).toEqual([['p(99)<1us', 'fail']]);
    expect(summary.verdict.exitCode).toBe(99);
  });
});
