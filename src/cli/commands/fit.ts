import { UsageError } from '../../errors.js';
import { fitSamples } from '../../fit/fit.js';
import { readSamples, SAMPLE_FORMATS, type SampleFormat } from '../../fit/read.js';
import { readSampleFile } from '../../fit/read-file.js';
import { renderFitJson, renderFitText, type FitSource } from '../../fit/render.js';
import { renderFitChartFiles } from '../../report/charts/fit-chart.js';
import { CtrlC, Interrupted, writtenMessage } from '../ctrl-c.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { checkOutput, writeOutputs } from '../outputs.js';

/** `sim fit`'s arguments, as yargs parsed them. */
export interface FitArgs {
  /** The samples file. */
  samples: string;
  /** `--format`: csv, lines, k6, hdr (default: detected). */
  format?: string;
  /** `--column`: the CSV column. */
  column?: string;
  /** `--unit`: unit of bare numbers (ns, us, ms, s). */
  unit?: string;
  /** `--metric`: the k6 metric. */
  metric?: string;
  /** `--bootstrap`: replicates per family, as typed. */
  bootstrap?: string;
  /** `--seed`: seed of the bootstrap, as typed. */
  seed?: string;
  /** `--out`: directory for fit.json, fit-cdf.png, fit-qq.png. */
  out?: string;
  /** `--json`: print fit.json on stdout instead of the table. */
  json: boolean;
}

function wholeNumber(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(text)) throw new UsageError(`--${option}: expected a whole number (got ${JSON.stringify(text)})`);
  return Number(text);
}

/**
 * `sim fit <samples>`: reads measured latencies, fits every distribution
 * of the scenario language, prints the ranked table and the best fit as a
 * scenario value; with --out, writes fit.json and the two charts as one set.
 */
export async function fitCommand(args: FitArgs, io: CliIO): Promise<number> {
  if (args.format !== undefined && !(SAMPLE_FORMATS as readonly string[]).includes(args.format)) {
    throw new UsageError(`--format: expected one of ${SAMPLE_FORMATS.join(', ')} (got ${JSON.stringify(args.format)})`);
  }
  // --metric is repeatable for `sim sweep`; a fit reads one.
  if (Array.isArray(args.metric)) throw new UsageError(`--metric given ${args.metric.length} times; sim fit reads one metric`);
  const bootstrap = wholeNumber('bootstrap', args.bootstrap);
  const seed = wholeNumber('seed', args.seed);
  // Pre-flight: an unwritable --out fails before the work.
  if (args.out !== undefined) await checkOutput(args.out);
  const text = readSampleFile(args.samples);
  const set = readSamples(text, {
    file: args.samples,
    ...(args.format !== undefined ? { format: args.format as SampleFormat } : {}),
    ...(args.column !== undefined ? { column: args.column } : {}),
    ...(args.unit !== undefined ? { unit: args.unit } : {}),
    ...(args.metric !== undefined ? { metric: args.metric } : {}),
  });
  const report = fitSamples(set.valuesUs, {
    ...(bootstrap !== undefined ? { bootstrap } : {}),
    ...(seed !== undefined ? { seed } : {}),
  });
  const source: FitSource = { file: args.samples, format: set.format, what: set.what };
  const json = renderFitJson(report, source);
  if (args.out !== undefined) {
    const files = new Map<string, string | Uint8Array>([['fit.json', json]]);
    const sorted = Float64Array.from(set.valuesUs).sort();
    for (const [name, png] of renderFitChartFiles(report, sorted, args.samples)) files.set(name, png);
    const ctrlC = new CtrlC();
    ctrlC.listen();
    try {
      await writeOutputs(args.out, files);
    } finally {
      ctrlC.ignore();
    }
    if (ctrlC.interrupted) throw new Interrupted(writtenMessage([args.out]));
  }
  await write(io.stdout, args.json ? json : renderFitText(report, source));
  if (args.out !== undefined && !args.json) await write(io.stderr, `wrote ${args.out}/ (fit.json, fit-cdf.png, fit-qq.png)\n`);
  return EXIT.ok;
}
