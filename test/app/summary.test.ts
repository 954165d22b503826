import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSummary } from '../../src/app/summary.js';
import { prepareRun } from '../../src/app/prepare.js';
import { executePlan } from '../../src/execute/execute.js';
import { tokenSecretSeed } from '../../src/system/token-gate.js';
import { audit } from '../../src/verify/audit.js';
import { ROOT } from '../cli/build.js';

const PASS = join(ROOT, 'test/cli/fixtures/pass.yaml');

const validTokens = (summary: ReturnType<typeof buildSummary>) =>
  summary.strategies.map((s) => s.invariants.find((i) => i.name === 'valid-tokens')!.passed);

describe('the token secret: derived once per replication by the plan, handed to the run and to the auditor', () => {
  it('every task carries tokenSecretSeed(seed, replication), the same for every strategy', () => {
    const { plan } = prepareRun(PASS, { replications: 2 });
    expect(plan.tokenSecrets).toEqual([tokenSecretSeed(7, 0), tokenSecretSeed(7, 1)]);
    expect(plan.tasks.map((t) => [t.strategy, t.replication, t.tokenSecret])).toEqual(
      ['seed-design', 'more-servers'].flatMap((s) => [0, 1].map((r) => [s, r, tokenSecretSeed(7, r)])),
    );
  });

  it("the run's gate and the summary's audit use the plan's secret, not one derived again", async () => {
    const prepared = prepareRun(PASS, { replications: 2, strategies: ['seed-design'] });
    // A secret nobody would derive: if either side derived its own, the audit would find every token forged.
    prepared.plan.tokenSecrets = [12_345, 12_346];
    for (const task of prepared.plan.tasks) task.tokenSecret = prepared.plan.tokenSecrets[task.replication];
    const { results } = await executePlan(prepared.plan, { workers: 1 });
    expect(results.every((r) => r.ledger.length > 0)).toBe(true);
    expect(validTokens(buildSummary(prepared, results))).toEqual([true]);
    // The same results audited with the secret of their seed and replication: forged.
    expect(results.map((r) => audit(r, ['valid-tokens']).passed)).toEqual([false, false]);
    expect(results.map((r) => audit(r, ['valid-tokens'], { tokenSecret: 12_345 + r.replication }).passed)).toEqual([true, true]);
  });
});
