import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { parseSummaryJson, REPLICATIONS_FILE, TIMESERIES_FILE, type RunSummary } from '../results/summary.js';
import { attachRunDetail } from '../report/replications-jsonl.js';
import { attachRunTimeseries } from '../report/timeseries-csv.js';
import { pendingFile } from '../report/write-atomic.js';
import type { PreparedRun } from './prepare.js';
import type { TimingReport } from './run.js';

/** timing.json's text. */
export function renderTimingJson(timing: TimingReport): string {
  return `${JSON.stringify(timing, null, 2)}\n`;
}

/**
 * A run id: the UTC start time to the second (sortable) and a short hash
 * of the scenario file's bytes and the options, e.g. `20250101T093000Z-3f2a9c1`.
 */
export async function makeRunId(prepared: PreparedRun, now: Date = new Date()): Promise<string> {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const hash = createHash('sha256');
  hash.update(await readFile(prepared.file));
  hash.update('\0');
  hash.update(JSON.stringify(prepared.options));
  return `${stamp}-${hash.digest('hex').slice(0, 7)}`;
}

/** `reports/<scenario>/<run-id>`, with `-2`, `-3`… appended if that directory already exists. */
export async function defaultRunDirectory(prepared: PreparedRun, runId: string, root = 'reports'): Promise<string> {
  return firstFreeDirectory(join(root, prepared.plan.scenario.name, runId));
}

/** `base`, or `base-2`, `base-3`… — the first that does not exist yet. */
export async function firstFreeDirectory(base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    try {
      await stat(candidate);
    } catch {
      return candidate;
    }
  }
}

/**
 * Reads a run's summary: `path` is a run directory or a summary.json file.
 * With `perRunFiles` (the default) the runs' time-series rows and their
 * histograms, latency over time and acceptance times are read back from
 * the timeseries.csv and replications.jsonl beside it, which every report
 * needs; without, they stay empty (`sim compare` reads only metrics, so a
 * bare summary.json file is enough for it).
 *
 * @throws {UsageError} when there is no readable summary there, or no readable timeseries.csv or replications.jsonl when asked for (exit 2).
 */
export async function readSummary(path: string, options: { perRunFiles?: boolean } = {}): Promise<{ file: string; summary: RunSummary }> {
  let file = path;
  try {
    // A write killed between its commit and its end: the committed summary.json is the directory's (see writeFilesAtomic).
    if ((await stat(path)).isDirectory()) file = (await pendingFile(path, 'summary.json')) ?? join(path, 'summary.json');
  } catch {
    throw new UsageError(`${path}: no such run directory`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`${path}: no summary.json (is it a run directory written by flashsim run?)`);
  }
  if (options.perRunFiles === false) {
    try {
      return { file, summary: parseSummaryJson(text, file) };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  // The runs' time-series rows and bulky data live in files beside it: in the same (possibly
  // committed but not yet moved) set first, then a committed one, then the directory's own.
  const runDir = file === path ? dirname(file) : path;
  const beside = async (name: string): Promise<{ where: string; text: string | undefined }> => {
    const candidates = [join(dirname(file), name), await pendingFile(runDir, name), join(runDir, name)];
    for (const candidate of candidates) {
      if (candidate === undefined) continue;
      const text = await readFile(candidate, 'utf8').catch(() => undefined);
      if (text !== undefined) return { where: candidate, text };
    }
    return { where: candidates[0]!, text: undefined };
  };
  try {
    const csv = await beside(TIMESERIES_FILE);
    const detail = await beside(REPLICATIONS_FILE);
    const parsed = parseSummaryJson(text, file);
    return { file, summary: attachRunDetail(attachRunTimeseries(parsed, csv.text, csv.where), detail.text, detail.where) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
