import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/index.js';
import { buildCharts } from '../../src/report/charts/specs.js';
import { renderChartsMarkdown } from '../../src/report/charts/markdown.js';
import { chartJsUmd, escapeHtml, renderHtmlReport, scriptJson, withVisualReport } from '../../src/report/html.js';
import { renderSummaryJson, type RunSummary } from '../../src/results/summary.js';
import { renderTimeseriesCsv } from '../../src/report/timeseries-csv.js';
import { renderReplicationsJsonl } from '../../src/report/replications-jsonl.js';

let summary: RunSummary;
let html: string;
const dirs: string[] = [];

beforeAll(async () => {
  summary = (await runScenario('scenarios/smoke.yaml', { users: 300, workers: 1 })).summary;
  html = renderHtmlReport(summary);
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'flashsim-html-'));
  dirs.push(d);
  return d;
};

/** The page without the inlined chart.js (whose licence comment names its home page). */
const ownPart = (page: string): string => {
  const lib = chartJsUmd();
  expect(page.includes(lib)).toBe(true);
  return page.replace(lib, '');
};

/** Inline <script> bodies (not JSON data). */
const scripts = (page: string): string[] => [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);

describe('report.html', () => {
  it('is one self-contained file: nothing outside it is referenced or fetched', () => {
    const own = ownPart(html);
    expect(own).not.toMatch(/https?:\/\//);
    expect(own).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}\//i); // protocol-relative URLs
    for (const m of html.matchAll(/\b(src|href|action|srcset|poster)\s*=\s*["']?([^"'\s>]*)/gi)) {
      expect(m[2], `${m[1]}=${m[2]}`).toMatch(/^#[\w-]+$/);
    }
    expect(own).not.toMatch(
      /\bfetch\s*\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts|\bimport\s*\(|<link\b|<iframe\b|@import|url\(/i,
    );
    // And the browser is told to refuse any request anyway.
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    );
    // The library is the one from node_modules, inlined whole, without its
    // source-map comment (a reference to a file the report does not carry).
    expect(html).toContain('Chart.js v4');
    expect(html).not.toContain('sourceMappingURL');
  });

  it('names every strategy, the seed, the tool version, and has the checks as badges', () => {
    for (const s of summary.strategies) expect(html).toContain(escapeHtml(s.name));
    expect(html).toContain(`<dt>seed</dt><dd>${summary.seed}</dd>`);
    expect(html).toContain(`flashsim ${summary.tool.version}`);
    const badges = [...html.matchAll(/class="badge (pass|fail|none|caught)"/g)].length;
    const checks = summary.strategies.reduce((n, s) => n + s.invariants.length + s.thresholds.length, 0);
    expect(badges).toBeGreaterThanOrEqual(checks);
    // naive's declared oversell is shown as caught, not as a failure.
    expect(html).toMatch(/class="check caught"[^>]*><span class="badge caught">EXPECTED: CAUGHT<\/span>/);
    // The resolved scenario, collapsible, per strategy.
    expect([...html.matchAll(/<details>/g)]).toHaveLength(summary.strategies.length);
    expect(html).toContain('onFull: unbounded');
  });

  it('has no Precision section without --precision; with it, the section lists every strategy’s rule and intervals', () => {
    expect(html).not.toContain('id="precision"');
    expect(html).not.toContain('href="#precision"');
    const [first] = summary.strategies;
    const precise: RunSummary = {
      ...summary,
      options: { ...summary.options, precision: { target: 0.05, batch: 3, maxReplications: 12 } },
      strategies: [
        {
          ...first,
          precision: {
            replications: 6,
            stopped: 'decided',
            reason: "every threshold's 95% CI decided after 6 replications",
            thresholds: [
              {
                id: 'order_latency p(99)<500ms',
                n: 6,
                mean: 120_000,
                halfWidth: 10_000,
                low: 110_000,
                high: 130_000,
                holds: true,
                relativeHalfWidth: 1 / 12,
                status: 'decided',
              },
            ],
          },
        },
      ],
    };
    const page = renderHtmlReport(precise, { charts: [] });
    expect(page).toContain('<a href="#precision">precision</a>');
    expect(page).toContain(
      `<h2 id="precision">Precision</h2>\n<p>The replications added until each threshold&#39;s 95% CI decides or is within ±5% of its mean, 3 at a time, at most 12.`,
    );
    expect(page).toContain(`<li>${escapeHtml(first.name)}: every threshold&#39;s 95% CI decided after 6 replications</li>`);
    expect(page).toContain(
      `<tr><th scope="row"><code>${escapeHtml(first.name)}</code></th><td>6</td><td>decided</td><td>order_latency p(99)&lt;500ms</td><td>120ms</td><td>[110ms, 130ms]</td><td>±8.33%</td><td>decided</td></tr>`,
    );
  });

  it('carries the same chart specs as the PNGs, one canvas each, as JSON that parses back', () => {
    const charts = buildCharts(summary);
    const json = /<script type="application\/json" id="flashsim-charts">([\s\S]*?)<\/script>/.exec(html)![1];
    const data = JSON.parse(json) as Array<{ id: string; config: unknown }>;
    expect(data.map((c) => c.id)).toEqual(charts.map((c) => c.id));
    expect(data.map((c) => c.config)).toEqual(charts.map((c) => c.config));
    for (const c of charts) expect(html).toContain(`<canvas data-chart="${c.id}"`);
  });

  it('every inline script is valid JavaScript', () => {
    const bodies = scripts(html);
    expect(bodies).toHaveLength(3); // chart.js, the runtime, the boot code
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- checks that each embedded script parses.
    for (const body of bodies) expect(() => new Function(body)).not.toThrow();
  });

  it('escapes text from the scenario and the results', () => {
    const evil = JSON.parse(JSON.stringify(summary)) as RunSummary;
    evil.scenario.name = '<img src=x onerror=alert(1)>';
    evil.scenario.description = 'ends </script><script>alert(2)</script> & more';
    evil.strategies[0].name = '"><b>bold</b>';
    const page = renderHtmlReport(evil);
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>alert(2)');
    expect(page).not.toContain('<b>bold</b>');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('ends &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt; &amp; more');
    expect(scriptJson({ t: '</script><!--\u2028' })).toBe('{"t":"\\u003c/script\\u003e\\u003c!--\\u2028"}');
    expect(ownPart(page).match(/<\/script>/g)).toHaveLength(4);
  });

  it(
    'a headless Chromium builds every chart without an error (local check: FLASHSIM_CHROMIUM=1)',
    { skip: !process.env.FLASHSIM_CHROMIUM },
    () => {
      const dir = tempDir();
      const file = join(dir, 'report.html');
      writeFileSync(file, html);
      const r = spawnSync(
        process.env.FLASHSIM_CHROMIUM === '1' ? 'chromium' : process.env.FLASHSIM_CHROMIUM!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          `--user-data-dir=${join(dir, 'profile')}`,
          '--dump-dom',
          `file://${file}`,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      const root = /<html[^>]*>/.exec(r.stdout)?.[0] ?? '';
      expect(root).toContain(`data-charts="${buildCharts(summary).length}"`);
      expect(root).not.toContain('data-chart-errors');
    },
  );
});

describe('the visual report in the run directory', () => {
  /** One strategy is enough here (and draws half the PNGs). */
  const single = (): RunSummary => ({ ...summary, strategies: summary.strategies.slice(0, 1) });

  it('adds charts/*.png and report.html to a run’s report files, from the summary in the set', async () => {
    const files = new Map<string, string>([
      ['summary.json', renderSummaryJson(single())],
      ['timeseries.csv', renderTimeseriesCsv(single())],
      ['replications.jsonl', renderReplicationsJsonl(single())],
      ['summary.md', '# md'],
    ]);
    const out = await withVisualReport('unused', files);
    const names = [...out.keys()];
    expect(names).toEqual(
      expect.arrayContaining(['summary.json', 'summary.md', 'report.html', 'charts/origin-requests.png', 'charts/stock.png']),
    );
    expect(names.filter((n) => n.startsWith('charts/'))).toHaveLength(buildCharts(single()).length);
    expect(out.get('summary.md')).toBe('# md');
  });

  it('finds the summary in the directory when regenerating in place; leaves other file sets alone', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'summary.json'), renderSummaryJson(single()));
    writeFileSync(join(dir, 'timeseries.csv'), renderTimeseriesCsv(single()));
    writeFileSync(join(dir, 'replications.jsonl'), renderReplicationsJsonl(single()));
    const inPlace = await withVisualReport(dir, new Map([['summary.md', '# md']]));
    expect(inPlace.has('report.html')).toBe(true);
    const other = new Map([['notes.txt', 'x']]);
    expect(await withVisualReport(dir, other)).toBe(other);
    const nowhere = new Map([['summary.md', '# md']]);
    expect(await withVisualReport(join(dir, 'missing'), nowhere)).toBe(nowhere);
  });

  it('a summary it cannot draw still lets the run files be written, with the reason in report-error.txt', async () => {
    const broken = new Map([
      ['summary.md', '# md'],
      ['summary.json', JSON.stringify({ schemaVersion: 4, scenario: { name: 'x' }, strategies: [{ name: 'a' }] })],
    ]);
    const out = await withVisualReport('unused', broken);
    expect([...out.keys()].sort()).toEqual(['report-error.txt', 'summary.json', 'summary.md']);
    expect(out.get('report-error.txt')).toMatch(/^flashsim could not draw the charts or report.html for this run:\n/);
  });

  it('Markdown links every chart image, for summary.md', () => {
    const charts = buildCharts(summary);
    const md = renderChartsMarkdown(charts);
    for (const c of charts) expect(md).toContain(`](charts/${c.id}.png)`);
    expect(md).toContain('[report.html](report.html)');
  });
});
