import { describe, expect, test } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { strategyChecks } from '../../src/scenario/expectations.js';
import { issuesOf, scenarioFile } from '../helpers/scenario-files.js';

const BASE = `version: 1
name: expect-test
duration: 1m
sale: { start: 30s, stock: 20 }
users: { count: 500, arrival: { kind: ramp, from: 0s, to: 35s } }
thresholds:
  order_latency: ['p(99)<10s']
  oversell: ['count==0']
`;

describe('strategy expect and thresholds: validated where they are written', () => {
  test('a declared name that is neither an invariant nor a metric is refused at its line and index', () => {
    const issues = issuesOf(
      `${BASE}strategies:\n  naive:\n    system.tokenGate.mode: static\n    expect: { violates: [no-oversell, no-such-thing] }\n`,
    );
    expect(issues).toEqual([
      expect.stringMatching(
        /^F:12:\d+ strategies\.naive\.expect\.violates\[1\]: "no-such-thing" is neither an invariant \(no-oversell, .*\) nor a metric with a threshold for strategy "naive" \(order_latency, oversell\)/,
      ),
    ]);
  });

  test('an invariant the scenario does not check, a metric without a threshold, a repeat: each refused', () => {
    const issues = issuesOf(
      `${BASE}invariants: [no-oversell]\nstrategies:\n  a: { expect: { violates: [one-per-user, bot_share, no-oversell, no-oversell] } }\n`,
    );
    expect(issues.map((i) => i.replace(/^F:11:\d+ /, ''))).toEqual([
      expect.stringMatching(
        /^strategies\.a\.expect\.violates\[0\]: invariant one-per-user is not checked by this scenario \(invariants: no-oversell\)/,
      ),
      expect.stringMatching(/^strategies\.a\.expect\.violates\[1\]: metric bot_share has no threshold for strategy "a"/),
      'strategies.a.expect.violates[3]: "no-oversell" is listed twice',
    ]);
  });

  test('an unknown key inside expect is refused (strict), and expect is not taken for an overlay path', () => {
    const issues = issuesOf(`${BASE}strategies:\n  a: { expect: { violate: [no-oversell] } }\n`);
    expect(issues.join('\n')).toMatch(/strategies\.a\.expect.*violate/);
    expect(issues.join('\n')).not.toMatch(/unknown path/);
  });

  test("a strategy's malformed threshold is reported at its own path", () => {
    const issues = issuesOf(`${BASE}strategies:\n  a: { thresholds: { order_latency: ['rate<1%'] } }\n`);
    expect(issues).toEqual([expect.stringMatching(/^F:10:\d+ strategies\.a\.thresholds\.order_latency\[0\]: /)]);
  });

  test("a strategy's thresholds replace the scenario's per metric; an empty list removes them", () => {
    const loaded = loadScenario(
      scenarioFile(
        `${BASE}strategies:\n  base: {}\n  slow: { thresholds: { order_latency: ['p(99)<30s', 'p(50)<1s'], oversell: [] }, expect: { violates: [order_latency] } }\n`,
      ),
    );
    expect(strategyChecks(loaded.scenario, 'base').thresholds).toEqual({ order_latency: ['p(99)<10s'], oversell: ['count==0'] });
    expect(strategyChecks(loaded.scenario, 'slow')).toMatchObject({
      thresholds: { order_latency: ['p(99)<30s', 'p(50)<1s'] },
      violates: ['order_latency'],
    });
  });
});
