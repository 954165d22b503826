import { join } from 'node:path';
import { firstFreeDirectory } from '../../app/run-directory.js';
import type { TaskProgress } from '../../execute/execute.js';
import { executeSweep, prepareSweep, type SweepOptions } from '../../app/sweep.js';
import type { SweepResult } from '../../results/sweep.js';
import { chartScale, renderSweepCsv, renderSweepJson, renderSweepMarkdown, renderSweepTable, sweepChartData } from '../../report/sweep.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { errorText } from '../messages.js';
import { fitLine, formatCompact } from '../progress.js';
import { CtrlC, Interrupted, writtenMessage } from '../ctrl-c.js';
import { fitToMemory } from '../memory-fit.js';
import { checkOutput, writeOutputs } from '../outputs.js';
import { planOptions, planWorkers, progressModeOf, type PlanArgs } from './run.js';

/** `sim sweep`'s arguments, as yargs parsed them. */
export interface SweepArgs extends PlanArgs {
  /** The scenario file. */
  scenario: string;
  /** `--param path=v1,v2,…`, one per swept parameter. */
  param?: string[];
  /** `--metric` names (default: DEFAULT_SWEEP_METRICS). */
  metric?: string[];
}

/** `reports/<scenario>/sweep-<UTC stamp>`, with -2, -3… if taken. */
async function defaultSweepDirectory(scenario: string, now: Date): Promise<string> {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return firstFreeDirectory(join('reports', scenario, `sweep-${stamp}`));
}

/**
 * Progress of a sweep on stderr: runs done of the total, events/s. On a
 * terminal one line redrawn at most 10 times a second; otherwise a line
 * per completed run.
 */
class SweepProgress {
  private done = 0;
  private events = 0;
  private lastDraw = 0;
  private readonly started = performance.now();
  private readonly running = new Map<number, number>();

  constructor(
    private readonly stream: NodeJS.WritableStream & { columns?: number },
    private readonly mode: 'live' | 'plain' | 'off',
    private readonly name: string,
    private readonly total: number,
  ) {}

  /** The opening line (plain and live modes). */
  begin(points: number, workers: number): void {
    if (this.mode === 'off') return;
    const threads = Math.min(workers, this.total);
    this.stream.write(
      `[${this.name}] sweep: ${points} point${points === 1 ? '' : 's'}, ${this.total} runs on ${threads} ${workers === 1 ? 'thread (in process)' : `worker thread${threads === 1 ? '' : 's'}`}\n`,
    );
  }

  update(p: TaskProgress): void {
    if (this.mode === 'off') return;
    if (p.phase === 'done') {
      this.running.delete(p.task);
      this.done++;
      this.events += p.events;
    } else {
      this.running.set(p.task, p.events);
    }
    const now = performance.now();
    if (this.mode === 'plain') {
      if (p.phase === 'done') this.stream.write(`[${this.name}] sweep: ${this.line(now)}\n`);
      return;
    }
    if (p.phase !== 'done' && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    // Cut to the width: a wrapped line would leave its first part behind at every redraw.
    this.stream.write(`\r\x1b[2K${fitLine(`[${this.name}] sweep: ${this.line(now)}`, this.stream.columns)}`);
  }

  private line(now: number): string {
    const events = this.events + [...this.running.values()].reduce((a, b) => a + b, 0);
    const seconds = (now - this.started) / 1000;
    return `${this.done}/${this.total} runs done, ${formatCompact(events)} events, ${formatCompact(seconds > 0 ? events / seconds : 0)} events/s`;
  }

  finish(): void {
    if (this.mode === 'live') this.stream.write(`\r\x1b[2K`);
  }
}

/**
 * The sweep's charts, each a metric against a swept parameter (the report
 * layer's sweep chart): `sweep.png` for the first metric, and
 * `sweep.<metric>.png` for each further one, so that every metric asked
 * for is drawn.
 */
async function renderSweepPngs(sweep: SweepResult): Promise<Array<[string, Uint8Array]>> {
  const [{ sweepChart }, { renderChartPng }] = await Promise.all([
    import('../../report/charts/specs.js'),
    import('../../report/charts/render.js'),
  ]);
  const charts: Array<[string, Uint8Array]> = [];
  for (const [i, metric] of sweep.metrics.entries()) {
    const { format, label } = chartScale(metric);
    const spec = sweepChart(sweepChartData(sweep, metric), { metric: label, format, id: 'sweep' });
    charts.push([i === 0 ? 'sweep.png' : `sweep.${metric.name}.png`, renderChartPng(spec)]);
  }
  return charts;
}

/**
 * A sweep's output files but timing.json: sweep.json, sweep.csv, sweep.md
 * and the charts (`sim sweep`, and `sim merge` of a sharded sweep). A chart
 * that cannot be drawn is reported on stderr and left out.
 */
export async function renderSweepFiles(result: SweepResult, io: CliIO): Promise<Map<string, string | Uint8Array>> {
  const files = new Map<string, string | Uint8Array>([
    ['sweep.json', renderSweepJson(result)],
    ['sweep.csv', renderSweepCsv(result)],
    ['sweep.md', renderSweepMarkdown(result)],
  ]);
  try {
    for (const [name, png] of await renderSweepPngs(result)) files.set(name, png);
  } catch (error) {
    // The data files are the sweep; a chart that cannot be drawn is reported, not fatal.
    await write(io.stderr, errorText(`sweep.png: not drawn: ${(error as Error).message}`));
  }
  return files;
}

/**
 * `sim sweep`: runs the grid of `--param` values × strategies ×
 * replications as one plan on the worker pool, then writes sweep.json,
 * sweep.csv, sweep.md, timing.json and sweep.png (atomically, only once
 * every run succeeded) and prints the table.
 *
 * Exit 0 when the sweep ran — points that fail invariants or thresholds
 * are results of the sweep, marked in the table and in sweep.json — 2 for
 * bad input, 70 for an internal error (a failed run), 130 on Ctrl-C.
 */
export async function sweepCommand(args: SweepArgs, io: CliIO): Promise<number> {
  const asked = planWorkers(args);
  const options: SweepOptions = {
    params: args.param ?? [],
    ...(args.metric !== undefined ? { metrics: args.metric } : {}),
    ...planOptions(args),
  };
  // Every point validated before anything runs.
  const sweep = prepareSweep(args.scenario, options);
  const name = sweep.plan.scenario.name;
  const display = new SweepProgress(io.stderr, progressModeOf(args, io), name, sweep.plan.tasks.length);

  // Pre-flight: a run too large for the memory, or an unwritable --out (or reports/), fails now, not after the sweep.
  const workers = await fitToMemory([sweep.plan], asked, args.memory, io, args.quiet);
  await checkOutput(args.out ?? join('reports', name));

  const startedAt = new Date();
  display.begin(sweep.points.length, workers);
  const ctrlC = new CtrlC();
  try {
    // Ctrl-C stops the runs: the pool at once, an in-process run between its slices of events.
    ctrlC.listen();
    let outcome;
    try {
      outcome = await executeSweep(sweep, { workers, onProgress: (p) => display.update(p), signal: ctrlC.signal });
    } catch (error) {
      if (ctrlC.interrupted) throw new Interrupted();
      throw error;
    } finally {
      display.finish();
    }
    const { result, timing } = outcome;

    const files = await renderSweepFiles(result, io);
    files.set('timing.json', `${JSON.stringify(timing, null, 2)}\n`);
    const dir = args.out ?? (await defaultSweepDirectory(name, startedAt));
    if (ctrlC.interrupted) throw new Interrupted();
    // A Ctrl-C from here on takes effect once the directory is complete (or rolled back on an error).
    await writeOutputs(dir, files);
    if (ctrlC.interrupted) throw new Interrupted(writtenMessage([`${dir}/`]));
    if (args.json) await write(io.stdout, files.get('sweep.json') as string);
    if (!args.quiet) {
      await write(args.json ? io.stderr : io.stdout, renderSweepTable(result));
      await write(io.stderr, `wrote ${dir}/ (${[...files.keys()].join(', ')})\n`);
    }
    return EXIT.ok;
  } finally {
    ctrlC.ignore();
  }
}
