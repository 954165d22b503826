import { describe, expect, it } from 'vitest';
import { renderJunitXml, xmlEscape } from '../../src/report/junit.js';
import { twoStrategies } from '../helpers/summary.js';
import { parseXml } from './xml-check.js';

describe('junit.xml', () => {
  it("a failed threshold's text gives the measured value with its unit (a bare 'actual: 600000' for p(99)<500ms read as 600,000 of something)", () => {
    const summary = twoStrategies();
    const naive = summary.strategies[1];
    naive.thresholds = [
      {
        metric: 'order_latency',
        expression: 'p(99)<500ms',
        passed: false,
        expectViolation: false,
        verdict: 'fail',
        actual: 600_000,
        message: 'p(99) = 600ms, not < 500ms',
      },
      {
        metric: 'answered_within_2s',
        expression: 'rate>95%',
        passed: false,
        expectViolation: false,
        verdict: 'fail',
        actual: 0.807499,
        message: 'rate = 80.7%, not > 95%',
      },
      {
        metric: 'early_orders',
        expression: 'count==0',
        passed: false,
        expectViolation: false,
        verdict: 'fail',
        actual: 500,
        message: 'count = 500, not == 0',
      },
      {
        metric: 'sell_out_time',
        expression: 'value<1s',
        passed: false,
        expectViolation: false,
        verdict: 'fail',
        actual: null,
        message: 'not measured',
      },
    ];
    const xml = renderJunitXml(summary);
    expect(xml).toContain('type="threshold">actual: 600000 µs (600ms)</failure>');
    expect(xml).toContain('type="threshold">actual: 0.807499 (80.7%)</failure>');
    expect(xml).toContain('type="threshold">actual: 500 orders</failure>');
    expect(xml).toContain('type="threshold">actual: not measured</failure>');
  });

  it('is well-formed, one testcase per invariant and threshold per strategy, failures with messages', () => {
    const xml = renderJunitXml(twoStrategies());
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '6', failures: '2' });
    expect(root.children.map((s) => s.attributes.name)).toEqual(['hand-made/seed-design', 'hand-made/naive']);
    const naive = root.children[1];
    expect(naive.children.map((c) => c.attributes.name)).toEqual(['no-oversell', 'one-per-user', 'order_latency: p(99)<500ms']);
    const failure = naive.children[0].children[0];
    expect(failure.name).toBe('failure');
    expect(failure.attributes.message).toBe('replication 0: 1 unit oversold <&> "quoted"');
    expect(failure.text).toContain('"user": 1');
    expect(naive.children[2].children[0].attributes.type).toBe('threshold');
    expect(root.children[0].children.every((c) => c.children.length === 0)).toBe(true);
  });

  it('escapes markup and strips characters XML forbids', () => {
    const esc = xmlEscape(`<a href="x">&'\u0001\n`);
    expect(esc).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;\uFFFD&#10;');
    const s = twoStrategies();
    s.scenario.name = 'we<ird&"name\u0007';
    expect(() => parseXml(renderJunitXml(s))).not.toThrow();
  });
});
