/**
 * flashsim's public API: what a program needs to run scenarios, read and
 * render their results, and handle their errors. Nothing here prints or
 * exits; the `sim` command line is a thin shell over these functions.
 *
 * ```ts
 * import { runScenario, renderRunFiles, writeRunDirectory } from 'flashsim';
 * const run = await runScenario('scenarios/smoke.yaml', { seed: 7, replications: 2 });
 * console.log(run.summary.verdict.exitCode);
 * await writeRunDirectory('out/smoke', renderRunFiles(run.summary));
 * ```
 *
 * The pipeline: {@link prepareRun} (load, validate, resolve strategies,
 * plan) → {@link executeRun} (simulate every strategy × replication, audit,
 * evaluate thresholds, aggregate) → {@link renderRunFiles} and
 * {@link writeRunDirectory}. The discrete-event core alone is the subpath
 * export `flashsim/kernel`. docs/architecture.md describes the layers.
 */

// Running a scenario.
export { prepareRun, validateScenario, type PreparedRun, type RunOptions } from './app/prepare.js';
export { executeRun, runScenario, type CompletedRun, type ExecuteRunOptions, type TimingReport } from './app/run.js';
export type { TaskProgress } from './execute/execute.js';
export { prepareSweep, executeSweep, type SweepOptions } from './app/sweep.js';
export type { SweepResult } from './results/sweep.js';

// Results.
export { readSummary } from './app/run-directory.js';
export { parseSummaryJson, type RunSummary, type StrategySummary } from './results/summary.js';
export type { RunResult } from './results/result.js';
export { METRIC_CATALOGUE, type MetricName } from './metrics/catalogue.js';

// Rendering.
export { renderRunFiles, writeRunDirectory } from './report/run-files.js';
export { renderConsoleSummary } from './report/console-table.js';
export { compareSummaries, renderCompareText, renderCompareMarkdown, type Comparison } from './report/compare.js';

// Scenarios and errors.
export { scenarioJsonSchema, type Scenario, type ResolvedConfig } from './scenario/schema.js';
export { FlashsimError, InternalError, ScenarioError, UsageError } from './errors.js';

// Fitting measured latencies (µs) to the scenario language's distributions.
export { fitSamples, fitDistributions, type FitOptions, type FitReport, type FitResult } from './fit/fit.js';
export { formatSpec } from './fit/format.js';
