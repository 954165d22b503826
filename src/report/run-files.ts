import { renderJunitXml } from './junit.js';
import { renderSummaryMarkdown } from './summary-md.js';
import { renderSummaryJson, type RunSummary } from '../results/summary.js';
import { renderTimeseriesCsv } from './timeseries-csv.js';
import { writeFilesAtomic } from './write-atomic.js';
import { withVisualReport } from './html.js';

/** The report files of a summary, by name (summary.json, summary.md, timeseries.csv, junit.xml). */
export function renderRunFiles(summary: RunSummary): Map<string, string> {
  return new Map([
    ['summary.json', renderSummaryJson(summary)],
    ['summary.md', renderSummaryMarkdown(summary)],
    ['timeseries.csv', renderTimeseriesCsv(summary)],
    ['junit.xml', renderJunitXml(summary)],
  ]);
}

/**
 * Writes files into a run directory, each atomically; on failure nothing new remains.
 * A run's report set (it has summary.md) gets its charts/*.png and report.html added.
 */
export async function writeRunDirectory(dir: string, files: ReadonlyMap<string, string | Uint8Array>): Promise<string[]> {
  return writeFilesAtomic(dir, await withVisualReport(dir, files));
}
