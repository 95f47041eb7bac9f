/**
 * Turns ajv's errors into short, human problems at the YAML position of the offending key or value:
 * `unknown key "serchBase" in spec.objectTypes.user (did you mean "searchBase"?)`.
 * Values are echoed only where they cannot be secrets (enum choices, names).
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { CONNECTOR_TYPES } from '../connectors/registry.js';
import type { Problem } from './model.js';
import { formatPath, parsePointer, type Locator, type PathSegment } from './positions.js';
import { didYouMean, suggest } from './suggest.js';


interface Mapped {
  readonly path: readonly PathSegment[];
  readonly part: 'key' | 'value';
  readonly message: string;
  readonly key: string;
}

export function schemaProblems(errors: readonly ErrorObject[], document: unknown, locate: Locator): Problem[] {
  const unknownKeys = new Map<string, Set<string>>();
  const mapped: { error: ErrorObject; item: Mapped }[] = [];
  for (const error of errors) {
    const path = parsePointer(error.instancePath, document);
    const result = mapError(error, path);
    if (!result) continue;
    if (error.keyword === 'additionalProperties') {
      const suggestion = suggest(String(error.params.additionalProperty), knownKeys(error));
      if (suggestion) {
        const key = formatPath(path);
        unknownKeys.set(key, (unknownKeys.get(key) ?? new Set()).add(suggestion));
      }
    }
    mapped.push({ error, item: result });
  }
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const { error, item } of mapped) {
    // A misspelt required key shows up twice (unknown + missing); the "did you mean" says it all.
    if (error.keyword === 'required' && unknownKeys.get(formatPath(item.path))?.has(String(error.params.missingProperty))) continue;
    const location = locate.at(item.path, item.part);
    const id = `${location.line}:${location.column}:${item.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push({ ...location, message: item.message, key: item.key });
  }
  return problems;
}

function mapError(error: ErrorObject, path: PathSegment[]): Mapped | undefined {
  const where = formatPath(path);
  const subject = where === '' ? 'the document' : where;
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const item = (message: string, at: PathSegment[] = path, part: 'key' | 'value' = 'value'): Mapped => ({ path: at, part, message, key: formatPath(at) });
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const inside = where === '' ? '' : ` in ${where}`;
      // `x-instead`: what to write for a key the product documents use and our contract spells otherwise.
      const instead = (parent['x-instead'] as Record<string, string> | undefined)?.[name];
      if (instead !== undefined) return item(`unknown key "${name}"${inside}: ${instead}`, [...path, name], 'key');
      return item(`unknown key "${name}"${inside}${didYouMean(name, knownKeys(error))}`, [...path, name], 'key');
    }
    case 'required': {
      const name = String(params.missingProperty);
      return { ...item(`missing key "${name}"${where === '' ? '' : ` in ${where}`}`, path, 'key'), key: formatPath([...path, name]) };
    }
    case 'dependentRequired': {
      const name = String(params.missingProperty);
      return { ...item(`missing key "${name}" in ${subject} (required with "${String(params.property)}")`, path, 'key'), key: formatPath([...path, name]) };
    }
    case 'type':
      return item(`${subject} must be ${expectedTypes(String(params.type))}, not ${describeValue(error.data)}`);
    case 'enum': {
      const value = error.data;
      const rejected = (parent['x-rejected'] as Record<string, string> | undefined)?.[String(value)];
      if (rejected !== undefined) return item(`${subject} "${String(value)}" is not supported: ${rejected}`);
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const hint = typeof value === 'string' ? didYouMean(value, (params.allowedValues as unknown[]).map(String)) : '';
      return item(`${subject} must be one of ${allowed.join(', ')}, not ${showScalar(value)}${hint}`);
    }
    case 'const':
      return item(`${subject} must be ${JSON.stringify(params.allowedValue)}, not ${showScalar(error.data)}`);
    case 'discriminator': {
      const tag = String(params.tag);
      if (params.error === 'mapping') {
        const value = String(params.tagValue);
        return item(`unknown connector type "${value}"${didYouMean(value, CONNECTOR_TYPES)}; expected one of ${CONNECTOR_TYPES.join(', ')}`, [...path, tag]);
      }
      return item(`${formatPath([...path, tag])} must be a string naming the type`, [...path, tag]);
    }
    case 'pattern': {
      const expected = typeof parent['x-expected'] === 'string' ? parent['x-expected'] : `text matching ${String(params.pattern)}`;
      if (error.propertyName !== undefined) {
        return item(`invalid name "${error.propertyName}" in ${subject}: must be ${expected}`, [...path, error.propertyName], 'key');
      }
      return item(`${subject} must be ${expected}`);
    }
    case 'propertyNames':
      return undefined;
    case 'if':
      return undefined;
    case 'minimum':
    case 'exclusiveMinimum':
      return item(`${subject} must be at least ${String(params.limit)}${error.keyword === 'exclusiveMinimum' ? ' (exclusive)' : ''}, not ${showScalar(error.data)}`);
    case 'maximum':
    case 'exclusiveMaximum':
      return item(`${subject} must be at most ${String(params.limit)}${error.keyword === 'exclusiveMaximum' ? ' (exclusive)' : ''}, not ${showScalar(error.data)}`);
    case 'minItems':
      return item(params.limit === 1 ? `${subject} must not be empty` : `${subject} must have at least ${String(params.limit)} items`);
    case 'maxItems':
      return item(`${subject} must have at most ${String(params.limit)} items`);
    case 'minProperties':
      return item(params.limit === 1 ? `${subject} must not be empty` : `${subject} must have at least ${String(params.limit)} entries`);
    case 'minLength':
      return item(params.limit === 1 ? `${subject} must not be empty` : `${subject} must be at least ${String(params.limit)} characters long`);
    case 'maxLength':
      return item(`${subject} must be at most ${String(params.limit)} character${params.limit === 1 ? '' : 's'} long`);
    case 'uniqueItems': {
      const data = error.data as unknown[];
      const j = Number(params.j);
      return item(`${subject} lists ${showScalar(data[j])} more than once`, [...path, j]);
    }
    default:
      return item(`${subject} ${error.message ?? 'is invalid'}`);
  }
}

function knownKeys(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

function expectedTypes(types: string): string {
  return types
    .split(',')
    .map((t) => TYPE_NAMES[t] ?? t)
    .join(' or ');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean') return `${String(value)} (a boolean)`;
  if (typeof value === 'number') return `${String(value)} (a number)`;
  return 'a string';
}

function showScalar(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a mapping';
  return JSON.stringify(value);
}
