/**
 * Building one strategy's configuration: the base document as written, the
 * strategy's overlay, then command-line assignments (`--set`, `--users`,
 * `--seed`, `--replications`), then parsing with {@link BaseSchema}, and
 * locating every problem where the user can fix it.
 *
 * Decisions:
 * - Overlays and `--set` work on the document as written (human units), so
 *   `system.cdn.ttl: 10s` means what it means in the base.
 * - A value given for a mapping of fixed fields (`system.cdn: { edges: 0 }`,
 *   or a nested overlay `system: { cdn: { edges: 0 } }`) sets those fields
 *   one by one and keeps the others from the base. Anything else replaces
 *   the value at its path whole — in particular a union such as
 *   `users.arrival: { kind: burst }`, which does not inherit the base
 *   ramp's `from`/`to`.
 * - Order: base, overlay keys in file order, then assignments in the order
 *   given; later wins.
 * - `seed` and `replications` belong to the run ({@link RUN_KEYS}): an overlay
 *   or `--set` that sets them is refused at its key; `--seed` and
 *   `--replications` set them for every strategy at once.
 * - A problem is reported where the offending value came from: a command-line
 *   assignment (file `--set`, no line), else the overlay key in the file
 *   (path `strategies.<name>.<path>`), else — when the base alone is valid
 *   but the combination is not — at the strategy's name.
 */
import { parseDocument } from 'yaml';
import type { ScenarioIssue } from '../errors.js';
import { BaseSchema, ConfigSchema, LIMITS, STRATEGY_CHECK_KEYS, intervalsOf, type ResolvedConfig } from './schema.js';
import { problemsOf, scenarioErrorMap, valueAt } from './issues.js';
import { checkPath, def, schemaAt, setPath, splitPath, unwrap } from './paths.js';
import { formatPath, quoteSource, type PathSegment, type SourceMap } from './positions.js';
import { yamlOptions } from './yaml-options.js';
import { depthProblem, structureProblems, syntaxMessage, toPlain } from './yaml-document.js';

/** A value set from the command line. */
export interface Assignment {
  /** The option it came from, used as the "file" of its issues: `--set`, `--users`, … */
  source: string;
  /** The dotted key, split. */
  path: string[];
  /** The value as written (parsed as YAML), before units. */
  value: unknown;
}

/** One key of a strategy overlay. */
export interface OverlayEntry {
  /** The key as written: `system.cdn.ttl`. */
  key: string;
  /** The key, split on dots. */
  path: string[];
  /** The value as written, before units. */
  value: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Top-level keys that belong to the run, not to a strategy, each with why
 * and the option that sets it. One seed for every strategy is what makes
 * them see the same users (common random numbers), and one replication
 * count pairs replication r of each strategy with the others'.
 */
export const RUN_KEYS = {
  seed: { why: 'every strategy runs with the same seed, so they all see the same users', option: '--seed' },
  replications: { why: 'every strategy runs the same replications, so they pair up replication by replication', option: '--replications' },
  maxReplications: { why: 'the precision rule gives every strategy the same limit', option: '--max-replications' },
} as const;

/** The run-level key a path sets ({@link RUN_KEYS}), or undefined. */
export function runKeyOf(path: readonly string[]): keyof typeof RUN_KEYS | undefined {
  const head = path[0];
  return head !== undefined && Object.hasOwn(RUN_KEYS, head) ? (head as keyof typeof RUN_KEYS) : undefined;
}

/** Why an overlay or `--set` may not set a run-level key. */
function runKeyMessage(key: keyof typeof RUN_KEYS): string {
  const { why, option } = RUN_KEYS[key];
  return `${key} belongs to the run, not to a strategy: ${why}; set it at the top of the file or with ${option}`;
}

/** How a command-line value is quoted in "(got …)". */
function shownValue(value: unknown): string {
  if (isPlainObject(value)) return 'a mapping';
  if (Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return 'nothing';
  // Past the checks above only scalars remain (numbers, booleans, dates from YAML).
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return quoteSource(typeof value === 'string' ? JSON.stringify(value) : String(value));
}

/** The value of a `path=value` assignment as plain data, or why it is not valid YAML (the same checks as a scenario file's). */
function assignedValue(written: string): { value: unknown } | { bad: string } {
  const document = parseDocument(written, yamlOptions());
  if (document.errors.length > 0) return { bad: syntaxMessage(document.errors[0]) };
  const problem = depthProblem(document) ?? structureProblems(document)[0];
  if (problem) return { bad: problem.message };
  const plain = toPlain(document);
  return 'problem' in plain ? { bad: plain.problem.message } : plain;
}

/**
 * Parses `path=value` assignments (`--set`). The value is read as YAML:
 * `0` is a number, `false` a boolean, `10s` a string, `{kind: burst}` a
 * mapping. The path must name a field of the configuration other than a
 * {@link RUN_KEYS} one.
 */
export function parseAssignments(texts: readonly string[], source = '--set'): { assignments: Assignment[]; issues: ScenarioIssue[] } {
  const assignments: Assignment[] = [];
  const issues: ScenarioIssue[] = [];
  for (const text of texts) {
    const eq = text.indexOf('=');
    if (eq < 0) {
      issues.push({ file: source, path: '', message: `expected path=value, e.g. system.cdn.ttl=10s (got ${JSON.stringify(text)})` });
      continue;
    }
    const dotted = text.slice(0, eq).trim();
    const path = splitPath(dotted);
    if (!path) {
      issues.push({ file: source, path: dotted, message: `expected a dotted path such as system.cdn.ttl (got ${JSON.stringify(dotted)})` });
      continue;
    }
    const runKey = runKeyOf(path);
    if (runKey) {
      issues.push({ file: source, path: dotted, message: runKeyMessage(runKey) });
      continue;
    }
    const why = checkPath(BaseSchema, path);
    if (why) {
      issues.push({ file: source, path: dotted, message: `unknown path: ${why}` });
      continue;
    }
    const written = text.slice(eq + 1);
    if (written.trim() === '') {
      issues.push({ file: source, path: dotted, message: 'missing value after "="' });
      continue;
    }
    const parsed = assignedValue(written);
    if ('bad' in parsed) {
      issues.push({ file: source, path: dotted, message: `value is not valid YAML: ${parsed.bad}` });
      continue;
    }
    assignments.push({ source, path, value: parsed.value });
  }
  return { assignments, issues };
}

/**
 * Reads a strategy overlay's keys; bad paths and {@link RUN_KEYS} become
 * issues at the key. The {@link STRATEGY_CHECK_KEYS} are not overlay paths
 * and are left to the schema.
 */
export function overlayEntries(name: string, overlay: unknown, source: SourceMap): { entries: OverlayEntry[]; issues: ScenarioIssue[] } {
  const entries: OverlayEntry[] = [];
  const issues: ScenarioIssue[] = [];
  if (!isPlainObject(overlay)) return { entries, issues };
  for (const [key, value] of Object.entries(overlay)) {
    if ((STRATEGY_CHECK_KEYS as readonly string[]).includes(key)) continue;
    const at: PathSegment[] = ['strategies', name, key];
    const shown = `strategies.${name}.${key}`;
    const path = splitPath(key);
    const why = path ? checkPath(BaseSchema, path) : `"${key}" has an empty segment`;
    if (why || !path) {
      issues.push(source.issue(at, `unknown path in strategy "${name}": ${why}`, 'key', shown));
      continue;
    }
    const runKey = runKeyOf(path);
    if (runKey) {
      issues.push(source.issue(at, runKeyMessage(runKey), 'key', shown));
      continue;
    }
    entries.push({ key, path, value });
  }
  return { entries, issues };
}

/** The document a strategy runs with: a copy of the base, then the overlay, then the assignments. */
export function overlayInput(
  document: Record<string, unknown>,
  overlay: readonly OverlayEntry[],
  assignments: readonly Assignment[],
): Record<string, unknown> {
  const input = structuredClone(document);
  delete input.strategies;
  delete input.thresholds;
  delete input.invariants;
  delete input.plan;
  for (const entry of overlay) assign(input, entry.path, structuredClone(entry.value));
  for (const assignment of assignments) assign(input, assignment.path, structuredClone(assignment.value));
  return input;
}

/** Sets a path per the module's rules: field by field into a fixed-field mapping, else whole. */
function assign(input: Record<string, unknown>, path: string[], value: unknown): void {
  const schema = schemaAt(BaseSchema, path);
  if (isPlainObject(value) && schema && def(unwrap(schema)).type === 'object') {
    if (!isPlainObject(valueAt(input, path))) setPath(input, path, {});
    for (const [key, field] of Object.entries(value)) assign(input, [...path, key], field);
    return;
  }
  setPath(input, path, value);
}

/** Whether one path is a prefix of the other. */
function related(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && related(path, prefix);
}

/** Where the problems of one parse come from. */
export interface ParseContext {
  /** The scenario file's positions, to locate issues. */
  source: SourceMap;
  /** The strategy, or undefined for the base document. */
  strategy?: string;
  /** The strategy's overlay keys, to locate issues in them. */
  overlay?: readonly OverlayEntry[];
  /** Command-line values, to locate issues in them. */
  assignments: readonly Assignment[];
  /** The base document already has issues: do not repeat them for every strategy. */
  baseHasIssues?: boolean;
}

/**
 * Locates problems found in a parsed document per the module's rules.
 * @param problems problems at paths of `input` (as produced by {@link problemsOf}).
 */
export function locateProblems(problems: ReturnType<typeof problemsOf>, input: unknown, context: ParseContext): ScenarioIssue[] {
  const { source, strategy, overlay = [], assignments } = context;
  const issues: ScenarioIssue[] = [];
  for (const problem of problems) {
    const { path } = problem;
    const assignment = [...assignments].reverse().find((a) => related(a.path, path));
    if (assignment) {
      const got = problem.quote ? ` (got ${shownValue(valueAt(input, path))})` : '';
      issues.push({ file: assignment.source, path: formatPath(path), message: problem.message + got });
      continue;
    }
    if (strategy === undefined) {
      const got = problem.quote ? source.written(path) : undefined;
      issues.push(source.issue(path, problem.message + (got !== undefined ? ` (got ${got})` : ''), problem.anchor));
      continue;
    }
    const shown = `strategies.${strategy}.${formatPath(path)}`;
    const covering = [...overlay].reverse().find((e) => startsWith(path, e.path));
    if (covering) {
      const at = ['strategies', strategy, covering.key, ...path.slice(covering.path.length)];
      const got = problem.quote ? source.written(at) : undefined;
      issues.push(source.issue(at, problem.message + (got !== undefined ? ` (got ${got})` : ''), problem.anchor, shown));
      continue;
    }
    const inside = [...overlay].reverse().find((e) => startsWith(e.path, path));
    if (inside) {
      const got = problem.quote ? ` (got ${shownValue(valueAt(input, path))})` : '';
      issues.push(source.issue(['strategies', strategy, inside.key], problem.message + got, 'key', shown));
      continue;
    }
    if (context.baseHasIssues) continue;
    const got = problem.quote ? ` (got ${shownValue(valueAt(input, path))})` : '';
    issues.push(source.issue(['strategies', strategy], problem.message + got, 'key', shown));
  }
  return issues;
}

/** Parses one strategy's (or the base's) configuration document; problems are located per {@link locateProblems}. */
export function parseConfig(input: Record<string, unknown>, context: ParseContext): { config?: ResolvedConfig; issues: ScenarioIssue[] } {
  const parsed = ConfigSchema.safeParse(input, { error: scenarioErrorMap });
  if (parsed.success) return { config: parsed.data, issues: [] };
  const problems = parsed.error.issues.flatMap((issue) => problemsOf(issue, input, ConfigSchema));
  return { issues: locateProblems(problems, input, context) };
}

/**
 * The time-series rows of several strategies together must stay within
 * {@link LIMITS.totalIntervals} (summary.json holds them all). Reported at
 * the file's `interval`.
 */
export function totalIntervalsIssue(configs: readonly ResolvedConfig[], source: SourceMap): ScenarioIssue | undefined {
  const total = configs.reduce((sum, config) => sum + intervalsOf(config), 0);
  if (total <= LIMITS.totalIntervals) return undefined;
  return source.issue(
    ['interval'],
    `the ${configs.length} strategies record ${total.toLocaleString('en-US')} time-series rows together (duration ÷ interval each); at most ${LIMITS.totalIntervals.toLocaleString('en-US')}, or summary.json grows too large: use a longer interval`,
  );
}
