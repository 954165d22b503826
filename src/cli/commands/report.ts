import { readSummary } from '../../app/run-directory.js';
import { renderConsoleSummary } from '../../report/console-table.js';
import { renderRunFiles } from '../../report/run-files.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { CtrlC, Interrupted, writtenMessage } from '../ctrl-c.js';
import { checkOutput, writeOutputs } from '../outputs.js';

/** `sim report`'s arguments, as yargs parsed them. */
export interface ReportArgs {
  /** Run directory (or its summary.json) to rebuild from. */
  runDir: string;
  /** Where to write the rebuilt reports (default: the run directory). */
  out?: string;
  /** Errors only. */
  quiet: boolean;
}

/**
 * `sim report <run-dir>`: rebuilds summary.md, timeseries.csv, junit.xml,
 * charts and report.html from the run's summary.json (nothing is simulated again), into
 * the run directory or --out, and prints the console summary. summary.json
 * itself is copied to --out, never rewritten in place.
 */
export async function reportCommand(args: ReportArgs, io: CliIO): Promise<number> {
  const ctrlC = new CtrlC();
  // Nothing here holds the thread for long: a Ctrl-C stops before the write, or after it is complete.
  ctrlC.listen();
  try {
    const { file, summary } = await readSummary(args.runDir);
    const dir = args.out ?? (file.endsWith('summary.json') ? file.slice(0, -'summary.json'.length) || '.' : args.runDir);
    await checkOutput(dir);
    const files = renderRunFiles(summary);
    if (args.out === undefined) files.delete('summary.json');
    if (ctrlC.interrupted) throw new Interrupted();
    const written = await writeOutputs(dir, files);
    if (ctrlC.interrupted) throw new Interrupted(writtenMessage([`${dir.replace(/\/$/, '')}/`]));
    if (!args.quiet) {
      await write(io.stdout, `${renderConsoleSummary(summary, 'report')}\n`);
      await write(io.stderr, `wrote ${written.join(', ')}\n`);
    }
    return EXIT.ok;
  } finally {
    ctrlC.ignore();
  }
}
