import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './build.js';

/** `sim plan` through the built CLI, on a tiny Erlang-B scenario (see the fixture's header). */

const FIXTURE = 'test/cli/fixtures/plan-erlang.yaml';

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'flashsim-plan-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The fixture with its plan: block replaced by `plan` (text after `plan:`). */
function withPlan(name: string, plan: string): string {
  const text = readFileSync(FIXTURE, 'utf8');
  const file = join(work, name);
  writeFileSync(file, `${text.slice(0, text.indexOf('plan:\n'))}plan:\n${plan}`);
  return file;
}

describe('sim plan', () => {
  it('same seed → byte-identical plan.json with 1 and 2 workers; --json prints it; exit 0 with a feasible plan', async () => {
    const one = await runCli(['plan', FIXTURE, '--workers', '1', '--out', join(work, 'w1'), '--no-progress']);
    const two = await runCli(['plan', FIXTURE, '--workers', '2', '--out', join(work, 'w2'), '--json', '--no-progress']);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = readFileSync(join(work, 'w1', 'plan.json'), 'utf8');
    expect(readFileSync(join(work, 'w2', 'plan.json'), 'utf8')).toBe(a);
    expect(two.stdout).toBe(a);
    const plan = JSON.parse(a) as {
      best: { values: Record<string, number>; cost: { perHour: number; total: number; currency: string } };
      runs: number;
      gridSize: number;
      candidates: unknown[];
    };
    // Erlang B(4S, 20) < 3% from S = 7: the grid's 8 (or 10 where the interval cannot decide).
    expect([8, 10]).toContain(plan.best.values['system.orderServers.servers']);
    const s = plan.best.values['system.orderServers.servers'];
    expect(plan.best.cost).toMatchObject({ perHour: 0.25 + 0.5 * s, total: 2 * (0.25 + 0.5 * s), currency: 'USD' });
    expect(plan.gridSize).toBe(5);
    expect(one.stdout).toContain('cheapest feasible plan: system.orderServers.servers=');
    for (const f of ['plan.md', 'report.html', 'timing.json']) expect(readFileSync(join(work, 'w1', f), 'utf8').length).toBeGreaterThan(0);
    expect(readFileSync(join(work, 'w1', 'report.html'), 'utf8')).toContain('data-chart="sensitivity-1"');
  });

  it('no feasible plan within the ranges: exit 99, naming the constraint that binds', async () => {
    const file = withPlan('none.yaml', '  parameters:\n    system.orderServers.servers: { min: 1, max: 2 }\n');
    const r = await runCli(['plan', file, '--out', join(work, 'none'), '-q', '--workers', '1']);
    expect(r.code, r.stderr).toBe(99);
    expect(r.stderr).toMatch(/no feasible plan within the ranges; order_reject_rate rate<3%: fails at the largest values: mean /);
    const plan = JSON.parse(readFileSync(join(work, 'none', 'plan.json'), 'utf8')) as {
      feasible: boolean;
      best: null;
      binding: Array<{ id: string }>;
    };
    expect(plan.feasible).toBe(false);
    expect(plan.binding.map((b) => b.id)).toEqual(['order_reject_rate rate<3%']);
  });

  it('bad plan blocks: exit 2, each issue at its line and key path, nothing simulated', async () => {
    const file = withPlan(
      'bad.yaml',
      `  parameters:
    system.orderServers.servrs: { min: 1, max: 4 }
    system.orderServers.slots: { min: 4, max: 2 }
    system.cdn.ttl: { min: 1s, max: 5s }
    system.stock.primitive: { values: [atomic, lock, nope], prices: [1, 2] }
  uncertain:
    users.count: { within: 300 }
`,
    );
    const r = await runCli(['plan', file, '--out', join(work, 'bad')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    const at = (text: string) => lines.find((l) => l.includes(text));
    expect(at('servrs')).toMatch(
      /bad\.yaml:24:\d+ plan\.parameters\.system\.orderServers\.servrs: unknown path: system\.orderServers has no key "servrs" \(did you mean "servers"\?\)/,
    );
    expect(at('slots')).toMatch(/:25:\d+ plan\.parameters\.system\.orderServers\.slots\.max: must be at least min/);
    expect(at('ttl')).toMatch(/:26:\d+ plan\.parameters\.system\.cdn\.ttl: needs a step for a duration/);
    expect(at('prices')).toMatch(/:27:\d+ plan\.parameters\.system\.stock\.primitive\.prices: lists 2 price\(s\) for 3 value\(s\)/);
    expect(at('values[2]')).toMatch(/:27:\d+ plan\.parameters\.system\.stock\.primitive\.values\[2\]: /);
    expect(at('within')).toMatch(/:29:\d+ plan\.uncertain\.users\.count\.within: /);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr).not.toContain('simulations');
    // The shape of the block is the schema's: reported the same way, before the meaning is checked.
    const shape = withPlan('shape.yaml', '  hours: 0\n  replications: 5\n  maxReplications: 4\n  parameters: {}\n');
    const s = await runCli(['plan', shape]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/shape\.yaml:23:10 plan\.hours: must be greater than 0 \(got 0\)/);
    expect(s.stderr).toMatch(/shape\.yaml:26:\d+ plan\.parameters: must name at least one parameter/);
  });

  it('sim run on a scenario with prices: each strategy’s cost per hour and per 1,000 orders in summary.json, summary.md and the table', async () => {
    const r = await runCli(['run', FIXTURE, '--out', join(work, 'run'), '--no-progress', '--no-ledger', '--workers', '1']);
    // The fixture's 4 servers reject far more than 3%: the threshold fails (99), the costs are there all the same.
    expect(r.code, r.stderr).toBe(99);
    const summary = JSON.parse(readFileSync(join(work, 'run', 'summary.json'), 'utf8')) as {
      strategies: Array<{
        cost: { perHour: number; total: number; per1000Orders: number; currency: string };
        aggregate: { outcomes: { won: { mean: number } } };
      }>;
    };
    const [s] = summary.strategies;
    expect(s.cost).toEqual({
      perHour: 2.25,
      total: 4.5,
      per1000Orders: Number(((4.5 / s.aggregate.outcomes.won.mean) * 1000).toFixed(6)),
      currency: 'USD',
    });
    expect(r.stdout).toMatch(/cost per hour\s+2\.25 USD\n/);
    expect(r.stdout).toMatch(/cost per 1,000 orders\s+\d+\.\d\d USD\n/);
    expect(readFileSync(join(work, 'run', 'summary.md'), 'utf8')).toContain('| cost per hour | 2.25 USD |');
  });

  it('a scenario without a plan: block, and a bad --max-replications: exit 2', async () => {
    const none = await runCli(['plan', 'test/cli/fixtures/pass.yaml']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('has no plan: block');
    const bad = await runCli(['plan', FIXTURE, '--max-replications', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-replications: expected a whole number from 2 to 1000 (got "1")');
  });
});
