/**
 * Writes to a rest connector's object type through its configured operations (export.create, update,
 * delete, disable, enable). Each is a method, a path template (values percent-encoded into the path and
 * query only, see rest-url.ts) and a body: a JSON template whose string leaves are templates, or, when
 * none is given, the attributes placed at their `attributes` pointers.
 *
 * Idempotency, so a replay after a crash changes nothing twice:
 * - create: with `export.lookup`, the configured search runs first and exactly one match is adopted (its
 *   id returned, nothing created); a create by PUT to the object's own path is idempotent by itself.
 * - update/disable/enable write values, not increments; delete treats 404 and 410 as already deleted.
 * Changes to one object run in order; objects run at once within the connector's budget.
 */
import type { CompiledTemplate, Scalar, Value } from '../../config/model.js';
import { compileTemplate } from '../../config/template.js';
import { ConnectorError, errorCode, errorMessage, errorRetryable } from '../../shared/errors.js';
import { displayUrl, exportPerObject } from '../http/index.js';
import type { AttributeChange, ExportChange, ExportResult } from '../sdk.js';
import { parsePointer, writePointer } from './json-pointer.js';
import type { RestApi } from './rest-api.js';
import { itemId } from './rest-mapping.js';
import { pageItems } from './rest-pages.js';
import type { OperationOptions, RestOptions, RestTypeOptions } from './rest-spec.js';
import { underBase } from './rest-url.js';

type Lookup = (name: string) => Value | undefined;

export async function exportChanges(api: RestApi, options: RestOptions, type: RestTypeOptions, changes: readonly ExportChange[]): Promise<ExportResult[]> {
  const e = type.export;
  if (!e.create && !e.update && !e.delete && !e.disable && !e.enable) {
    throw new ConnectorError(options.connector, 'NotSupported', `object type ${type.name} has no export operations (give objectTypes.${type.name}.export.create, update, delete or disable)`);
  }
  return exportPerObject(changes, options.concurrency, (change) => one(api, options, type, change));
}

async function one(api: RestApi, options: RestOptions, type: RestTypeOptions, change: ExportChange): Promise<ExportResult> {
  try {
    const externalId = await apply(api, options, type, change);
    return { id: change.id, ok: true, ...(externalId !== undefined ? { externalId } : {}) };
  } catch (error) {
    return {
      id: change.id,
      ok: false,
      error: { code: errorCode(error, 'ExportFailed'), message: errorMessage(error), retryable: errorRetryable(error, true) },
    };
  }
}

function notSupported(options: RestOptions, type: RestTypeOptions, what: string, setting: string): never {
  throw new ConnectorError(options.connector, 'NotSupported', `${what} of ${type.name} objects is not configured (give objectTypes.${type.name}.export.${setting})`);
}

async function apply(api: RestApi, options: RestOptions, type: RestTypeOptions, change: ExportChange): Promise<string | undefined> {
  const e = type.export;
  switch (change.op) {
    case 'create': {
      const op = e.create ?? notSupported(options, type, 'creating', 'create');
      const values: Record<string, Value> = { ...change.attributes };
      if (change.enabled !== undefined && !Object.hasOwn(values, 'enabled')) values.enabled = change.enabled;
      const lookup = lookupOf(values);
      if (e.lookup) {
        const found = await existing(api, options, type, e.lookup, lookup);
        if (found !== undefined) return found;
      }
      const body = op.body !== undefined ? renderBody(op.body, lookup) : placed(type, change.attributes, change.enabled);
      const response = await send(api, options, type, op, lookup, body);
      const id = itemId(response.body, op.id);
      if (id === undefined) {
        throw new ConnectorError(options.connector, 'MalformedResponse', `${op.method} ${displayUrl(response.url)} succeeded but its response has no id at "${op.id.source}" (check export.create.id); the next import finds the object`, { retryable: false });
      }
      return id;
    }
    case 'update': {
      const op = e.update ?? notSupported(options, type, 'updating', 'update');
      const values: Record<string, Value | undefined> = {};
      for (const [name, c] of Object.entries(change.attributes)) values[name] = newValue(c);
      const lookup = lookupOf(values, change.externalId);
      const body = op.body !== undefined ? renderBody(op.body, lookup) : placed(type, values, undefined);
      await send(api, options, type, op, lookup, body);
      return undefined;
    }
    case 'enable':
    case 'disable': {
      const op = change.op === 'disable' ? e.disable : e.enable;
      const lookup = lookupOf({}, change.externalId);
      if (op) {
        await send(api, options, type, op, lookup, op.body !== undefined ? renderBody(op.body, lookup) : undefined);
        return undefined;
      }
      if (type.enabled && e.update) {
        const body: Record<string, unknown> = {};
        writePointer(body, type.enabled.pointer, change.op === 'enable' ? type.enabled.value : type.enabled.disabledValue);
        await send(api, options, type, e.update, lookup, body);
        return undefined;
      }
      return notSupported(options, type, change.op === 'disable' ? 'disabling' : 'enabling', `${change.op} (or enabled and update)`);
    }
    case 'delete': {
      const op = e.delete ?? notSupported(options, type, 'deleting', 'delete');
      const lookup = lookupOf({}, change.externalId);
      await send(api, options, type, op, lookup, op.body !== undefined ? renderBody(op.body, lookup) : undefined, [404, 410]);
      return undefined;
    }
    case 'move':
      throw new ConnectorError(options.connector, 'NotSupported', `${type.name} objects have no container to move between`);
  }
}

/** The value an update writes: `to`, or the old list with the increments applied. */
function newValue(change: AttributeChange): Value | undefined {
  if (change.to !== undefined || (change.add === undefined && change.remove === undefined)) return change.to;
  const before = change.from === undefined ? [] : Array.isArray(change.from) ? [...(change.from as Scalar[])] : [change.from as Scalar];
  const removed = new Set((change.remove ?? []).map(String));
  const after = before.filter((v) => !removed.has(String(v)));
  for (const v of change.add ?? []) if (!after.some((a) => String(a) === String(v))) after.push(v);
  return after;
}

function lookupOf(values: Readonly<Record<string, Value | undefined>>, externalId?: string): Lookup {
  return (name) => {
    if (Object.hasOwn(values, name)) return values[name];
    if (name === 'externalId') return externalId;
    return undefined;
  };
}

/** The attributes placed at their `attributes` pointers (an unmapped one at `/<name>`); a cleared one is null. */
function placed(type: RestTypeOptions, values: Readonly<Record<string, Value | undefined>>, enabled: boolean | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const pointer = type.attributes?.get(name) ?? parsePointer(`/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    writePointer(body, pointer, value === undefined ? null : Array.isArray(value) ? [...value] : value);
  }
  if (enabled !== undefined && type.enabled) writePointer(body, type.enabled.pointer, enabled ? type.enabled.value : type.enabled.disabledValue);
  return body;
}

const compiled = new Map<string, CompiledTemplate>();

function template(source: string): CompiledTemplate {
  let t = compiled.get(source);
  if (!t) {
    t = compileTemplate(source);
    compiled.set(source, t);
  }
  return t;
}

const ABSENT = Symbol('absent');

/** Renders a JSON body template: string leaves are templates; a leaf whose attributes are absent is left out. */
export function renderBody(node: unknown, lookup: Lookup): unknown {
  const out = renderNode(node, lookup);
  return out === ABSENT ? {} : out;
}

function renderNode(node: unknown, lookup: Lookup): unknown {
  if (typeof node === 'string') {
    if (!node.includes('{{')) return node;
    const result = template(node).render(lookup);
    if (!result.ok) return ABSENT;
    return Array.isArray(result.value) ? [...result.value] : result.value;
  }
  if (Array.isArray(node)) return node.map((n) => renderNode(n, lookup)).filter((v) => v !== ABSENT);
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const rendered = renderNode(value, lookup);
      if (rendered !== ABSENT) out[key] = rendered;
    }
    return out;
  }
  return node;
}

async function send(api: RestApi, options: RestOptions, type: RestTypeOptions, op: OperationOptions, lookup: Lookup, body: unknown, accept?: readonly number[]) {
  const rendered = op.path.render(lookup);
  if (!rendered.ok) {
    const why = rendered.invalid ?? `its path template "${op.path.source}" needs ${rendered.missing.join(', ')}, which the object lacks`;
    throw new ConnectorError(options.connector, rendered.invalid ? 'InvalidValue' : 'MissingAttribute', `${type.name}: ${why}`, { retryable: false });
  }
  const url = underBase(api.client, rendered.path).href;
  return api.send<unknown>({ method: op.method, url, ...(body !== undefined && op.method !== 'DELETE' ? { json: body } : {}), ...(accept ? { accept } : {}) });
}

/** Look-up before create: the id of the one existing match, undefined for none, an error for several. */
async function existing(api: RestApi, options: RestOptions, type: RestTypeOptions, lookupOp: NonNullable<RestTypeOptions['export']['lookup']>, lookup: Lookup): Promise<string | undefined> {
  const rendered = lookupOp.path.render(lookup);
  if (!rendered.ok) {
    throw new ConnectorError(options.connector, rendered.invalid ? 'InvalidValue' : 'MissingAttribute', `${type.name}: ${rendered.invalid ?? `the look-up path "${lookupOp.path.source}" needs ${rendered.missing.join(', ')}, which the new object lacks`}`, { retryable: false });
  }
  const response = await api.send<unknown>({ url: underBase(api.client, rendered.path).href });
  const ids = pageItems(api, response, lookupOp.items)
    .map((item) => itemId(item, type.externalId))
    .filter((id): id is string => id !== undefined);
  if (ids.length > 1) {
    throw new ConnectorError(options.connector, 'KeyNotUnique', `${type.name}: the look-up ${displayUrl(response.url)} found ${ids.length} existing objects; refusing to adopt or create (tighten export.lookup.path)`, { retryable: false });
  }
  return ids[0];
}
