import { UsageError } from '../../errors.js';
import { readSummary, renderConsoleSummary, renderRunFiles, writeRunDirectory } from '../../index.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';

export interface ReportArgs {
  runDir: string;
  out?: string;
  quiet: boolean;
}

/**
 * `sim report <run-dir>`: rebuilds summary.md, timeseries.csv, junit.xml,
 * charts and report.html from the run's summary.json (nothing is simulated again), into
 * the run directory or --out, and prints the console summary. summary.json
 * itself is copied to --out, never rewritten in place.
 */
export async function reportCommand(args: ReportArgs, io: CliIO): Promise<number> {
  const { file, summary } = await readSummary(args.runDir);
  const files = renderRunFiles(summary);
  const dir = args.out ?? (file.endsWith('summary.json') ? file.slice(0, -'summary.json'.length) || '.' : args.runDir);
  if (args.out === undefined) files.delete('summary.json');
  let written: string[];
  try {
    written = await writeRunDirectory(dir, files);
  } catch (error) {
    throw new UsageError(`cannot write ${dir}: ${(error as Error).message}`);
  }
  if (!args.quiet) {
    await write(io.stdout, `${renderConsoleSummary(summary)}\n`);
    await write(io.stderr, `wrote ${written.join(', ')}\n`);
  }
  return EXIT.ok;
}
