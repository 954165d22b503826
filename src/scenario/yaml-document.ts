/**
 * From a parsed YAML document to plain data, with the document's structural
 * problems found first and located, instead of the YAML library's own
 * exceptions ("Unresolved alias", "Excessive alias count") and warnings
 * (a collection used as a key) escaping as internal errors or stray stderr.
 *
 * Decisions:
 * - An alias to an anchor that is not defined before it (`*nope`) is an
 *   issue at the alias.
 * - A key must be a scalar: `~:` / `null:` / an empty `? ` key, and a list or
 *   mapping used as a key (`? [a, b]`), are issues at the key. (Scalar keys
 *   such as `5:` or `true:` become strings, and the schema reports them as
 *   unknown keys.)
 * - Aliases may expand to at most {@link MAX_ALIAS_COUNT} nodes' worth of
 *   aliases (the YAML library's "billion laughs" guard); beyond, the issue is
 *   at the alias that expands the most.
 * - `__proto__` is not a key (JavaScript gives the name a meaning of its
 *   own: a strategy so named used to vanish), at the key.
 * - A merge key `<<` takes a mapping, an alias to one, or a list of those;
 *   anything else (`<<: [1, 2]`) is an issue at the offending value rather
 *   than the YAML library's exception.
 * - Mappings and lists nest at most {@link MAX_DEPTH} deep, aliases
 *   expanded; deeper is an issue at the first node beyond, and a document so
 *   deep that the parser's own stack overflows gets the same words at the
 *   parser's position.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, visit, type Document, type Node, type YAMLError } from 'yaml';

/** The YAML library's maxAliasCount for scenario files and `--set` values. */
export const MAX_ALIAS_COUNT = 1000;

/**
 * A YAML syntax error in words for a user: the parser's first line, without
 * its advice to programmers ("please use YAML.parseAllDocuments()").
 */
export function syntaxMessage(error: YAMLError): string {
  if (isStackOverflow(error)) return `nested deeper than ${MAX_DEPTH} levels`;
  if (error.code === 'MULTIPLE_DOCS') {
    return 'a second YAML document starts here (after ---); a scenario holds one document: remove the --- line, or put each scenario in its own file';
  }
  return error.message.split('\n')[0].replace(/[.:]$/, '');
}

/** A structural problem of a document, at a character offset of its source. */
export interface YamlProblem {
  /** Index into the source string, as in yaml's node ranges. */
  offset: number;
  /** Keys of the mappings enclosing it. */
  path: string[];
  /** What is wrong. */
  message: string;
}

function keyText(key: unknown): string {
  const value = isScalar(key) ? key.value : key;
  return typeof value === 'symbol' ? (value.description ?? '') : String(value);
}

/** Whether a pair's key is the merge key `<<` (as the YAML library reads it with `merge: true`). */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const value = key.value;
  return (typeof value === 'symbol' && value.description === '<<') || (value === '<<' && (!key.type || key.type === 'PLAIN'));
}

/** Whether a merge source is a mapping, or an alias to one. */
function mergeable(node: unknown, document: Document.Parsed): boolean {
  const target = isAlias(node) ? node.resolve(document) : node;
  return isMap(target);
}

function pathOf(ancestors: readonly unknown[]): string[] {
  return ancestors.filter(isPair).map((pair) => keyText(pair.key));
}

/**
 * How deep mappings and lists may nest (aliases expanded). No scenario needs
 * more than a dozen; the bound keeps every later step (the YAML library's
 * conversion, the schema, the checks) far from the call stack's limit.
 */
export const MAX_DEPTH = 64;

/**
 * The first place where mappings and lists nest deeper than
 * {@link MAX_DEPTH} (aliases followed), or undefined. Recursion stops at
 * that depth, so this is safe on any document the parser accepted.
 */
export function depthProblem(document: Document.Parsed): YamlProblem | undefined {
  // node → the greatest depth at which it was found fine (so it is fine at any smaller one). A node is
  // walked again only deeper, at most MAX_DEPTH times: linear even when aliases repeat it.
  const checked = new Map<unknown, number>();
  const path: string[] = [];
  const walk = (node: unknown, depth: number, offset: number): YamlProblem | undefined => {
    if (isAlias(node)) {
      return walk(node.resolve(document), depth, node.range?.[0] ?? offset);
    }
    if (!isCollection(node)) return undefined;
    const at = node.range?.[0] ?? offset;
    if (depth > MAX_DEPTH) return { offset: at, path: [...path], message: `nested deeper than ${MAX_DEPTH} levels` };
    if ((checked.get(node) ?? 0) >= depth) return undefined;
    checked.set(node, depth);
    for (const item of node.items) {
      if (isPair(item)) {
        path.push(keyText(item.key));
        const found = walk(item.key, depth + 1, at) ?? walk(item.value, depth + 1, at);
        path.pop();
        if (found) return found;
      } else {
        const found = walk(item, depth + 1, at);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(document.contents, 1, 0);
}

/**
 * Keys written twice in one mapping, at the second one, in document order:
 * the YAML library's own check (`uniqueKeys`) compares each key with every
 * earlier one, which takes minutes on a mapping of 40,000 keys; this one is
 * linear. Keys are equal as the library compares them (same scalar value).
 * Call after {@link depthProblem} found nothing.
 */
export function duplicateKeys(document: Document.Parsed): number[] {
  const offsets: number[] = [];
  const stack: unknown[] = [document.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isCollection(node)) continue;
    const seen = new Set<unknown>();
    for (const item of node.items) {
      if (isPair(item)) {
        const key = item.key as Node | null;
        const value = isScalar(key) ? key.value : key;
        if (isMap(node) && (isScalar(key) || key === null) && !Number.isNaN(value) && typeof value !== 'symbol') {
          if (seen.has(value) && key?.range) offsets.push(key.range[0]);
          seen.add(value);
        }
        stack.push(item.value, item.key);
      } else stack.push(item);
    }
  }
  return offsets.sort((a, b) => a - b);
}

/** Whether a parser error is the call stack overflowing (a document nested far too deep). */
export function isStackOverflow(error: YAMLError): boolean {
  return /maximum call stack size exceeded/i.test(error.message);
}

/** Undefined aliases, keys that are null, collections or `__proto__`, and merge keys (`<<`) of anything but mappings, in document order. */
export function structureProblems(document: Document.Parsed): YamlProblem[] {
  const problems: YamlProblem[] = [];
  visit(document, {
    Alias(_key, node, ancestors) {
      if (node.resolve(document) === undefined && node.range) {
        problems.push({
          offset: node.range[0],
          path: pathOf(ancestors),
          message: `undefined alias *${node.source}: define the anchor &${node.source} on a value before this line`,
        });
      }
    },
    Pair(_key, pair, ancestors) {
      const key = pair.key as Node | null;
      const target = isAlias(key) ? ((key.resolve(document) as Node | undefined) ?? null) : key;
      const offset = key?.range?.[0] ?? (pair.value as Node | null)?.range?.[0];
      if (offset === undefined) return;
      const path = pathOf(ancestors);
      if (isMergeKey(target)) {
        // The YAML library throws on any other merge source ("Merge sources must be maps or map aliases").
        const value = pair.value as Node | null;
        const sources = isSeq(value) ? value.items : [value];
        const bad = sources.find((source) => !mergeable(source, document)) as Node | null | undefined;
        if (bad !== undefined) {
          problems.push({
            offset: bad?.range?.[0] ?? value?.range?.[0] ?? offset,
            path: [...path, '<<'],
            message: 'a merge key (<<) takes a mapping, an alias to one (*name), or a list of those',
          });
        }
        return;
      }
      if (isScalar(target) && keyText(target) === '__proto__') {
        // JavaScript objects treat this name specially: a strategy or key so named would silently vanish.
        problems.push({
          offset,
          path: [...path, '__proto__'],
          message: '__proto__ cannot be a key (JavaScript reserves the name); rename it',
        });
      } else if (target === null || (isScalar(target) && target.value === null)) {
        problems.push({ offset, path, message: 'a key is empty or null (~); keys must be names such as cdn or ttl' });
      } else if (isCollection(target)) {
        problems.push({
          offset,
          path,
          message: `a ${isSeq(target) ? 'list' : 'mapping'} cannot be a key; keys must be names such as cdn or ttl`,
        });
      }
    },
  });
  return problems;
}

/** The nodes of `node` with aliases expanded, counting aliases the way the YAML library's maxAliasCount does (roughly). */
function expandedAliases(node: unknown, document: Document.Parsed, memo: Map<unknown, number>, depth = 0): number {
  if (depth > 100) return Infinity;
  if (isAlias(node)) {
    const target = node.resolve(document);
    if (memo.has(target)) return memo.get(target)!;
    const n = 1 + expandedAliases(target, document, memo, depth + 1);
    memo.set(target, n);
    return n;
  }
  if (isMap(node)) {
    let n = 0;
    for (const pair of node.items)
      n += expandedAliases(pair.key, document, memo, depth + 1) + expandedAliases(pair.value, document, memo, depth + 1);
    return n;
  }
  if (isSeq(node)) {
    let n = 0;
    for (const item of node.items) n += expandedAliases(item, document, memo, depth + 1);
    return n;
  }
  return 0;
}

/**
 * The document as plain data, or the problem that prevents it. Call after
 * {@link structureProblems} found nothing.
 */
export function toPlain(document: Document.Parsed): { value: unknown } | { problem: YamlProblem } {
  try {
    return { value: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) {
      // Whatever else the YAML library refuses is still the document's problem, not a bug here.
      const message = error instanceof RangeError ? `nested deeper than ${MAX_DEPTH} levels` : String((error as Error)?.message ?? error);
      return { problem: { offset: 0, path: [], message: `invalid YAML: ${message}` } };
    }
    // The alias that expands the most (the first such) is the one to fix.
    const memo = new Map<unknown, number>();
    let worst: { offset: number; path: string[]; count: number } | undefined;
    visit(document, {
      Alias(_key, node, ancestors) {
        const count = expandedAliases(node, document, memo);
        if (node.range && (worst === undefined || count > worst.count)) worst = { offset: node.range[0], path: pathOf(ancestors), count };
      },
    });
    return {
      problem: {
        offset: worst?.offset ?? 0,
        path: worst?.path ?? [],
        message: `aliases expand to too much data (more than ${MAX_ALIAS_COUNT} alias uses, as in a "billion laughs" document): repeat fewer aliases inside anchored values`,
      },
    };
  }
}
