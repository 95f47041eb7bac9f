/**
 * A small YAML writer for converted configuration: plain maps, lists and scalars, with a comment on any
 * key (written on the line above it). The converter explains every field it could not carry over, so
 * comments are part of the output, which a general YAML serialiser does not let us place per key.
 */

export type YamlScalar = string | number | boolean;
export type YamlValue = YamlScalar | YamlList | YamlMap;
export interface YamlList {
  readonly kind: 'list';
  readonly items: readonly YamlValue[];
  /** Write as `[a, b]` on one line (scalars only). */
  readonly flow?: boolean;
}
export interface YamlEntry {
  readonly key: string;
  readonly value?: YamlValue;
  /** Comment lines above the key. An entry without a value is a comment only. */
  readonly comment?: readonly string[];
}
export interface YamlMap {
  readonly kind: 'map';
  readonly entries: readonly YamlEntry[];
  /** Write as `{ a: 1, b: 2 }` on one line (scalars only, no comments). */
  readonly flow?: boolean;
}

export function map(entries: readonly (YamlEntry | undefined | false)[], flow = false): YamlMap {
  return { kind: 'map', entries: entries.filter((e): e is YamlEntry => Boolean(e)), flow };
}

export function list(items: readonly YamlValue[], flow = false): YamlList {
  return { kind: 'list', items, flow };
}

export function entry(key: string, value: YamlValue | undefined, ...comment: string[]): YamlEntry | undefined {
  if (value === undefined && comment.length === 0) return undefined;
  return { key, ...(value !== undefined ? { value } : {}), ...(comment.length > 0 ? { comment } : {}) };
}

/** A comment-only line (a field with no equivalent). */
export function note(...comment: string[]): YamlEntry {
  return { key: '', comment };
}

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

export function scalar(value: YamlScalar): string {
  if (typeof value !== 'string') return String(value);
  if (PLAIN.test(value) && !RESERVED.test(value)) return value;
  return JSON.stringify(value);
}

function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(name) && !RESERVED.test(name) ? name : JSON.stringify(name);
}

function isScalar(value: YamlValue): value is YamlScalar {
  return typeof value !== 'object';
}

function inline(value: YamlValue): string | undefined {
  if (isScalar(value)) return scalar(value);
  if (value.kind === 'list') {
    if (value.items.length === 0) return '[]';
    if (value.flow && value.items.every(isScalar)) return `[${value.items.map((v) => scalar(v as YamlScalar)).join(', ')}]`;
    return undefined;
  }
  if (value.entries.length === 0) return '{}';
  if (value.flow && value.entries.every((e) => e.value !== undefined && isScalar(e.value) && !e.comment)) {
    return `{ ${value.entries.map((e) => `${key(e.key)}: ${scalar(e.value as YamlScalar)}`).join(', ')} }`;
  }
  return undefined;
}

function comments(lines: readonly string[] | undefined, indent: string): string[] {
  return (lines ?? []).flatMap((line) => line.split('\n')).map((line) => `${indent}# ${line}`.trimEnd());
}

function writeMap(value: YamlMap, indent: string): string[] {
  const out: string[] = [];
  for (const e of value.entries) {
    out.push(...comments(e.comment, indent));
    if (e.value === undefined) continue;
    const one = inline(e.value);
    if (one !== undefined) out.push(`${indent}${key(e.key)}: ${one}`);
    else {
      out.push(`${indent}${key(e.key)}:`);
      out.push(...write(e.value, `${indent}  `));
    }
  }
  return out;
}

function write(value: YamlValue, indent: string): string[] {
  if (isScalar(value)) return [`${indent}${scalar(value)}`];
  if (value.kind === 'map') return writeMap(value, indent);
  const out: string[] = [];
  for (const item of value.items) {
    const one = inline(item);
    if (one !== undefined) {
      out.push(`${indent}- ${one}`);
      continue;
    }
    const lines = write(item, `${indent}  `);
    const first = lines.findIndex((l) => !l.trimStart().startsWith('#'));
    // `- ` takes the place of the first key's indentation; comments above it stay above the dash.
    out.push(...lines.slice(0, first), `${indent}- ${lines[first]!.slice(indent.length + 2)}`, ...lines.slice(first + 1));
  }
  return out;
}

/** One YAML document (without the `---` separator). */
export function yamlDocument(value: YamlMap, header?: readonly string[]): string {
  return [...comments(header, ''), ...writeMap(value, '')].join('\n') + '\n';
}
