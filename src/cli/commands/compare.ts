import { UsageError } from '../../errors.js';
import { renderCompareChartPng } from '../../report/charts/compare-chart.js';
import { dirname } from 'node:path';
import { checkWritableDirectory, writeFileAtomic } from '../../report/write-atomic.js';
import { compareSummaries, regressions, renderCompareMarkdown, renderCompareText } from '../../report/compare.js';
import { readSummary } from '../../app/run-directory.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { CtrlC, Interrupted, writtenMessage } from '../ctrl-c.js';

/** `sim compare`'s arguments, as yargs parsed them. */
export interface CompareArgs {
  /** Run directory or summary.json of the baseline. */
  baseline: string;
  /** Run directory or summary.json of the candidate. */
  candidate: string;
  /** Print a Markdown table (for a PR comment) instead of plain text. */
  markdown: boolean;
  /** `--max-regression` as typed ("10%" or 0.1): checked by {@link parseRegression}. */
  maxRegression?: string;
  /** Also write a PNG chart of the relative changes here. */
  chart?: string;
}

/**
 * "10%" → 0.1, "0.1" → 0.1. A bare number of 1 or more is refused: "10"
 * could mean 10% or the fraction 10 (1000%), and reading it as the latter
 * turned a meant 10% gate into one that lets nearly everything pass.
 */
export function parseRegression(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!Number.isFinite(value) || value < 0) {
    throw new UsageError(`--max-regression: expected a percentage such as 10% or a fraction such as 0.1 (got ${JSON.stringify(text)})`);
  }
  if (m && !m[2] && value >= 1) {
    throw new UsageError(
      `--max-regression: a bare ${m[1]} is ambiguous: write ${m[1]}% for a percentage, or a fraction below 1 such as 0.1`,
    );
  }
  return value;
}

/**
 * `sim compare <baseline> <candidate>`: metric deltas per strategy. With
 * --max-regression, exit 99 when any metric got worse by more than that;
 * with --chart, also write a PNG of the relative changes (atomically).
 */
export async function compareCommand(args: CompareArgs, io: CliIO): Promise<number> {
  const gate = args.maxRegression !== undefined ? parseRegression(args.maxRegression) : undefined;
  if (args.chart !== undefined && !/\.png$/i.test(args.chart)) {
    throw new UsageError(`--chart: expected a .png file name (got ${JSON.stringify(args.chart)})`);
  }
  // Pre-flight: an unwritable --chart fails before the summaries are read and compared.
  if (args.chart !== undefined) {
    try {
      await checkWritableDirectory(dirname(args.chart));
    } catch (error) {
      throw new UsageError(`--chart ${args.chart}: ${(error as Error).message}`);
    }
  }
  const a = await readSummary(args.baseline, { perRunFiles: false });
  const b = await readSummary(args.candidate, { perRunFiles: false });
  const comparison = compareSummaries(a.summary, b.summary, [args.baseline, args.candidate]);
  // Nothing compared is not a passed gate (a renamed strategy, the wrong run).
  if (comparison.rows.length === 0) {
    const names = (s: typeof a.summary): string => s.strategies.map((x) => x.name).join(', ') || 'none';
    throw new UsageError(
      `nothing to compare: ${args.baseline} and ${args.candidate} have no strategy in common (baseline: ${names(a.summary)}; candidate: ${names(b.summary)}); strategies are matched by name`,
    );
  }
  if (args.chart !== undefined) {
    const png = renderCompareChartPng(
      comparison,
      a.summary.strategies.map((s) => s.name),
    );
    const ctrlC = new CtrlC();
    ctrlC.listen();
    try {
      await writeFileAtomic(args.chart, png);
    } catch (error) {
      throw new UsageError(`--chart ${args.chart}: ${(error as Error).message}`);
    } finally {
      ctrlC.ignore();
    }
    if (ctrlC.interrupted) throw new Interrupted(writtenMessage([args.chart]));
  }
  await write(io.stdout, args.markdown ? renderCompareMarkdown(comparison, gate) : renderCompareText(comparison, gate));
  return gate !== undefined && regressions(comparison, gate).length > 0 ? EXIT.threshold : EXIT.ok;
}
