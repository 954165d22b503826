/**
 * A shard result (`shard-<i>-of-<N>.json`): what one `--shard i/N` process
 * of `sim run` or `sim sweep` writes, and `sim merge` reads. It carries the
 * plan's fingerprint (which scenario text, options, seed and tool version
 * made the plan, and which shard of how many this is) and the full
 * {@link RunResult} of every task the shard held, ledger included, so that
 * the merge can audit, aggregate and render exactly as the unsharded
 * command does.
 *
 * The JSON is lossless for the results: JavaScript's number text reads
 * back as the same double, and a negative zero, which JSON.stringify would
 * write as `0`, is written as `-0` (valid JSON that JSON.parse reads back
 * as -0). Non-finite numbers are not plain JSON data (see RunResult) and
 * are refused.
 */
import type { RunResult } from './result.js';

/** The shard file format's version; bumped on incompatible changes. */
export const SHARD_SCHEMA_VERSION = 1;

/** Tells a shard file from a summary.json or sweep.json. */
export const SHARD_KIND = 'flashsim-shard';

/** The command whose plan was split. */
export type ShardCommand = 'run' | 'sweep';

/**
 * The options that shaped the plan, as given on the command line (parsed,
 * before the strategies are resolved), so that `sim merge` can prepare
 * the very same plan again: `sim run`'s options, and for a sweep its
 * `--param` and `--metric` too. Absent keys were not given.
 */
export interface ShardRequest {
  strategies?: string[];
  seed?: number | string;
  replications?: number;
  users?: number;
  set?: string[];
  params?: string[];
  metrics?: string[];
}

/** What makes two shards parts of one plan; every shard of a plan has the same. */
export interface ShardFingerprint {
  /** The command split. */
  command: ShardCommand;
  /** The flashsim that planned and ran it. */
  tool: { name: 'flashsim'; version: string };
  /** The scenario: name, file as shown in the reports, SHA-256 of its text (hex), and the text itself. */
  scenario: { name: string; file: string; sha256: string; text: string };
  /** The options given (see {@link ShardRequest}). */
  request: ShardRequest;
  /** The run's master seed (the scenario's, or --seed). */
  seed: number | string;
  /** Tasks in the whole plan. */
  tasks: number;
  /** SHA-256 (hex) of every task of the plan: strategy, replication, seed, token secret and resolved configuration. */
  planSha256: string;
  /** Number of shards the plan was split into. */
  shards: number;
}

/** A shard file's content. */
export interface ShardResult {
  /** {@link SHARD_SCHEMA_VERSION}. */
  schemaVersion: number;
  /** {@link SHARD_KIND}. */
  kind: typeof SHARD_KIND;
  /** The plan this shard belongs to. */
  fingerprint: ShardFingerprint;
  /** This shard's index, 0-based. */
  shard: number;
  /** The plan indices of the tasks this shard ran, ascending. */
  units: number[];
  /** One per unit, in the same order. */
  results: RunResult[];
  /** Wall-clock figures of this shard (never part of a merged summary). */
  timing: ShardTiming;
}

/** The wall-clock side of one shard. */
export interface ShardTiming {
  /** Wall-clock start, ISO 8601. */
  startedAt: string;
  /** Wall time of the shard's runs, ms. */
  wallMs: number;
  /** Worker threads used. */
  workers: number;
  /** Events handled over the shard's tasks. */
  events: number;
  /** The machine. */
  host: { node: string; platform: string; arch: string; cpus: number };
}

/** `shard-<i>-of-<N>.json`. */
export function shardFileName(index: number, count: number): string {
  return `shard-${index}-of-${count}.json`;
}

/** Matches {@link shardFileName}'s names. */
export const SHARD_FILE_PATTERN = /^shard-\d+-of-\d+\.json$/;

// Stands in for -0 while JSON.stringify runs; replaced by the number token -0 afterwards.
const NEGATIVE_ZERO = '\u0000flashsim:-0\u0000';
const NEGATIVE_ZERO_JSON = JSON.stringify(NEGATIVE_ZERO);

/**
 * The shard file's text: compact JSON, lossless for every finite number.
 *
 * @throws {RangeError} for a non-finite number (a result that is not plain JSON data).
 */
export function renderShardJson(shard: ShardResult): string {
  const text = JSON.stringify(shard, function (key, value: unknown) {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RangeError(`shard result: ${key} is ${value}, not a finite number`);
      if (Object.is(value, -0)) return NEGATIVE_ZERO;
    } else if (value === NEGATIVE_ZERO) {
      throw new RangeError(`shard result: ${key} holds a reserved string`);
    }
    return value;
  });
  return `${text.split(NEGATIVE_ZERO_JSON).join('-0')}\n`;
}

/**
 * Parses a shard file's text.
 *
 * @param where how to name the file in messages.
 * @throws {Error} with a one-line message when it is not a shard file this version can read.
 */
export function parseShardJson(text: string, where: string): ShardResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const d = data as Partial<ShardResult> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d) || d.kind !== SHARD_KIND)
    throw new Error(`${where}: not a flashsim shard result (write one with sim run or sim sweep --shard i/N)`);
  if (d.schemaVersion !== SHARD_SCHEMA_VERSION) {
    throw new Error(
      `${where}: unsupported shard schemaVersion ${JSON.stringify(d.schemaVersion ?? null)} (this flashsim reads version ${SHARD_SCHEMA_VERSION})`,
    );
  }
  const f = d.fingerprint;
  const ok =
    f !== undefined &&
    (f.command === 'run' || f.command === 'sweep') &&
    typeof f.scenario?.text === 'string' &&
    typeof f.scenario.sha256 === 'string' &&
    Number.isInteger(f.shards) &&
    Number.isInteger(f.tasks) &&
    Number.isInteger(d.shard) &&
    Array.isArray(d.units) &&
    Array.isArray(d.results) &&
    d.units.length === d.results.length &&
    d.units.every((u) => Number.isInteger(u));
  if (!ok) throw new Error(`${where}: a damaged shard result (its fingerprint, units or results are missing or do not match)`);
  return d as ShardResult;
}
