import { z } from 'zod';
import { LATENCY_NAMES, latencyMetricOf, type SummaryRun } from '../results/result.js';
import type { RunSummary } from '../results/summary.js';

/**
 * replications.jsonl: the bulky per-replication data summary.json refers
 * to instead of holding (see `RunDetailReference` in src/results/summary.ts),
 * one JSON object per line, one line per (strategy, replication) in
 * summary order: `strategy`, `replication`, `histograms` (each latency
 * metric's HdrHistogram, base64 as in summary.json, by metric name),
 * `latencyOverTime` (when the run kept it) and `acceptance` (the bounded
 * acceptance times). A line is tens of kB whatever the stock and users, and
 * only a reader that draws per-replication curves needs the file.
 */

/** One line of replications.jsonl. */
export interface RunDetailLine {
  strategy: string;
  replication: number;
  /** HdrHistogram (base64, as `LatencySummary.histogram`) of each latency metric the run has, by metric name (`order_latency`). */
  histograms: Record<string, string>;
  latencyOverTime?: SummaryRun['latencyOverTime'];
  acceptance: SummaryRun['acceptance'];
}

/** The line of one run. */
export function runDetailLine(strategy: string, run: SummaryRun): RunDetailLine {
  const histograms: Record<string, string> = {};
  for (const stage of LATENCY_NAMES) {
    const latency = run.latency[stage];
    if (latency) histograms[latencyMetricOf(stage)] = latency.histogram;
  }
  const line: RunDetailLine = { strategy, replication: run.replication, histograms, acceptance: run.acceptance };
  if (run.latencyOverTime) line.latencyOverTime = run.latencyOverTime;
  return line;
}

/** replications.jsonl's text: every run of every strategy, summary order, one compact line each. */
export function renderReplicationsJsonl(summary: RunSummary): string {
  const lines: string[] = [];
  for (const s of summary.strategies) for (const run of s.runs) lines.push(JSON.stringify(runDetailLine(s.name, run)));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

const rows = z.array(z.array(z.number().nullable()));
const LINE_SHAPE = z.object({
  strategy: z.string(),
  replication: z.number().int().nonnegative(),
  histograms: z.record(z.string(), z.string()),
  latencyOverTime: z
    .looseObject({ intervalUs: z.number(), columns: z.array(z.string()), order: rows.optional(), page: rows.optional() })
    .optional(),
  acceptance: z.object({ count: z.number().int().nonnegative(), timesUs: z.array(z.number()) }),
});

/** Whether a parsed run still waits for its replications.jsonl line (see `runFromDisk` in src/results/summary.ts). */
export function awaitsDetail(run: SummaryRun): boolean {
  return 'detail' in run;
}

/**
 * A summary whose runs' histograms, latency over time and acceptance times
 * are read back from replications.jsonl. Runs that already hold them (a
 * summary in memory, or one of schema 4) are kept as they are.
 *
 * @param where how to name the file in messages.
 * @throws {Error} with a one-line message when the file is missing or does not hold what summary.json refers to.
 */
export function attachRunDetail(summary: RunSummary, text: string | undefined, where: string): RunSummary {
  if (!summary.strategies.some((s) => s.runs.some(awaitsDetail))) return summary;
  if (text === undefined) throw new Error(`${where}: missing (it holds the replications' histograms that summary.json refers to)`);
  const byRun = new Map<string, RunDetailLine>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(lines[i]);
    } catch (error) {
      throw new Error(`${where}:${i + 1}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    const checked = LINE_SHAPE.safeParse(data);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new Error(`${where}:${i + 1}: ${issue.path.join('.') || 'the line'}: ${issue.message.replace(/^Invalid input: /, '')}`);
    }
    const line = checked.data as RunDetailLine;
    byRun.set(`${line.strategy}\u0000${line.replication}`, line);
  }
  const strategies = summary.strategies.map((s) => ({
    ...s,
    runs: s.runs.map((run) => {
      if (!awaitsDetail(run)) return run;
      const line = byRun.get(`${s.name}\u0000${run.replication}`);
      if (!line) throw new Error(`${where}: no line for strategy ${s.name} replication ${run.replication}, which summary.json refers to`);
      const latency = { ...run.latency };
      for (const stage of LATENCY_NAMES) {
        const summaryOf = latency[stage];
        if (!summaryOf) continue;
        const histogram = line.histograms[latencyMetricOf(stage)];
        if (histogram === undefined)
          throw new Error(`${where}: strategy ${s.name} replication ${run.replication} has no ${latencyMetricOf(stage)} histogram`);
        latency[stage] = { ...summaryOf, histogram };
      }
      const { detail: _detail, ...rest } = run as SummaryRun & { detail: unknown };
      const attached: SummaryRun = { ...rest, latency, acceptance: line.acceptance };
      if (line.latencyOverTime) attached.latencyOverTime = line.latencyOverTime;
      return attached;
    }),
  }));
  return { ...summary, strategies };
}
