import type { PrecisionOption, PrecisionStop, RunSummary } from '../results/summary.js';

/**
 * What a precision-driven run (`sim run --precision`) says in its reports:
 * the replications each strategy got and why it stopped, shared by the
 * console summary and summary.md. A run without the rule shows nothing new.
 */

/** How each way of stopping reads in a table cell. */
export const STOP_LABEL: Record<PrecisionStop, string> = {
  decided: 'decided',
  precise: 'precise',
  'max-replications': 'limit reached',
  'no-thresholds': 'no thresholds',
};

/** 0.05 → "5%", 0.025 → "2.5%". */
export function formatTarget(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

/** "3 replications", or with strategies that got different counts "4–12 replications". */
export function replicationsText(summary: RunSummary): string {
  const counts = summary.strategies.map((s) => s.runs.length);
  const least = Math.min(...counts);
  const most = Math.max(...counts);
  return least === most ? `${most} replication${most === 1 ? '' : 's'}` : `${least}–${most} replications`;
}

/** The rule in one phrase: "until each threshold's 95% CI decides or is within ±5% of its mean, 3 at a time, at most 12". */
export function precisionRuleText(rule: PrecisionOption): string {
  return `replications added until each threshold's 95% CI decides or is within ±${formatTarget(rule.target)} of its mean, ${rule.batch} at a time, at most ${rule.maxReplications}`;
}

/** The Precision section's opening sentence (summary.md and report.html). */
export function precisionIntro(rule: PrecisionOption): string {
  return `The ${precisionRuleText(rule)}. Each threshold's interval is over its per-replication values (decided: it lies on one side of the limit; precise: its half-width is within the target share of the mean; open: neither).`;
}

/** Each strategy's reason for stopping, as "name: reason". */
export function precisionReasons(summary: RunSummary): string[] {
  return summary.strategies.flatMap((s) => (s.precision ? [`${s.name}: ${s.precision.reason}`] : []));
}

/** The headline table's row: each strategy's replications and why they stopped there (none without the rule). */
export function precisionRows(summary: RunSummary): string[][] {
  if (!summary.strategies.some((s) => s.precision)) return [];
  return [
    [
      'replications',
      ...summary.strategies.map((s) =>
        s.precision ? `${s.precision.replications} (${STOP_LABEL[s.precision.stopped]})` : String(s.runs.length),
      ),
    ],
  ];
}

/** The console's lines under the table: the rule, then each strategy's reason. */
export function precisionLines(summary: RunSummary): string[] {
  const rule = summary.options.precision;
  if (!rule) return [];
  return [
    `precision: ${precisionRuleText(rule)}`,
    ...summary.strategies.flatMap((s) => (s.precision ? [`  ${s.name}: ${s.precision.reason}`] : [])),
  ];
}
