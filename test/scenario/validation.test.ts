import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ScenarioError, formatIssue } from '../../src/errors.js';
import { loadScenario } from '../../src/scenario/load.js';
import { issuesOfFile, scenarioFile } from '../helpers/scenario-files.js';

const BAD = 'test/fixtures/bad';

/** The formatted issues loading a file produces (fails the test if it loads). */
function issuesOf(file: string, set?: string[]): string[] {
  try {
    loadScenario(file, { set });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return error.issues.map(formatIssue);
  }
  throw new Error(`${file} loaded without issues`);
}

describe('validation messages for bad scenario files', () => {
  test('malformed YAML: one syntax issue with line and column', () => {
    expect(issuesOf(`${BAD}/malformed.yaml`)).toEqual([
      `${BAD}/malformed.yaml:3:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }`,
    ]);
  });

  test('duplicate key', () => {
    expect(issuesOf(`${BAD}/duplicate-key.yaml`)).toEqual([`${BAD}/duplicate-key.yaml:3:1: invalid YAML: duplicate key seed`]);
  });

  test('unknown keys: each at the key, by name, with a suggestion or the known keys', () => {
    expect(issuesOf(`${BAD}/unknown-key.yaml`)).toEqual([
      `${BAD}/unknown-key.yaml:2:1 sede: unknown key "sede" (known keys: version, name, description, seed, duration, interval, replications, maxReplications, sale, users, system, strategies, thresholds, invariants, plan)`,
      `${BAD}/unknown-key.yaml:6:5 system.cdn.ttll: unknown key "ttll" (did you mean "ttl"?)`,
      `${BAD}/unknown-key.yaml:7:31 system.orderServers.slotz: unknown key "slotz" (did you mean "slots"?)`,
    ]);
  });

  test('wrong types, quoting what was written', () => {
    expect(issuesOf(`${BAD}/wrong-type.yaml`)).toEqual([
      `${BAD}/wrong-type.yaml:3:10 users.count: expected a positive whole number such as 10000, 10k or 1M (got "many")`,
      `${BAD}/wrong-type.yaml:6:15 system.cdn.coalesce: must be true or false (got "yes")`,
      `${BAD}/wrong-type.yaml:7:11 system.origin: must be a mapping (got 8)`,
    ]);
  });

  test('an empty seed is refused (an unset variable; --seed "" in test/cli/cli.test.ts); a word is a seed', () => {
    expect(issuesOfFile(scenarioFile('version: 1\nname: x\nseed: " "\n'))).toEqual([
      'F:3:7 seed: must be a number or a word such as 42 or nightly (got " ")',
    ]);
    expect(loadScenario(scenarioFile('version: 1\nname: x\nseed: nightly\n')).scenario.seed).toBe('nightly');
  });

  test('negative count', () => {
    expect(issuesOf(`${BAD}/negative-count.yaml`)).toEqual([
      `${BAD}/negative-count.yaml:5:12 system.orderServers.slots: must be a positive integer (got -3)`,
    ]);
  });

  test('stock buffer: a whole number of units, at least 0, at the line of the file and the overlay', () => {
    expect(issuesOf(`${BAD}/negative-buffer.yaml`)).toEqual([
      `${BAD}/negative-buffer.yaml:5:13 system.stock.buffer: must be zero or a positive integer (got -10)`,
      `${BAD}/negative-buffer.yaml:7:37 strategies.half-unit.system.stock.buffer: must be a whole number (got 2.5)`,
    ]);
    expect(issuesOf('scenarios/smoke.yaml', ['system.stock.buffer=1000000001'])).toEqual([
      '--set system.stock.buffer: must be at most 1,000,000,000 (got 1000000001)',
    ]);
    expect(loadScenario('scenarios/smoke.yaml').scenario.system.stock.buffer).toBe(0);
  });

  test('stock soldOutService and perWaiter: durations, perWaiter only at a serial store; absent by default and absent from the resolved config', () => {
    expect(issuesOf('scenarios/smoke.yaml', ['system.stock.perWaiter=3'])).toEqual([
      '--set system.stock.perWaiter: expected a non-negative duration such as 210ns or 0.5us (got 3: a bare number is ambiguous)',
    ]);
    expect(issuesOf('scenarios/smoke.yaml', ['system.stock.primitive=atomic', 'system.stock.perWaiter=1us'])).toEqual([
      '--set system.stock.perWaiter: operations queue only at a serial store: set primitive: row-lock or single-thread-server, or remove perWaiter (primitive is atomic) (got "1us")',
    ]);
    expect(issuesOf('scenarios/smoke.yaml', ['system.stock.primitive=row-lock', 'system.stock.perWaiter=2s'])).toEqual([
      '--set system.stock.perWaiter: must be at most 1s (got "2s")',
    ]);
    const stock = loadScenario('scenarios/smoke.yaml', {
      set: ['system.stock.primitive=row-lock', 'system.stock.soldOutService=68us', 'system.stock.perWaiter=210ns'],
    }).scenario.system.stock;
    expect(stock.soldOutService).toBe(68);
    expect(stock.perWaiter).toBeCloseTo(0.21, 12);
    const plain = loadScenario('scenarios/smoke.yaml').scenario.system.stock;
    expect('soldOutService' in plain || 'perWaiter' in plain).toBe(false);
  });

  test('admission quota: a whole number of requests, at least 1, or null (no quota); absent by default and absent from the resolved config', () => {
    expect(
      issuesOfFile(
        scenarioFile(
          'version: 1\nname: x\nsystem:\n  orderServers: { quota: 0 }\nstrategies:\n  half: { system.orderServers.quota: 2.5 }\n',
        ),
      ),
    ).toEqual([
      'F:4:26 system.orderServers.quota: must be a positive integer (got 0)',
      'F:6:38 strategies.half.system.orderServers.quota: must be a whole number (got 2.5)',
    ]);
    expect(issuesOf('scenarios/smoke.yaml', ['system.orderServers.quota=-1'])).toEqual([
      '--set system.orderServers.quota: must be a positive integer (got -1)',
    ]);
    const plain = loadScenario('scenarios/smoke.yaml').scenario.system.orderServers;
    expect(plain.quota).toBeUndefined();
    expect('quota' in plain).toBe(false);
    expect(
      loadScenario('scenarios/smoke.yaml', { set: ['system.orderServers.quota=null'] }).scenario.system.orderServers.quota,
    ).toBeUndefined();
    expect(loadScenario('scenarios/smoke.yaml', { set: ['system.orderServers.quota=25'] }).scenario.system.orderServers.quota).toBe(25);
  });

  test('button script after sell-out: a duration at the key; absent by default and from the resolved config', () => {
    expect(
      issuesOfFile(
        scenarioFile(
          'version: 1\nname: x\nsystem:\n  buttonScript: { soldOutDelay: -1s }\nstrategies:\n  a: { system.buttonScript.soldOutDelay: 2 }\n',
        ),
      ),
    ).toEqual([
      'F:4:33 system.buttonScript.soldOutDelay: expected a non-negative duration such as 250us, 15ms, 5s or 10m30s (got "-1s")',
      'F:6:42 strategies.a.system.buttonScript.soldOutDelay: expected a duration with a unit such as 2s or 2ms (got 2: a bare number is ambiguous)',
    ]);
    const plain = loadScenario('scenarios/smoke.yaml').scenario.system.buttonScript;
    expect('soldOutDelay' in plain).toBe(false);
    expect(
      loadScenario('scenarios/smoke.yaml', { set: ['system.buttonScript.soldOutDelay=2s'] }).scenario.system.buttonScript.soldOutDelay,
    ).toBe(2_000_000);
  });

  test('bad distribution strings', () => {
    expect(issuesOf(`${BAD}/bad-distribution.yaml`)).toEqual([
      `${BAD}/bad-distribution.yaml:3:12 users.refresh: expected lognormal(median, sigma) with 2 arguments (got "lognormal(5s)")`,
      `${BAD}/bad-distribution.yaml:4:13 users.reaction: unknown distribution "pareto" (expected one of: lognormal, exp, exponential, uniform, normal, const, constant, empirical, weibull, gamma, or a plain value) (got pareto(600ms, 2))`,
    ]);
  });

  test('a distribution cut by a comma in a flow mapping gets the fix, not two confusing issues', () => {
    expect(issuesOf(`${BAD}/unquoted-distribution.yaml`)).toEqual([
      `${BAD}/unquoted-distribution.yaml:3:34 system.origin.service: a comma inside { } or [ ] ends a plain value: quote it, 'lognormal(20ms, 0.5)' (got lognormal(20ms)`,
    ]);
  });

  test('unknown strategy paths name the strategy, the path and the overlay key', () => {
    expect(issuesOf(`${BAD}/unknown-strategy-path.yaml`)).toEqual([
      `${BAD}/unknown-strategy-path.yaml:5:5 strategies.naive.system.cdn.edgez: unknown path in strategy "naive": system.cdn has no key "edgez" (did you mean "edges"?)`,
      `${BAD}/unknown-strategy-path.yaml:7:11 strategies.typo.sytem.cdn.ttl: unknown path in strategy "typo": the scenario has no key "sytem" (did you mean "system"?)`,
    ]);
  });

  test('bad overlay values are located in the overlay', () => {
    expect(issuesOf(`${BAD}/bad-overlay-value.yaml`)).toEqual([
      `${BAD}/bad-overlay-value.yaml:4:21 strategies.fast-ttl.system.cdn.ttl: expected a duration such as 250us, 15ms, 5s or 10m30s (got "10x": unknown unit "x", expected h, m, s, ms or us)`,
      `${BAD}/bad-overlay-value.yaml:5:44 strategies.bad-primitive.system.stock.primitive: must be one of: atomic, check-then-decrement, row-lock, single-thread-server (got optimistic)`,
    ]);
  });

  test('unknown metric in a threshold', () => {
    expect(issuesOf(`${BAD}/unknown-metric.yaml`)).toEqual([
      `${BAD}/unknown-metric.yaml:4:3 thresholds.order_latencyy: unknown metric "order_latencyy" (did you mean "order_latency"?)`,
    ]);
  });

  test('wrong aggregation for a metric, and a latency limit without a unit', () => {
    expect(issuesOf(`${BAD}/wrong-aggregation.yaml`)).toEqual([
      `${BAD}/wrong-aggregation.yaml:3:34 thresholds.order_latency[1]: rate does not apply to order_latency, a latency metric: use p(N), avg, med, min, max or count (got 'rate<0.01')`,
      `${BAD}/wrong-aggregation.yaml:3:47 thresholds.order_latency[2]: the limit of order_latency is a duration and needs a unit, e.g. 500ms or 500s (got 'p(99)<500')`,
      `${BAD}/wrong-aggregation.yaml:4:21 thresholds.page_error_rate[0]: p(N) does not apply to page_error_rate, a rate metric: use rate (got 'p(95)<1s')`,
    ]);
  });

  test('thresholds: the schema takes the one grammar of src/metrics/thresholds.ts (hours, negative limits)', () => {
    // Both were refused when the schema had a pattern of its own, without `h` or a sign.
    const file = scenarioFile(
      "version: 1\nname: x\nthresholds:\n  order_latency: ['p(99)<1h']\n  sell_out_time: ['value>-1s', 'value >= -0s']\n",
    );
    expect(loadScenario(file).scenario.thresholds).toEqual({ order_latency: ['p(99)<1h'], sell_out_time: ['value>-1s', 'value >= -0s'] });
  });

  test('thresholds: a malformed expression gets the grammar message at its line, quoting it; a negative limit the metric cannot have, its own', () => {
    const malformed = 'must look like p(99)<500ms, avg<200ms, rate<0.01, count==0 or value>=0.95';
    const file = scenarioFile(
      "version: 1\nname: x\nthresholds:\n  order_latency: ['p99<1s', 'avg<1s', 'p(99)<-1s']\n  page_latency:\n    - 'p(99)<500 ms s'\n  sell_out_time: ['value>>1s', 'value<=1d', 'value > - 1s']\n",
    );
    expect(issuesOfFile(file)).toEqual([
      `F:4:19 thresholds.order_latency[0]: ${malformed} (got 'p99<1s')`,
      "F:4:39 thresholds.order_latency[2]: order_latency is never negative: the limit must be at least 0 (got 'p(99)<-1s')",
      `F:6:7 thresholds.page_latency[0]: ${malformed} (got 'p(99)<500 ms s')`,
      `F:7:19 thresholds.sell_out_time[0]: ${malformed} (got 'value>>1s')`,
      `F:7:32 thresholds.sell_out_time[1]: ${malformed} (got 'value<=1d')`,
      `F:7:45 thresholds.sell_out_time[2]: ${malformed} (got 'value > - 1s')`,
    ]);
    // The refine's issue carries the same structure the pattern's did: a line, a column and the dotted path.
    try {
      loadScenario(scenarioFile("version: 1\nname: x\nthresholds:\n  order_latency: ['p99<1s']\n"));
      expect.unreachable();
    } catch (error) {
      expect((error as ScenarioError).issues).toEqual([
        { file: expect.any(String), line: 4, column: 19, path: 'thresholds.order_latency[0]', message: `${malformed} (got 'p99<1s')` },
      ]);
    }
  });

  test('missing required keys point at the mapping that lacks them', () => {
    expect(issuesOf(`${BAD}/missing-name.yaml`)).toEqual([
      `${BAD}/missing-name.yaml:2:1 name: required key is missing`,
      `${BAD}/missing-name.yaml:4:12 users.arrival.kind: required key is missing (one of: ramp, burst)`,
    ]);
  });

  test('empty file: one clear issue', () => {
    expect(issuesOf(`${BAD}/empty.yaml`)).toEqual([
      `${BAD}/empty.yaml: the file is empty; a scenario needs at least a name (see \`sim schema\`)`,
    ]);
  });

  test('missing file: a ScenarioError with an empty path (exit code 2 at the CLI)', () => {
    expect(issuesOf(`${BAD}/no-such-file.yaml`)).toEqual([`${BAD}/no-such-file.yaml: no such file`]);
    try {
      loadScenario(`${BAD}/no-such-file.yaml`);
    } catch (error) {
      expect((error as ScenarioError).issues).toEqual([{ file: `${BAD}/no-such-file.yaml`, path: '', message: 'no such file' }]);
    }
  });

  test('a directory is not a scenario', () => {
    expect(issuesOf(BAD)).toEqual([`${BAD}: is a directory, not a scenario file`]);
  });

  test('issues carry structured positions, and every issue is reported at once', () => {
    try {
      loadScenario(`${BAD}/negative-count.yaml`);
      expect.unreachable();
    } catch (error) {
      expect((error as ScenarioError).issues).toEqual([
        {
          file: `${BAD}/negative-count.yaml`,
          line: 5,
          column: 12,
          path: 'system.orderServers.slots',
          message: 'must be a positive integer (got -3)',
        },
      ]);
    }
    expect(issuesOf(`${BAD}/many-problems.yaml`)).toEqual([
      `${BAD}/many-problems.yaml:2:11 duration: expected a duration with a unit such as 15s or 15ms (got 15: a bare number is ambiguous)`,
      `${BAD}/many-problems.yaml:3:27 sale.stock: must be a positive integer (got 0)`,
      `${BAD}/many-problems.yaml:5:18 users.bots.share: expected a fraction from 0 to 1 or a percentage from 0% to 100% such as 0.5% (got 5: did you mean 5%?)`,
      `${BAD}/many-problems.yaml:7:27 system.orderServers.onFull: must be one of: reject, queue, unbounded (got drop)`,
      `${BAD}/many-problems.yaml:9:3 strategies.naive: must be a mapping of dotted paths to values; write {} for no changes (got nothing)`,
      `${BAD}/many-problems.yaml:10:27 invariants[1]: must be one of: no-oversell, one-per-user, no-early-orders, valid-tokens, ledger-matches-responses, conservation (got no-undersell)`,
    ]);
  });
});

describe('--set at load time', () => {
  test('errors name --set instead of a file line', () => {
    expect(issuesOf('scenarios/smoke.yaml', ['system.cdn.ttl=10x', 'system.cdn.edgez=1', 'nonsense', 'users.count=-1'])).toEqual([
      `--set system.cdn.edgez: unknown path: system.cdn has no key "edgez" (did you mean "edges"?)`,
      `--set: expected path=value, e.g. system.cdn.ttl=10s (got "nonsense")`,
      `--set users.count: expected a positive whole number such as 10000, 10k or 1M (got -1)`,
      `--set system.cdn.ttl: expected a duration such as 250us, 15ms, 5s or 10m30s (got "10x": unknown unit "x", expected h, m, s, ms or us)`,
    ]);
  });

  test('lost order messages need an async queue', () => {
    expect(issuesOf('scenarios/smoke.yaml', ['system.orders.mode=sync', 'system.orders.lossRate=1%'])).toEqual([
      '--set system.orders.lossRate: messages are lost only in an async order queue: set mode: async, or lossRate: 0% (got "1%")',
    ]);
    const loaded = loadScenario('scenarios/smoke.yaml', { set: ['system.orders.lossRate=1%', 'system.orders.compensate=false'] });
    expect(loaded.scenario.system.orders).toMatchObject({ mode: 'async', lossRate: 0.01, compensate: false });
  });

  test('duplicated order messages need an async queue, at the key that asks for them', () => {
    expect(issuesOf('scenarios/smoke.yaml', ['system.orders.mode=sync', 'system.orders.duplicateRate=1%'])).toEqual([
      '--set system.orders.duplicateRate: messages are redelivered only in an async order queue: set mode: async, or duplicateRate: 0% (got "1%")',
    ]);
    const file = scenarioFile('version: 1\nname: x\nsystem:\n  orders: { mode: sync, duplicateRate: 2% }\n');
    expect(issuesOfFile(file)).toEqual([
      'F:4:40 system.orders.duplicateRate: messages are redelivered only in an async order queue: set mode: async, or duplicateRate: 0% (got 2%)',
    ]);
    // Without duplicates an idempotent flag asks nothing of the mode.
    expect(
      loadScenario('scenarios/smoke.yaml', { set: ['system.orders.mode=sync', 'system.orders.idempotent=false'] }).scenario.system.orders,
    ).toMatchObject({
      mode: 'sync',
      duplicateRate: 0,
      idempotent: false,
    });
    const loaded = loadScenario('scenarios/smoke.yaml', { set: ['system.orders.duplicateRate=1%'] });
    expect(loaded.scenario.system.orders).toMatchObject({ mode: 'async', duplicateRate: 0.01, idempotent: true });
    expect(issuesOf('scenarios/smoke.yaml', ['system.orders.idempotent=maybe'])).toEqual([
      '--set system.orders.idempotent: must be true or false (got "maybe")',
    ]);
  });

  test('unpaid orders: a share and a bounded duration, errors at the key; defaults pay every order and keep the sold-out flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flashsim-unpaid-'));
    try {
      const file = join(dir, 'unpaid.yaml');
      writeFileSync(file, 'version: 1\nname: unpaid\nsystem:\n  orders: { unpaid: 143%, paymentTimeout: 15 minutes }\n');
      expect(issuesOf(file)).toEqual([
        `${file}:4:21 system.orders.unpaid: expected a fraction from 0 to 1 or a percentage from 0% to 100% such as 0.5% (got "143%")`,
        `${file}:4:43 system.orders.paymentTimeout: expected a duration such as 250us, 15ms, 5s or 10m30s (got "15 minutes": unknown unit "minutes", expected h, m, s, ms or us)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(issuesOf('scenarios/smoke.yaml', ['system.orders.unpaid=43', 'system.orders.paymentTimeout=400000h'])).toEqual([
      '--set system.orders.unpaid: expected a fraction from 0 to 1 or a percentage from 0% to 100% such as 0.5% (got 43: did you mean 43%?)',
      '--set system.orders.paymentTimeout: must be at most 300000h (got "400000h")',
    ]);
    const defaults = loadScenario('scenarios/smoke.yaml').scenario.system;
    expect(defaults.orders).toMatchObject({ unpaid: 0, paymentTimeout: 15 * 60_000_000 });
    expect(defaults.orderServers.reopenOnReturn).toBe(false);
  });

  test('a waiting room lets people through at a positive rate, and its lottery is drawn before the end', () => {
    expect(issuesOf('scenarios/smoke.yaml', ['system.waitingRoom.mode=fifo', 'system.waitingRoom.rate=0/s'])).toEqual([
      '--set system.waitingRoom.rate: must be more than 0/s: a room that lets nobody through sells nothing (got "0/s")',
    ]);
    const [issue] = issuesOf('scenarios/smoke.yaml', ['system.waitingRoom.mode=random', 'system.waitingRoom.window=10m']);
    expect(issue).toMatch(/^--set system\.waitingRoom\.window: must end before the end of the run/);
    // fifo has no lottery: the same window is not checked.
    expect(
      loadScenario('scenarios/smoke.yaml', { set: ['system.waitingRoom.mode=fifo', 'system.waitingRoom.window=10m'] }).scenario.system
        .waitingRoom,
    ).toMatchObject({
      mode: 'fifo',
      window: 600_000_000,
    });
  });

  test('valid assignments change the loaded scenario', () => {
    const loaded = loadScenario('scenarios/smoke.yaml', { set: ['system.cdn.ttl=10s', 'system.cdn.coalesce=false'] });
    expect(loaded.scenario.system.cdn.ttl).toBe(10_000_000);
    expect(loaded.scenario.system.cdn.coalesce).toBe(false);
    expect(loaded.set).toEqual(['system.cdn.ttl=10s', 'system.cdn.coalesce=false']);
  });
});
