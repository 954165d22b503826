/**
 * The error hierarchy. Library code throws these; only src/cli/ turns them
 * into messages and exit codes (user-fixable → 2, internal → 70).
 */

/** Base of every error flashsim throws on purpose. */
export class FlashsimError extends Error {
  /** Sets `name` to the subclass's, so messages and stacks say which error it is. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem in a scenario, located as precisely as the source allows. */
export interface ScenarioIssue {
  /** The scenario file as the user named it. */
  file: string;
  /** 1-based line and column, when the source position is known. */
  line?: number;
  /** 1-based column (see `line`). */
  column?: number;
  /** Dotted key path, e.g. "system.orderServers.slots" ("" for the document). */
  path: string;
  /** What is wrong and, where possible, what was written. */
  message: string;
}

/** How many issues a {@link ScenarioError}'s message lists; the rest are counted ("… and 39,950 more"). */
export const MAX_SHOWN_ISSUES = 50;

/** A scenario (or an override of it) is invalid: the user can fix it. Carries every issue found. */
export class ScenarioError extends FlashsimError {
  /**
   * The message is the issues formatted, one per line: the first
   * {@link MAX_SHOWN_ISSUES}, then "… and N more" (a file of 40,000 unknown
   * keys is one mistake, not 40,000 lines to read). `issues` keeps them all.
   */
  constructor(readonly issues: ScenarioIssue[]) {
    const shown = issues.slice(0, MAX_SHOWN_ISSUES).map(formatIssue);
    const rest = issues.length - shown.length;
    super(rest > 0 ? `${shown.join('\n')}\n… and ${rest.toLocaleString('en-US')} more` : shown.join('\n'));
  }
}

/** Formats an issue as `file:line:col path: message`. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Bad command-line usage or a missing/unreadable input (not a scenario's content). */
export class UsageError extends FlashsimError {}

/** A bug in flashsim: an assertion that should never fail did. */
export class InternalError extends FlashsimError {}
