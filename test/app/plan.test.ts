import { describe, expect, it } from 'vitest';
import { executePlanSearch, preparePlan } from '../../src/app/plan.js';
import type { TaskRunner } from '../../src/execute/execute.js';
import { runOnce } from '../../src/model/run-once.js';
import { erlangB } from '../helpers/erlang.js';
import { steadyScenario } from '../helpers/theory.js';

/*
 * `sim plan` through the library on steady Poisson order streams (the
 * theory scenarios of test/model/theory-order-servers.test.ts): users
 * arrive at a constant rate and click once, the least-loaded balancer
 * pools S servers × K slots into one M/M/SK/SK loss system, so the reject
 * rate is Erlang B(S·K, a).
 */

const SERVICE_S = 0.015;

function erlangScenario(erlangs: number, seconds: number, orderServers: string, thresholds: string, plan: string): string {
  return steadyScenario({
    name: 'plan-theory',
    seed: 11,
    users: Math.round((erlangs / SERVICE_S) * seconds),
    seconds,
    drain: 1,
    orderServers,
    stock: 1000000,
    queue: 1000000,
    consumers: 100,
    rest: `thresholds:\n${thresholds}\ninvariants: [no-oversell, one-per-user]\nplan:\n${plan}\n`,
  });
}

/**
 * The simulator, remembering each (configuration, replication) it ran: a
 * run is a function of them, so a second evaluation of the same candidate
 * (the exhaustive grid after the search) reuses it instead of paying for it
 * again. The planner counts the simulations it asks for either way.
 */
function memoRunner(): TaskRunner {
  const memo = new Map<string, ReturnType<typeof runOnce>>();
  return (task) => {
    const key = `${JSON.stringify(task.config)}/${task.replication}`;
    let done = memo.get(key);
    if (!done) {
      done = runOnce(task.config, {
        strategy: task.strategy,
        replication: task.replication,
        seed: task.seed,
        tokenSecret: task.tokenSecret,
      });
      memo.set(key, done);
    }
    return done;
  };
}

describe('sim plan (library)', () => {
  it('two dimensions: the search returns the exhaustive grid optimum with far fewer simulations', async () => {
    // 10 Erlang onto S servers × K slots; reject rate < 7% needs S·K ≥ 14 (Erlang B: 12 → 12%, 14 → 5.7%).
    const file = erlangScenario(
      10,
      4,
      "{ servers: 1, slots: 1, onFull: reject, service: 'exp(15ms)', balancer: least-loaded }",
      "  order_reject_rate: ['rate<7%']",
      `  currency: EUR
  parameters:
    system.orderServers.servers: { min: 1, max: 4, price: 1.0 }
    system.orderServers.slots: { min: 1, max: 16, price: 0.3 }`,
    );
    const runner = memoRunner();
    const searched = await executePlanSearch(preparePlan(file), { workers: 1, runner });
    const grid = await executePlanSearch(preparePlan(file, { exhaustive: true }), { workers: 1, runner });
    expect(grid.gridSize).toBe(64);
    expect(grid.candidates).toHaveLength(64);
    expect(searched.best?.values).toEqual(grid.best?.values);
    expect(searched.best?.cost).toEqual(grid.best?.cost);
    // The same candidate simulated by both gives the same record (same seed, same replications).
    expect(grid.candidates.find((c) => JSON.stringify(c.values) === JSON.stringify(searched.best!.values))).toEqual(searched.best);
    expect(searched.best?.values).toEqual({ 'system.orderServers.servers': 2, 'system.orderServers.slots': 7 });
    // Servers and slots are truly monotone for the reject rate: no pair of the 64 contradicts it.
    expect(grid.monotonicityViolations).toEqual([]);
    expect(searched.monotonicityViolations).toEqual([]);
    // Counts quoted in docs/planning.md.
    expect(grid.runs).toBeGreaterThanOrEqual(64 * 3);
    expect(searched.runs).toBeLessThan(grid.runs / 2.5);
    console.log(
      `plan search: ${searched.runs} simulations (${searched.candidates.length} candidates), exhaustive grid: ${grid.runs} (${grid.candidates.length})`,
    );
  });

  it('known answer: the planned S is the smallest that Erlang B(S·K, a) allows, or one more where the interval cannot decide', async () => {
    const slots = 4;
    const erlangs = 20;
    const bound = 0.03;
    const file = erlangScenario(
      erlangs,
      5,
      `{ servers: 1, slots: ${slots}, onFull: reject, service: 'exp(15ms)', balancer: least-loaded }`,
      `  order_reject_rate: ['rate<${bound * 100}%']`,
      `  hours: 2
  parameters:
    system.orderServers.servers: { min: 1, max: 12, price: 0.5 }`,
    );
    let smallest = 1;
    while (erlangB(smallest * slots, erlangs) >= bound) smallest++;
    expect(smallest).toBe(7);
    const plan = await executePlanSearch(preparePlan(file), { workers: 1 });
    const s = plan.best!.values['system.orderServers.servers'];
    expect([smallest, smallest + 1]).toContain(s);
    expect(plan.best!.cost).toEqual({
      perHour: 0.5 * (s as number),
      total: (s as number) * 0.5 * 2,
      per1000Orders: plan.best!.cost.per1000Orders,
      currency: 'USD',
    });
    // The one below is infeasible: its interval lies above the bound.
    const below = plan.candidates.find((c) => c.values['system.orderServers.servers'] === (s as number) - 1)!;
    expect(below.verdict).not.toBe('feasible');
    expect(plan.runs).toBeLessThan(12 * 3);
    // More servers never raise the reject rate: the monotone declaration holds on every pair simulated.
    expect(plan.candidates.length).toBeGreaterThan(2);
    expect(plan.monotonicityViolations).toEqual([]);
  });

  it('a parameter declared monotone that is not: the pair contradicting it is recorded, and the best plan still reported', async () => {
    // 10 Erlang onto 8 queueing slots: the longer orders may wait, the fewer are turned away, but the
    // longer the wait of those served. maxWait (a range, so monotone by default) helps the reject rate
    // and hurts order latency, decisively: the p(99) is about the wait.
    const file = erlangScenario(
      10,
      3,
      "{ servers: 2, slots: 4, onFull: queue, maxWait: 100ms, service: 'exp(15ms)', balancer: least-loaded }",
      "  order_reject_rate: ['rate<40%']\n  order_latency: ['p(99)<2s']",
      `  parameters:
    system.orderServers.maxWait: { min: 100ms, max: 900ms, step: 200ms, price: 0.1, per: 100ms }`,
    );
    const plan = await executePlanSearch(preparePlan(file), { workers: 1 });
    // The best plan is still reported: the shortest wait (p(99) about 234 ms against 415 ms at 300ms).
    expect(plan.best?.values).toEqual({ 'system.orderServers.maxWait': '100ms' });
    const latency = plan.monotonicityViolations.filter((v) => v.constraint === 'order_latency p(99)<2s');
    expect(latency.length).toBeGreaterThan(0);
    for (const v of latency) {
      expect(v.path).toBe('system.orderServers.maxWait');
      expect(v.kind).toBe('interval');
      const order = plan.parameters[0].values;
      expect(order.indexOf(v.smaller.values[v.path])).toBeLessThan(order.indexOf(v.larger.values[v.path]));
      expect(v.larger.outcome.low!).toBeGreaterThan(v.smaller.outcome.high!);
    }
    // The reject rate falls with a longer wait: no violation on it.
    expect(plan.monotonicityViolations.filter((v) => v.constraint === 'order_reject_rate rate<40%')).toEqual([]);
  });

  it('no feasible plan within the ranges: the binding constraint is named', async () => {
    const file = erlangScenario(
      20,
      3,
      "{ servers: 1, slots: 4, onFull: reject, service: 'exp(15ms)', balancer: least-loaded }",
      "  order_reject_rate: ['rate<3%']",
      `  parameters:
    system.orderServers.servers: { min: 1, max: 3 }`,
    );
    const plan = await executePlanSearch(preparePlan(file), { workers: 1 });
    expect(plan.feasible).toBe(false);
    expect(plan.best).toBeNull();
    expect(plan.binding.map((b) => b.id)).toEqual(['order_reject_rate rate<3%']);
    expect(plan.binding[0].reason).toMatch(/^fails at the largest values: mean /);
    expect(plan.runs).toBe(3);
  });

  it('uncertain inputs: replication r of every candidate draws the same value', async () => {
    const file = erlangScenario(
      10,
      2,
      "{ servers: 1, slots: 4, onFull: reject, service: 'exp(15ms)', balancer: least-loaded }",
      "  order_reject_rate: ['rate<50%']",
      `  parameters:
    system.orderServers.servers: { min: 1, max: 4 }
  uncertain:
    users.count: { within: 30% }`,
    );
    const prepared = preparePlan(file);
    expect(prepared.spec.uncertain).toEqual([
      { path: 'users.count', kind: 'number', integer: true, low: 1333 * 0.7, high: 1333 * 1.3, distribution: 'uniform' },
    ]);
    const seen: number[][] = [];
    const runner: TaskRunner = (task) => {
      seen.push([task.config.system.orderServers.servers, task.replication, task.config.users.count]);
      return runOnce(task.config, {
        strategy: task.strategy,
        replication: task.replication,
        seed: task.seed,
        tokenSecret: task.tokenSecret,
      });
    };
    await executePlanSearch(prepared, { workers: 1, runner });
    const byReplication = new Map<number, Set<number>>();
    for (const [, r, count] of seen) byReplication.set(r, (byReplication.get(r) ?? new Set()).add(count));
    for (const counts of byReplication.values()) expect(counts.size).toBe(1);
    const drawn = [...byReplication.values()].map((c) => [...c][0]);
    expect(new Set(drawn).size).toBe(drawn.length);
    for (const n of drawn) expect(n >= Math.round(1333 * 0.7) && n <= Math.round(1333 * 1.3)).toBe(true);
  });
});
