import { mkdtemp, readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderJunitXml, xmlEscape } from '../../src/report/junit.js';
import { csvField, renderTimeseriesCsv } from '../../src/report/timeseries-csv.js';
import { mdCell, renderSummaryMarkdown, reproduceCommand } from '../../src/report/summary-md.js';
import { formatEstimate, formatMicros, formatNumber, formatPercent, renderConsoleSummary, renderTextTable } from '../../src/report/console-table.js';
import { parseSummaryJson, renderSummaryJson, toolVersion } from '../../src/report/summary-json.js';
import { writeFileAtomic, writeFilesAtomic } from '../../src/report/write-atomic.js';
import { TIMESERIES_COLUMNS } from '../../src/run/result.js';
import { makeResult, makeStrategy, makeSummary } from './make-result.js';
import { parseXml } from './xml-check.js';

function twoStrategies() {
  return makeSummary([
    makeStrategy({
      name: 'seed-design',
      results: [makeResult({ strategy: 'seed-design', replication: 0 }), makeResult({ strategy: 'seed-design', replication: 1, orders: 9 })],
      thresholds: [{ metric: 'order_latency', expression: 'p(99)<500ms', passed: true }],
    }),
    makeStrategy({
      name: 'naive',
      results: [makeResult({ strategy: 'naive', replication: 0, oversell: 2 }), makeResult({ strategy: 'naive', replication: 1, oversell: 1 })],
      invariantFailures: ['no-oversell'],
      thresholds: [{ metric: 'order_latency', expression: 'p(99)<500ms', passed: false, actual: 600_000 }],
    }),
  ]);
}

describe('formatting', () => {
  it('formats numbers, times and percentages without locale', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(-1234.56)).toBe('-1,234.6');
    expect(formatMicros(850)).toBe('850µs');
    expect(formatMicros(12_345)).toBe('12.3ms');
    expect(formatMicros(1_234_567)).toBe('1.23s');
    expect(formatMicros(125_000_000)).toBe('2m05s');
    expect(formatPercent(0.98765)).toBe('98.8%');
    expect(formatPercent(0)).toBe('0%');
  });

  it('shows a confidence interval that reaches past 0 or 100% as the range the metric can take, not as mean ± half-width', () => {
    // 99.7% ± 0.444% would claim a hit ratio up to 100.1%; 0.0313% ± 0.0673% a reject rate down to -0.036%.
    const hits = { n: 3, mean: 0.996539, sd: 0.0018, halfWidth: 0.004441622251185043, low: 0.9920973777488149, high: 1.000980622251185 };
    expect(formatEstimate('cdn_hit_ratio', hits)).toBe('99.7% [99.2%, 100%]');
    const rejects = { n: 3, mean: 0.0003128168334191672, sd: 0.00027, halfWidth: 0.0006733, low: -0.000360545906304129, high: 0.0009861795731424634 };
    expect(formatEstimate('order_reject_rate', rejects)).toBe('0.0313% [0%, 0.0986%]');
    // Counts cannot go below 0 either.
    expect(formatEstimate('early_orders', { n: 3, mean: 0.333, sd: 0.58, halfWidth: 1.43, low: -1.1, high: 1.76 })).toBe('0.3 [0, 1.8]');
    // An interval inside the range stays mean ± half-width; sell_out_time may be negative.
    expect(formatEstimate('cdn_hit_ratio', { n: 3, mean: 0.9, sd: 0.01, halfWidth: 0.02, low: 0.88, high: 0.92 })).toBe('90% ± 2%');
    expect(formatEstimate('sell_out_time', { n: 3, mean: -100_000, sd: 1, halfWidth: 200_000, low: -300_000, high: 100_000 })).toBe('-100ms ± 200ms');
  });

  it('gives a half-width no more decimals than its mean, and never rounds a spread to zero', () => {
    // "1,007 ± 53.91": a mean to the unit beside a spread to the hundredth.
    expect(formatEstimate('origin_peak_rps', { n: 3, mean: 1007, sd: 21.7, halfWidth: 53.91208417890017, low: 953.09, high: 1060.91 })).toBe('1,007 ± 54');
    expect(formatEstimate('attempts_per_order', { n: 3, mean: 42.32, sd: 0.99, halfWidth: 2.453644, low: 39.87, high: 44.77 })).toBe('42.32 ± 2.45');
    // "1.000 ± 0.000" read as no spread at all.
    expect(formatEstimate('fairness_click_order', { n: 3, mean: 0.9998853, sd: 2.9e-5, halfWidth: 7.205426887991058e-5, low: 0.99981, high: 0.99996 })).toBe('1.000 ± 0.000072');
    // Cut at 1 and narrower than three decimals: "[1.000, 1.000]" said nothing.
    expect(formatEstimate('fairness_click_order', { n: 3, mean: 0.999995, sd: 1e-5, halfWidth: 2.5e-5, low: 0.99997, high: 1 })).toBe('1.000 [0.99997, 1]');
  });

  it('aligns text tables', () => {
    expect(renderTextTable(['', 'a'], [['x', '1'], ['longer', '100']])).toBe(['          a', '------  ---', 'x         1', 'longer  100'].join('\n'));
  });
});

describe('summary.json', () => {
  it('round-trips and refuses unknown schema versions', () => {
    const s = twoStrategies();
    const text = renderSummaryJson(s);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseSummaryJson(text, 'x/summary.json')).toEqual(JSON.parse(text));
    expect(() => parseSummaryJson('{"schemaVersion": 99}', 'x/summary.json')).toThrow(
      'x/summary.json: unsupported summary schemaVersion 99 (this flashsim reads version 2)',
    );
    expect(() => parseSummaryJson('{', 'x/summary.json')).toThrow(/^x\/summary.json: not valid JSON/);
  });

  it('knows the tool version from package.json', () => {
    expect(toolVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('console summary', () => {
  it('shows the headline figures per strategy, the failures and the verdict', () => {
    const text = renderConsoleSummary(twoStrategies());
    expect(text).toContain('seed-design');
    expect(text).toContain('naive');
    expect(text).toMatch(/orders\s+9.5 ± 6.4\s+10\n/);
    expect(text).toMatch(/invariants\s+pass \(2\)\s+FAIL 1\/2\n/);
    expect(text).toContain('naive: invariant no-oversell: replication 0');
    expect(text).toContain('naive: threshold order_latency p(99)<500ms');
    expect(text.trimEnd().split('\n').at(-1)).toBe('hand-made: INVARIANT VIOLATED, THRESHOLD FAILED (exit 1)');
  });

  it('with replications, says that a latency percentile pools every sample and its ± is the per-replication spread', () => {
    const pooled = "latency percentiles: of all replications' samples together (as thresholds check them), ± the 95% CI of the per-replication percentile";
    const s = twoStrategies();
    expect(s.replications).toBe(2);
    expect(renderConsoleSummary(s)).toContain(`\n${pooled}\n`);
    expect(renderSummaryMarkdown(s)).toContain(pooled);
    expect(renderConsoleSummary({ ...s, replications: 1 })).not.toContain(pooled);
  });
});

describe('summary.md', () => {
  it('has the headline, every catalogue metric, invariants, thresholds and a reproduce command', () => {
    const md = renderSummaryMarkdown(twoStrategies());
    expect(md).toContain('# hand-made');
    expect(md).toContain('| orders_created |');
    expect(md).toContain('| order_latency p99 |');
    expect(md).toContain('| naive | no-oversell | **FAIL** |');
    expect(md).toContain('sim run scenarios/hand-made.yaml --seed 42 --replications 2 --set sale.stock=10');
    // Every table row of a table has the same number of cells.
    for (const table of md.split('\n\n').filter((b) => b.startsWith('|'))) {
      const counts = table.split('\n').map((l) => l.replace(/\\\|/g, '').split('|').length);
      expect(new Set(counts).size).toBe(1);
    }
  });

  it('escapes cells and quotes shell arguments', () => {
    expect(mdCell('a|b\nc')).toBe('a\\|b c');
    const s = twoStrategies();
    s.options.set = ["users.count=it's 5"];
    expect(reproduceCommand(s)).toContain(`--set 'users.count=it'\\''s 5'`);
  });
});

describe('timeseries.csv', () => {
  it('is long format: strategy, replication, interval start in seconds, then the columns', () => {
    const csv = renderTimeseriesCsv(twoStrategies());
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(['strategy', 'replication', 'interval_start_s', ...TIMESERIES_COLUMNS].join(','));
    expect(lines).toHaveLength(1 + 2 * 2 * 3);
    expect(lines[1].startsWith('seed-design,0,0,0,1,2,')).toBe(true);
    expect(lines[2].startsWith('seed-design,0,1,10,')).toBe(true);
    expect(lines[4].startsWith('seed-design,1,0,1,')).toBe(true);
    for (const l of lines) expect(l.split(',')).toHaveLength(3 + TIMESERIES_COLUMNS.length);
  });

  it('quotes fields per RFC 4180', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField(NaN)).toBe('');
  });
});

describe('junit.xml', () => {
  it("a failed threshold's text gives the measured value with its unit (a bare 'actual: 600000' for p(99)<500ms read as 600,000 of something)", () => {
    const summary = twoStrategies();
    const naive = summary.strategies[1];
    naive.thresholds = [
      { metric: 'order_latency', expression: 'p(99)<500ms', passed: false, actual: 600_000, message: 'p(99) = 600ms, not < 500ms' },
      { metric: 'answered_within_2s', expression: 'rate>95%', passed: false, actual: 0.807499, message: 'rate = 80.7%, not > 95%' },
      { metric: 'early_orders', expression: 'count==0', passed: false, actual: 500, message: 'count = 500, not == 0' },
      { metric: 'sell_out_time', expression: 'value<1s', passed: false, actual: null, message: 'not measured' },
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

describe('atomic writes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flashsim-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the files and leaves no temporary file behind', async () => {
    await writeFilesAtomic(join(dir, 'run'), new Map([['a.txt', 'A'], ['b.txt', 'B']]));
    expect((await readdir(join(dir, 'run'))).sort()).toEqual(['a.txt', 'b.txt']);
    await writeFileAtomic(join(dir, 'run', 'a.txt'), 'A2');
    expect(await readFile(join(dir, 'run', 'a.txt'), 'utf8')).toBe('A2');
    expect((await readdir(join(dir, 'run'))).sort()).toEqual(['a.txt', 'b.txt']);
  });

  it('on failure removes what it wrote and its temporary files', async () => {
    const target = join(dir, 'run');
    // 'b.txt/x' cannot be created because b.txt is a file written just before.
    await expect(writeFilesAtomic(target, new Map([['a.txt', 'A'], ['b.txt', 'B'], ['b.txt/x', 'X']]))).rejects.toThrow();
    await expect(readdir(target)).rejects.toThrow(); // the directory it created is gone
  });

  it('keeps the old file intact when a write fails', async () => {
    if (process.getuid?.() === 0) return; // root ignores permissions
    await writeFile(join(dir, 'keep.txt'), 'old');
    await chmod(dir, 0o555);
    try {
      await expect(writeFileAtomic(join(dir, 'keep.txt'), 'new')).rejects.toThrow();
    } finally {
      await chmod(dir, 0o755);
    }
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['keep.txt']);
  });
});
