import { isAbsolute, relative, sep } from 'node:path';
import { ScenarioError, UsageError } from '../errors.js';
import { buildPlan, type RunPlan } from '../execute/plan.js';
import type { PrecisionOption, RunOptionsRecord } from '../results/summary.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import { defaultMaxReplications, MAX_REPLICATIONS_LIMIT } from '../scenario/plan-schema.js';
import { resolveStrategies } from '../scenario/strategies.js';

/** What shapes a run (every one of these is recorded in summary.json). */
export interface RunOptions {
  /** Strategy names to run (entries may be comma-separated); default all. */
  strategies?: readonly string[];
  /** Overrides the scenario's master seed. */
  seed?: number | string;
  /** Overrides `replications`, the run's for every strategy. */
  replications?: number;
  /** Population size (users.count) for every strategy. */
  users?: number;
  /** `path=value` overrides, applied after each strategy's overlay. */
  set?: readonly string[];
  /**
   * Precision-driven replications (`--precision`): the target relative
   * half-width of every threshold's 95% interval, a fraction in (0, 1];
   * replications are added until each decides or is that precise (see
   * src/app/precision.ts).
   */
  precision?: number;
  /** Most replications of one strategy with `precision` (default: the scenario's `maxReplications`, else max(12, 4 × the first batch)). */
  maxReplications?: number;
}

/** A scenario loaded, validated and planned: nothing has run yet. */
export interface PreparedRun {
  /** The scenario file as the user named it. */
  file: string;
  /** The parsed scenario, with its source positions. */
  loaded: LoadedScenario;
  /** Every (strategy, replication) to run. */
  plan: RunPlan;
  /** The options as recorded in summary.json. */
  options: RunOptionsRecord;
  /** The precision rule, when replications are added until the thresholds decide (`plan` then holds the first batch). */
  precision?: PrecisionOption;
}

/**
 * A scenario's text given instead of its file: what `sim merge` prepares
 * again from a shard result, so that the plan does not depend on the file
 * still being there, or being the same.
 */
export interface ScenarioSource {
  /** The file's text. */
  text: string;
  /** The file as the reports name it (the {@link displayPath} the shard recorded). */
  display: string;
}

/** The file name as recorded in reports: relative to the working directory when inside it, with / separators. */
export function displayPath(file: string): string {
  const rel = isAbsolute(file) ? relative(process.cwd(), file) : file;
  const shown = !isAbsolute(file) || (rel && !rel.startsWith('..') && !isAbsolute(rel)) ? rel : file;
  return shown.split(sep).join('/');
}

/**
 * Loads and validates a scenario and plans its run.
 *
 * @throws {ScenarioError} for every problem in the file or the overrides (exit 2).
 * @throws {UsageError} for an unknown --strategy (exit 2).
 * @param source the scenario's text, read instead of `file` (see {@link ScenarioSource}).
 */
export function prepareRun(file: string, options: RunOptions = {}, source?: ScenarioSource): PreparedRun {
  const loaded = loadScenario(file, source ? { text: source.text } : {});
  const strategies = resolveStrategies(loaded, {
    ...(options.strategies !== undefined ? { strategies: options.strategies } : {}),
    ...(options.set !== undefined ? { set: options.set } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.users !== undefined ? { users: options.users } : {}),
    ...(options.replications !== undefined ? { replications: options.replications } : {}),
  });
  const precision = precisionOption(loaded, strategies[0].config.replications, options);
  const plan = buildPlan(
    { name: loaded.scenario.name, file: source?.display ?? displayPath(file) },
    // With the precision rule the first batch has at least two replications: one has no interval to decide on.
    strategies.map((s) => ({ name: s.name, config: precision ? { ...s.config, replications: precision.batch } : s.config })),
  );
  return {
    file,
    loaded,
    plan,
    options: {
      strategies: options.strategies ? strategies.map((s) => s.name) : null,
      seed: options.seed ?? null,
      replications: options.replications ?? null,
      users: options.users ?? null,
      set: [...(options.set ?? [])],
      ...(precision ? { precision } : {}),
    },
    ...(precision ? { precision } : {}),
  };
}

/**
 * The precision rule of a run, checked: the first batch is the run's
 * replications (at least 2), every batch added the same, up to the limit.
 *
 * @throws {UsageError} for a target outside (0, 100%], a limit without a
 *   target, or a --max-replications below the first batch.
 * @throws {ScenarioError} for the scenario's `maxReplications` below the first batch, at its line.
 */
function precisionOption(loaded: LoadedScenario, replications: number, options: RunOptions): PrecisionOption | undefined {
  const { precision: target, maxReplications: asked } = options;
  if (target === undefined) {
    if (asked !== undefined) throw new UsageError('--max-replications: goes with --precision (it limits the replications the rule adds)');
    return undefined;
  }
  if (!(Number.isFinite(target) && target > 0 && target <= 1))
    throw new UsageError(`--precision: must be more than 0% and at most 100% (got ${target * 100}%)`);
  if (asked !== undefined && !(Number.isSafeInteger(asked) && asked >= 2 && asked <= MAX_REPLICATIONS_LIMIT))
    throw new UsageError(`--max-replications: expected a whole number from 2 to 1000 (got ${asked})`);
  const batch = Math.max(2, replications);
  const fromFile = loaded.scenario.maxReplications;
  // The default always leaves room for the first batch and three more (defaultMaxReplications).
  const maxReplications = asked ?? fromFile ?? defaultMaxReplications(batch);
  if (maxReplications < batch) {
    const starts = `the run starts with ${batch} replications (${options.replications !== undefined ? '--replications' : "the scenario's replications"})`;
    if (asked !== undefined) throw new UsageError(`--max-replications: must be at least ${batch}: ${starts} (got ${asked})`);
    if (fromFile !== undefined) {
      throw new ScenarioError([
        loaded.source.issue(['maxReplications'], `must be at least ${batch} for --precision: ${starts} (got ${fromFile})`),
      ]);
    }
  }
  return { target, batch, maxReplications };
}

/** Checks a scenario file and every strategy in it, as `sim run` would; returns the strategy names. */
export function validateScenario(file: string, options: Pick<RunOptions, 'set'> = {}): { file: string; strategies: string[] } {
  return { file, strategies: prepareRun(file, options).plan.strategies.map((s) => s.name) };
}
