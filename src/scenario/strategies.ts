/**
 * From a loaded scenario to the configurations to run: one per selected
 * strategy, with its overlay and the command-line overrides applied.
 */
import { ScenarioError, UsageError, type ScenarioIssue } from '../errors.js';
import { uniqueIssues } from './issues.js';
import { append, type LoadedScenario } from './load.js';
import { overlayEntries, overlayInput, parseAssignments, parseConfig, totalIntervalsIssue, type Assignment } from './overlay.js';
import type { ResolvedConfig } from './schema.js';

/** One strategy, ready to run. */
export interface StrategyPlan {
  /** The strategy's key under `strategies`. */
  name: string;
  /** The parsed configuration (units converted, defaults filled): stored with the results in summary.json. */
  config: ResolvedConfig;
  /** The same configuration as written (human units): the base document with the overlay and overrides applied. */
  input: Record<string, unknown>;
}

/** Command-line choices applied when strategies are resolved. */
export interface ResolveOptions {
  /** Strategy names to run (`--strategy a,b`; entries may themselves be comma-separated). Default: all, in file order. */
  strategies?: readonly string[];
  /** `path=value` overrides for every strategy, applied after its overlay (and after the load-time `set`). */
  set?: readonly string[];
  /** Overrides `seed`. */
  seed?: number | string;
  /** Overrides `users.count` (`--users`: scale the population). */
  users?: number;
  /** Overrides `replications`. */
  replications?: number;
}

/**
 * The strategies to run, each with its resolved configuration.
 *
 * Order of application: base document, the strategy's overlay, the
 * load-time `set`, `options.set`, then `--seed`, `--users`, `--replications`.
 * Strategies come in the order `options.strategies` names them (duplicates
 * dropped), or in file order. Every plan has the run's `seed` and
 * `replications`: no overlay or `--set` may change them (see RUN_KEYS in
 * overlay.ts).
 *
 * @throws {UsageError} when `options.strategies` names a strategy the scenario does not have (the message lists the known ones).
 * @throws {ScenarioError} when an override is invalid; its issues name the option (`--set`, `--users`, …) instead of a file line.
 */
export function resolveStrategies(loaded: LoadedScenario, options: ResolveOptions = {}): StrategyPlan[] {
  const overlays = loaded.scenario.strategies;
  const known = Object.keys(overlays);
  let names = known;
  if (options.strategies !== undefined) {
    const wanted = options.strategies
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = wanted.filter((name) => !Object.hasOwn(overlays, name));
    if (unknown.length > 0) {
      const what =
        unknown.length === 1 ? `unknown strategy "${unknown[0]}"` : `unknown strategies ${unknown.map((n) => `"${n}"`).join(', ')}`;
      throw new UsageError(`--strategy: ${what}; ${loaded.file} has: ${known.join(', ')}`);
    }
    if (wanted.length === 0) throw new UsageError(`--strategy: no strategy named; ${loaded.file} has: ${known.join(', ')}`);
    names = [...new Set(wanted)];
  }

  const issues: ScenarioIssue[] = [];
  const fromLoad = parseAssignments(loaded.set);
  const fromSet = parseAssignments(options.set ?? []);
  append(issues, fromLoad.issues);
  append(issues, fromSet.issues);
  const assignments: Assignment[] = [...fromLoad.assignments, ...fromSet.assignments];
  if (options.seed !== undefined) assignments.push({ source: '--seed', path: ['seed'], value: options.seed });
  if (options.users !== undefined) assignments.push({ source: '--users', path: ['users', 'count'], value: options.users });
  if (options.replications !== undefined) {
    assignments.push({ source: '--replications', path: ['replications'], value: options.replications });
  }
  if (issues.length > 0) throw new ScenarioError(issues);

  const plans: StrategyPlan[] = [];
  const rawStrategies = (loaded.input.strategies ?? {}) as Record<string, unknown>;
  for (const name of names) {
    const { entries, issues: pathIssues } = overlayEntries(name, rawStrategies[name] ?? {}, loaded.source);
    const input = overlayInput(loaded.input, entries, assignments);
    const { config, issues: configIssues } = parseConfig(input, { source: loaded.source, strategy: name, overlay: entries, assignments });
    append(issues, pathIssues);
    append(issues, configIssues);
    if (config) plans.push({ name, config, input });
  }
  if (issues.length === 0) {
    const tooMany = totalIntervalsIssue(
      plans.map((p) => p.config),
      loaded.source,
    );
    if (tooMany) issues.push(tooMany);
  }
  if (issues.length > 0) throw new ScenarioError(uniqueIssues(issues));
  return plans;
}
