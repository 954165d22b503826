/**
 * Source positions of a scenario file: maps key paths to file:line:col,
 * and quotes what the user wrote there, for error messages.
 *
 * Decisions:
 * - A value error points at the value (`slots: -3` → the `-3`); an unknown
 *   key points at the key; a missing required key points at the start of
 *   the mapping that should hold it. A value written empty (`slots:`) points
 *   at its key.
 * - Paths are followed through aliases (`*name`) into the anchored node.
 *   A path that leaves the document (a key filled by a default, or merged
 *   in with `<<:`) stops at the deepest node that exists.
 * - Quoted source text is cut at the first line break and at 40 characters.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ScenarioIssue } from '../errors.js';

/** One step of a key path: a mapping key or a list index. */
export type PathSegment = string | number;

/** Where an issue points: at a key's value, at the key itself, or at the mapping a missing key belongs in. */
export type Anchor = 'value' | 'key' | 'parent';

/** The node found for a path: the deepest one reached, and whether it is the whole path. */
interface Found {
  /** The value node at the deepest segment reached (the document root for no segment). */
  node: Node | null;
  /** The key node of that value, when it is a mapping entry. */
  key: Node | null;
  /** The mapping or list holding it. */
  parent: Node | null;
  /** Segments matched. */
  depth: number;
}

/** Formats a key path: `system.cdn.ttl`, `thresholds.order_latency[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** A parsed scenario document with its positions. */
export class SourceMap {
  /** Normally built by the loader from one parse of `source`; `lines` must be that parse's counter. */
  constructor(
    /** The file as the user named it. */
    readonly file: string,
    readonly source: string,
    readonly document: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Each mapping's pairs by key (the last of equal keys, as the document
   * reads), built on first use: locating one issue per key of a mapping
   * with 40,000 keys must not scan the mapping 40,000 times.
   */
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

  private pairOf(map: YAMLMap, segment: PathSegment): Pair | undefined {
    let index = this.keyIndex.get(map);
    if (index === undefined) {
      index = new Map();
      for (const pair of map.items) if (isScalar(pair.key)) index.set(String(pair.key.value), pair);
      this.keyIndex.set(map, index);
    }
    return index.get(String(segment));
  }

  /** 1-based line and column of a character offset. */
  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Follows a key path as far as the document goes. */
  private find(path: readonly PathSegment[]): Found {
    let node: Node | null = this.document.contents;
    let key: Node | null = null;
    let parent: Node | null = null;
    let depth = 0;
    for (const segment of path) {
      node = this.resolve(node);
      if (isMap(node)) {
        const pair = this.pairOf(node, segment);
        if (!pair) break;
        parent = node;
        key = pair.key as Node;
        node = (pair.value as Node | null) ?? null;
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        parent = node;
        key = null;
        node = (node.items[segment] as Node | null) ?? null;
      } else {
        break;
      }
      depth++;
    }
    return { node, key, parent, depth };
  }

  private resolve(node: Node | null): Node | null {
    for (let i = 0; i < 10 && isAlias(node); i++) node = (node.resolve(this.document) as Node | undefined) ?? null;
    return node;
  }

  /**
   * The position an issue about `path` points at (see the module comment),
   * or undefined when the document has no node to point at (an empty file).
   */
  locate(path: readonly PathSegment[], anchor: Anchor = 'value'): { line: number; column: number } | undefined {
    const found = this.find(path);
    let target: Node | null;
    if (found.depth < path.length || anchor === 'parent') {
      // The path leaves the document here: point at the mapping that lacks the key.
      target = found.depth < path.length ? (this.resolve(found.node) ?? found.key) : found.parent;
      if (found.depth < path.length && !isMap(target) && !isSeq(target)) target = found.key ?? target;
    } else if (anchor === 'key') {
      target = found.key ?? found.node;
    } else {
      target = found.node;
      if (!target || (isScalar(target) && target.source === '' && target.value === null)) target = found.key ?? target;
    }
    const offset = target?.range?.[0];
    return offset === undefined ? undefined : this.position(offset);
  }

  /**
   * What the user wrote at `path`, for "(got …)": a scalar's source text
   * (quotes kept), "a mapping", "a list", "nothing" for an empty value;
   * undefined when the path is not in the document.
   */
  written(path: readonly PathSegment[]): string | undefined {
    const found = this.find(path);
    if (found.depth < path.length) return undefined;
    const node = found.node;
    if (node === null || (isScalar(node) && node.source === '' && node.value === null)) return 'nothing';
    if (isAlias(node)) return `*${node.source}`;
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (!node.range) return undefined;
    return quoteSource(this.source.slice(node.range[0], node.range[1]));
  }

  /** An issue about `path` in this file, located per `anchor`. */
  issue(path: readonly PathSegment[], message: string, anchor: Anchor = 'value', shownPath = formatPath(path)): ScenarioIssue {
    const at = this.locate(path, anchor);
    return at
      ? { file: this.file, line: at.line, column: at.column, path: shownPath, message }
      : { file: this.file, path: shownPath, message };
  }
}

/** Cuts source text for a message: first line, at most 40 characters. */
export function quoteSource(text: string): string {
  let s = text.trim();
  const newline = s.indexOf('\n');
  if (newline >= 0) s = `${s.slice(0, newline).trimEnd()}…`;
  if (s.length > 40) s = `${s.slice(0, 39)}…`;
  return s;
}
