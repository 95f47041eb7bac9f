/**
 * Parses one config file's text into YAML documents that keep a position for every node. Duplicate
 * keys, syntax errors, unresolved tags and alias bombs are problems, never exceptions.
 */
import { isAlias, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import type { Problem } from './model.js';
import { locator, type Locator } from './positions.js';

/** Resolved alias nodes allowed per document; a billion-laughs document needs far more. */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedDocument {
  readonly file: string;
  /** 0-based index of the document in its file. */
  readonly index: number;
  /** The document as plain data. */
  readonly value: unknown;
  readonly locate: Locator;
}

/** A document the parser rejected, identified as far as its text allows, so that it is not also reported as missing. */
export interface BrokenDocument {
  readonly kind?: string;
  readonly name?: string;
}

export interface ParsedFile {
  readonly documents: ParsedDocument[];
  readonly problems: Problem[];
  readonly broken: BrokenDocument[];
}

export function parseYamlFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, merge: false });
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problems: Problem[] = [];
  // A stream the lexer cannot split into documents comes back as an EmptyStream carrying its errors.
  const documents = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(parsed)) {
    for (const error of (parsed as { errors?: { pos: [number, number]; message: string }[] }).errors ?? []) {
      problems.push({ file, ...position(error.pos[0]), message: `YAML syntax error: ${firstLine(error.message)}` });
    }
  }
  const result: ParsedDocument[] = [];
  const broken: BrokenDocument[] = [];
  documents.forEach((document, index) => {
    // The first issue is the cause; the parser's later ones in the same document mostly follow from it.
    const issue = [...document.errors, ...document.warnings][0];
    if (issue) {
      problems.push({ file, ...position(issue.pos[0]), message: describeYamlIssue(issue.code, issue.message, text, issue.pos[0]) });
      broken.push(identify(document));
      return;
    }
    if (document.contents === null) return;
    try {
      const value: unknown = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      // A document of only comments, or empty between two `---`, is not a document of ours.
      if (value === null || value === undefined) return;
      result.push({ file, index, value, locate: locator(file, document, lineCounter) });
    } catch (error) {
      problems.push({ file, ...position(firstAliasOffset(document)), message: aliasMessage(error) });
      broken.push({});
    }
  });
  if (!Array.isArray(parsed)) broken.push({});
  return { documents: result, problems, broken };
}

function identify(document: Document.Parsed): BrokenDocument {
  try {
    const value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as { kind?: unknown; metadata?: { name?: unknown } } | null;
    return {
      ...(typeof value?.kind === 'string' ? { kind: value.kind } : {}),
      ...(typeof value?.metadata?.name === 'string' ? { name: value.metadata.name } : {}),
    };
  } catch {
    return {};
  }
}

function describeYamlIssue(code: string, message: string, text: string, offset: number): string {
  if (code === 'DUPLICATE_KEY') return `duplicate key ${quotedKeyAt(text, offset)}: each key may appear once in a mapping`;
  if (code === 'TAG_RESOLVE_FAILED') return `YAML tag not supported: ${firstLine(message)}`;
  return `YAML syntax error: ${firstLine(message)}`;
}

function quotedKeyAt(text: string, offset: number): string {
  const rest = text.slice(offset, offset + 200);
  const match = /^(?:"([^"]*)"|'([^']*)'|([^:\n]*?))\s*:/.exec(rest);
  const key = match?.[1] ?? match?.[2] ?? match?.[3];
  return key ? `"${key.trim()}"` : '';
}

function aliasMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/alias count|resource exhaustion/i.test(text)) {
    return `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}; this looks like an alias bomb); write the values out instead of using anchors and aliases`;
  }
  return `YAML error: ${firstLine(text)}`;
}

function firstAliasOffset(document: Document.Parsed): number {
  let offset: number | undefined;
  visit(document, {
    Alias(_key, node) {
      if (isAlias(node)) offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset ?? document.contents?.range?.[0] ?? 0;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}
