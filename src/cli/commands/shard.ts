import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { TaskProgress } from '../../execute/execute.js';
import { shardTasks } from '../../execute/shard.js';
import { shardOption } from '../shard-option.js';
import { planOf, prepareShardable, readShardSource, runShard } from '../../app/shard.js';
import { renderShardJson, shardFileName, type ShardCommand, type ShardRequest } from '../../results/shard.js';
import { CtrlC, Interrupted, writtenMessage } from '../ctrl-c.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { fitToMemory } from '../memory-fit.js';
import { checkOutput, writeOutputs } from '../outputs.js';
import { formatCompact } from '../progress.js';
import { planOptions, planWorkers, progressModeOf, type PlanArgs } from './run.js';

/**
 * `sim run --shard i/N` and `sim sweep --shard i/N`: prepares the whole
 * plan, as the unsharded command would, runs only this shard's tasks, and
 * writes `shard-<i>-of-<N>.json` into --out (default
 * reports/<scenario>/shard-<i>-of-<N>/) as one atomic set. No reports and
 * no verdict: `sim merge` audits and checks once all shards are in.
 *
 * Exit 0 once the shard result is written, 2 for bad input, 70 for a failed
 * run, 130/143 when interrupted.
 */
export async function shardCommand(
  command: ShardCommand,
  files: readonly string[],
  args: PlanArgs & { param?: string[]; metric?: string[] },
  io: CliIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const shard = shardOption(args, env);
  if (shard === undefined) throw new UsageError('--shard or --shards: expected one of them');
  if (files.length !== 1)
    throw new UsageError(`--shard: one scenario at a time (got ${files.length}); run each scenario's shards separately`);
  const [file] = files;
  if (args.json) throw new UsageError(`--json: a shard writes no summary; sim merge prints it once every shard is in`);
  if (args.precision !== undefined || args.maxReplications !== undefined) {
    // Each batch waits on the verdicts of the last: there is no fixed set of tasks to split.
    throw new UsageError(
      `--precision: not with --shard/--shards: how many replications a strategy gets depends on the results of the ones before; give --replications instead`,
    );
  }
  const asked = planWorkers(args);
  const options = planOptions(args);
  const request: ShardRequest = {
    ...(options.strategies !== undefined ? { strategies: [...options.strategies] } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.replications !== undefined ? { replications: options.replications } : {}),
    ...(options.users !== undefined ? { users: options.users } : {}),
    ...(options.set !== undefined ? { set: [...options.set] } : {}),
    ...(command === 'sweep' ? { params: args.param ?? [] } : {}),
    ...(command === 'sweep' && args.metric !== undefined ? { metrics: args.metric } : {}),
  };
  const source = readShardSource(file);
  const prepared = prepareShardable(command, source, request);
  const plan = planOf(prepared);
  const mine = shardTasks(plan, shard);
  const name = plan.scenario.name;
  const label = `[${name}] shard ${shard.index}/${shard.count}`;
  const dir = args.out ?? join('reports', name, `shard-${shard.index}-of-${shard.count}`);

  const workers = await fitToMemory(
    [{ ...plan, tasks: mine.length > 0 ? mine : plan.tasks.slice(0, 1) }],
    asked,
    args.memory,
    io,
    args.quiet,
  );
  await checkOutput(dir);

  const mode = progressModeOf(args, io);
  if (mode !== 'off') {
    await write(
      io.stderr,
      `${label}: ${mine.length} of ${plan.tasks.length} runs${mine.length === 0 ? ' (nothing to run: more shards than runs)' : ''}\n`,
    );
  }
  let done = 0;
  let events = 0;
  const onProgress = (p: TaskProgress): void => {
    if (mode === 'off' || p.phase !== 'done') return;
    done++;
    events += p.events;
    io.stderr.write(`${label}: ${done}/${mine.length} runs done, ${formatCompact(events)} events\n`);
  };
  const ctrlC = new CtrlC();
  ctrlC.listen();
  try {
    let result;
    try {
      result = await runShard(prepared, source, request, shard, { workers, onProgress, signal: ctrlC.signal });
    } catch (error) {
      if (ctrlC.interrupted) throw new Interrupted();
      throw error;
    }
    if (ctrlC.interrupted) throw new Interrupted();
    const fileName = shardFileName(shard.index, shard.count);
    await writeOutputs(dir, new Map([[fileName, renderShardJson(result)]]));
    if (ctrlC.interrupted) throw new Interrupted(writtenMessage([`${dir}/`]));
    if (!args.quiet) {
      await write(
        io.stderr,
        `wrote ${join(dir, fileName)}; once all ${shard.count} shards are written: flashsim merge <their directories> --out DIR\n`,
      );
    }
    return EXIT.ok;
  } finally {
    ctrlC.ignore();
  }
}
