import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StrategyAggregate } from '../run/aggregate.js';
import type { RunResult } from '../run/result.js';
import type { ResolvedConfig } from '../scenario/schema.js';

/**
 * summary.json: everything a run produced that is a function of the
 * scenario, the options and the seed — and nothing else (no wall-clock
 * time, no run id, no absolute path, no worker count), so that the same
 * scenario and seed give a byte-identical file on any machine with any
 * number of workers. Wall-clock figures go to timing.json.
 *
 * The per-replication RunResults (ledger included) are kept, so that every
 * report can be rebuilt from this file alone (`sim report`).
 *
 * Versioning: `schemaVersion` is bumped on any incompatible change; readers
 * refuse versions they do not know.
 */
export const SUMMARY_SCHEMA_VERSION = 1;

/** One invariant for one strategy, over all its replications. */
export interface InvariantOutcome {
  name: string;
  passed: boolean;
  /** One line: what holds, or what was violated and where (first failing replication). */
  message: string;
  /** Per replication, in order. */
  replications: Array<{ replication: number; passed: boolean; message: string; offending: unknown[]; offendingCount?: number }>;
}

/** One threshold expression on one metric for one strategy. */
export interface ThresholdOutcome {
  metric: string;
  expression: string;
  passed: boolean;
  /** The value the expression was tested against (its unit is the metric's), null if not measured. */
  actual: number | null;
  message: string;
}

export interface StrategySummary {
  name: string;
  /** The resolved configuration (base + overlay + --set + --users + --seed). */
  config: ResolvedConfig;
  invariantsPassed: boolean;
  thresholdsPassed: boolean;
  invariants: InvariantOutcome[];
  thresholds: ThresholdOutcome[];
  aggregate: StrategyAggregate;
  /** Per replication, in replication order. */
  runs: RunResult[];
}

/** The options that shaped the run (not those that only change how fast it ran). */
export interface RunOptionsRecord {
  strategies: string[] | null;
  seed: number | string | null;
  replications: number | null;
  users: number | null;
  set: string[];
}

export interface RunSummary {
  schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  tool: { name: string; version: string };
  scenario: { name: string; file: string; description: string | null };
  seed: number | string;
  replications: number;
  options: RunOptionsRecord;
  invariants: string[];
  thresholds: Record<string, string[]>;
  verdict: {
    invariantsPassed: boolean;
    thresholdsPassed: boolean;
    /** `sim run`'s exit code for this scenario: 0 pass, 1 invariant violated, 99 threshold failed. */
    exitCode: 0 | 1 | 99;
  };
  strategies: StrategySummary[];
}

/** The exit code a verdict maps to: an invariant violation outranks a threshold failure. */
export function verdictExitCode(invariantsPassed: boolean, thresholdsPassed: boolean): 0 | 1 | 99 {
  if (!invariantsPassed) return 1;
  if (!thresholdsPassed) return 99;
  return 0;
}

/** summary.json's text: 2-space JSON with a final newline (NaN and ±Infinity become null). */
export function renderSummaryJson(summary: RunSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/**
 * Parses summary.json text.
 *
 * @param where how to name the file in messages.
 * @throws {Error} with a one-line message when it is not a summary this version can read.
 */
export function parseSummaryJson(text: string, where: string): RunSummary {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${where}: not a flashsim summary (expected a JSON object)`);
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (version !== SUMMARY_SCHEMA_VERSION) {
    throw new Error(
      `${where}: unsupported summary schemaVersion ${JSON.stringify(version ?? null)} (this flashsim reads version ${SUMMARY_SCHEMA_VERSION})`,
    );
  }
  const s = data as RunSummary;
  if (!Array.isArray(s.strategies) || typeof s.scenario?.name !== 'string') throw new Error(`${where}: not a flashsim summary (no scenario or strategies)`);
  return s;
}

let cachedVersion: string | undefined;

/** flashsim's version, from the package.json above this module (src/ or dist/src/). */
export function toolVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'flashsim' && typeof pkg.version === 'string') return (cachedVersion = pkg.version);
    }
    const parent = dirname(dir);
    if (parent === dir) return (cachedVersion = '0.0.0');
    dir = parent;
  }
}
