import { join, relative, sep } from 'node:path';
import { ScenarioError, UsageError } from '../../errors.js';
import {
  defaultRunDirectory,
  executeRun,
  makeRunId,
  prepareRun,
  renderConsoleSummary,
  renderRunFiles,
  renderSummaryJson,
  renderTimingJson,
  writeRunDirectory,
  type PreparedRun,
  type RunOptions,
} from '../../index.js';
import { defaultWorkers } from '../../run/execute.js';
import { EXIT, worst } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { ProgressDisplay, type ProgressMode } from '../progress.js';

/** Options of the commands that run a plan (`run`, `sweep`). */
export interface PlanArgs {
  strategy?: string[];
  seed?: string;
  /** As typed: checked by {@link planOptions} / {@link planWorkers}. */
  replications?: string;
  workers?: string;
  users?: string;
  set?: string[];
  out?: string;
  json: boolean;
  quiet: boolean;
  progress: boolean;
}

export interface RunArgs extends PlanArgs {
  scenarios: string[];
}

/** "42" → 42; anything else stays a string seed. */
export function parseSeed(text: string): number | string {
  return /^-?\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

/** "10000", "10k", "1.5M", "1e6" → a whole number of users. */
export function parseUsers(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  const value = m ? Number(m[1]) * (m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1e3 : 1e6) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--users: expected a positive whole number of users such as 10000, 10k or 1M (got ${JSON.stringify(text)})`);
  }
  return value;
}

/** `--name` as typed → a positive whole number; the message quotes what was typed. */
function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`--${name}: expected a positive whole number (got ${JSON.stringify(text)})`);
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
  };
}

/** Progress display: off with --quiet or --no-progress, redrawn in place on a terminal, else plain lines. */
export function progressModeOf(args: PlanArgs, io: CliIO): ProgressMode {
  return args.quiet || !args.progress ? 'off' : io.stderr.isTTY ? 'live' : 'plain';
}

/** The user pressed Ctrl-C: exit 130, nothing written. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted; nothing was written');
    this.name = 'Interrupted';
  }
}

/**
 * Runs `work` with a signal that Ctrl-C aborts with {@link Interrupted}, so
 * the pool stops and nothing is written. With one worker the simulation
 * holds this thread and could not see the signal: the default (immediate
 * exit) is kept.
 */
export async function interruptible<T>(workers: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = (): void => {
    process.off('SIGINT', onInterrupt);
    controller.abort(new Interrupted());
  };
  if (workers > 1) process.on('SIGINT', onInterrupt);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** Writes a report directory atomically; an unwritable place is the user's to fix (exit 2), and nothing half-written remains. */
export async function writeOutputs(dir: string, files: Map<string, string | Uint8Array>): Promise<string[]> {
  try {
    return await writeRunDirectory(dir, files);
  } catch (error) {
    throw new UsageError(`cannot write ${dir}: ${(error as Error).message}`);
  }
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

/** `sim run`: prepares every scenario first (so a typo in the last file costs no simulation), then runs them in order. */
export async function runCommand(args: RunArgs, io: CliIO): Promise<number> {
  const workers = planWorkers(args);
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

  const progressMode = progressModeOf(args, io);
  const summaries: string[] = [];
  let code: number = EXIT.ok;
  for (const p of prepared) {
    const display = new ProgressDisplay(
      io.stderr,
      progressMode,
      p.plan.scenario.name,
      p.plan.strategies.map((s) => ({ name: s.name, replications: s.config.replications })),
    );
    const startedAt = new Date();
    // Outputs are written only after every run succeeded.
    const run = await interruptible(workers, (signal) => executeRun(p, { workers, onProgress: (e) => display.update(e), signal }));
    display.finish();

    // Only now, with every run done, does anything touch the disk.
    const runId = await makeRunId(p, startedAt);
    const dir =
      args.out === undefined
        ? await defaultRunDirectory(p, runId)
        : prepared.length > 1
          ? join(args.out, p.plan.scenario.name)
          : args.out;
    const files = renderRunFiles(run.summary);
    files.set('timing.json', renderTimingJson({ runId, ...run.timing }));
    const written = await writeOutputs(dir, files);

    const json = files.get('summary.json') ?? renderSummaryJson(run.summary);
    summaries.push(json);
    if (!args.quiet) {
      const table = renderConsoleSummary(run.summary);
      await write(args.json ? io.stderr : io.stdout, `${table}${args.json ? '' : '\n'}`);
      await write(io.stderr, `wrote ${dir}/ (${listWritten(dir, written)})\n`);
    }
    code = worst(code, run.summary.verdict.exitCode);
  }
  if (args.json) {
    await write(io.stdout, summaries.length === 1 ? summaries[0] : `[\n${summaries.map((s) => s.trimEnd()).join(',\n')}\n]\n`);
  }
  return code;
}
