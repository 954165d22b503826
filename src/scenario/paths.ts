/**
 * Dotted key paths against the schema: does `system.cdn.ttl` exist, which
 * keys does a mapping take, and setting a path in a plain document.
 *
 * The walk unwraps default, prefault, optional, nullable, readonly, catch
 * and pipe wrappers (a unit field such as `ttl` is a pipe from string|number
 * to a transform: a leaf). Through a union (users.arrival) a key exists when
 * any option has it; given the document's value there, the option whose
 * discriminator matches is used.
 */
import type { z } from 'zod';
import type { PathSegment } from './positions.js';
import { formatPath } from './positions.js';

type Schema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  shape?: Record<string, Schema>;
  options?: Schema[];
  discriminator?: string;
  element?: Schema;
  valueType?: Schema;
  keyType?: Schema;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

/** The internal definition of a zod schema node (its `type` and children). */
export function def(schema: Schema): Def {
  return schema._zod.def;
}

/** The schema with wrappers removed. */
export function unwrap(schema: Schema): Schema {
  for (let i = 0; i < 50; i++) {
    const d = def(schema);
    if (d.innerType && ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(d.type)) {
      schema = d.innerType;
    } else if (d.type === 'pipe' && d.in && d.out) {
      // A transform pipe (unit fields) keeps its input shape; a preprocess pipe its output.
      schema = def(d.in).type === 'transform' ? d.out : d.in;
    } else {
      return schema;
    }
  }
  return schema;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Options of a union, narrowed by the document's discriminator value when there is one. */
function unionOptions(d: Def, value: unknown): Schema[] {
  const options = d.options ?? [];
  if (d.discriminator && isPlainObject(value) && value[d.discriminator] !== undefined) {
    const wanted = value[d.discriminator];
    const matching = options.filter((o) => {
      const field = def(unwrap(o)).shape?.[d.discriminator!];
      if (!field) return false;
      const fd = def(unwrap(field));
      return (fd.values ?? Object.values(fd.entries ?? {})).includes(wanted);
    });
    if (matching.length > 0) return matching;
  }
  return options;
}

/**
 * The keys a mapping at this schema node takes (in declaration order), or
 * undefined when the node is not a mapping with fixed keys (a leaf, a list,
 * a record with free keys). Enum-keyed records give their enum values.
 */
export function keysOf(schema: Schema, value?: unknown): string[] | undefined {
  const node = unwrap(schema);
  const d = def(node);
  if (d.type === 'object') return Object.keys(d.shape ?? {});
  if (d.type === 'union') {
    const keys = new Set<string>();
    let any = false;
    for (const option of unionOptions(d, value)) {
      const k = keysOf(option, value);
      if (k) {
        any = true;
        k.forEach((key) => keys.add(key));
      }
    }
    return any ? [...keys] : undefined;
  }
  if (d.type === 'record' && d.keyType) {
    const kd = def(unwrap(d.keyType));
    if (kd.type === 'enum') return (kd.values ?? Object.values(kd.entries ?? {})).map(String);
  }
  return undefined;
}

/** The schema of `key` under this node (value: the document's value at this node), or undefined. */
export function childOf(schema: Schema, key: PathSegment, value?: unknown): Schema | undefined {
  const node = unwrap(schema);
  const d = def(node);
  switch (d.type) {
    case 'object':
      return typeof key === 'string' && d.shape && Object.hasOwn(d.shape, key) ? d.shape[key] : undefined;
    case 'union':
      for (const option of unionOptions(d, value)) {
        const child = childOf(option, key, value);
        if (child) return child;
      }
      return undefined;
    case 'record':
      return d.keyType && keysOf(node)?.includes(String(key)) === false ? undefined : d.valueType;
    case 'array':
      return typeof key === 'number' ? d.element : undefined;
    default:
      return undefined;
  }
}

/** The schema node at a path, following the document's values for unions. */
export function schemaAt(root: Schema, path: readonly PathSegment[], document?: unknown): Schema | undefined {
  let schema: Schema | undefined = root;
  let value = document;
  for (const segment of path) {
    if (!schema) return undefined;
    schema = childOf(schema, segment, value);
    value = isPlainObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[segment as string] : undefined;
  }
  return schema;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** The known key closest to `key` (case-insensitively), if it is close enough to be a likely typo. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.min(3, Math.floor(key.length / 3))) ? best : undefined;
}

/** "(did you mean "ttl"?)" or "(known keys: a, b, c)". */
export function suggestion(key: string, known: readonly string[], noun = 'keys'): string {
  const near = closest(key, known);
  if (near !== undefined) return `(did you mean "${near}"?)`;
  return known.length > 0 ? `(known ${noun}: ${known.join(', ')})` : '';
}

/** Splits a dotted path; undefined when a segment is empty. */
export function splitPath(dotted: string): string[] | undefined {
  const segments = dotted.trim().split('.');
  return segments.every((s) => s !== '') ? segments : undefined;
}

/**
 * Checks that a dotted path names a field of the schema.
 * @returns undefined when it does, else why not, e.g.
 *   `system.cdn has no key "edgez" (did you mean "edges"?)`.
 */
export function checkPath(root: Schema, path: readonly string[]): string | undefined {
  if (path.length === 0) return 'the path is empty';
  let schema = root;
  for (let i = 0; i < path.length; i++) {
    const here = path.slice(0, i);
    const known = keysOf(schema);
    const child = childOf(schema, path[i]);
    if (!child) {
      const where = i === 0 ? 'the scenario' : formatPath(here);
      if (known === undefined) return `${where} is a single value, not a mapping`;
      return `${where} has no key "${path[i]}" ${suggestion(path[i], known)}`.trimEnd();
    }
    schema = child;
  }
  return undefined;
}

/**
 * Sets `path` to `value` in a plain document, creating mappings on the way
 * and replacing whatever non-mapping value stands in the way. The value
 * replaces the old one (no deep merge).
 */
export function setPath(document: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = document;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (!isPlainObject(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}
