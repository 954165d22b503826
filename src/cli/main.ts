#!/usr/bin/env node
/**
 * `flashsim` (alias `sim`): the command line. The only place that prints or sets an
 * exit code; everything else is the programmatic API in src/index.ts.
 *
 * Exit codes: 0 pass · 1 invariant violated · 2 bad input or usage ·
 * 99 threshold failed (or compare gate) · 70 internal error · 130 interrupted
 * (Ctrl-C) · 143 terminated (SIGTERM).
 * Errors are one message on stderr, every line `flashsim: subject: message`
 * (src/cli/messages.ts; a scenario's issues one per line, as
 * `flashsim: file:line:col key.path: message`); a stack trace only with --verbose.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { FlashsimError, InternalError, UsageError } from '../errors.js';
import { toolVersion } from '../results/summary.js';
import { calibrateCommand } from './commands/calibrate.js';
import { compareCommand } from './commands/compare.js';
import { fitCommand } from './commands/fit.js';
import { reportCommand } from './commands/report.js';
import { runCommand, type PlanArgs } from './commands/run.js';
import { Interrupted } from './ctrl-c.js';
import { schemaCommand } from './commands/schema.js';
import { sweepCommand } from './commands/sweep.js';
import { mergeCommand } from './commands/merge.js';
import { shardCommand } from './commands/shard.js';
import { planCommand } from './commands/plan.js';
import { validateCommand } from './commands/validate.js';
import { EXIT } from './exit-codes.js';
import { processIO, write, type CliIO } from './io.js';
import { didYouMean, errorText, PROGRAM, seeHelp } from './messages.js';

/** Collects a repeatable string option into an array (never greedy: `--set a=1 file.yaml` keeps file.yaml positional). */
const many = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String);

const COMMANDS = ['run', 'validate', 'schema', 'compare', 'report', 'sweep', 'plan', 'merge', 'fit', 'calibrate'];

/** Options that may be given more than once (collected with {@link many}); positionals are checked by yargs. */
const REPEATABLE = new Set(['strategy', 'set', 'param', 'metric', 'scenario', 'results', '_']);

/** Options naming a file or directory to write: an empty value would mean the working directory, or nothing. */
const PATH_OPTIONS = ['out', 'chart'];

/** Options yargs knows before a command is named. */
const GLOBAL_FLAGS = new Set(['--verbose', '--no-verbose', '--help', '-h', '--version', '-V']);

/**
 * Checks what yargs parsed, before any command does work: an option that
 * takes one value given twice (yargs would pass an array on), or an empty
 * output path.
 *
 * @throws {UsageError}
 */
function checkOptions(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    // yargs also sets camelCase twins of dashed options (maxRegression): check the dashed ones.
    if (Array.isArray(value) && !REPEATABLE.has(key) && !/[A-Z]/.test(key)) {
      throw new UsageError(
        `--${key} given ${value.length === 2 ? 'twice' : `${value.length} times`} (${value.map((v) => JSON.stringify(String(v))).join(', ')}); it takes one value`,
      );
    }
  }
  for (const key of PATH_OPTIONS) {
    if (argv[key] === '') throw new UsageError(`--${key}: expected a path (got "")`);
  }
}

/** Options that take a value, which may look like a negative number ("-5%", "-0.1"). */
const VALUE_OPTIONS = new Set([
  '--max-regression',
  '--seed',
  '--users',
  '--replications',
  '--workers',
  '--memory',
  '--takes',
  '--stock',
  '--rounds',
  '--bootstrap',
]);

/**
 * `--max-regression -5%` → `--max-regression=-5%`: yargs reads a value that
 * starts with "-" but is not a plain number as a bundle of short flags
 * ("Unknown arguments: 5, %"); joined, the option gets the text and says
 * what is wrong with it.
 */
function joinDashedValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (VALUE_OPTIONS.has(argv[i]) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

/** A usage problem found by yargs (unknown option, missing argument), with the options the command knows. */
class YargsUsage extends Error {
  constructor(
    message: string,
    readonly known: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * yargs' "Unknown argument(s): a, b" as one line per name: an option typed
 * on the command line ("--strtegy: unknown option; did you mean
 * --strategy?") or an extra positional ("c: unexpected argument").
 */
function usageLines(error: YargsUsage, argv: readonly string[], command: string): string {
  const help = seeHelp(command);
  const m = /^Unknown arguments?: (.*)$/.exec(error.message);
  if (!m) return `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}${help}`;
  return m[1]
    .split(', ')
    .map((name) => {
      const dashes = name.length === 1 ? '-' : '--';
      const typed = argv.some((a) => a === `${dashes}${name}` || a.startsWith(`${dashes}${name}=`));
      return typed ? `${dashes}${name}: unknown option${didYouMean(name, error.known)}${help}` : `${name}: unexpected argument${help}`;
    })
    .join('\n');
}

/** Prints an error the way the CLI promises (src/cli/messages.ts) and returns its exit code. */
async function report(error: unknown, io: CliIO, verbose: boolean, command: string, argv: readonly string[]): Promise<number> {
  const stack = verbose && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  if (error instanceof Interrupted) {
    await write(io.stderr, `\n${errorText(error.message)}`);
    return error.signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  }
  if (error instanceof YargsUsage) {
    await write(io.stderr, errorText(usageLines(error, argv, command)));
    return EXIT.usage;
  }
  if (error instanceof FlashsimError && !(error instanceof InternalError)) {
    // ScenarioError (one line per issue), UsageError and the rest the user can fix.
    await write(io.stderr, `${errorText(error.message)}${stack ? `${stack.slice(1)}\n` : ''}`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  const hint = verbose ? '' : ' (a bug in flashsim; --verbose shows the stack trace)';
  await write(io.stderr, `${errorText(`internal error: ${message}${hint}`)}${stack ? `${stack.slice(1)}\n` : ''}`);
  return EXIT.internal;
}

/** The options `run` and `sweep` share, picked out of yargs' parsed arguments. */
function planArgs(a: PlanArgs): PlanArgs {
  const { strategy, seed, replications, workers, memory, users, set, out, json, quiet, progress } = a;
  return { strategy, seed, replications, workers, memory, users, set, out, json, quiet, progress, ...shardArgs(a) };
}

/** `sim run`'s precision options, when given. */
function precisionArgs(a: { precision?: string; 'max-replications'?: string }): Pick<PlanArgs, 'precision' | 'maxReplications'> {
  return {
    ...(a.precision !== undefined ? { precision: a.precision } : {}),
    ...(a['max-replications'] !== undefined ? { maxReplications: a['max-replications'] } : {}),
  };
}

/** `--shard` / `--shards`, when given (src/cli/shard-option.ts). */
function shardArgs(a: PlanArgs): Pick<PlanArgs, 'shard' | 'shards'> {
  return { ...(a.shard !== undefined ? { shard: a.shard } : {}), ...(a.shards !== undefined ? { shards: a.shards } : {}) };
}

/** Options to run one shard of the plan on a machine of a batch job (docs/scale-out.md). */
const SHARD_OPTIONS = {
  shard: {
    type: 'string',
    describe:
      'Run only shard i of N (0-based, 0 to N-1) of the plan and write shard-<i>-of-<N>.json into --out; `flashsim merge` builds the reports from all N.',
  },
  shards: {
    type: 'string',
    describe:
      'Like --shard, the index i read from the environment: JOB_COMPLETION_INDEX (Kubernetes), AWS_BATCH_JOB_ARRAY_INDEX, CIRCLE_NODE_INDEX, BUILDKITE_PARALLEL_JOB (0-based) or CI_NODE_INDEX (GitLab, 1-based).',
  },
} as const;

/**
 * Runs the CLI on `argv` (without node and the script) and returns the exit
 * code; never calls process.exit.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const verbose = argv.includes('--verbose');
  const command = argv.find((a) => !a.startsWith('-')) ?? '';
  if (command && !COMMANDS.includes(command)) {
    const near = didYouMean(command, COMMANDS, '');
    return report(
      new YargsUsage(`${command}: unknown command${near || `; the commands are ${COMMANDS.join(', ')}`}`),
      io,
      verbose,
      '',
      argv,
    );
  }
  const unknown = command ? undefined : argv.find((a) => a.startsWith('-') && !GLOBAL_FLAGS.has(a));
  if (unknown !== undefined) {
    // Without a command yargs would only say "no command given".
    const known = [...GLOBAL_FLAGS].filter((f) => f.startsWith('--') && !f.startsWith('--no-')).map((f) => f.slice(2));
    return report(new YargsUsage(`Unknown argument: ${unknown.replace(/^-+/, '').replace(/=.*/, '')}`, known), io, verbose, '', argv);
  }
  let code: number = EXIT.ok;
  const done = (c: number): void => {
    code = c;
  };

  const args = joinDashedValues(argv);
  const parser = yargs(args)
    .scriptName(PROGRAM)
    .usage(
      '$0 <command> [options]\n\nSimulate a flash sale in virtual time, audit it, compare strategies. (The package also installs this command as `sim`.)',
    )
    .strict()
    .exitProcess(false)
    .wrap(Math.min(110, io.stdout.columns || 100))
    .version(toolVersion())
    .alias('version', 'V')
    .help()
    .alias('help', 'h')
    .option('verbose', { type: 'boolean', default: false, describe: 'Show stack traces on errors.', global: true })
    .middleware((a) => checkOptions(a), true)
    .command(
      'run <scenario..>',
      'Run every strategy × replication of the scenario(s), audit, check thresholds, write reports.',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file(s).', defaultDescription: 'none' })
          .option('strategy', { type: 'string', describe: 'Strategies to run, comma-separated or repeated (default: all).', coerce: many })
          .option('seed', { type: 'string', describe: "Master seed (default: the scenario's). Same seed → same summary.json." })
          .option('replications', {
            type: 'string',
            describe:
              "Independent replications per strategy (default: the scenario's); with --precision, the first batch and every batch added.",
          })
          .option('precision', {
            type: 'string',
            describe:
              "Add replications until every threshold's 95% CI decides (lies on one side of its limit) or is within this share of its mean, e.g. 5%.",
          })
          .option('max-replications', {
            type: 'string',
            describe:
              "Most replications of one strategy with --precision (default: the scenario's maxReplications, else max(12, 4 × the first batch): room for four batches).",
          })
          .option('workers', { type: 'string', describe: 'Worker threads (default: the number of cores).' })
          .option('memory', {
            type: 'string',
            describe:
              "Memory the runs may use, e.g. 8GiB (default: the machine's, or its container's limit). Fewer runs go at once if they would not fit.",
          })
          .option('users', { type: 'string', describe: 'Population size for every strategy: 10000, 10k, 1M.' })
          .option('set', { type: 'string', describe: 'Override a field: path=value (repeatable), e.g. system.cdn.ttl=10s.', coerce: many })
          .option('out', { type: 'string', describe: 'Output directory (default: reports/<scenario>/<run-id>/).' })
          .option('json', { type: 'boolean', default: false, describe: 'Print summary.json on stdout (and nothing else there).' })
          .option('quiet', {
            type: 'boolean',
            alias: 'q',
            default: false,
            describe: 'No progress and no summary table; a run that fails still prints its failures and verdict on stderr.',
          })
          .option('progress', { type: 'boolean', default: true, describe: 'Progress on stderr (--no-progress to turn off).' })
          .option('ledger', {
            type: 'boolean',
            default: true,
            describe: 'Write ledger.parquet and users.parquet, every order and "won" answer (--no-ledger to skip them).',
          })
          .options(SHARD_OPTIONS)
          .example('$0 run scenarios/flash-sale.yaml', "All strategies, the scenario's seed and replications.")
          .example(
            '$0 run scenarios/flash-sale.yaml --strategy seed-design,naive --replications 5',
            'Two strategies, 5 replications each (95% CIs).',
          )
          .example('$0 run scenarios/smoke.yaml --set system.orderServers.servers=20 --users 10k', 'Override a field and the population.')
          .example('$0 run scenarios/smoke.yaml --json --no-progress > summary.json', 'Machine-readable summary on stdout.')
          .example(
            '$0 run scenarios/smoke.yaml --replications 3 --precision 5% --max-replications 30',
            "3 at a time until each threshold's CI decides or is within ±5% of its mean (at most 30).",
          )
          .example('$0 run scenarios/smoke.yaml --replications 6 --shard 0/3 --out shards/0', 'Shard 0 of 3 (then 1/3, 2/3; then merge).'),
      async (a) => {
        const scenarios = many(a.scenario) ?? [];
        done(
          a.shard !== undefined || a.shards !== undefined
            ? await shardCommand('run', scenarios, { ...planArgs(a), ...precisionArgs(a) }, io)
            : await runCommand({ scenarios, ledger: a.ledger, ...planArgs(a), ...precisionArgs(a) }, io),
        );
      },
    )
    .command(
      'sweep <scenario>',
      'Run a grid of parameter values (x strategies x replications) on the worker pool; a table of metrics against the parameters.',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file.' })
          .option('param', {
            type: 'string',
            describe: 'A swept field: path=v1,v2,… (repeatable; the grid is their product, at most 1,000 points).',
            coerce: many,
          })
          .option('metric', {
            type: 'string',
            describe: 'Metrics to report, e.g. order_latency.p99, sell_out_time (repeatable; default: a handful).',
            coerce: many,
          })
          .option('strategy', { type: 'string', describe: 'Strategies to run, comma-separated or repeated (default: all).', coerce: many })
          .option('seed', { type: 'string', describe: "Master seed (default: the scenario's); the same for every point." })
          .option('replications', { type: 'string', describe: "Replications per point and strategy (default: the scenario's)." })
          .option('workers', { type: 'string', describe: 'Worker threads (default: the number of cores).' })
          .option('memory', {
            type: 'string',
            describe:
              "Memory the runs may use, e.g. 8GiB (default: the machine's, or its container's limit). Fewer runs go at once if they would not fit.",
          })
          .option('users', { type: 'string', describe: 'Population size: 10000, 10k, 1M.' })
          .option('set', { type: 'string', describe: 'Override a field for every point: path=value (repeatable).', coerce: many })
          .option('out', { type: 'string', describe: 'Output directory (default: reports/<scenario>/sweep-<time>/).' })
          .option('json', { type: 'boolean', default: false, describe: 'Print sweep.json on stdout (the table goes to stderr).' })
          .option('quiet', { type: 'boolean', alias: 'q', default: false, describe: 'No progress and no table; errors only.' })
          .option('progress', { type: 'boolean', default: true, describe: 'Progress on stderr (--no-progress to turn off).' })
          .options(SHARD_OPTIONS)
          .example(
            '$0 sweep scenarios/flash-sale.yaml --strategy seed-design --param system.orderServers.servers=5,10,20 --param system.cdn.ttl=1s,10s,60s',
            '9 points: order servers x CDN TTL.',
          )
          .example(
            '$0 sweep scenarios/smoke.yaml --param system.orderServers.servers=1,2,4 --metric order_latency.p99 --replications 5',
            'The fewest servers keeping p99 low, with 95% CIs.',
          )
          .example(
            '$0 sweep scenarios/smoke.yaml --param system.orderServers.servers=1,2,4 --shards 3 --out /shared/$JOB_COMPLETION_INDEX',
            'One shard of 3 in a Kubernetes Indexed Job (see docs/scale-out.md).',
          ),
      async (a) => {
        const args = { scenario: a.scenario, param: a.param, metric: a.metric, ...planArgs(a) };
        done(
          a.shard !== undefined || a.shards !== undefined
            ? await shardCommand('sweep', [a.scenario], args, io)
            : await sweepCommand(args, io),
        );
      },
    )
    .command(
      'merge <results..>',
      'Merge the shard results of a `run --shard`/`sweep --shard` into the reports the unsharded command writes (byte-identical but timing.json).',
      (y) =>
        y
          .positional('results', {
            type: 'string',
            demandOption: true,
            describe: 'Shard results: directories (holding shard-<i>-of-<N>.json) or shard files, all N of one plan, in any order.',
            defaultDescription: 'none',
          })
          .option('out', { type: 'string', describe: 'Output directory for the merged reports (required).' })
          .option('json', { type: 'boolean', default: false, describe: 'Print summary.json (or sweep.json) on stdout.' })
          .option('quiet', {
            type: 'boolean',
            alias: 'q',
            default: false,
            describe: 'No summary table; a failing verdict is still printed on stderr.',
          })
          .option('ledger', {
            type: 'boolean',
            default: true,
            describe: 'Write ledger.parquet and users.parquet for a merged run (--no-ledger to skip them).',
          })
          .example('$0 merge shards/0 shards/1 shards/2 --out reports/smoke/merged', 'Exit code as sim run: the merged verdict (0, 1, 99).')
          .example('$0 merge shards/*/ --out merged', 'Shards in any order; a missing or foreign shard exits 2.'),
      async (a) => {
        done(await mergeCommand({ shards: many(a.results) ?? [], out: a.out, json: a.json, quiet: a.quiet, ledger: a.ledger }, io));
      },
    )
    .command(
      'plan <scenario>',
      "Find the cheapest values of the scenario's plan: parameters that meet every threshold (at the pessimistic end of its 95% CI) and invariant.",
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file with a plan: block.' })
          .option('seed', { type: 'string', describe: "Master seed (default: the scenario's); the same for every candidate." })
          .option('max-replications', {
            type: 'string',
            describe:
              "Most replications of one candidate (default: plan.maxReplications, else the scenario's maxReplications, else max(12, 4 × plan.replications)); still undecided then counts as infeasible.",
          })
          .option('exhaustive', { type: 'boolean', default: false, describe: 'Evaluate every candidate of the grid instead of searching.' })
          .option('workers', { type: 'string', describe: 'Worker threads (default: the number of cores).' })
          .option('out', { type: 'string', describe: 'Output directory (default: reports/<scenario>/plan-<time>/).' })
          .option('json', { type: 'boolean', default: false, describe: 'Print plan.json on stdout (the summary goes to stderr).' })
          .option('quiet', {
            type: 'boolean',
            alias: 'q',
            default: false,
            describe: 'No progress and no summary; a missing plan still says why on stderr.',
          })
          .option('progress', { type: 'boolean', default: true, describe: 'A line per candidate on stderr (--no-progress to turn off).' })
          .example('$0 plan scenarios/capacity-plan.yaml', 'The cheapest order servers and bandwidth meeting the SLOs.')
          .example('$0 plan scenarios/capacity-plan.yaml --json --no-progress > plan.json', 'plan.json on stdout.'),
      async (a) => {
        done(
          await planCommand(
            {
              scenario: a.scenario,
              seed: a.seed,
              workers: a.workers,
              maxReplications: a['max-replications'],
              exhaustive: a.exhaustive,
              out: a.out,
              json: a.json,
              quiet: a.quiet,
              progress: a.progress,
            },
            io,
          ),
        );
      },
    )
    .command(
      'validate <scenario..>',
      'Check scenario files (schema, strategies, thresholds) without running them.',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file(s).', defaultDescription: 'none' })
          .option('set', { type: 'string', describe: 'Validate with an override: path=value (repeatable).', coerce: many })
          .option('quiet', { type: 'boolean', alias: 'q', default: false, describe: 'Print only problems.' })
          .example('$0 validate scenarios/*.yaml', 'Check every scenario; exit 2 if any is invalid.'),
      async (a) => {
        done(await validateCommand({ scenarios: many(a.scenario) ?? [], set: a.set, quiet: a.quiet }, io));
      },
    )
    .command(
      'schema',
      'Print the JSON Schema of scenario files (for editor validation and completion).',
      (y) => y.example('$0 schema > flashsim.schema.json', 'Save it; point yaml-language-server at it.'),
      async () => {
        done(await schemaCommand(io));
      },
    )
    .command(
      'compare <baseline> <candidate>',
      'Metric deltas per strategy between two runs; optionally a regression gate.',
      (y) =>
        y
          .positional('baseline', { type: 'string', demandOption: true, describe: 'Run directory (or its summary.json).' })
          .positional('candidate', { type: 'string', demandOption: true, describe: 'Run directory (or its summary.json).' })
          .option('markdown', { type: 'boolean', default: false, describe: 'Markdown table (for a pull-request comment).' })
          .option('max-regression', {
            type: 'string',
            describe:
              'Exit 99 if any metric got worse by more than this: a percentage (10%) or a fraction below 1 (0.1). With 2+ replications on both sides, differences a t-test cannot confirm (95%; paired per replication when both runs share the seed and replications, else Welch) are not gated.',
          })
          .option('chart', { type: 'string', describe: 'Also write a PNG of the relative change of the headline metrics per strategy.' })
          .example('$0 compare reports/flash-sale/A reports/flash-sale/B', 'Terminal table of deltas.')
          .example('$0 compare main/ pr/ --markdown --max-regression 10%', 'PR comment; exit 99 on a >10% regression.'),
      async (a) => {
        done(
          await compareCommand(
            { baseline: a.baseline, candidate: a.candidate, markdown: a.markdown, maxRegression: a['max-regression'], chart: a.chart },
            io,
          ),
        );
      },
    )
    .command(
      'report <run-dir>',
      "Rebuild the reports (summary.md, junit.xml, charts, report.html) from a run's summary.json and timeseries.csv, without re-running.",
      (y) =>
        y
          .positional('run-dir', { type: 'string', demandOption: true, describe: 'Run directory (or its summary.json).' })
          .option('out', { type: 'string', describe: 'Write the reports here instead of the run directory.' })
          .option('quiet', { type: 'boolean', alias: 'q', default: false, describe: 'No summary table.' })
          .example('$0 report reports/flash-sale/20250101T093000Z-3f2a9c1', 'Regenerate the reports in place.'),
      async (a) => {
        done(await reportCommand({ runDir: a['run-dir'], out: a.out, quiet: a.quiet }, io));
      },
    )
    .command(
      'fit <samples>',
      "Fit the scenario language's distributions to measured latencies (CSV, one per line, k6 JSON, HdrHistogram log); rank them and print the best as a scenario value.",
      (y) =>
        y
          .positional('samples', {
            type: 'string',
            demandOption: true,
            describe: 'File of measured latencies (at most 64 MiB and 1,000,000 samples, at least 20).',
          })
          .option('format', { type: 'string', describe: 'csv, lines, k6 or hdr (default: detected from the content).' })
          .option('column', { type: 'string', describe: 'CSV: the column to read, by its header (required when there are several).' })
          .option('unit', {
            type: 'string',
            describe:
              'Unit of bare numbers: ns, us, ms or s (csv, lines; a header such as latency_ms names it too). HdrHistogram: the recorded unit (default us).',
          })
          .option('metric', { type: 'string', describe: 'k6 JSON: the metric read (default http_req_duration, in ms).' })
          .option('bootstrap', {
            type: 'string',
            describe: 'Parametric bootstrap replicates per family for the p-values, 0 to 2000 (default 200; 0: no p-values).',
          })
          .option('seed', { type: 'string', describe: 'Seed of the bootstrap (default 1): the same seed gives the same p-values.' })
          .option('out', { type: 'string', describe: 'Write fit.json, fit-cdf.png and fit-qq.png into this directory (as one set).' })
          .option('json', { type: 'boolean', default: false, describe: 'Print fit.json on stdout instead of the table.' })
          .example('$0 fit latencies.csv --column duration_ms', 'One column of a CSV (unit from the header).')
          .example('$0 fit k6.json --out fit/', 'k6 run --out json=k6.json; table, fit.json and charts.')
          .example('$0 fit redis.hlog --format hdr --unit us --json', 'An HdrHistogram log, as JSON.'),
      async (a) => {
        done(
          await fitCommand(
            {
              samples: a.samples,
              format: a.format,
              column: a.column,
              unit: a.unit,
              metric: a.metric,
              bootstrap: a.bootstrap,
              seed: a.seed,
              out: a.out,
              json: a.json,
            },
            io,
          ),
        );
      },
    )
    .command(
      'calibrate <what>',
      'Measure a real stock store (loopback only), audit its takes, fit the model and compare measured with predicted throughput.',
      (y) =>
        y
          .positional('what', { type: 'string', demandOption: true, choices: ['stock'], describe: 'What to calibrate: stock.' })
          .option('target', {
            type: 'string',
            describe: 'The store: redis://127.0.0.1:PORT or postgresql://user@127.0.0.1:PORT/db (loopback addresses only).',
          })
          .option('concurrency', {
            type: 'string',
            describe: 'Closed-loop client counts, comma-separated (default 1,2,4,…,256; fewer if the store takes fewer connections).',
          })
          .option('takes', { type: 'string', describe: 'Take budget per level, split over its rounds (default 4000).' })
          .option('duration', { type: 'string', describe: 'Longest a level runs, split over its rounds, e.g. 10s (default 10s).' })
          .option('rounds', {
            type: 'string',
            describe: 'Rounds per level, interleaved across the levels; figures are medians over them (default 3).',
          })
          .option('stock', {
            type: 'string',
            describe: "Units at the start of each round (default: the round's takes / 8, so it sells out).",
          })
          .option('primitive', { type: 'string', describe: "Primitives to measure, comma-separated (default: all of the store's)." })
          .option('hold-out', {
            type: 'boolean',
            default: false,
            describe: 'Also fit on every other level only and report the throughput error at the levels left out (fits twice).',
          })
          .option('out', { type: 'string', describe: 'Output directory (default: reports/calibrate/<store>-<time>/).' })
          .option('json', { type: 'boolean', default: false, describe: 'Print calibration.json on stdout (the table goes to stderr).' })
          .option('quiet', { type: 'boolean', alias: 'q', default: false, describe: 'No progress and no table; errors only.' })
          .example('$0 calibrate stock --target redis://127.0.0.1:6379', 'Lua, WATCH/MULTI and GET-then-SET at 1 to 256 clients.')
          .example(
            '$0 calibrate stock --target postgresql://app@127.0.0.1:5432/staging --concurrency 1,4,16,64 --takes 2000',
            'Row lock, SELECT FOR UPDATE and SELECT-then-UPDATE at four levels.',
          ),
      async (a) => {
        done(
          await calibrateCommand(
            {
              what: a.what,
              target: a.target,
              concurrency: a.concurrency,
              takes: a.takes,
              duration: a.duration,
              rounds: a.rounds,
              stock: a.stock,
              primitive: a.primitive,
              holdOut: a['hold-out'],
              out: a.out,
              json: a.json,
              quiet: a.quiet,
            },
            io,
          ),
        );
      },
    )
    .demandCommand(1, 'no command given')
    .epilog(
      'Exit codes: 0 pass, 1 invariant violated, 2 bad input or usage, 99 threshold failed (or compare gate), 70 internal error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).',
    )
    .fail((message, error, usage) => {
      // The usage object describes the command being parsed: its options are the candidates for "did you mean".
      throw error ?? new YargsUsage(message, Object.keys((usage as unknown as { getDescriptions(): object }).getDescriptions()));
    });

  try {
    let printed = '';
    await parser.parseAsync(args, {}, (_err, _argv, output) => {
      printed = output;
    });
    if (printed) await write(io.stdout, printed.endsWith('\n') ? printed : `${printed}\n`);
  } catch (error) {
    if (error instanceof YargsUsage && argv.filter((a) => a !== '--verbose').length === 0) {
      // `sim` alone: the help, on stderr, and exit 2.
      await write(io.stderr, `${await parser.getHelp()}\n`);
      return EXIT.usage;
    }
    return report(error, io, verbose, command, argv);
  }
  return code;
}

/** True when this module is the program (not imported by a test). */
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(errorText(`internal error: ${error instanceof Error ? error.message : String(error)}`));
      process.exitCode = EXIT.internal;
    },
  );
}
