/**
 * Values that `sim validate` used to accept and `sim run` then hung on,
 * ran out of memory with, or failed on as an internal error: each is now a
 * ScenarioError at the offending key (exit 2).
 */
import { describe, expect, test } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveStrategies } from '../../src/scenario/strategies.js';
import { scenarioJsonSchema } from '../../src/scenario/schema.js';
import { issuesOf, scenarioFile as file } from '../helpers/scenario-files.js';

/** A small valid scenario; `extra` lines are appended at the top level. */
const BASE = [
  'name: t',
  'duration: 2m',
  'sale: { start: 1m, stock: 50 }',
  'users: { count: 2000, arrival: { kind: ramp, from: 0s, to: 70s } }',
];
function scenario(...extra: string[]): string {
  return [...BASE, ...extra].join('\n') + '\n';
}

describe('the time series: interval and duration', () => {
  test('interval must be > 0', () => {
    expect(issuesOf(scenario('interval: 0'))).toEqual(['F:5:11 interval: must be greater than 0s (got 0)']);
  });

  test('at most 100,000 intervals (1us over 2m would be 120 million rows)', () => {
    expect(issuesOf(scenario('interval: 1us'))).toEqual([
      'F:5:11 interval: gives 120,000,000 time-series rows over 2m; at most 100,000: use an interval of at least 1.2ms (got 1us)',
    ]);
    expect(() => loadScenario(file(scenario('interval: 1.2ms')))).not.toThrow();
  });

  test('interval no longer than duration', () => {
    expect(issuesOf(scenario('interval: 3m'))).toEqual(['F:5:11 interval: must be at most duration (2m) (got 3m)']);
  });

  test('the strategies together record at most 250,000 rows', () => {
    const text = scenario('interval: 1.2ms', 'strategies: { a: {}, b: {}, c: {} }');
    expect(issuesOf(text)).toEqual([
      'F:5:11 interval: the 3 strategies record 300,000 time-series rows together (duration ÷ interval each); at most 250,000, or summary.json grows too large: use a longer interval',
    ]);
    const three = loadScenario(file(scenario('interval: 2ms', 'strategies: { a: {}, b: {}, c: {} }')));
    expect(resolveStrategies(three, { set: ['interval=1.5ms'] })).toHaveLength(3);
    expect(() => resolveStrategies(three, { set: ['interval=1.2ms'] })).toThrow(/the 3 strategies record 300,000/);
    expect(resolveStrategies(three, { set: ['interval=1.2ms'], strategies: ['a', 'b'] })).toHaveLength(2);
  });

  test('duration: more than 0, at most 7 days', () => {
    expect(issuesOf(scenario().replace('duration: 2m', 'duration: 0'))).toEqual(['F:2:11 duration: must be greater than 0s (got 0)']);
    expect(issuesOf(scenario().replace('duration: 2m', 'duration: 100000h'))).toEqual([
      'F:2:11 duration: must be at most 168h (7 days) (got 100000h)',
    ]);
    expect(loadScenario(file(scenario('interval: 1m').replace('duration: 2m', 'duration: 168h'))).scenario.duration).toBe(
      168 * 3_600_000_000,
    );
  });

  test('other durations at most 300000h', () => {
    expect(issuesOf(scenario('system: { cdn: { ttl: 300001h } }'))).toEqual([
      'F:5:23 system.cdn.ttl: must be at most 300000h (got 300001h)',
    ]);
  });
});

describe('cross-field checks, at the key to change', () => {
  test('the sale must open before the end', () => {
    expect(issuesOf(scenario().replace('start: 1m', 'start: 2m'))).toEqual([
      'F:3:16 sale.start: must be before the end of the run (duration: 2m), or the sale never opens (got 2m)',
    ]);
  });

  test('a ramp from after to, or entirely after the end', () => {
    expect(issuesOf(scenario().replace('from: 0s', 'from: 80s'))).toEqual([
      'F:4:52 users.arrival.from: must not be after to (1m10s) (got 1m20s)',
    ]);
    expect(issuesOf(scenario().replace('from: 0s, to: 70s', 'from: 2m, to: 3m'))).toEqual([
      'F:4:52 users.arrival.from: must be before the end of the run (duration: 2m), or no user ever arrives (got 2m)',
    ]);
  });

  test('a ramp that ends after the end of the run: refused, not a silently near-empty sale', () => {
    // Kills dropping the check: the run simulated 1 of 2,000 users and passed with orders 1.
    expect(issuesOf(scenario().replace('to: 70s', 'to: 3m'))).toEqual([
      'F:4:60 users.arrival.to: must be at most the end of the run (duration: 2m): users arriving after it are never simulated, so the sale would see only part of users.count; set users.arrival.to (default 10m30s) within duration, or lengthen duration (got 3m)',
    ]);
    // The default ramp (to 10m30s) with a short run: named although not written.
    const defaulted = issuesOf(scenario().replace(/, arrival: \{[^}]*\}/, ''));
    expect(defaulted).toEqual([
      expect.stringMatching(/ users\.arrival\.to: must be at most the end of the run \(duration: 2m\).*\(got 10m30s\)$/),
    ]);
  });

  test('a burst whose tail (at + 3 spread) falls after the end', () => {
    expect(issuesOf(scenario().replace('kind: ramp, from: 0s, to: 70s', 'kind: burst, at: 100s, spread: 10s'))).toEqual([
      expect.stringMatching(
        / users\.arrival\.spread: puts the burst's tail \(at \+ 3 × spread = 2m10s\) after the end of the run \(duration: 2m\)/,
      ),
    ]);
  });

  test('a burst centred after the end', () => {
    expect(issuesOf(scenario().replace('kind: ramp, from: 0s, to: 70s', 'kind: burst, at: 5m'))).toEqual([
      'F:4:51 users.arrival.at: must be before the end of the run (duration: 2m), or most users arrive after it (got 5m)',
    ]);
  });

  test('in a strategy overlay, at the overlay key', () => {
    expect(issuesOf(scenario('strategies:', '  short: { duration: 30s }'))).toEqual([
      // The base alone is valid: the combination is reported at the strategy.
      'F:6:3 strategies.short.sale.start: must be before the end of the run (duration: 30s), or the sale never opens (got 1m)',
      'F:6:3 strategies.short.users.arrival.to: must be at most the end of the run (duration: 30s): users arriving after it are never simulated, so the sale would see only part of users.count; set users.arrival.to (default 10m30s) within duration, or lengthen duration (got 1m10s)',
    ]);
    expect(issuesOf(scenario('strategies:', '  late: { sale.start: 3m }'))).toEqual([
      'F:6:23 strategies.late.sale.start: must be before the end of the run (duration: 2m), or the sale never opens (got 3m)',
    ]);
  });

  test('main-site requests (rps × duration) at most 2e9', () => {
    const week = scenario('interval: 1m', 'system: { mainSite: { rps: 5000/s } }').replace('duration: 2m', 'duration: 168h');
    expect(issuesOf(week)).toEqual([
      'F:6:28 system.mainSite.rps: over 168h gives 3.02e9 main-site requests, at most 2e9 (one event each): lower rps or duration (got 5000/s)',
    ]);
  });
});

describe('rates, bandwidths, counts', () => {
  test('rps finite and at most 1M/s', () => {
    expect(issuesOf(scenario('system: { mainSite: { rps: 1e400/s } }'))).toEqual([
      'F:5:28 system.mainSite.rps: expected a rate such as 2000/s, 120/min or 5/ms, or a plain number per second (got "1e400/s": too large)',
    ]);
    expect(issuesOf(scenario('system: { mainSite: { rps: 1e9/s } }'))).toEqual([
      'F:5:28 system.mainSite.rps: must be at most 1,000,000/s (got 1e9/s)',
    ]);
  });

  test('bandwidths finite and > 0 (0 is a site that never answers)', () => {
    expect(issuesOf(scenario('system: { originLink: { bandwidth: 1e400Gbps }, cdn: { edgeBandwidth: 0 } }'))).toEqual([
      'F:5:36 system.originLink.bandwidth: expected a bandwidth such as 1Gbps, 100Mbps or 10MB/s (got "1e400Gbps": too large)',
      'F:5:71 system.cdn.edgeBandwidth: must be greater than 0: a link of 0 bytes/s never delivers a response (got 0)',
    ]);
    expect(issuesOf(scenario('system: { originLink: { bandwidth: 0 } }'))).toEqual([
      'F:5:36 system.originLink.bandwidth: must be greater than 0: a link of 0 bytes/s never delivers a response (got 0)',
    ]);
    // leased: 0 is the documented "no extra bandwidth".
    expect(loadScenario(file(scenario('system: { originLink: { leased: 0 } }'))).scenario.system.originLink.leased).toBe(0);
  });

  test('counts with state allocated up front', () => {
    expect(
      issuesOf(scenario('system: { cdn: { edges: 1000000000 }, orderServers: { servers: 1000000000 } }', 'replications: 1000000000')),
    ).toEqual([
      'F:5:25 system.cdn.edges: must be at most 10,000 (got 1000000000)',
      'F:5:64 system.orderServers.servers: must be at most 10,000 (got 1000000000)',
      'F:6:15 replications: must be at most 1,000 (got 1000000000)',
    ]);
    expect(issuesOf(scenario().replace('count: 2000', 'count: 9007199254740991'))).toEqual([
      'F:4:17 users.count: must be at most 33,554,432 (got 9007199254740991)',
    ]);
    expect(issuesOf(scenario().replace('count: 2000,', 'count: 2000, bots: { share: 100%, earlyAttempts: 1000000000 },'))).toEqual([
      'F:4:59 users.bots.earlyAttempts: must be at most 10,000 (got 1000000000)',
    ]);
    // 2^25 users: beyond, user records are past what 32-bit offsets address
    // (the run lost users silently, or failed as an internal error).
    expect(issuesOf(scenario().replace('count: 2000', 'count: 33554433'))).toEqual([
      'F:4:17 users.count: must be at most 33,554,432 (got 33554433)',
    ]);
    expect(issuesOf(scenario().replace('count: 2000', 'count: 100000000'))).toEqual([
      'F:4:17 users.count: must be at most 33,554,432 (got 100000000)',
    ]);
    expect(() => loadScenario(file(scenario().replace('count: 2000', 'count: 33554432')))).not.toThrow();
  });

  test('command-line overrides are bounded the same way', () => {
    const text = scenario();
    expect(issuesOf(text, { users: 1e12, replications: 1e9, set: ['interval=0'] })).toEqual([
      '--set interval: must be greater than 0s (got 0)',
      '--replications replications: must be at most 1,000 (got 1000000000)',
      '--users users.count: must be at most 33,554,432 (got 1000000000000)',
    ]);
  });
});

describe('distributions', () => {
  test('lognormal sigma at most 5', () => {
    expect(issuesOf(scenario("system: { origin: { service: 'lognormal(20ms, 1e6)' } }"))).toEqual([
      'F:5:30 system.origin.service: expected lognormal(median, sigma) with sigma a plain number from 0 to 5 (got "lognormal(20ms, 1e6)")',
    ]);
  });

  test('the largest possible draw at most 300000h, for every form', () => {
    const far = (got: string, hours: string) =>
      `system.origin.service: can draw up to about ${hours}h in its far tail (1 draw in 2^33), beyond the limit of 300000h: lower its sigma (lognormal), sd, mean or max (got '${got}')`;
    const cases: Array<[string, string]> = [
      ['lognormal(20ms, 5)', '321,682,834'],
      ['exp(20000h)', '457,477'],
      ['normal(1ms, 50000h)', '316,898'],
      ['uniform(0s, 300001h)', '300,001'],
      ['empirical(1ms: 0.5, 300001h: 1)', '300,001'],
      ['300001h', '300,001'],
    ];
    for (const [text, hours] of cases) {
      expect(issuesOf(scenario(`system: { origin: { service: '${text}' } }`))).toEqual([`F:5:30 ${far(text, hours)}`]);
    }
    // A heavy but plausible tail still fits.
    expect(() =>
      loadScenario(
        file(
          scenario("users: { count: 10, refresh: 'lognormal(5s, 3)', arrival: { kind: ramp, to: 70s } }").replace(
            /^users: \{ count: 2000.*\n/m,
            '',
          ),
        ),
      ),
    ).not.toThrow();
  });
});

test('every limit is in its field description (sim schema)', () => {
  const text = JSON.stringify(scenarioJsonSchema());
  for (const phrase of [
    'More than 0s, at most 7 days (168h)',
    'at most 100,000, and 250,000 over all strategies',
    'the most 32-bit byte offsets of 64-byte user records address. At most 33,554,432.',
    'At most 1,000,000/s, and rps × duration at most 2e9 requests',
    'Lognormal sigma at most 5; the largest value the distribution can draw must be at most 300000h.',
    'Egress bandwidth of each edge. Must be greater than 0.',
    'Origin uplink bandwidth. Must be greater than 0.',
    'CDN edge servers; 0 means no CDN: every page view goes to the origin. At most 10,000.',
    'Order servers. At most 10,000.',
    'one per refresh interval. At most 10,000.',
    '(confidence intervals need 2 or more). At most 1,000.',
  ]) {
    expect(text).toContain(phrase);
  }
});
