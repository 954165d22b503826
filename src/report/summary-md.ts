import { isFailure, VERDICT_LABEL, verdictMessage } from './verdicts.js';
import type { CheckVerdict } from '../results/summary.js';
import { METRIC_CATALOGUE, METRIC_NAMES } from '../metrics/catalogue.js';
import { LATENCY_NAMES, latencyNameOf } from '../results/result.js';
import { formatEstimate, formatMicros, formatNumber, HEADLINE_ROWS, POOLED_PERCENTILE_NOTE, verdictLine } from './console-table.js';
import type { RunSummary, StrategySummary } from '../results/summary.js';
import type { Estimate } from '../results/aggregate.js';
import { renderChartsMarkdown } from './charts/markdown.js';
import { buildCharts } from './charts/specs.js';

/**
 * summary.md: the run in Markdown (for a pull request, a wiki, a chat):
 * the verdict, the headline table, every named metric, latency
 * percentiles, user outcomes, the invariants and thresholds, and the
 * command that reproduces the run. Built from summary.json alone.
 */

/** Escapes a table cell: pipes and newlines would break the row. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table; the first column left-aligned, the others right-aligned (or all left). */
export function mdTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, allLeft = false): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  const rule = `|${header.map((_, j) => (j === 0 || allLeft ? ' --- ' : ' ---: ')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Quotes a shell argument when needed (POSIX sh). */
function shellArg(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The `sim run` command line that reproduces this summary. */
export function reproduceCommand(summary: RunSummary): string {
  const args = ['sim', 'run', summary.scenario.file];
  const o = summary.options;
  if (o.strategies) args.push('--strategy', o.strategies.join(','));
  args.push('--seed', String(summary.seed), '--replications', String(summary.replications));
  if (o.users !== null) args.push('--users', String(o.users));
  for (const s of o.set) args.push('--set', s);
  return args.map(shellArg).join(' ');
}

function strategyColumns(summary: RunSummary, row: (s: StrategySummary) => string): string[] {
  return summary.strategies.map(row);
}

/** One row per name that any strategy has in `pick(strategy)` (counts, never below 0), one column per strategy. */
function countsTable(summary: RunSummary, label: string, pick: (s: StrategySummary) => Record<string, Estimate>): string {
  const rowNames = [...new Set(summary.strategies.flatMap((s) => Object.keys(pick(s))))];
  return mdTable(
    [label, ...summary.strategies.map((s) => s.name)],
    rowNames.map((name) => [name, ...strategyColumns(summary, (s) => formatEstimate('', pick(s)[name], { min: 0 }))]),
  );
}

/** A result cell: the verdict's label, in bold when it fails the run. */
function resultCell(verdict: CheckVerdict): string {
  return isFailure(verdict) ? `**${VERDICT_LABEL[verdict]}**` : VERDICT_LABEL[verdict];
}

/** summary.md's text for a run's summary. */
export function renderSummaryMarkdown(summary: RunSummary): string {
  const out: string[] = [];
  const names = summary.strategies.map((s) => s.name);
  const reps = summary.replications;
  out.push(`# ${summary.scenario.name}`, '');
  if (summary.scenario.description) out.push(summary.scenario.description.trim(), '');
  out.push(
    `- scenario file: \`${summary.scenario.file}\``,
    `- seed: \`${summary.seed}\`, replications: ${reps}${reps > 1 ? ` (figures are mean ± 95% confidence half-width, or mean [low, high] where the interval stops at 0 or 100%; ${POOLED_PERCENTILE_NOTE})` : ''}`,
    `- flashsim ${summary.tool.version}, summary schema ${summary.schemaVersion}`,
    `- verdict: **${verdictLine(summary)}**`,
    '',
    '## Headline',
    '',
    mdTable(
      ['', ...names],
      HEADLINE_ROWS.map((r) => [r.label, ...strategyColumns(summary, r.cell)]),
    ),
    '',
    '## Metrics',
    '',
  );
  const metricRows: string[][] = [];
  for (const name of METRIC_NAMES) {
    const info = METRIC_CATALOGUE[name];
    if (info.kind === 'latency') {
      const kind = latencyNameOf(name)!;
      metricRows.push([
        `${name} p99`,
        ...strategyColumns(summary, (s) => {
          const l = s.aggregate.latency[kind];
          return l && l.count > 0 ? formatMicros(l.p99) : '—';
        }),
      ]);
    } else {
      metricRows.push([name, ...strategyColumns(summary, (s) => formatEstimate(name, s.aggregate.metrics[name]))]);
    }
  }
  out.push(mdTable(['metric', ...names], metricRows), '');

  out.push('## Latency (all replications merged)', '');
  for (const kind of LATENCY_NAMES) {
    const rows = summary.strategies.map((s) => {
      const l = s.aggregate.latency[kind];
      if (!l || l.count === 0) return [s.name, '0', '—', '—', '—', '—', '—', '—'];
      return [
        s.name,
        formatNumber(l.count),
        formatMicros(l.mean),
        formatMicros(l.p50),
        formatMicros(l.p90),
        formatMicros(l.p99),
        formatMicros(l.p999),
        formatMicros(l.max),
      ];
    });
    out.push(`### ${kind.replace('_', ' ')}`, '', mdTable(['strategy', 'count', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'], rows), '');
  }

  out.push(
    '## User outcomes',
    '',
    countsTable(summary, 'outcome', (s) => s.aggregate.outcomes),
    '',
  );
  // Every raw counter of the run (summary.json's `counters`), so that a
  // scenario's "what to look at" can name one and find it here.
  out.push(
    '## Counters',
    '',
    countsTable(summary, 'counter', (s) => s.aggregate.counters),
    '',
  );

  out.push('## Invariants', '');
  const invariantRows: string[][] = [];
  for (const s of summary.strategies) {
    for (const i of s.invariants) invariantRows.push([s.name, i.name, resultCell(i.verdict), verdictMessage(i)]);
  }
  out.push(invariantRows.length ? mdTable(['strategy', 'invariant', 'result', 'detail'], invariantRows) : 'No invariants checked.', '');

  out.push('## Thresholds', '');
  const thresholdRows: string[][] = [];
  for (const s of summary.strategies) {
    for (const t of s.thresholds) thresholdRows.push([s.name, `${t.metric}: ${t.expression}`, resultCell(t.verdict), verdictMessage(t)]);
  }
  out.push(thresholdRows.length ? mdTable(['strategy', 'threshold', 'result', 'detail'], thresholdRows) : 'No thresholds set.', '');

  out.push(renderChartsMarkdown(buildCharts(summary)));
  out.push('## Reproduce', '', '```sh', reproduceCommand(summary), '```', '');
  return out.join('\n');
}
