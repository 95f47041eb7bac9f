/**
 * Finds where a value sits in its YAML source: JSON paths (as ajv and the semantic checks name them)
 * → file:line:column, using the node ranges the parser kept.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { SourceLocation } from './model.js';

export type PathSegment = string | number;

export interface Locator {
  /** The location of the value at `path` (or of its key, with `part: 'key'`); the nearest existing ancestor when absent. */
  at(path: readonly PathSegment[], part?: 'key' | 'value'): SourceLocation;
  /** The user wrote this path (it is not a schema default). */
  has(path: readonly PathSegment[]): boolean;
  /** A mapping's keys in the order written. */
  keys(path: readonly PathSegment[]): string[];
}

interface Found {
  readonly node: Node | null;
  readonly key?: Node;
  readonly complete: boolean;
}

export function locator(file: string, document: Document.Parsed, lineCounter: LineCounter): Locator {
  const start = document.contents?.range?.[0] ?? 0;
  const position = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const walk = (path: readonly PathSegment[]): Found => {
    let node: Node | null = document.contents;
    let key: Node | undefined;
    for (const segment of path) {
      const next = child(node, segment);
      if (!next) return { node, key, complete: false };
      node = next.value;
      key = next.key;
      if (node === null) return { node, key, complete: true };
    }
    return { node, key, complete: true };
  };
  return {
    at(path, part = 'value') {
      const found = walk(path);
      const target = part === 'key' && found.complete ? (found.key ?? found.node) : (found.node ?? found.key);
      return position(target?.range?.[0] ?? found.key?.range?.[0] ?? start);
    },
    has(path) {
      return walk(path).complete;
    },
    keys(path) {
      const { node, complete } = walk(path);
      if (!complete || !isMap(node)) return [];
      return node.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key)));
    },
  };
}

function child(node: Node | null, segment: PathSegment): { key?: Node; value: Node | null } | undefined {
  if (isMap(node)) {
    const pair = (node.items as Pair<Node, Node | null>[]).find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
    if (!pair) return undefined;
    return { key: pair.key, value: pair.value ?? null };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment] as Node | null | undefined;
    if (item === undefined) return undefined;
    return { key: item ?? undefined, value: item ?? null };
  }
  return undefined;
}

/** `spec.objectTypes.user.searchBase`, `spec.attributes[2].confidence`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Parses an ajv instancePath (`/spec/attributes/2`) into segments; numbers index arrays. */
export function parsePointer(pointer: string, value: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let current: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      segments.push(Number(segment));
      current = current[Number(segment)];
    } else {
      segments.push(segment);
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return segments;
}
