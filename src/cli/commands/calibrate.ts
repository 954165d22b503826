import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { parseCount, parseDuration, UnitError } from '../../kernel/units.js';
import { calibrateStock, DEFAULT_CONCURRENCY, type Calibration } from '../../calibrate/calibrate.js';
import { levelTable, renderCalibrationFiles, THROUGHPUT_ERROR_TARGET } from '../../calibrate/render.js';
import { parseTarget } from '../../calibrate/target.js';
import { CtrlC, Interrupted, writtenMessage } from '../ctrl-c.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { errorText } from '../messages.js';
import { checkOutput, writeOutputs } from '../outputs.js';

/** `sim calibrate stock`'s arguments, as yargs parsed them. */
export interface CalibrateArgs {
  /** What to calibrate: only `stock` today. */
  what: string;
  /** `--target` URL (loopback only). */
  target?: string;
  /** `--concurrency 1,2,4`. */
  concurrency?: string;
  /** `--takes` per level. */
  takes?: string;
  /** `--duration` per level ("10s"). */
  duration?: string;
  /** `--rounds` per level. */
  rounds?: string;
  /** `--stock`: units per round. */
  stock?: string;
  /** `--primitive`, comma-separated. */
  primitive?: string;
  /** `--hold-out`: fit again on every other level, judge on the rest. */
  holdOut?: boolean;
  /** Output directory. */
  out?: string;
  /** Print calibration.json on stdout. */
  json: boolean;
  /** No progress and no table. */
  quiet: boolean;
}

/** Most clients of one level: each is a connection, and the store must take them all. */
const MAX_CONCURRENCY = 4096;
/** Most takes of one level (the ledger of a level is kept in memory). */
const MAX_TAKES = 10_000_000;

/** "1,2,4,8" → [1, 2, 4, 8], ascending, without repeats. @throws {UsageError} */
export function parseConcurrency(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  const bad = parts.find((_, i) => !(Number.isInteger(values[i]) && values[i] >= 1 && values[i] <= MAX_CONCURRENCY));
  if (bad !== undefined) {
    throw new UsageError(
      `--concurrency: expected client counts from 1 to ${MAX_CONCURRENCY}, comma-separated, e.g. 1,2,4,8 (got ${JSON.stringify(bad)})`,
    );
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

function option<T>(name: string, text: string | undefined, parse: (t: string) => T, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof UnitError) throw new UsageError(`--${name}: ${error.message}`);
    throw error;
  }
}

function positive(name: string, max: number): (t: string) => number {
  return (t) => {
    const n = parseCount(t);
    if (!(n >= 1 && n <= max)) throw new UsageError(`--${name}: expected 1 to ${max} (got ${JSON.stringify(t)})`);
    return n;
  };
}

function defaultDirectory(kind: string, at: Date): string {
  return join(
    'reports',
    'calibrate',
    `${kind}-${at
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}`,
  );
}

/** The console table: one block per primitive. */
function renderTable(c: Calibration): string {
  const out: string[] = [];
  for (const p of c.primitives) {
    const verdict = p.correct
      ? `${p.auditPassed ? 'audit pass' : 'AUDIT FAILED'}; max throughput error ${(p.maxThroughputError * 100).toFixed(1)}% (target ${THROUGHPUT_ERROR_TARGET * 100}%)`
      : `racy: ${p.auditPassed ? 'NOT caught (no oversell happened)' : `caught, real oversell up to ${p.maxOversell} units`}; max throughput error ${(p.maxThroughputError * 100).toFixed(1)}%`;
    const held = p.holdOut
      ? `; hold-out (fitted on ${p.holdOut.fittedOn.join(', ')} clients): max error ${(p.holdOut.maxThroughputError * 100).toFixed(1)}% at the others`
      : '';
    out.push(
      `${c.target.kind} ${p.id} → system.stock: { ${Object.entries(p.scenario)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}: ${value}`)
        .join(', ')} }; ${verdict}${held}`,
    );
    out.push(levelTable(c.levels.filter((l) => l.primitive === p.id)), '');
  }
  return `${out.join('\n')}\n`;
}

/**
 * `sim calibrate stock --target URL`: measure a real store's primitives,
 * audit them, fit and predict (src/calibrate/). Exit 1 when a correct
 * primitive's audit fails (the store lost or invented sales), else 0; a
 * throughput error above the target is reported, not an exit code.
 */
export async function calibrateCommand(args: CalibrateArgs, io: CliIO): Promise<number> {
  if (args.what !== 'stock') throw new UsageError(`calibrate ${args.what}: unknown; only \`calibrate stock\` exists`);
  if (args.target === undefined)
    throw new UsageError('calibrate stock: --target is required (redis://127.0.0.1:PORT or postgresql://user@127.0.0.1:PORT/db)');
  const target = parseTarget(args.target);
  const concurrency = option('concurrency', args.concurrency, parseConcurrency, DEFAULT_CONCURRENCY);
  const takes = option('takes', args.takes, positive('takes', MAX_TAKES), 4000);
  const durationUs = option('duration', args.duration, parseDuration, 10_000_000);
  if (durationUs <= 0) throw new UsageError('--duration: must be more than 0');
  const rounds = option('rounds', args.rounds, positive('rounds', 100), undefined);
  const units = option('stock', args.stock, positive('stock', 1_000_000_000), undefined);
  const primitives = args.primitive
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const startedAt = new Date();
  const dir = args.out ?? defaultDirectory(target.kind, startedAt);
  await checkOutput(dir);

  const ctrlC = new CtrlC();
  try {
    ctrlC.listen();
    let calibration: Calibration;
    try {
      calibration = await calibrateStock({
        target,
        concurrency,
        concurrencyGiven: args.concurrency !== undefined,
        takes,
        durationUs,
        rounds,
        units,
        primitives,
        holdOut: args.holdOut,
        signal: ctrlC.signal,
        onProgress: args.quiet ? undefined : (line) => void write(io.stderr, `${line}\n`),
      });
    } catch (error) {
      if (ctrlC.interrupted) throw new Interrupted();
      // A store that refuses the connection or a statement is the user's to fix: say which, exit 2.
      if (
        error instanceof Error &&
        !(error instanceof UsageError) &&
        /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|password|authentication|does not exist|permission denied|NOAUTH|WRONGPASS/i.test(error.message)
      ) {
        throw new UsageError(`--target ${target.display}: ${error.message}`);
      }
      throw error;
    }
    const files = renderCalibrationFiles(calibration);
    for (const note of calibration.settings.notes) await write(io.stderr, errorText(`note: ${note}`));
    if (ctrlC.interrupted) throw new Interrupted();
    await writeOutputs(dir, files);
    if (ctrlC.interrupted) throw new Interrupted(writtenMessage([`${dir}/`]));
    if (args.json) await write(io.stdout, files.get('calibration.json') as string);
    if (!args.quiet) {
      await write(args.json ? io.stderr : io.stdout, renderTable(calibration));
      await write(io.stderr, `wrote ${dir}/ (${[...files.keys()].join(', ')})\n`);
    }
    return calibration.primitives.some((p) => p.correct && !p.auditPassed) ? EXIT.invariant : EXIT.ok;
  } finally {
    ctrlC.ignore();
  }
}
