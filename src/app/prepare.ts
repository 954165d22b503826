import { isAbsolute, relative, sep } from 'node:path';
import { buildPlan, type RunPlan } from '../execute/plan.js';
import type { RunOptionsRecord } from '../results/summary.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
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
  const plan = buildPlan(
    { name: loaded.scenario.name, file: source?.display ?? displayPath(file) },
    strategies.map((s) => ({ name: s.name, config: s.config })),
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
    },
  };
}

/** Checks a scenario file and every strategy in it, as `sim run` would; returns the strategy names. */
export function validateScenario(file: string, options: Pick<RunOptions, 'set'> = {}): { file: string; strategies: string[] } {
  return { file, strategies: prepareRun(file, options).plan.strategies.map((s) => s.name) };
}
