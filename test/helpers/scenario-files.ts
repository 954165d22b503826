import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScenarioError, formatIssue } from '../../src/errors.js';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveStrategies, type ResolveOptions } from '../../src/scenario/strategies.js';

/*
 * Scenario files written on the fly, and the issues loading them reports:
 * what the scenario tests check error messages against.
 */

const dir = mkdtempSync(join(tmpdir(), 'flashsim-scenario-'));
let written = 0;

/** Writes `text` to a fresh .yaml file and returns its path. */
export function scenarioFile(text: string): string {
  const path = join(dir, `s${written++}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** The formatted issues of loading `path` (then resolving with `options`), the file shown as F; throws if there are none. */
export function issuesOfFile(path: string, options?: ResolveOptions): string[] {
  try {
    const loaded = loadScenario(path);
    if (options) resolveStrategies(loaded, options);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return error.issues.map(formatIssue).map((s) => s.replace(path, 'F'));
  }
  throw new Error('no issues');
}

/** {@link issuesOfFile} of `text` written to a fresh file. */
export function issuesOf(text: string, options?: ResolveOptions): string[] {
  return issuesOfFile(scenarioFile(text), options);
}
