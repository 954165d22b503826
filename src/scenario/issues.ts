/**
 * Turns zod issues into scenario problems: a key path, a plain-English
 * message, and where in the source the problem should point.
 *
 * Message style: lower-case, says what is expected ("must be a positive
 * integer", "must be one of: reject, queue, unbounded"); the caller appends
 * "(got …)" quoting the source. Schema-level messages (set in schema.ts)
 * win over the ones here.
 */
import type { ScenarioIssue } from '../errors.js';
import type { z } from 'zod';
import { METRIC_NAMES } from '../metrics/catalogue.js';
import type { Anchor, PathSegment } from './positions.js';
import { keysOf, schemaAt, suggestion } from './paths.js';

type Schema = z.core.$ZodType;

/** One problem found by the schema, before it is located in a file or on the command line. */
export interface Problem {
  /** Key path of the offending value in the parsed input. */
  path: PathSegment[];
  /** What is wrong, lower-case, no location. */
  message: string;
  /** Which part of the source to point at: the value, its key, or the enclosing mapping. */
  anchor: Anchor;
  /** Whether "(got …)" should quote what was written at `path`. */
  quote: boolean;
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  literal: 'a fixed value',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The per-parse zod error map: messages for issues the schema did not word
 * itself. Pass as `schema.safeParse(data, { error: scenarioErrorMap })`.
 */
export const scenarioErrorMap = (issue: z.core.$ZodRawIssue): string | undefined => {
  // YAML's .inf and .nan are numbers, but no field takes them: say so
  // rather than "must be a number (got .inf)".
  if (
    (issue.code === 'invalid_type' || issue.code === 'invalid_union') &&
    typeof issue.input === 'number' &&
    !Number.isFinite(issue.input)
  ) {
    return 'must be a finite value, not .inf or .nan';
  }
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required key is missing' : `must be ${typeName(issue.expected)}`;
    case 'invalid_union': {
      if (issue.discriminator !== undefined) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        return `must be one of: ${options.map(show).join(', ')}`;
      }
      const expected = new Set<string>();
      for (const branch of issue.errors) {
        const first = branch[0];
        if (first?.code === 'invalid_type') expected.add(typeName(first.expected));
      }
      return expected.size > 0 ? `must be ${[...expected].join(' or ')}` : 'does not match any of the allowed forms';
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at least ${min} item${min === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${min} characters long`;
      return issue.inclusive ? `must be at least ${min}` : `must be greater than ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at most ${max} item${max === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return `must be at most ${max} characters long`;
      return issue.inclusive ? `must be at most ${max}` : `must be less than ${max}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${show(issue.values[0])}` : `must be one of: ${issue.values.map(show).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_key':
      return 'invalid key';
    case 'invalid_element':
      return 'invalid element';
    case 'custom':
      return 'invalid value';
    default:
      return undefined;
  }
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a path of a plain document, undefined when absent. */
export function valueAt(document: unknown, path: readonly PathSegment[]): unknown {
  let value = document;
  for (const segment of path) {
    if (isPlainObject(value) || Array.isArray(value)) value = (value as Record<string, unknown>)[segment as string];
    else return undefined;
  }
  return value;
}

/** Whether the path exists in the document (its last key is present, even if null). */
function present(document: unknown, path: readonly PathSegment[]): boolean {
  if (path.length === 0) return document !== undefined;
  const parent = valueAt(document, path.slice(0, -1));
  const last = path[path.length - 1];
  return (isPlainObject(parent) || Array.isArray(parent)) && Object.hasOwn(parent, last);
}

/**
 * The problems one zod issue stands for (an unrecognized_keys issue becomes
 * one problem per key, at the key).
 *
 * @param issue a zod issue from parsing `document` with `schema`.
 * @param document the plain document that was parsed.
 * @param schema the schema it was parsed with (for the known keys of a mapping).
 */
export function problemsOf(issue: z.core.$ZodIssue, document: unknown, schema: Schema): Problem[] {
  const path = issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const isThresholds = path.length === 1 && path[0] === 'thresholds';
      const known = isThresholds ? [...METRIC_NAMES] : (keysOf(schemaAt(schema, path, document) ?? schema, valueAt(document, path)) ?? []);
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: isThresholds
          ? `unknown metric "${key}" ${suggestion(key, known, 'metrics')}`.trimEnd()
          : `unknown key "${key}" ${suggestion(key, known)}`.trimEnd(),
        anchor: 'key' as const,
        quote: false,
      }));
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message;
      return [{ path, message: inner && !inner.startsWith('Invalid') ? inner : 'invalid key', anchor: 'key', quote: false }];
    }
    default: {
      if (!present(document, path) && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
        const options = issue.code === 'invalid_union' ? (issue as { options?: unknown[] }).options : undefined;
        const message = options ? `required key is missing (one of: ${options.map(show).join(', ')})` : 'required key is missing';
        return [{ path, message, anchor: 'parent', quote: false }];
      }
      let message = issue.message;
      if (path.length === 2 && path[0] === 'strategies' && issue.code === 'invalid_type' && valueAt(document, path) === null) {
        message += ' of dotted paths to values; write {} for no changes';
      }
      return [{ path, message, anchor: 'value', quote: !message.includes('(got ') }];
    }
  }
}

/** Removes exact duplicates (the same message at the same place, e.g. found once per strategy), keeping the first. */
export function uniqueIssues(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.file, issue.line, issue.column, issue.path, issue.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
