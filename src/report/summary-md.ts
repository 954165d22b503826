import { isFailure, VERDICT_LABEL, verdictMessage } from './verdicts.js';
import type { CheckVerdict } from '../results/summary.js';
import { HEADLINE_ROWS, POOLED_PERCENTILE_NOTE, costRows, verdictLine } from './console-table.js';
import { formatTarget, precisionIntro, precisionReasons, precisionRows, precisionRuleText, replicationsText } from './precision.js';
import type { RunSummary, StrategySummary } from '../results/summary.js';
import {
  countersTable,
  LATENCY_SECTION_TITLE,
  latencyTables,
  metricsTable,
  outcomesTable,
  precisionTable,
  type StatsTable,
} from './stats-tables.js';
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

/** The `flashsim run` command line that reproduces this summary (in a checkout, `./flashsim` runs the same). */
export function reproduceCommand(summary: RunSummary): string {
  const args = ['flashsim', 'run', summary.scenario.file];
  const o = summary.options;
  if (o.strategies) args.push('--strategy', o.strategies.join(','));
  // With the precision rule, the first batch and the rule: the counts follow from them.
  const p = o.precision;
  args.push('--seed', String(summary.seed), '--replications', String(p ? p.batch : summary.replications));
  if (p) args.push('--precision', formatTarget(p.target), '--max-replications', String(p.maxReplications));
  if (o.users !== null) args.push('--users', String(o.users));
  for (const s of o.set) args.push('--set', s);
  return args.map(shellArg).join(' ');
}

function strategyColumns(summary: RunSummary, row: (s: StrategySummary) => string): string[] {
  return summary.strategies.map(row);
}

/** A {@link StatsTable} as a Markdown table. */
function mdStats(table: StatsTable): string {
  return mdTable(table.header, table.rows);
}

/** A result cell: the verdict's label, in bold when it fails the run. */
function resultCell(verdict: CheckVerdict): string {
  return isFailure(verdict) ? `**${VERDICT_LABEL[verdict]}**` : VERDICT_LABEL[verdict];
}

/** "## Precision": per strategy why it stopped, and each threshold's interval then (nothing without the rule). */
function precisionSection(summary: RunSummary): string[] {
  const table = precisionTable(summary);
  if (!table || !summary.options.precision) return [];
  return [
    '## Precision',
    '',
    precisionIntro(summary.options.precision),
    '',
    ...precisionReasons(summary).map((r) => `- ${r}`),
    '',
    mdTable(table.header, table.rows),
    '',
  ];
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
    `- seed: \`${summary.seed}\`, replications: ${replicationsText(summary).replace(/ replications?$/, '')}${reps > 1 ? ` (figures are mean ± 95% confidence half-width, or mean [low, high] where the interval stops at 0 or 100%; ${POOLED_PERCENTILE_NOTE})` : ''}`,
    ...(summary.options.precision ? [`- precision: ${precisionRuleText(summary.options.precision)}`] : []),
    `- flashsim ${summary.tool.version}, summary schema ${summary.schemaVersion}`,
    `- verdict: **${verdictLine(summary)}**`,
    '',
    '## Headline',
    '',
    mdTable(
      ['', ...names],
      [...HEADLINE_ROWS.map((r) => [r.label, ...strategyColumns(summary, r.cell)]), ...costRows(summary), ...precisionRows(summary)],
    ),
    '',
  );
  out.push(...precisionSection(summary));
  out.push('## Metrics', '', mdStats(metricsTable(summary)), '');
  out.push(`## ${LATENCY_SECTION_TITLE}`, '');
  for (const table of latencyTables(summary)) out.push(`### ${table.title}`, '', mdStats(table), '');
  for (const table of [outcomesTable(summary), countersTable(summary)]) out.push(`## ${table.title}`, '', mdStats(table), '');

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
