import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { mergeShards, type MergedShards, type ShardInput } from '../../app/shard.js';
import { renderConsoleSummary, renderVerdict } from '../../report/console-table.js';
import { LEDGER_TABLE, USERS_TABLE, writeLedgerTables } from '../../report/ledger-tables.js';
import { renderRunFiles } from '../../report/run-files.js';
import { renderSweepTable } from '../../report/sweep.js';
import { pendingFile } from '../../report/write-atomic.js';
import { parseShardJson, SHARD_FILE_PATTERN } from '../../results/shard.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { checkOutput, writeOutputs } from '../outputs.js';
import { listWritten } from './run.js';
import { renderSweepFiles } from './sweep.js';

/** `sim merge`'s arguments, as yargs parsed them. */
export interface MergeArgs {
  /** Shard directories (each holding shard-<i>-of-<N>.json) or shard files. */
  shards: string[];
  /** Output directory (required). */
  out?: string;
  /** Print summary.json (or sweep.json) on stdout. */
  json: boolean;
  /** No table; a failed verdict still goes to stderr. */
  quiet: boolean;
  /** false with --no-ledger: no ledger.parquet / users.parquet (merged runs of `sim run`). */
  ledger?: boolean;
}

/** The shard files a path names: the file itself, or every shard-*-of-*.json in a directory. */
async function shardFiles(path: string): Promise<string[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch {
    throw new UsageError(`${path}: no such shard file or directory`);
  }
  if (!isDirectory) return [path];
  const names = (await readdir(path)).filter((n) => SHARD_FILE_PATTERN.test(n)).sort();
  const files: string[] = [];
  for (const name of names) files.push((await pendingFile(path, name)) ?? join(path, name));
  // A write killed after its commit: the committed file waits in the commit directory.
  if (names.length === 0)
    throw new UsageError(`${path}: no shard result in this directory (shard-<i>-of-<N>.json, written by --shard i/N)`);
  return files;
}

async function readShard(file: string): Promise<ShardInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read: ${(error as Error).message}`);
  }
  try {
    return { where: file, shard: parseShardJson(text, file) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The merged output's timing.json: each shard's wall-clock figures (the only part that is not the unsharded run's). */
function mergedTiming(merged: MergedShards): string {
  return `${JSON.stringify({ merged: true, shards: merged.shards }, null, 2)}\n`;
}

/**
 * `sim merge <shards..> --out DIR`: checks that the shard results are every
 * shard of one plan, once each, rebuilds the unsharded command's result
 * from them (src/app/shard.ts) and writes the files that command writes,
 * rendered by the same functions: summary.json, summary.md,
 * timeseries.csv, junit.xml, charts, report.html and the ledger tables for
 * `sim run`; sweep.json, sweep.csv, sweep.md and the charts for `sim
 * sweep`. Only timing.json differs: it holds the shards' timings.
 *
 * Exit code: a merged run's verdict (0, 1, 99), as `sim run`'s; 0 for a
 * sweep, as `sim sweep`'s; 2 for shards that do not make one whole plan.
 */
export async function mergeCommand(args: MergeArgs, io: CliIO): Promise<number> {
  if (args.out === undefined) throw new UsageError('--out: sim merge needs the directory to write the merged reports into');
  const files: string[] = [];
  for (const path of args.shards) files.push(...(await shardFiles(path)));
  const inputs: ShardInput[] = [];
  for (const file of files) inputs.push(await readShard(file));
  const merged = mergeShards(inputs);
  const dir = args.out;
  await checkOutput(dir);

  if (merged.command === 'sweep') {
    const out = await renderSweepFiles(merged.result, io);
    out.set('timing.json', mergedTiming(merged));
    await writeOutputs(dir, out);
    if (args.json) await write(io.stdout, out.get('sweep.json') as string);
    if (!args.quiet) {
      await write(args.json ? io.stderr : io.stdout, renderSweepTable(merged.result));
      await write(io.stderr, `merged ${merged.shards.length} shards; wrote ${dir}/ (${[...out.keys()].join(', ')})\n`);
    }
    return EXIT.ok;
  }

  const out = renderRunFiles(merged.summary);
  out.set('timing.json', mergedTiming(merged));
  // As sim run does: the ledger tables join the set unless --no-ledger, and stale ones go.
  const results = merged.results;
  const tables = args.ledger === false ? undefined : async (staging: string) => void (await writeLedgerTables(staging, results));
  const written = await writeOutputs(dir, out, tables);
  if (!tables) await Promise.all([LEDGER_TABLE, USERS_TABLE].map((name) => rm(join(dir, name), { force: true })));
  if (args.json) await write(io.stdout, out.get('summary.json')!);
  if (!args.quiet) {
    await write(args.json ? io.stderr : io.stdout, `${renderConsoleSummary(merged.summary)}${args.json ? '' : '\n'}`);
    await write(io.stderr, `merged ${merged.shards.length} shards; wrote ${dir}/ (${listWritten(dir, written)})\n`);
  } else if (merged.summary.verdict.exitCode !== EXIT.ok) {
    await write(io.stderr, renderVerdict(merged.summary));
  }
  return merged.summary.verdict.exitCode;
}
