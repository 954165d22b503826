/**
 * Loading a scenario file: read, parse YAML with source positions, validate
 * against the schema, check every strategy overlay and every threshold, and
 * report ALL problems at once as a {@link ScenarioError}, each located at
 * file:line:col with its dotted key path:
 *
 *     scenarios/x.yaml:12:12 system.orderServers.slots: must be a positive integer (got -3)
 *
 * Decisions:
 * - A missing or unreadable file is a ScenarioError with path "" and message
 *   "no such file" (or the system's reason), so the CLI maps it to exit 2
 *   like any other bad input.
 * - YAML syntax errors stop there (the document cannot be trusted); they are
 *   reported with the parser's position, prefixed "invalid YAML: ".
 * - An empty file (or only comments, or a lone `~`) is one issue.
 * - Issues are sorted: command-line ones first, then by line and column.
 * - Overlay values and `--set` values are validated too, per strategy, when
 *   loading: `sim validate` catches `system.cdn.ttl: 10x` in an overlay.
 *   Threshold expressions are checked against their metric's kind here as well
 *   (see {@link thresholdIssues}).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { LineCounter, isCollection, isPair, isScalar, parseDocument, visit, type Document } from 'yaml';
import { ScenarioError, type ScenarioIssue } from '../errors.js';
import { thresholdIssues } from './thresholds.js';
import { expectIssues } from './expectations.js';
import { problemsOf, scenarioErrorMap, uniqueIssues } from './issues.js';
import { locateProblems, overlayEntries, overlayInput, parseAssignments, parseConfig, totalIntervalsIssue } from './overlay.js';
import { SourceMap, formatPath, type PathSegment } from './positions.js';
import { ScenarioSchema, type ResolvedConfig, type Scenario } from './schema.js';
import { setPath } from './paths.js';
import { yamlOptions } from './yaml-options.js';
import { checkPlan, type PlanSpec } from './plan.js';
import {
  depthProblem,
  duplicateKeys,
  isStackOverflow,
  structureProblems,
  syntaxMessage,
  toPlain,
  type YamlProblem,
} from './yaml-document.js';

/** A scenario file, read and validated. */
export interface LoadedScenario {
  /** The file as the caller named it (used in every message). */
  file: string;
  /** The parsed scenario (units converted, defaults filled), with the load-time `set` applied. */
  scenario: Scenario;
  /**
   * The document as written (plain data, human units), without `set`:
   * strategies overlay this, then `set` is applied again on top, so an
   * assignment from the command line always wins over an overlay.
   */
  input: Record<string, unknown>;
  /** The `--set` assignments given to {@link loadScenario}. */
  set: readonly string[];
  /** Source positions, for issues found later about this file. */
  source: SourceMap;
  /** The `plan:` block, checked and expanded (absent when the scenario has none). */
  plan?: PlanSpec;
}

/** Options of {@link loadScenario}. */
export interface LoadOptions {
  /** `path=value` assignments applied to the base and to every strategy (after its overlay). */
  set?: readonly string[];
  /**
   * The file's text, already read: it is parsed instead of reading `file`
   * (`sim merge` prepares a plan again from the text its shards recorded).
   */
  text?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The largest scenario file read, in bytes (1 MiB). Real ones are a few kB;
 * the bound keeps a huge or wrong file (50 MB of keys, a disk image) from
 * costing minutes and gigabytes of memory before it is refused.
 */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

/** Appends `items` to `issues` (push(...items) overflows the call stack for a few hundred thousand). */
export function append<T>(issues: T[], items: readonly T[]): void {
  for (const item of items) issues.push(item);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The size of a regular file (0 for a device or a pipe, whose size is unknown). */
function fstatSizeOf(file: string): number {
  try {
    const stats = statSync(file);
    return stats.isFile() ? stats.size : 0;
  } catch {
    return 0;
  }
}

/**
 * Reads a scenario file's text (at most {@link MAX_SCENARIO_BYTES}).
 *
 * @throws {ScenarioError} when it cannot be read or is too large.
 */
export function readSource(file: string): string {
  try {
    // Read at most one byte past the bound, so that /dev/zero or a pipe cannot make this read forever either.
    const fd = openSync(file, 'r');
    const buffer = Buffer.alloc(MAX_SCENARIO_BYTES + 1);
    let length = 0;
    try {
      for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    } finally {
      closeSync(fd);
    }
    if (length > MAX_SCENARIO_BYTES) {
      const size = fstatSizeOf(file);
      const what = size > MAX_SCENARIO_BYTES ? `the file is ${mib(size)}` : 'the file is larger than that';
      throw new ScenarioError([{ file, path: '', message: `${what}; a scenario file is at most ${mib(MAX_SCENARIO_BYTES)}` }]);
    }
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a scenario file'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new ScenarioError([{ file, path: '', message }]);
  }
}

/** Command-line issues first, then by position. */
function sortIssues(issues: ScenarioIssue[]): ScenarioIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        (a.issue.line === undefined ? 0 : 1) - (b.issue.line === undefined ? 0 : 1) ||
        (a.issue.line ?? 0) - (b.issue.line ?? 0) ||
        (a.issue.column ?? 0) - (b.issue.column ?? 0) ||
        a.index - b.index,
    )
    .map((x) => x.issue);
}

/**
 * Plain values cut short by a comma in a flow mapping or list:
 * `{ service: lognormal(20ms, 0.5) }` reads as `service: "lognormal(20ms"`
 * and a key `0.5)`. Reported alone (like a syntax error), with the fix,
 * instead of the two confusing issues that would follow.
 */
function cutDistributions(document: Document.Parsed, source: SourceMap): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  visit(document, {
    Scalar(_key, node, ancestors) {
      if (node.type !== 'PLAIN' || typeof node.value !== 'string' || !node.range) return;
      const open = node.value.split('(').length - node.value.split(')').length;
      if (open <= 0 || !ancestors.some((a) => isCollection(a) && a.flow)) return;
      const rest = source.source.slice(node.range[0]).split('\n')[0];
      const close = rest.indexOf(')');
      const meant = close >= 0 ? rest.slice(0, close + 1) : `${node.value}, …)`;
      const path = ancestors.filter(isPair).map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key));
      const { line, column } = source.position(node.range[0]);
      issues.push({
        file: source.file,
        line,
        column,
        path: formatPath(path),
        message: `a comma inside { } or [ ] ends a plain value: quote it, '${meant}' (got ${node.value})`,
      });
    },
  });
  return issues;
}

/**
 * Reads and validates a scenario file.
 *
 * @param file path of the YAML file, as the user named it.
 * @param options.set `path=value` overrides (as `--set`), validated here and
 *   applied to the returned `scenario`; {@link resolveStrategies} applies
 *   them again after each strategy's overlay.
 * @throws {ScenarioError} with every issue found (missing file, YAML syntax,
 *   schema, overlay paths and values, `--set`, thresholds).
 */
export function loadScenario(file: string, options: LoadOptions = {}): LoadedScenario {
  const text = options.text ?? readSource(file);
  const lines = new LineCounter();
  // Duplicate keys are found by duplicateKeys (linear), not by the parser (quadratic in a mapping's size).
  const document = parseDocument(text, { ...yamlOptions(), uniqueKeys: false, lineCounter: lines });
  const source = new SourceMap(file, text, document, lines);

  const located = (problem: YamlProblem): ScenarioIssue => ({
    file,
    ...source.position(problem.offset),
    path: formatPath(problem.path),
    message: problem.message,
  });
  const deep = document.errors.length > 0 ? undefined : depthProblem(document);
  if (deep) throw new ScenarioError([located(deep)]);
  const invalid = [
    ...document.errors.map((error) => ({ offset: error.pos[0], message: syntaxMessage(error) })),
    ...(document.errors.some(isStackOverflow) ? [] : duplicateKeys(document)).map((offset) => ({
      offset,
      message: `duplicate key ${/^[^:\n]*/.exec(text.slice(offset))![0].trim()}`,
    })),
  ].sort((a, b) => a.offset - b.offset);
  if (invalid.length > 0) {
    throw new ScenarioError(
      invalid.map(({ offset, message }) => ({ file, ...source.position(offset), path: '', message: `invalid YAML: ${message}` })),
    );
  }
  const structure = structureProblems(document);
  if (structure.length > 0) throw new ScenarioError(structure.map(located));
  const cut = cutDistributions(document, source);
  if (cut.length > 0) throw new ScenarioError(cut);
  const contents = document.contents as { value?: unknown } | null;
  if (contents === null || (contents.value === null && 'value' in contents)) {
    throw new ScenarioError([{ file, path: '', message: 'the file is empty; a scenario needs at least a name (see `sim schema`)' }]);
  }

  const plain = toPlain(document);
  if ('problem' in plain) throw new ScenarioError([located(plain.problem)]);
  const raw: unknown = plain.value;
  const issues: ScenarioIssue[] = [];
  const { assignments, issues: setIssues } = parseAssignments(options.set ?? []);
  append(issues, setIssues);

  // The whole file, with the command line's assignments applied.
  let input: unknown = raw;
  if (isPlainObject(raw)) {
    input = structuredClone(raw);
    for (const a of assignments) setPath(input as Record<string, unknown>, a.path, structuredClone(a.value));
  }
  const parsed = ScenarioSchema.safeParse(input, { error: scenarioErrorMap });
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => problemsOf(issue, input, ScenarioSchema));
  append(issues, locateProblems(problems, input, { source, assignments }));
  const baseHasIssues = problems.some(
    (p) => p.path[0] !== 'strategies' && p.path[0] !== 'thresholds' && p.path[0] !== 'invariants' && p.path[0] !== 'plan',
  );
  const problemAt = (path: readonly PathSegment[]) =>
    problems.some((p) => p.path.length >= path.length && path.every((s, i) => String(p.path[i]) === String(s)));

  // The configuration of every strategy (the base alone without strategies), for the checks across them.
  const configs: ResolvedConfig[] = [];
  const configsByName = new Map<string, ResolvedConfig>();
  if (isPlainObject(raw)) {
    // Strategies: overlay paths must exist; the resulting configuration must parse.
    const strategies = raw.strategies;
    if (!isPlainObject(strategies) && parsed.success) {
      configs.push(parsed.data);
      configsByName.set('base', parsed.data);
    }
    if (isPlainObject(strategies)) {
      if (Object.keys(strategies).length === 0) {
        issues.push(source.issue(['strategies'], 'names no strategy; leave strategies out to run the base scenario alone'));
      }
      for (const [name, overlay] of Object.entries(strategies)) {
        if (problemAt(['strategies', name])) continue;
        const { entries, issues: pathIssues } = overlayEntries(name, overlay, source);
        append(issues, pathIssues);
        if (pathIssues.length > 0) continue;
        const strategyInput = overlayInput(raw, entries, assignments);
        const { config, issues: configIssues } = parseConfig(strategyInput, {
          source,
          strategy: name,
          overlay: entries,
          assignments,
          baseHasIssues,
        });
        append(issues, configIssues);
        if (config) configs.push(config);
        if (config) configsByName.set(name, config);
        if (isPlainObject(overlay) && isPlainObject(overlay.thresholds)) {
          const at = ['strategies', name, 'thresholds'];
          issues.push(...thresholdIssues(overlay.thresholds, source, (path) => problemAt(path), at));
        }
      }
    }
    // Thresholds: each expression must suit its metric's kind.
    if (isPlainObject(raw.thresholds)) {
      append(
        issues,
        thresholdIssues(raw.thresholds, source, (path) => problemAt(path)),
      );
    }
  }

  if (issues.length === 0 && parsed.success) issues.push(...expectIssues(parsed.data, source));
  if (issues.length === 0 && parsed.success) {
    const tooMany = totalIntervalsIssue(configs, source);
    if (tooMany) issues.push(tooMany);
  }
  const plan = issues.length === 0 && parsed.success ? checkPlan(parsed.data, source, configsByName) : { issues: [] };
  append(issues, plan.issues);
  if (issues.length > 0 || !parsed.success) throw new ScenarioError(sortIssues(uniqueIssues(issues)));
  return {
    file,
    scenario: parsed.data,
    input: raw as Record<string, unknown>,
    set: [...(options.set ?? [])],
    source,
    ...(plan.spec ? { plan: plan.spec } : {}),
  };
}
