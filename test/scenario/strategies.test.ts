import { describe, expect, test } from 'vitest';
import { ScenarioError, UsageError, formatIssue } from '../../src/errors.js';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveStrategies } from '../../src/scenario/strategies.js';
import { issuesOf as issuesOfText, scenarioFile } from '../helpers/scenario-files.js';

const FIXTURES = 'test/scenario/fixtures';
const loaded = loadScenario(`${FIXTURES}/strategies.yaml`);

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return error.issues.map(formatIssue);
  }
  throw new Error('no issues');
}

describe('strategy overlays', () => {
  test('all strategies in file order, each with its overlay applied to the base', () => {
    const plans = resolveStrategies(loaded);
    expect(plans.map((p) => p.name)).toEqual(['seed-design', 'naive', 'short-ttl', 'burst', 'nested']);
    const [seed, naive] = plans;
    expect(seed.config.system.cdn.edges).toBe(4);
    expect(seed.config.system.tokenGate.mode).toBe('dynamic');
    expect(naive.config.system.cdn.edges).toBe(0);
    expect(naive.config.system.tokenGate.mode).toBe('static');
    expect(naive.config.system.cdn.ttl).toBe(60_000_000);
    expect(naive.config.sale.stock).toBe(10);
  });

  test('overlay values use the same human units as the base', () => {
    const shortTtl = resolveStrategies(loaded, { strategies: ['short-ttl'] })[0];
    expect(shortTtl.config.system.cdn.ttl).toBe(10_000_000);
    expect(shortTtl.input).toMatchObject({ system: { cdn: { edges: 4, ttl: '10s' } } });
    expect(shortTtl.input).not.toHaveProperty('strategies');
  });

  test('an overlay value replaces the value at its path (no deep merge)', () => {
    const burst = resolveStrategies(loaded, { strategies: ['burst'] })[0];
    expect(burst.config.users.arrival).toEqual({ kind: 'burst', at: 60_000_000, spread: 2_000_000 });
  });

  test('a mapping value for a mapping field sets its fields one by one, keeping the rest of the base', () => {
    const nested = resolveStrategies(loaded, { strategies: ['nested'] })[0];
    expect(nested.config.system.cdn.edges).toBe(1);
    expect(nested.config.system.cdn.ttl).toBe(60_000_000);
    const viaSet = resolveStrategies(loaded, { strategies: ['short-ttl'], set: ['system.cdn={coalesce: false}'] })[0];
    expect(viaSet.config.system.cdn).toMatchObject({ edges: 4, ttl: 10_000_000, coalesce: false });
  });

  test('an unknown key inside a nested overlay is located in the overlay', () => {
    expect(issuesOf(() => loadScenario(`${FIXTURES}/bad-nested.yaml`))).toEqual([
      `${FIXTURES}/bad-nested.yaml:5:14 strategies.nested.system.cdn.edgez: unknown key "edgez" (did you mean "edges"?)`,
    ]);
  });

  test('the resolved config of the base is the parsed scenario for an empty overlay', () => {
    const seed = resolveStrategies(loaded, { strategies: ['seed-design'] })[0];
    const { strategies, thresholds, invariants, ...base } = loaded.scenario;
    expect(seed.config).toEqual(base);
    expect(Object.keys(strategies)).toHaveLength(5);
    expect(thresholds).toEqual({});
    expect(invariants).toHaveLength(6);
  });

  test('a scenario without strategies runs its base as "base"', () => {
    const plans = resolveStrategies(loadScenario(`${FIXTURES}/no-strategies.yaml`));
    expect(plans.map((p) => p.name)).toEqual(['base']);
    expect(plans[0].config.users.count).toBe(500);
  });

  test('a valid base with an overlay that breaks it: reported under the strategy, at its name', () => {
    expect(issuesOf(() => loadScenario(`${FIXTURES}/bad-combination.yaml`))).toEqual([
      `${FIXTURES}/bad-combination.yaml:6:3 strategies.burst.users.arrival.from: unknown key "from" (known keys: kind, at, spread)`,
    ]);
  });
});

describe('--strategy selection', () => {
  test('selects and orders as given; comma-separated entries are split; duplicates dropped', () => {
    expect(resolveStrategies(loaded, { strategies: ['naive,seed-design', 'naive'] }).map((p) => p.name)).toEqual(['naive', 'seed-design']);
  });

  test('an unknown name is a usage error listing the known ones', () => {
    expect(() => resolveStrategies(loaded, { strategies: ['naive,fast'] })).toThrow(UsageError);
    expect(() => resolveStrategies(loaded, { strategies: ['fast'] })).toThrow(
      `--strategy: unknown strategy "fast"; ${FIXTURES}/strategies.yaml has: seed-design, naive, short-ttl, burst, nested`,
    );
  });
});

describe('--set and the other command-line overrides', () => {
  test('--set applies to every strategy after its overlay; values are YAML scalars', () => {
    const plans = resolveStrategies(loaded, { set: ['system.cdn.edges=0', 'system.cdn.coalesce=false', 'system.cdn.ttl=10s'] });
    for (const plan of plans) {
      expect(plan.config.system.cdn.edges).toBe(0);
      expect(plan.config.system.cdn.coalesce).toBe(false);
      expect(plan.config.system.cdn.ttl).toBe(10_000_000);
    }
    const naive = resolveStrategies(loaded, { strategies: ['naive'], set: ['system.cdn.edges=7'] })[0];
    expect(naive.config.system.cdn.edges).toBe(7);
    expect(naive.config.system.tokenGate.mode).toBe('static');
  });

  test('--set may give a mapping in flow style, and a later --set wins', () => {
    const plan = resolveStrategies(loaded, {
      strategies: ['seed-design'],
      set: ['users.arrival={kind: burst, at: 50s}', 'users.count=10', 'users.count=20'],
    })[0];
    expect(plan.config.users.arrival).toEqual({ kind: 'burst', at: 50_000_000, spread: 2_000_000 });
    expect(plan.config.users.count).toBe(20);
  });

  test('users.count takes the forms of --users (10k, 1.5M) in a file and in --set', () => {
    const file = scenarioFile('version: 1\nname: counts\nusers:\n  count: 50k\nstrategies:\n  base: {}\n  more: { users.count: 1.5M }\n');
    expect(resolveStrategies(loadScenario(file)).map((p) => p.config.users.count)).toEqual([50_000, 1_500_000]);
    const [plan] = resolveStrategies(loaded, { strategies: ['seed-design'], set: ['users.count=20k'] });
    expect(plan.config.users.count).toBe(20_000);
    expect(issuesOf(() => resolveStrategies(loaded, { set: ['users.count=1.5'] }))).toEqual([
      '--set users.count: expected a positive whole number such as 10000, 10k or 1M (got 1.5)',
    ]);
    expect(issuesOf(() => resolveStrategies(loaded, { set: ['users.count=40M'] }))).toEqual([
      '--set users.count: must be at most 33,554,432 (got "40M")',
    ]);
  });

  test('the load-time set is applied again after each overlay', () => {
    const withSet = loadScenario(`${FIXTURES}/strategies.yaml`, { set: ['system.cdn.edges=5'] });
    expect(withSet.scenario.system.cdn.edges).toBe(5);
    expect(resolveStrategies(withSet).map((p) => p.config.system.cdn.edges)).toEqual([5, 5, 5, 5, 5]);
  });

  test('--users, --seed and --replications override the scenario', () => {
    const [plan] = resolveStrategies(loaded, { strategies: ['seed-design'], users: 123, seed: 'abc', replications: 3 });
    expect(plan.config.users.count).toBe(123);
    expect(plan.config.seed).toBe('abc');
    expect(plan.config.replications).toBe(3);
  });

  test('errors name the option, once, not a file line', () => {
    expect(issuesOf(() => resolveStrategies(loaded, { set: ['system.cdn.ttl=10x'] }))).toEqual([
      '--set system.cdn.ttl: expected a duration such as 250us, 15ms, 5s or 10m30s (got "10x": unknown unit "x", expected h, m, s, ms or us)',
    ]);
    expect(issuesOf(() => resolveStrategies(loaded, { set: ['strategies.naive=1', 'system.cdn=', 'system.cdn..ttl=1s'] }))).toEqual([
      '--set strategies.naive: unknown path: the scenario has no key "strategies" (known keys: version, name, description, seed, duration, interval, replications, maxReplications, sale, users, system)',
      '--set system.cdn: missing value after "="',
      '--set system.cdn..ttl: expected a dotted path such as system.cdn.ttl (got "system.cdn..ttl")',
    ]);
    expect(issuesOf(() => resolveStrategies(loaded, { users: 0, replications: 1.5 }))).toEqual([
      '--replications replications: must be a whole number (got 1.5)',
      '--users users.count: expected a positive whole number such as 10000, 10k or 1M (got 0)',
    ]);
    expect(issuesOf(() => resolveStrategies(loaded, { set: ['system.cdn.ttl.x=1'] }))).toEqual([
      '--set system.cdn.ttl.x: unknown path: system.cdn.ttl is a single value, not a mapping',
    ]);
  });
});

describe('seed and replications belong to the run', () => {
  const base = 'version: 1\nname: x\nseed: 42\nreplications: 2\nstrategies:\n';

  test('an overlay that sets them is refused at its key, with the option to use instead', () => {
    expect(issuesOfText(`${base}  a: {}\n  b: { seed: 7 }\n  c:\n    replications: 3\n    system.cdn.edges: 0\n`)).toEqual([
      'F:7:8 strategies.b.seed: seed belongs to the run, not to a strategy: every strategy runs with the same seed, so they all see the same users; set it at the top of the file or with --seed',
      'F:9:5 strategies.c.replications: replications belongs to the run, not to a strategy: every strategy runs the same replications, so they pair up replication by replication; set it at the top of the file or with --replications',
    ]);
  });

  test('--set may not set them, at load time or when resolving', () => {
    const message = (key: string, option: string) =>
      expect.stringMatching(
        new RegExp(`^--set ${key}: ${key} belongs to the run, not to a strategy: .*; set it at the top of the file or with ${option}$`),
      );
    expect(issuesOf(() => resolveStrategies(loaded, { set: ['seed=7', 'replications=3'] }))).toEqual([
      message('seed', '--seed'),
      message('replications', '--replications'),
    ]);
    expect(issuesOf(() => loadScenario(`${FIXTURES}/strategies.yaml`, { set: ['seed=nightly'] }))).toEqual([message('seed', '--seed')]);
  });

  test("every strategy gets the file's, or --seed's and --replications's, values", () => {
    const file = loadScenario(scenarioFile(`${base}  a: {}\n  b: { system.cdn.edges: 0 }\n`));
    expect(resolveStrategies(file).map((p) => [p.config.seed, p.config.replications])).toEqual([
      [42, 2],
      [42, 2],
    ]);
    expect(resolveStrategies(file, { seed: 'nightly', replications: 3 }).map((p) => [p.config.seed, p.config.replications])).toEqual([
      ['nightly', 3],
      ['nightly', 3],
    ]);
  });
});
