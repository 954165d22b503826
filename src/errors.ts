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

/** A scenario (or an override of it) is invalid: the user can fix it. Carries every issue found. */
export class ScenarioError extends FlashsimError {
  /** The message is every issue formatted, one per line. */
  constructor(readonly issues: ScenarioIssue[]) {
    super(issues.map(formatIssue).join('\n'));
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
