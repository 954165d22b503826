import { VERDICT_LABEL, verdictMessage } from './verdicts.js';
import type { CheckVerdict } from '../results/summary.js';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { installChartRuntime } from './charts/runtime.js';
import { buildCharts } from './charts/specs.js';
import type { ChartSpec } from './charts/types.js';
import { HEADLINE_ROWS, POOLED_PERCENTILE_NOTE, verdictLine } from './console-table.js';
import { BADGE_COLORS, strategyColor } from './palette.js';
import { parseSummaryJson, REPLICATIONS_FILE, TIMESERIES_FILE, type RunSummary, type StrategySummary } from '../results/summary.js';
import { attachRunDetail } from './replications-jsonl.js';
import { attachRunTimeseries } from './timeseries-csv.js';
import { reproduceCommand } from './summary-md.js';
import { configDifferences } from './config-diff.js';
import {
  countersTable,
  LATENCY_SECTION_TITLE,
  latencyTables,
  metricsTable,
  outcomesTable,
  precisionTable,
  type StatsTable,
} from './stats-tables.js';
import { precisionIntro, precisionReasons, replicationsText } from './precision.js';

/**
 * report.html: the run in one self-contained file that opens offline —
 * chart.js (read from node_modules at run time) and the chart runtime are
 * inlined, the charts are the same specs as the PNGs (serialised as JSON),
 * and a Content-Security-Policy forbids every network request, so nothing
 * can be fetched even by mistake. It holds the verdict, the headline table,
 * the invariant and threshold results as pass/fail badges per strategy,
 * the interactive charts, the resolved configuration of every strategy,
 * the seed, the command that reproduces the run and the tool version.
 * All text from the scenario or the results is HTML-escaped.
 */

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element: no `</script>`, no `<!--`, no line separators that old parsers choke on. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** JavaScript source safe inside a <script> element. */
function scriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

let chartJsSource: string | undefined;

/** chart.js's UMD build, read once from node_modules (it registers every controller, scale and plugin). */
export function chartJsUmd(): string {
  if (chartJsSource === undefined) {
    const require = createRequire(import.meta.url);
    const file = join(require.resolve('chart.js').replace(/[\\/]dist[\\/].*$/, ''), 'dist', 'chart.umd.js');
    // Its source-map comment would point the browser at a file the report does not carry.
    chartJsSource = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
  }
  return chartJsSource;
}

const FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif";

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: ${FONT_STACK}; margin: 0; color: #1f2328; background: #f6f8fa; line-height: 1.45; }
header, main, footer { max-width: 1080px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h3 { font-size: 17px; margin: 22px 0 8px; }
h4 { font-size: 15px; margin: 14px 0 6px; color: #424a53; }
table.stats th[scope="row"] code { font-size: 13px; }
table.stats th[title] { cursor: help; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
p.description { white-space: pre-wrap; margin: 6px 0 12px; color: #424a53; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; font-size: 14px; }
dl.facts dt { color: #57606a; }
dl.facts dd { margin: 0; }
nav { margin: 12px 0 0; font-size: 14px; }
nav a { margin-right: 14px; color: #0969da; }
code, pre { font-family: ui-monospace, SFMono-Regular, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
table { border-collapse: collapse; background: #fff; font-size: 14px; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 5px 9px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f0f3f6; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; letter-spacing: .02em; }
.badge.pass { background: ${BADGE_COLORS.pass}; }
.badge.fail { background: ${BADGE_COLORS.fail}; }
.badge.none { background: ${BADGE_COLORS.none}; }
.badge.caught { background: ${BADGE_COLORS.caught}; }
.verdict { font-size: 15px; padding: 3px 12px; }
td.check { text-align: left; }
td.check .detail { display: block; color: #57606a; font-size: 12px; margin-top: 2px; }
td.check.fail .detail { color: ${BADGE_COLORS.fail}; }
figure { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 18px; padding: 10px; }
figure .chart { position: relative; width: 100%; }
figcaption { font-size: 14px; color: #424a53; margin: 6px 4px 2px; }
details { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 8px; padding: 6px 12px; }
details pre { border: 0; padding: 6px 0; }
summary { cursor: pointer; }
summary .diff { color: #57606a; font-size: 13px; }
.noscript { color: ${BADGE_COLORS.fail}; }
footer { color: #57606a; font-size: 13px; padding: 24px 20px 40px; }
`;

function badge(state: 'pass' | 'fail' | 'none' | 'caught', text?: string): string {
  return `<span class="badge ${state}">${escapeHtml(text ?? (state === 'pass' ? 'PASS' : state === 'fail' ? 'FAIL' : '—'))}</span>`;
}

/** The badge of a set of checks: PASS, FAIL, or PASS with the declared violations caught. */
function checksBadge(checks: ReadonlyArray<{ verdict: CheckVerdict }>, passed: boolean): string {
  const caught = checks.filter((c) => c.verdict === 'caught').length;
  if (!passed) return badge('fail');
  return caught > 0 ? badge('caught', `PASS, ${caught} caught`) : badge('pass');
}

function strategyHeader(s: StrategySummary, index: number): string {
  return `<th scope="col"><span class="swatch" style="background:${strategyColor(index)}"></span>${escapeHtml(s.name)}</th>`;
}

function headlineTable(summary: RunSummary): string {
  const rows = HEADLINE_ROWS.filter((r) => r.label !== 'invariants' && r.label !== 'thresholds');
  const head = `<tr><th scope="col"></th>${summary.strategies.map(strategyHeader).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr><th scope="row">${escapeHtml(r.label)}</th>${summary.strategies.map((s) => `<td>${escapeHtml(r.cell(s))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const verdicts = [
    `<tr><th scope="row">invariants</th>${summary.strategies
      .map((s) => `<td>${s.invariants.length === 0 ? badge('none', 'none') : checksBadge(s.invariants, s.invariantsPassed)}</td>`)
      .join('')}</tr>`,
    `<tr><th scope="row">thresholds</th>${summary.strategies
      .map((s) => `<td>${s.thresholds.length === 0 ? badge('none', 'none') : checksBadge(s.thresholds, s.thresholdsPassed)}</td>`)
      .join('')}</tr>`,
  ].join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n${verdicts}\n</tbody>\n</table>`;
}

/** A {@link StatsTable} as an HTML table; a row name with a note (a metric's description) shows it on hover. */
function statsTableHtml(table: StatsTable): string {
  const head = `<tr>${table.header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = table.rows
    .map((row, i) => {
      const note = table.rowNotes?.[i];
      const name = `<th scope="row"${note ? ` title="${escapeHtml(note)}"` : ''}><code>${escapeHtml(row[0])}</code></th>`;
      return `<tr>${name}${row
        .slice(1)
        .map((c) => `<td>${escapeHtml(c)}</td>`)
        .join('')}</tr>`;
    })
    .join('\n');
  return `<table class="stats" id="table-${escapeHtml(table.id)}">\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** The full statistics: every metric, latency per stage, outcomes, counters (the tables of summary.md). */
function statisticsSection(summary: RunSummary): string {
  const out = [`<h3>${escapeHtml(metricsTable(summary).title)}</h3>`, statsTableHtml(metricsTable(summary))];
  out.push(`<h3>${escapeHtml(LATENCY_SECTION_TITLE)}</h3>`);
  for (const table of latencyTables(summary)) out.push(`<h4>${escapeHtml(table.title)}</h4>`, statsTableHtml(table));
  for (const table of [outcomesTable(summary), countersTable(summary)])
    out.push(`<h3>${escapeHtml(table.title)}</h3>`, statsTableHtml(table));
  return out.join('\n');
}

/**
 * The Precision section of a run with `--precision`: the rule, why each
 * strategy stopped and each threshold's interval then (summary.md's table);
 * empty without the rule.
 */
function precisionSection(summary: RunSummary): string {
  const table = precisionTable(summary);
  if (!table || !summary.options.precision) return '';
  return `<h2 id="precision">Precision</h2>
<p>${escapeHtml(precisionIntro(summary.options.precision))}</p>
<ul>${precisionReasons(summary)
    .map((r) => `<li>${escapeHtml(r)}</li>`)
    .join('')}</ul>
${statsTableHtml(table)}
`;
}

function checkCell(result: { verdict: CheckVerdict; message: string } | undefined): string {
  if (!result) return `<td class="check">${badge('none', 'not checked')}</td>`;
  const state = result.verdict === 'pass' ? 'pass' : result.verdict === 'caught' ? 'caught' : 'fail';
  const message = verdictMessage(result);
  return `<td class="check ${state}" title="${escapeHtml(message)}">${badge(state, VERDICT_LABEL[result.verdict].toUpperCase())}<span class="detail">${escapeHtml(message)}</span></td>`;
}

function checksTable(summary: RunSummary): string {
  const invariants = [...new Set(summary.strategies.flatMap((s) => s.invariants.map((i) => i.name)))];
  const thresholds = [...new Set(summary.strategies.flatMap((s) => s.thresholds.map((t) => `${t.metric}: ${t.expression}`)))];
  if (invariants.length === 0 && thresholds.length === 0) return '<p>No invariants or thresholds were checked.</p>';
  const head = `<tr><th scope="col">check</th>${summary.strategies.map(strategyHeader).join('')}</tr>`;
  const rows: string[] = [];
  for (const name of invariants) {
    rows.push(
      `<tr><th scope="row">invariant <code>${escapeHtml(name)}</code></th>${summary.strategies.map((s) => checkCell(s.invariants.find((i) => i.name === name))).join('')}</tr>`,
    );
  }
  for (const key of thresholds) {
    rows.push(
      `<tr><th scope="row">threshold <code>${escapeHtml(key)}</code></th>${summary.strategies
        .map((s) => checkCell(s.thresholds.find((t) => `${t.metric}: ${t.expression}` === key)))
        .join('')}</tr>`,
    );
  }
  return `<table class="checks">\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

function scenarioSection(summary: RunSummary): string {
  const first = summary.strategies[0];
  return summary.strategies
    .map((s, i) => {
      const diff = i === 0 ? [] : configDifferences(first.config, s.config);
      const note =
        i === 0
          ? 'the first strategy'
          : diff.length === 0
            ? `same as ${first.name}`
            : `differs from ${first.name} in ${diff.slice(0, 6).join(', ')}${diff.length > 6 ? ', …' : ''}`;
      return `<details${i === 0 ? '' : ''}><summary><span class="swatch" style="background:${strategyColor(i)}"></span><strong>${escapeHtml(s.name)}</strong> <span class="diff">— ${escapeHtml(note)}</span></summary>\n<pre>${escapeHtml(stringify(s.config, { lineWidth: 0 }))}</pre></details>`;
    })
    .join('\n');
}

function figure(spec: ChartSpec): string {
  return `<figure id="chart-${escapeHtml(spec.id)}"><div class="chart" style="aspect-ratio:${spec.width} / ${spec.height}"><canvas data-chart="${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(spec.title)}"></canvas></div><figcaption>${escapeHtml(spec.caption)}</figcaption></figure>`;
}

/** Browser side: builds every chart from the inlined JSON with the shared runtime. */
const BOOT = `
(function () {
  var root = document.documentElement;
  var errors = [];
  function fail(where, error) {
    errors.push(where + ': ' + (error && error.message ? error.message : String(error)));
    root.setAttribute('data-chart-errors', errors.join(' | '));
  }
  window.addEventListener('error', function (event) { fail('page', event.error || event.message); });
  var hydrate = installChartRuntime(Chart);
  Chart.defaults.font.family = ${JSON.stringify(FONT_STACK)};
  Chart.defaults.color = '#333333';
  var specs = JSON.parse(document.getElementById('flashsim-charts').textContent);
  var drawn = 0;
  specs.forEach(function (spec) {
    var canvas = document.querySelector('canvas[data-chart="' + spec.id + '"]');
    if (!canvas) return fail(spec.id, 'no canvas');
    try {
      var config = hydrate(spec.config);
      config.options.responsive = true;
      config.options.maintainAspectRatio = true;
      config.options.aspectRatio = spec.width / spec.height;
      config.options.animation = false;
      new Chart(canvas, config);
      drawn++;
    } catch (error) {
      fail(spec.id, error);
    }
  });
  // For automated checks (e.g. chromium --dump-dom): how many charts were built.
  root.setAttribute('data-charts', String(drawn));
})();
`;

/** What {@link renderHtmlReport} draws. */
export interface HtmlReportOptions {
  /** The charts to draw (default: {@link buildCharts} of the summary). */
  charts?: ChartSpec[];
}

/** report.html's text for a run's summary. */
export function renderHtmlReport(summary: RunSummary, options: HtmlReportOptions = {}): string {
  const charts = options.charts ?? buildCharts(summary);
  const reps = summary.replications;
  const verdictState = summary.verdict.exitCode === 0 ? 'pass' : 'fail';
  const title = `${summary.scenario.name} — flashsim report`;
  const facts: Array<[string, string]> = [
    ['scenario file', summary.scenario.file],
    ['seed', String(summary.seed)],
    [
      'replications',
      // Under --precision strategies may have run different counts: "3–9", as summary.md says.
      `${replicationsText(summary).replace(/ replications?$/, '')}${reps > 1 ? ` (figures: mean ± 95% confidence half-width, or mean [low, high] where the interval stops at 0 or 100%; ${POOLED_PERCENTILE_NOTE}; charts: mean with a 95% band)` : ''}`,
    ],
    ['strategies', summary.strategies.map((s) => s.name).join(', ')],
    ['tool', `${summary.tool.name} ${summary.tool.version}, summary schema ${summary.schemaVersion}`],
  ];
  return `${pageStart(title, `${summary.tool.name} ${summary.tool.version}`)}<header>
<h1>${escapeHtml(summary.scenario.name)}</h1>
${summary.scenario.description ? `<p class="description">${escapeHtml(summary.scenario.description.trim())}</p>` : ''}
<p>${badge(verdictState, verdictLine(summary)).replace('class="badge', 'class="badge verdict')}</p>
<dl class="facts">
${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}
</dl>
<nav><a href="#summary">summary</a>${summary.options.precision ? '<a href="#precision">precision</a>' : ''}<a href="#checks">invariants and thresholds</a><a href="#statistics">statistics</a><a href="#charts">charts</a><a href="#scenario">scenario</a><a href="#reproduce">reproduce</a></nav>
</header>
<main>
<h2 id="summary">Summary</h2>
${headlineTable(summary)}
${precisionSection(summary)}<h2 id="checks">Invariants and thresholds</h2>
${checksTable(summary)}
<h2 id="statistics">Statistics</h2>
<p>Every figure of the run, by the names thresholds use (hover a metric for what it measures).</p>
${statisticsSection(summary)}
<h2 id="charts">Charts</h2>
<noscript><p class="noscript">The charts need JavaScript (inlined in this file; nothing is downloaded). The same charts are in charts/*.png next to this file.</p></noscript>
${charts.map(figure).join('\n')}
<h2 id="scenario">Resolved scenario, per strategy</h2>
<p>Every strategy's configuration after its overlay and overrides, as the simulator used it (times in µs, sizes in bytes, bandwidths in bytes/s, rates per second).</p>
${scenarioSection(summary)}
<h2 id="reproduce">Reproduce</h2>
<pre>${escapeHtml(reproduceCommand(summary))}</pre>
</main>
<footer>${escapeHtml(`Generated by ${summary.tool.name} ${summary.tool.version} from summary.json (schema ${summary.schemaVersion}). Charts drawn with Chart.js, inlined; this file makes no network requests.`)}</footer>
${pageEnd(charts)}`;
}

/**
 * The opening of a self-contained flashsim page (report.html, the plan's
 * report.html), up to and including `<body>`: a policy that allows no
 * network request, the shared stylesheet, the generator named.
 */
export function pageStart(title: string, generator: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="${escapeHtml(generator)}">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
`;
}

/** The end of a page drawing `charts`: Chart.js, the chart runtime, the charts' data and the boot script, inlined; then `</body></html>`. */
export function pageEnd(charts: ReadonlyArray<Pick<ChartSpec, 'id' | 'width' | 'height' | 'config'>>): string {
  const chartData = charts.map((c) => ({ id: c.id, width: c.width, height: c.height, config: c.config }));
  return `<script>${scriptSource(chartJsUmd())}</script>
<script>${scriptSource(`var installChartRuntime = ${installChartRuntime.toString()};`)}</script>
<script type="application/json" id="flashsim-charts">${scriptJson(chartData)}</script>
<script>${scriptSource(BOOT)}</script>
</body>
</html>
`;
}

/**
 * The visual report of a run: `charts/<id>.png` for every chart and
 * `report.html`, by path relative to the run directory.
 */
export async function renderVisualReport(summary: RunSummary): Promise<Map<string, string | Uint8Array>> {
  const charts = buildCharts(summary);
  // Loaded on first use: the canvas binding costs a few hundred ms that `sim validate` need not pay.
  const { renderChartFilesAsync } = await import('./charts/render.js');
  const files = new Map<string, string | Uint8Array>(await renderChartFilesAsync(summary, { charts }));
  files.set('report.html', renderHtmlReport(summary, { charts }));
  return files;
}

/**
 * Adds the visual report (charts/*.png, report.html) to a set of run
 * files about to be written into `dir` — when the set is a run's reports
 * (it has summary.md) and the summary is at hand: in the set itself
 * (`sim run`, `sim report --out`) or already in `dir` (`sim report` in
 * place). Any other set is returned unchanged. If drawing fails, the set
 * gets {@link VISUAL_REPORT_ERROR_FILE} instead, so a long run's data is
 * still written.
 */
export async function withVisualReport(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
): Promise<ReadonlyMap<string, string | Uint8Array>> {
  if (!files.has('summary.md')) return files;
  let text = files.get('summary.json');
  if (text === undefined) {
    try {
      text = await readFile(join(dir, 'summary.json'), 'utf8');
    } catch {
      return files;
    }
  }
  const out = new Map(files);
  try {
    const asText = (content: string | Uint8Array): string =>
      typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
    const beside = async (name: string): Promise<string | undefined> => {
      const content = files.get(name) ?? (await readFile(join(dir, name), 'utf8').catch(() => undefined));
      return content === undefined ? undefined : asText(content);
    };
    const parsed = parseSummaryJson(asText(text), join(dir, 'summary.json'));
    const withSeries = attachRunTimeseries(parsed, await beside(TIMESERIES_FILE), join(dir, TIMESERIES_FILE));
    const summary = attachRunDetail(withSeries, await beside(REPLICATIONS_FILE), join(dir, REPLICATIONS_FILE));
    for (const [name, content] of await renderVisualReport(summary)) if (!out.has(name)) out.set(name, content);
  } catch (error) {
    // The run's data must not be lost to a drawing problem: write the rest, and say what failed.
    const e = error as Error;
    out.set(VISUAL_REPORT_ERROR_FILE, `flashsim could not draw the charts or report.html for this run:\n${e.stack ?? e.message}\n`);
  }
  return out;
}

/** Written instead of the charts and report.html when drawing them failed (the other files are still written). */
export const VISUAL_REPORT_ERROR_FILE = 'report-error.txt';
