/**
 * How every report names a check's verdict, so that the console, the
 * Markdown summary, report.html and junit.xml say the same thing.
 */
import { verdictHolds, type CheckVerdict } from '../results/summary.js';

/** The short label of a verdict: `pass`, `FAIL`, `expected: caught`, `EXPECTED, NOT CAUGHT`. */
export const VERDICT_LABEL: Readonly<Record<CheckVerdict, string>> = {
  pass: 'pass',
  fail: 'FAIL',
  caught: 'expected: caught',
  missed: 'EXPECTED, NOT CAUGHT',
};

/** A check's one-line message with what its verdict means when that is not obvious (a declared violation). */
export function verdictMessage(check: { verdict: CheckVerdict; message: string }): string {
  if (check.verdict === 'caught') return `declared in expect.violates and caught: ${check.message}`;
  if (check.verdict === 'missed') {
    return `declared in expect.violates but it held — the negative control or the audit is broken: ${check.message}`;
  }
  return check.message;
}

/** Whether a verdict is a failure of the run (an undeclared violation, or a declared one that did not happen). */
export function isFailure(verdict: CheckVerdict): boolean {
  return !verdictHolds(verdict);
}

/** A cell for a list of checks: `pass (6)`, `pass (4), caught 2`, `FAIL 1/6`, `none`. */
export function checksCell(checks: ReadonlyArray<{ verdict: CheckVerdict }>, empty = 'pass (0)'): string {
  if (checks.length === 0) return empty;
  const failed = checks.filter((c) => isFailure(c.verdict)).length;
  const caught = checks.filter((c) => c.verdict === 'caught').length;
  if (failed > 0) return `FAIL ${failed}/${checks.length}${caught ? `, caught ${caught}` : ''}`;
  return `pass (${checks.length - caught})${caught ? `, caught ${caught}` : ''}`;
}
