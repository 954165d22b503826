import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { hourlyCostOf, uncertainAssignment } from '../../src/scenario/plan.js';
import { resolveStrategies } from '../../src/scenario/strategies.js';
import { issuesOfFile, scenarioFile } from '../helpers/scenario-files.js';

/** The plan: block of a scenario file: expansion into candidate values, prices, and its messages. */

const BASE = `version: 1
name: p
duration: 1m
sale: { start: 30s, stock: 10 }
users: { count: 1000, arrival: { kind: ramp, from: 0s, to: 40s } }
thresholds:
  order_latency: ['p(99)<500ms']
`;

describe('plan: block', () => {
  it('ranges of numbers, durations and bandwidths, and an enumeration, with their prices per hour', () => {
    const file = scenarioFile(`${BASE}plan:
  currency: EUR
  hours: 3
  fixed: 1.5
  parameters:
    system.orderServers.servers: { min: 2, max: 9, step: 3, price: 0.2 }
    system.orderServers.maxWait: { min: 100ms, max: 300ms, step: 100ms }
    system.originLink.leased: { min: 0Gbps, max: 2Gbps, step: 500Mbps, price: 0.3, per: 1Gbps }
    system.stock.primitive: { values: [atomic, row-lock], prices: [0, 0.5] }
`);
    const spec = loadScenario(file).plan!;
    expect(spec).toMatchObject({
      strategy: 'base',
      currency: 'EUR',
      hours: 3,
      fixed: 1.5,
      replications: 3,
      maxReplications: 12,
      gridSize: 3 * 3 * 5 * 2,
    });
    // Without a limit: max(12, 4 × the first batch), so a first batch above 12 is no error.
    const big = scenarioFile(`${BASE}plan:\n  replications: 20\n  parameters:\n    system.orderServers.servers: { min: 1, max: 2 }\n`);
    expect(loadScenario(big).plan).toMatchObject({ replications: 20, maxReplications: 80 });
    const [servers, wait, leased, primitive] = spec.parameters;
    expect(servers.values.map((v) => [v.label, v.set, v.pricePerHour])).toEqual([
      ['2', '2', 0.4],
      ['5', '5', 1],
      ['8', '8', 1.6],
    ]);
    expect(servers.monotone).toBe(true);
    expect(wait.values.map((v) => v.set)).toEqual(['100ms', '200ms', '300ms']);
    expect(leased.values.map((v) => v.label)).toEqual(['0bps', '500Mbps', '1Gbps', '1.5Gbps', '2Gbps']);
    expect(leased.values.map((v) => v.pricePerHour)).toEqual([0, 0.15, 0.3, 0.45, 0.6]);
    expect(primitive).toMatchObject({ kind: 'enum', monotone: false });
    expect(primitive.values.map((v) => [v.set, v.pricePerHour])).toEqual([
      ['"atomic"', 0],
      ['"row-lock"', 0.5],
    ]);
    // The price of a configuration: any value of a range, the listed values of an enumeration.
    const [config] = resolveStrategies(loadScenario(file), {
      set: ['system.orderServers.servers=10', 'system.originLink.leased=4Gbps', 'system.stock.primitive=row-lock'],
    });
    expect(hourlyCostOf(spec, config.config).perHour).toBeCloseTo(1.5 + 10 * 0.2 + 4 * 0.3 + 0.5, 12);
    const [other] = resolveStrategies(loadScenario(file), { set: ['system.stock.primitive=check-then-decrement'] });
    expect(hourlyCostOf(spec, other.config).unpriced).toEqual(['system.stock.primitive']);
  });

  it('a plan changes no strategy’s configuration', () => {
    const without = resolveStrategies(loadScenario(scenarioFile(BASE)))[0].config;
    const withPlan = resolveStrategies(
      loadScenario(scenarioFile(`${BASE}plan:\n  parameters:\n    system.orderServers.servers: { min: 1, max: 4 }\n`)),
    )[0].config;
    expect(withPlan).toEqual(without);
  });

  it('several strategies and no plan.strategy: sim run is fine, only sim plan needs the choice', () => {
    const file = scenarioFile(`${BASE}strategies: { a: {}, b: {} }
plan:
  parameters:
    system.orderServers.servers: { min: 1, max: 4 }
`);
    const spec = loadScenario(file).plan!;
    expect(spec.strategyIssue?.message).toBe('the scenario has 2 strategies (a, b): name the one to plan with plan.strategy');
    expect(
      issuesOfFile(
        scenarioFile(`${BASE}strategies: { a: {}, b: {} }
plan:
  strategy: c
  parameters:
    system.orderServers.servers: { min: 1, max: 4 }
`),
      ),
    ).toEqual(['F:10:13 plan.strategy: unknown strategy "c" (the scenario has: a, b)']);
  });

  it('messages name the line and the key path', () => {
    const issues = issuesOfFile(
      scenarioFile(`${BASE}plan:
  replications: 8
  maxReplications: 4
  parameters:
    seed: { min: 1, max: 3 }
    system.orderServers.servers: { values: [1, 2, 2.0] }
    system.orderServers.slots: { min: 1, max: 5000 }
    system.orderServers.maxWait: { min: 1s, max: 2s, step: 0s }
    system.stock.primitive: { min: 1, max: 2 }
    system.orderServers.service: { min: 10ms, max: 20ms }
  uncertain:
    system.orderServers.slots: { within: 10% }
    system.tokenGate.mode: { within: 10% }
    users.count: { min: 10 }
`),
    );
    expect(issues).toEqual([
      'F:9:17 plan.replications: must be at most maxReplications (4) (got 8)',
      'F:12:5 plan.parameters.seed: seed belongs to the run, not to a candidate: every candidate runs with the same seed (--seed)',
      'F:13:51 plan.parameters.system.orderServers.servers.values[2]: means the same as value 1 (2): give each value once',
      'F:14:32 plan.parameters.system.orderServers.slots.step: gives 5,000 values; at most 1,000: use a larger step',
      'F:15:60 plan.parameters.system.orderServers.maxWait.step: must be greater than 0 (got "0s")',
      'F:16:36 plan.parameters.system.stock.primitive.min: must be one of: atomic, check-then-decrement, row-lock, single-thread-server (got 1)',
      'F:17:41 plan.parameters.system.orderServers.service.min: system.orderServers.service is not a numeric field: list its values (values: [...]) instead of a range',
      'F:19:5 plan.uncertain.system.orderServers.slots: is also a parameter of the plan: a path is either searched or uncertain',
      'F:20:5 plan.uncertain.system.tokenGate.mode: system.tokenGate.mode is not a numeric field (its value is "dynamic"): only numbers, durations and bandwidths can be uncertain',
      'F:21:5 plan.uncertain.users.count: needs within (e.g. within: 30%) or both min and max',
    ]);
  });

  it('uncertain draws: uniform or triangular between the bounds, rounded for whole-number fields', () => {
    const input = { path: 'users.count', kind: 'number' as const, integer: true, low: 700, high: 1300, distribution: 'uniform' as const };
    expect(uncertainAssignment(input, 0.5)).toBe('users.count=1000');
    expect(uncertainAssignment(input, 0.25)).toBe('users.count=850');
    const tri = { ...input, distribution: 'triangular' as const };
    expect(uncertainAssignment(tri, 0.5)).toBe('users.count=1000');
    expect(uncertainAssignment(tri, 0.125)).toBe('users.count=850');
    expect(uncertainAssignment({ ...input, kind: 'duration', low: 10_000, high: 30_000 }, 0.5)).toBe('users.count=20ms');
  });
});
