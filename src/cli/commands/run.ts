import { join, relative, sep } from 'node:path';
import { rm } from 'node:fs/promises';
import { ScenarioError, UsageError } from '../../errors.js';
import { parseCount, UnitError } from '../../kernel/units.js';
import { MAX_REPLICATIONS_LIMIT } from '../../scenario/plan-schema.js';
import { defaultRunDirectory, makeRunId, renderTimingJson } from '../../app/run-directory.js';
import { executeRun } from '../../app/run.js';
import { prepareRun, type PreparedRun, type RunOptions } from '../../app/prepare.js';
import { renderConsoleSummary, renderVerdict } from '../../report/console-table.js';
import { renderRunFiles } from '../../report/run-files.js';
import { renderSummaryJson } from '../../results/summary.js';
import { defaultWorkers } from '../../execute/execute.js';
import { CtrlC, Interrupted, writtenMessage } from '../ctrl-c.js';
import { EXIT, worst } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { fitToMemory } from '../memory-fit.js';
import { checkOutput, writeOutputs } from '../outputs.js';
import { LEDGER_TABLE, USERS_TABLE, writeLedgerTables } from '../../report/ledger-tables.js';
import { ProgressDisplay, type ProgressMode } from '../progress.js';

/** Options of the commands that run a plan (`run`, `sweep`). */
export interface PlanArgs {
  /** `--strategy`, each entry possibly comma-separated. */
  strategy?: string[];
  /** `--seed` as typed: checked by {@link parseSeed}. */
  seed?: string;
  /** As typed: checked by {@link planOptions} / {@link planWorkers}. */
  replications?: string;
  /** `--workers` as typed: checked by {@link planWorkers}. */
  workers?: string;
  /** `--memory` as typed: checked by {@link fitToMemory}. */
  memory?: string;
  /** `--users` as typed ("10k", "1M"): checked by {@link planOptions}. */
  users?: string;
  /** `--set path=value` assignments, in order. */
  set?: string[];
  /** Output directory (default: a new one under reports/<scenario>/). */
  out?: string;
  /** Machine-readable output on stdout, tables to stderr. */
  json: boolean;
  /** No progress and no table; a failed run still prints its failures and verdict on stderr. */
  quiet: boolean;
  /** false with --no-progress. */
  progress: boolean;
  /** `--shard i/N` as typed: run only shard i (0-based) of N (see src/cli/shard-option.ts). */
  shard?: string;
  /** `--shards N` as typed: like --shard, the index read from the batch engine's environment. */
  shards?: string;
  /** `--precision` as typed ("5%"): checked by {@link parsePrecision}; `sim run` only. */
  precision?: string;
  /** `--max-replications` as typed: checked by {@link parseMaxReplications}; `sim run` only, with --precision. */
  maxReplications?: string;
}

/** `sim run`'s arguments, as yargs parsed them. */
export interface RunArgs extends PlanArgs {
  /** Scenario files, run one after another. */
  scenarios: string[];
  /** false with --no-ledger: no ledger.parquet / users.parquet. */
  ledger?: boolean;
}

/** "42" → 42; anything else stays a string seed. */
export function parseSeed(text: string): number | string {
  return /^-?\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

/** "10000", "10k", "1.5M", "1e6" → a whole number of users: the forms `users.count` takes in a scenario file. */
export function parseUsers(text: string): number {
  try {
    return parseCount(text);
  } catch (error) {
    if (error instanceof UnitError) throw new UsageError(`--users: ${error.message}`);
    throw error;
  }
}

/** `--name` as typed → a positive whole number; the message quotes what was typed. */
function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`--${name}: expected a positive whole number (got ${JSON.stringify(text)})`);
  return value;
}

/**
 * `--precision` as typed → the target relative half-width as a fraction:
 * a percentage above 0% and at most 100% ("5%", "2.5%"). A bare number is
 * refused: 5 and 0.05 would both be plausible readings.
 */
export function parsePrecision(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?|-?\.\d+)\s*%\s*$/.exec(text);
  if (!m) {
    throw new UsageError(
      `--precision: expected a percentage such as 5% (the largest 95% CI half-width, as a share of the mean, at which a threshold counts as measured) (got ${JSON.stringify(text)})`,
    );
  }
  const percent = Number(m[1]);
  if (!(percent > 0)) throw new UsageError(`--precision: must be more than 0% (got ${JSON.stringify(text)})`);
  if (percent > 100) throw new UsageError(`--precision: must be at most 100% (got ${JSON.stringify(text)})`);
  return percent / 100;
}

/** `--max-replications` as typed (`sim run --precision`, `sim plan`) → a whole number from 2 to 1,000. */
export function parseMaxReplications(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 2 || value > MAX_REPLICATIONS_LIMIT)
    throw new UsageError(`--max-replications: expected a whole number from 2 to 1000 (got ${JSON.stringify(text)})`);
  return value;
}

/** Worker threads: `--workers`, checked, or the number of cores. */
export function planWorkers(args: PlanArgs): number {
  return positiveInt('workers', args.workers) ?? defaultWorkers();
}

/** What `--strategy`, `--seed`, `--replications`, `--users` and `--set` ask of a plan, checked. */
export function planOptions(args: PlanArgs): RunOptions {
  return {
    ...(args.strategy !== undefined ? { strategies: args.strategy } : {}),
    ...(args.seed !== undefined ? { seed: parseSeed(args.seed) } : {}),
    ...(args.replications !== undefined ? { replications: positiveInt('replications', args.replications) } : {}),
    ...(args.users !== undefined ? { users: parseUsers(args.users) } : {}),
    ...(args.set !== undefined ? { set: args.set } : {}),
    ...(args.precision !== undefined ? { precision: parsePrecision(args.precision) } : {}),
    ...(args.maxReplications !== undefined ? { maxReplications: parseMaxReplications(args.maxReplications) } : {}),
  };
}

/** Progress display: off with --quiet or --no-progress, redrawn in place on a terminal, else plain lines. */
export function progressModeOf(args: PlanArgs, io: CliIO): ProgressMode {
  return args.quiet || !args.progress ? 'off' : io.stderr.isTTY ? 'live' : 'plain';
}

const FIRST = ['summary.json', 'summary.md', 'timeseries.csv', 'junit.xml', 'timing.json'];

/** "summary.json, summary.md, …, charts/": the top-level entries written into `dir`, the main files first. */
export function listWritten(dir: string, written: readonly string[]): string {
  const names = new Set<string>();
  for (const file of written) {
    const parts = relative(dir, file).split(sep);
    names.add(parts.length > 1 ? `${parts[0]}/` : parts[0]);
  }
  const rank = (n: string): number => (FIRST.includes(n) ? FIRST.indexOf(n) : FIRST.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)).join(', ');
}

/** Where a scenario's reports go: --out, --out/<scenario> for several, or (checked before the run id is known) reports/<scenario>. */
function outputBase(args: RunArgs, p: PreparedRun, scenarios: number): string {
  if (args.out === undefined) return join('reports', p.plan.scenario.name);
  return scenarios > 1 ? join(args.out, p.plan.scenario.name) : args.out;
}

/** `sim run`: prepares every scenario first (so a typo in the last file costs no simulation), then runs them in order. */
export async function runCommand(args: RunArgs, io: CliIO): Promise<number> {
  const asked = planWorkers(args);
  const options = planOptions(args);

  // Validate everything before running anything; report every file's problems at once.
  const prepared: PreparedRun[] = [];
  const issues: ScenarioError[] = [];
  for (const file of args.scenarios) {
    try {
      prepared.push(prepareRun(file, options));
    } catch (error) {
      if (error instanceof ScenarioError) issues.push(error);
      else throw error;
    }
  }
  if (issues.length > 0) throw new ScenarioError(issues.flatMap((e) => e.issues));
  if (args.out !== undefined && prepared.length > 1) {
    const names = prepared.map((p) => p.plan.scenario.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new UsageError(`--out: two scenarios are both named "${twice}"; run them separately`);
  }

  // Pre-flight: a run too large for the memory, or an unwritable --out (or reports/), fails now, not after the simulation.
  const workers = await fitToMemory(
    prepared.map((p) => p.plan),
    asked,
    args.memory,
    io,
    args.quiet,
  );
  for (const p of prepared) await checkOutput(outputBase(args, p, prepared.length));

  const progressMode = progressModeOf(args, io);
  const summaries: string[] = [];
  const written: string[] = [];
  const ctrlC = new CtrlC();
  const stopped = (): Interrupted => {
    const notRun = prepared.slice(written.length).map((p) => p.plan.scenario.name);
    const rest = written.length > 0 && notRun.length > 0 ? `; not run: ${notRun.join(', ')}` : '';
    return new Interrupted(`${writtenMessage(written.map((d) => `${d}/`))}${rest}`);
  };
  let code: number = EXIT.ok;
  // For the whole command, Ctrl-C stops the runs (the pool at once, an
  // in-process run between its slices of events) and lets a report being
  // written finish first.
  ctrlC.listen();
  try {
    for (const p of prepared) {
      const display = new ProgressDisplay(
        io.stderr,
        progressMode,
        p.plan.scenario.name,
        p.plan.strategies.map((s) => ({ name: s.name, replications: s.config.replications })),
      );
      const startedAt = new Date();
      // Outputs are written only after every run succeeded.
      let run;
      try {
        run = await executeRun(p, {
          workers,
          onProgress: (e) => display.update(e),
          onBatch: (batches) => display.more(batches),
          signal: ctrlC.signal,
        });
      } catch (error) {
        if (ctrlC.interrupted) throw stopped();
        throw error;
      }
      display.finish();

      // Only now, with every run done, does anything touch the disk.
      const runId = await makeRunId(p, startedAt);
      const dir = args.out === undefined ? await defaultRunDirectory(p, runId) : outputBase(args, p, prepared.length);
      const files = renderRunFiles(run.summary);
      files.set('timing.json', renderTimingJson({ runId, ...run.timing }));
      if (ctrlC.interrupted) throw stopped();
      // A Ctrl-C from here on takes effect once the directory is complete (or rolled back on an error).
      // The ledger tables join the set: written into its staging directory, switched in with the rest.
      const tables = args.ledger === false ? undefined : async (staging: string) => void (await writeLedgerTables(staging, run.results));
      const writtenFiles = await writeOutputs(dir, files, tables);
      // A table left from an earlier run with its ledger would not belong to this summary.
      if (!tables) await Promise.all([LEDGER_TABLE, USERS_TABLE].map((name) => rm(join(dir, name), { force: true })));
      written.push(dir);

      const json = files.get('summary.json') ?? renderSummaryJson(run.summary);
      summaries.push(json);
      if (!args.quiet) {
        const table = renderConsoleSummary(run.summary);
        await write(args.json ? io.stderr : io.stdout, `${table}${args.json ? '' : '\n'}`);
        await write(io.stderr, `wrote ${dir}/ (${listWritten(dir, writtenFiles)})\n`);
        // The one file to open first: said by its path, so a terminal can make it a link.
        const report = writtenFiles.find((f) => relative(dir, f) === 'report.html');
        if (report !== undefined) await write(io.stderr, `report: ${join(dir, 'report.html')}\n`);
      } else if (run.summary.verdict.exitCode !== EXIT.ok) {
        // Quiet is not silent about a failure: CI logs still say why (as k6's -q keeps failed thresholds).
        await write(io.stderr, renderVerdict(run.summary));
      }
      if (ctrlC.interrupted) throw stopped();
      code = worst(code, run.summary.verdict.exitCode);
    }
  } finally {
    ctrlC.ignore();
  }
  if (args.json) {
    await write(io.stdout, summaries.length === 1 ? summaries[0] : `[\n${summaries.map((s) => s.trimEnd()).join(',\n')}\n]\n`);
  }
  return code;
}
