/**
 * Running a plan across machines: one shard of a `sim run` or `sim sweep`
 * plan ({@link runShard}), and the merge of every shard's results into the
 * outputs the unsharded command builds ({@link mergeShards}). The merge
 * prepares the plan again from the scenario text and options the shards
 * recorded, puts the results back in plan order and hands them to the same
 * builders as the unsharded run ({@link buildSummary}, {@link buildSweep}),
 * so thresholds, verdicts and aggregates are computed once, on all the
 * results. docs/scale-out.md describes the contract. Nothing here prints
 * or exits.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { executePlan, type TaskProgress } from '../execute/execute.js';
import type { RunPlan } from '../execute/plan.js';
import { WorkerTaskError } from '../execute/pool.js';
import { assignShards, shardPlan, type ShardSpec } from '../execute/shard.js';
import type { RunResult } from '../results/result.js';
import {
  SHARD_KIND,
  SHARD_SCHEMA_VERSION,
  type ShardCommand,
  type ShardFingerprint,
  type ShardRequest,
  type ShardResult,
  type ShardTiming,
} from '../results/shard.js';
import { toolVersion, type RunSummary } from '../results/summary.js';
import type { SweepResult } from '../results/sweep.js';
import { readSource } from '../scenario/load.js';
import { displayPath, prepareRun, type PreparedRun, type RunOptions, type ScenarioSource } from './prepare.js';
import { buildSummary } from './summary.js';
import { buildSweep, prepareSweep, type PreparedSweep } from './sweep.js';

/** A scenario file read once for a shard: its text, as the reports name it, and its hash. */
export interface ShardSource extends ScenarioSource {
  /** SHA-256 of the text, hex. */
  sha256: string;
  /** The file as the user named it, for messages (a merge has only {@link ScenarioSource.display}). */
  file?: string;
}

/**
 * Reads a scenario file for a shard. The plan is prepared from this text,
 * and the same text goes into the shard result.
 *
 * @throws {ScenarioError} when it cannot be read (exit 2).
 */
export function readShardSource(file: string): ShardSource {
  const text = readSource(file);
  return { text, display: displayPath(file), sha256: sha256(text), file };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The request as {@link RunOptions} (what prepareRun takes). */
function runOptionsOf(request: ShardRequest): RunOptions {
  const { params: _params, metrics: _metrics, ...options } = request;
  return options;
}

/** A prepared plan to shard: a run's or a sweep's. */
export type PreparedShardable = { command: 'run'; prepared: PreparedRun } | { command: 'sweep'; sweep: PreparedSweep };

/**
 * Prepares the plan a shard belongs to, as `sim run` (one scenario) or
 * `sim sweep` would, from the scenario's text.
 *
 * @throws {ScenarioError} or {@link UsageError} as prepareRun / prepareSweep do.
 */
export function prepareShardable(command: ShardCommand, source: ShardSource, request: ShardRequest): PreparedShardable {
  const file = source.file ?? source.display;
  if (command === 'run') return { command, prepared: prepareRun(file, runOptionsOf(request), source) };
  return {
    command,
    sweep: prepareSweep(
      file,
      { ...runOptionsOf(request), params: request.params ?? [], ...(request.metrics ? { metrics: request.metrics } : {}) },
      source,
    ),
  };
}

/** The plan of a prepared run or sweep. */
export function planOf(p: PreparedShardable): RunPlan {
  return p.command === 'run' ? p.prepared.plan : p.sweep.plan;
}

/** SHA-256 (hex) of every task of the plan: what the results are a function of. */
export function planSha256(plan: RunPlan): string {
  return sha256(
    JSON.stringify({
      scenario: plan.scenario,
      tasks: plan.tasks.map((t) => [t.index, t.strategy, t.replication, t.seed, t.tokenSecret, t.config]),
    }),
  );
}

/** The fingerprint every shard of this plan, split `shards` ways, carries. */
export function shardFingerprint(p: PreparedShardable, source: ShardSource, request: ShardRequest, shards: number): ShardFingerprint {
  const plan = planOf(p);
  return {
    command: p.command,
    tool: { name: 'flashsim', version: toolVersion() },
    scenario: { name: plan.scenario.name, file: source.display, sha256: source.sha256, text: source.text },
    request,
    seed: plan.seed,
    tasks: plan.tasks.length,
    planSha256: planSha256(plan),
    shards,
  };
}

/** How {@link runShard} runs. */
export interface RunShardOptions {
  /** Worker threads (1 runs in this thread). */
  workers: number;
  /** Progress of every task. */
  onProgress?: (progress: TaskProgress) => void;
  /** Aborting stops the shard with an AbortError. */
  signal?: AbortSignal;
}

/** "point servers=2" for a sweep's task, so that a failure names the grid point. */
function pointContext(p: PreparedShardable, task: number): string | undefined {
  if (p.command !== 'sweep') return undefined;
  const point = p.sweep.points.find((q) => task >= q.first && task < q.first + q.count);
  return point
    ? `point ${Object.entries(point.parameters)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : undefined;
}

/**
 * Runs shard `shard.index` of `shard.count` of a prepared plan: only the
 * tasks {@link assignShards} gives it, and returns the shard result to
 * write. Nothing is audited or checked here: that happens once, in the
 * merge.
 */
export async function runShard(
  p: PreparedShardable,
  source: ShardSource,
  request: ShardRequest,
  shard: ShardSpec,
  options: RunShardOptions,
): Promise<ShardResult> {
  const plan = shardPlan(planOf(p), shard);
  const startedAt = new Date();
  const t0 = performance.now();
  let results: RunResult[];
  try {
    ({ results } = await executePlan(plan, {
      workers: options.workers,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }));
  } catch (error) {
    const context = error instanceof WorkerTaskError ? pointContext(p, error.task.index) : undefined;
    if (!(error instanceof WorkerTaskError) || context === undefined) throw error;
    throw new WorkerTaskError(error.task, error.reason, { cause: error.cause, context });
  }
  const timing: ShardTiming = {
    startedAt: startedAt.toISOString(),
    wallMs: performance.now() - t0,
    workers: options.workers,
    events: results.reduce((n, r) => n + r.simulation.events, 0),
    host: { node: process.version, platform: process.platform, arch: process.arch, cpus: availableParallelism() },
  };
  return {
    schemaVersion: SHARD_SCHEMA_VERSION,
    kind: SHARD_KIND,
    fingerprint: shardFingerprint(p, source, request, shard.count),
    shard: shard.index,
    units: plan.tasks.map((t) => t.index),
    results,
    timing,
  };
}

/** A shard result and the file it was read from (for messages). */
export interface ShardInput {
  /** The path as the user gave it (or the file found in a directory). */
  where: string;
  /** Its content. */
  shard: ShardResult;
}

/** What {@link mergeShards} rebuilds: the unsharded command's result. */
export type MergedShards = (
  | { command: 'run'; prepared: PreparedRun; summary: RunSummary; results: readonly RunResult[] }
  | { command: 'sweep'; sweep: PreparedSweep; result: SweepResult; results: readonly RunResult[] }
) & {
  /** Every shard's index, file and wall-clock figures, in shard order. */
  shards: Array<{ index: number; file: string; units: number; timing: ShardTiming }>;
};

function show(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * How the plans of two shards differ, in words ("seed 42 in a.json, 7 in
 * b.json"), or undefined when they are parts of one plan.
 */
export function planDifference(a: ShardInput, b: ShardInput): string | undefined {
  const fa = a.shard.fingerprint;
  const fb = b.shard.fingerprint;
  const both = (what: string, x: string | number, y: string | number): string => `${what} ${x} in ${a.where}, ${y} in ${b.where}`;
  const differences: string[] = [];
  if (fa.command !== fb.command) differences.push(both('command', `sim ${fa.command}`, `sim ${fb.command}`));
  if (fa.tool.version !== fb.tool.version) differences.push(both('flashsim version', fa.tool.version, fb.tool.version));
  if (fa.scenario.sha256 !== fb.scenario.sha256 || fa.scenario.file !== fb.scenario.file) {
    differences.push(
      both(
        'scenario',
        `${fa.scenario.file} (sha256 ${fa.scenario.sha256.slice(0, 12)})`,
        `${fb.scenario.file} (sha256 ${fb.scenario.sha256.slice(0, 12)})`,
      ),
    );
  }
  const keys = [...new Set([...Object.keys(fa.request), ...Object.keys(fb.request)])] as Array<keyof ShardRequest>;
  const options = keys.filter((k) => show(fa.request[k]) !== show(fb.request[k]));
  if (options.length > 0) {
    const side = (r: ShardRequest): string => options.map((k) => `${k}=${r[k] === undefined ? '(not given)' : show(r[k])}`).join(' ');
    differences.push(both('options', side(fa.request), side(fb.request)));
  }
  if (show(fa.seed) !== show(fb.seed)) differences.push(both('seed', show(fa.seed), show(fb.seed)));
  if (fa.shards !== fb.shards) differences.push(both('shard count', fa.shards, fb.shards));
  if (differences.length === 0 && (fa.planSha256 !== fb.planSha256 || fa.tasks !== fb.tasks))
    differences.push(both('plan', `sha256 ${fa.planSha256.slice(0, 12)}`, `sha256 ${fb.planSha256.slice(0, 12)}`));
  return differences.length > 0 ? differences.join('; ') : undefined;
}

/**
 * Checks that `inputs` are every shard of one plan, once each, and rebuilds
 * the unsharded command's result from them: the plan prepared again from the
 * recorded scenario text and options, the results in plan order, and the
 * same builder as `sim run` ({@link buildSummary}) or `sim sweep`
 * ({@link buildSweep}).
 *
 * @throws {UsageError} (exit 2) for shards of different plans (naming what
 *   differs), a shard given twice, missing shards (naming their indices), a
 *   shard whose units are not those its index holds, or no shard at all.
 */
export function mergeShards(inputs: readonly ShardInput[]): MergedShards {
  if (inputs.length === 0) throw new UsageError('sim merge: no shard results given');
  const [first] = inputs;
  for (const other of inputs.slice(1)) {
    const difference = planDifference(first, other);
    if (difference !== undefined) throw new UsageError(`${other.where}: a shard of a different plan than ${first.where}: ${difference}`);
  }
  const fingerprint = first.shard.fingerprint;
  const count = fingerprint.shards;
  const byIndex = new Map<number, ShardInput>();
  for (const input of inputs) {
    const index = input.shard.shard;
    if (!(index >= 0 && index < count)) throw new UsageError(`${input.where}: shard index ${index} is not in 0..${count - 1}`);
    const earlier = byIndex.get(index);
    if (earlier !== undefined)
      throw new UsageError(`shard ${index} of ${count} is given twice (${earlier.where} and ${input.where}); give each shard once`);
    byIndex.set(index, input);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new UsageError(
      `missing shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count} (0-based; each writes ${missing
        .slice(0, 3)
        .map((i) => `shard-${i}-of-${count}.json`)
        .join(', ')}${missing.length > 3 ? ', …' : ''}); got ${inputs.length} of ${count}`,
    );
  }

  const source: ShardSource = { text: fingerprint.scenario.text, display: fingerprint.scenario.file, sha256: fingerprint.scenario.sha256 };
  const prepared = prepareShardable(fingerprint.command, source, fingerprint.request);
  const plan = planOf(prepared);
  if (planSha256(plan) !== fingerprint.planSha256 || plan.tasks.length !== fingerprint.tasks) {
    throw new UsageError(
      `${first.where}: this flashsim plans the recorded scenario and options differently; merge with the version that ran the shards`,
    );
  }
  const assigned = assignShards(plan, count);
  const results = new Array<RunResult>(plan.tasks.length);
  for (const [index, input] of [...byIndex.entries()].sort((a, b) => a[0] - b[0])) {
    if (show(input.shard.units) !== show(assigned[index]))
      throw new UsageError(
        `${input.where}: shard ${index} of ${count} should hold tasks ${show(assigned[index])}, it holds ${show(input.shard.units)}`,
      );
    input.shard.units.forEach((unit, k) => (results[unit] = input.shard.results[k]));
  }
  const shards = [...byIndex.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([index, input]) => ({ index, file: input.where, units: input.shard.units.length, timing: input.shard.timing }));
  if (prepared.command === 'run') {
    return { command: 'run', prepared: prepared.prepared, summary: buildSummary(prepared.prepared, results), results, shards };
  }
  return { command: 'sweep', sweep: prepared.sweep, result: buildSweep(prepared.sweep, results), results, shards };
}
