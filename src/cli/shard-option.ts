import { UsageError } from '../errors.js';
import type { ShardSpec } from '../execute/shard.js';

/**
 * `--shard i/N` and `--shards N`: which shard of the plan this process runs.
 * Shard indices are 0-based (0 … N−1), like Kubernetes' and AWS Batch's
 * array indices. With `--shards N` the index comes from the batch engine's
 * environment, converted to 0-based.
 */

/** An environment variable through which a batch engine hands each job its index. */
export interface IndexVariable {
  /** The variable. */
  name: string;
  /** Who sets it. */
  engine: string;
  /** The first job's value: 0 or 1. */
  base: 0 | 1;
  /** The variable holding the number of jobs, when the engine sets one (checked against N). */
  total?: string;
}

/** The variables `--shards N` reads, in this order. */
export const INDEX_VARIABLES: readonly IndexVariable[] = [
  { name: 'JOB_COMPLETION_INDEX', engine: 'Kubernetes Indexed Job', base: 0 },
  { name: 'AWS_BATCH_JOB_ARRAY_INDEX', engine: 'AWS Batch array job', base: 0 },
  { name: 'CI_NODE_INDEX', engine: 'GitLab CI parallel', base: 1, total: 'CI_NODE_TOTAL' },
  { name: 'CIRCLE_NODE_INDEX', engine: 'CircleCI parallelism', base: 0, total: 'CIRCLE_NODE_TOTAL' },
  { name: 'BUILDKITE_PARALLEL_JOB', engine: 'Buildkite parallelism', base: 0, total: 'BUILDKITE_PARALLEL_JOB_COUNT' },
];

function wholeNumber(text: string): number | undefined {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(value) ? value : undefined;
}

function checkIndex(index: number, count: number, what: string): void {
  if (index >= count) {
    throw new UsageError(
      `${what}: shard index ${index} is not below the shard count ${count}; indices count from 0, so they are 0 to ${count - 1} (flashsim's shards are 0-based like JOB_COMPLETION_INDEX; Playwright's and Vitest's --shard count from 1)`,
    );
  }
}

/** `--shard` as typed ("1/3") → shard 1 of 3. */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? wholeNumber(m[1]) : undefined;
  const count = m ? wholeNumber(m[2]) : undefined;
  if (index === undefined || count === undefined || count < 1)
    throw new UsageError(`--shard: expected i/N, the 0-based shard index and the shard count, e.g. 0/4 (got ${JSON.stringify(text)})`);
  checkIndex(index, count, `--shard ${text.trim()}`);
  return { index, count };
}

/**
 * The shard index for `--shards N` from the environment: every variable of
 * {@link INDEX_VARIABLES} that is set (non-empty) must give the same
 * 0-based index, and a total variable set beside it must equal N.
 *
 * @throws {UsageError} when none is set, one is not a whole number (or 0
 *   for a 1-based one), they disagree, a total differs from N, or the index is not below N.
 */
export function shardFromEnvironment(count: number, env: NodeJS.ProcessEnv): ShardSpec {
  const found: Array<{ variable: IndexVariable; raw: string; index: number }> = [];
  for (const variable of INDEX_VARIABLES) {
    const raw = env[variable.name];
    if (raw === undefined || raw.trim() === '') continue;
    const value = wholeNumber(raw);
    if (value === undefined || value < variable.base) {
      throw new UsageError(
        `--shards ${count}: ${variable.name}=${JSON.stringify(raw)} is not a ${variable.base}-based job index (expected a whole number from ${variable.base})`,
      );
    }
    const total = variable.total === undefined ? undefined : env[variable.total];
    if (total !== undefined && total.trim() !== '' && wholeNumber(total) !== count) {
      throw new UsageError(
        `--shards ${count}: ${variable.total}=${total} says the ${variable.engine} job has ${total} parts; give --shards ${total}`,
      );
    }
    found.push({ variable, raw, index: value - variable.base });
  }
  if (found.length === 0) {
    throw new UsageError(
      `--shards ${count}: no shard index in the environment; set one of ${INDEX_VARIABLES.map((v) => `${v.name} (${v.engine}, ${v.base}-based)`).join(', ')}, or give --shard i/${count}`,
    );
  }
  const disagree = found.filter((f) => f.index !== found[0].index);
  if (disagree.length > 0) {
    throw new UsageError(
      `--shards ${count}: the environment gives different shard indices: ${found
        .map((f) => `${f.variable.name}=${f.raw} (${f.variable.base}-based: shard ${f.index})`)
        .join(', ')}; unset all but one, or give --shard i/${count}`,
    );
  }
  const [{ variable, raw, index }] = found;
  checkIndex(index, count, `--shards ${count} with ${variable.name}=${raw}${variable.base === 1 ? ' (1-based)' : ''}`);
  return { index, count };
}

/**
 * The shard asked for by `--shard` or `--shards` (not both), or undefined
 * for an unsharded run.
 *
 * @throws {UsageError} as {@link parseShard} and {@link shardFromEnvironment}.
 */
export function shardOption(args: { shard?: string; shards?: string }, env: NodeJS.ProcessEnv = process.env): ShardSpec | undefined {
  if (args.shard !== undefined && args.shards !== undefined)
    throw new UsageError('--shard and --shards: give one (--shard i/N names the shard; --shards N reads its index from the environment)');
  if (args.shard !== undefined) return parseShard(args.shard);
  if (args.shards === undefined) return undefined;
  const count = wholeNumber(args.shards);
  if (count === undefined || count < 1)
    throw new UsageError(`--shards: expected the number of shards, a positive whole number (got ${JSON.stringify(args.shards)})`);
  return shardFromEnvironment(count, env);
}
