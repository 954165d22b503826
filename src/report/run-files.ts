import { renderJunitXml } from './junit.js';
import { renderSummaryMarkdown } from './summary-md.js';
import { renderSummaryJson, type RunSummary } from '../results/summary.js';
import { renderTimeseriesCsv } from './timeseries-csv.js';
import { renderReplicationsJsonl } from './replications-jsonl.js';
import { recoverLeftovers, writeFilesAtomic, type WriteSetOptions } from './write-atomic.js';
import { withVisualReport } from './html.js';

/** The report files of a summary, by name (summary.json, summary.md, timeseries.csv, replications.jsonl, junit.xml). */
export function renderRunFiles(summary: RunSummary): Map<string, string> {
  return new Map([
    ['summary.json', renderSummaryJson(summary)],
    ['summary.md', renderSummaryMarkdown(summary)],
    ['timeseries.csv', renderTimeseriesCsv(summary)],
    ['replications.jsonl', renderReplicationsJsonl(summary)],
    ['junit.xml', renderJunitXml(summary)],
  ]);
}

/**
 * Writes files into a run directory as one set (see {@link writeFilesAtomic}):
 * every file is replaced, or none is, even if the process is killed; on
 * failure nothing new remains. A run's report set (it has summary.md) gets
 * its charts/*.png and report.html added. Files too large to hold in memory
 * (Parquet tables) join the set through `options.stage`, which writes them
 * by path into the staging directory.
 */
export async function writeRunDirectory(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  options: WriteSetOptions = {},
): Promise<string[]> {
  // First, so that the charts of a rebuilt report are drawn from the summary.json of a whole set.
  const leftovers = await recoverLeftovers(dir);
  if (leftovers) options.onLeftovers?.(leftovers);
  return writeFilesAtomic(dir, await withVisualReport(dir, files), options);
}
