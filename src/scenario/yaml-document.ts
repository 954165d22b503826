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
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, visit, type Document, type Node, type YAMLError } from 'yaml';

/** The YAML library's maxAliasCount for scenario files and `--set` values. */
export const MAX_ALIAS_COUNT = 1000;

/**
 * A YAML syntax error in words for a user: the parser's first line, without
 * its advice to programmers ("please use YAML.parseAllDocuments()").
 */
export function syntaxMessage(error: YAMLError): string {
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
  return String(isScalar(key) ? key.value : key);
}

function pathOf(ancestors: readonly unknown[]): string[] {
  return ancestors.filter(isPair).map((pair) => keyText(pair.key));
}

/** Undefined aliases and keys that are null or collections, in document order. */
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
      if (target === null || (isScalar(target) && target.value === null)) {
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
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
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
