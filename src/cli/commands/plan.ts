import { join } from 'node:path';
import { executePlanSearch, preparePlan, type PlanOptions } from '../../app/plan.js';
import { firstFreeDirectory } from '../../app/run-directory.js';
import { monotonicityLines, renderPlanHtml, renderPlanMarkdown, renderPlanText, planCharts } from '../../report/plan.js';
import { renderPlanJson, type PlanCandidate } from '../../results/plan.js';
import { CtrlC, Interrupted, writtenMessage } from '../ctrl-c.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { checkOutput, writeOutputs } from '../outputs.js';
import { parseMaxReplications, parseSeed, planWorkers } from './run.js';

/** `sim plan`'s arguments, as yargs parsed them. */
export interface PlanCommandArgs {
  /** The scenario file (with a `plan:` block). */
  scenario: string;
  seed?: string;
  workers?: string;
  /** `--max-replications` as typed. */
  maxReplications?: string;
  /** Evaluate the whole grid instead of searching. */
  exhaustive?: boolean;
  out?: string;
  json: boolean;
  quiet: boolean;
  progress: boolean;
}

async function defaultPlanDirectory(scenario: string, now: Date): Promise<string> {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return firstFreeDirectory(join('reports', scenario, `plan-${stamp}`));
}

function candidateLine(name: string, c: PlanCandidate, runs: number): string {
  const values = Object.entries(c.values)
    .map(([k, v]) => `${k.split('.').pop()}=${v}`)
    .join(' ');
  return `[${name}] plan: ${values}: ${c.verdict} (${c.replications} replications, ${c.cost.perHour.toFixed(2)} ${c.cost.currency}/h); ${runs} simulations so far\n`;
}

/**
 * `sim plan`: searches the scenario's `plan:` grid for the cheapest
 * candidate meeting every threshold (at the pessimistic end of its 95% CI)
 * and invariant, then writes plan.json, plan.md and report.html atomically.
 *
 * Exit 0 when a feasible plan exists, 99 when none does within the ranges
 * (the binding constraints are named), 2 for bad input, 130/143 on a signal.
 */
export async function planCommand(args: PlanCommandArgs, io: CliIO): Promise<number> {
  const workers = planWorkers({ ...args, json: args.json, quiet: args.quiet, progress: args.progress });
  const options: PlanOptions = {
    ...(args.seed !== undefined ? { seed: parseSeed(args.seed) } : {}),
    ...(args.maxReplications !== undefined ? { maxReplications: parseMaxReplications(args.maxReplications) } : {}),
    ...(args.exhaustive ? { exhaustive: true } : {}),
  };
  const prepared = preparePlan(args.scenario, options);
  const name = prepared.loaded.scenario.name;
  await checkOutput(args.out ?? join('reports', name));
  const progress = !args.quiet && args.progress;
  const startedAt = new Date();
  const t0 = performance.now();
  if (progress) {
    await write(
      io.stderr,
      `[${name}] plan: ${prepared.spec.parameters.length} parameter(s), a grid of ${prepared.spec.gridSize} candidates; strategy ${prepared.spec.strategy}, ${workers === 1 ? 'in process' : `${workers} worker threads`}\n`,
    );
  }
  const ctrlC = new CtrlC();
  try {
    ctrlC.listen();
    let plan;
    try {
      plan = await executePlanSearch(prepared, {
        workers,
        signal: ctrlC.signal,
        ...(progress ? { onCandidate: (c: PlanCandidate, runs: number) => io.stderr.write(candidateLine(name, c, runs)) } : {}),
      });
    } catch (error) {
      if (ctrlC.interrupted) throw new Interrupted();
      throw error;
    }
    const json = renderPlanJson(plan);
    const files = new Map<string, string | Uint8Array>([
      ['plan.json', json],
      ['plan.md', renderPlanMarkdown(plan)],
      ['report.html', renderPlanHtml(plan, planCharts(plan))],
      [
        'timing.json',
        `${JSON.stringify({ startedAt: startedAt.toISOString(), wallMs: performance.now() - t0, workers, runs: plan.runs }, null, 2)}\n`,
      ],
    ]);
    const dir = args.out ?? (await defaultPlanDirectory(name, startedAt));
    if (ctrlC.interrupted) throw new Interrupted();
    await writeOutputs(dir, files);
    if (ctrlC.interrupted) throw new Interrupted(writtenMessage([`${dir}/`]));
    if (args.json) await write(io.stdout, json);
    if (!args.quiet) {
      await write(args.json ? io.stderr : io.stdout, renderPlanText(plan));
      await write(io.stderr, `wrote ${dir}/ (${[...files.keys()].join(', ')})\n`);
    } else if (!plan.feasible) {
      await write(
        io.stderr,
        `[${name}] plan: no feasible plan within the ranges; ${plan.binding.map((b) => `${b.id}: ${b.reason}`).join('; ')}\n`,
      );
    }
    // Quiet or not, a wrong monotone declaration is said: the plan may not be the cheapest.
    if (args.quiet) for (const line of monotonicityLines(plan)) await write(io.stderr, `[${name}] plan: ${line}\n`);
    return plan.feasible ? EXIT.ok : EXIT.threshold;
  } finally {
    ctrlC.ignore();
  }
}
