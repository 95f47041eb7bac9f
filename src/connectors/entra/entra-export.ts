/**
 * Entra ID as a projection target through Microsoft Graph: users are created, updated, disabled and
 * enabled (`accountEnabled`), and deleted (to the recycle bin); groups are created, updated and deleted,
 * and gain or lose members by `$ref` (learn.microsoft.com/graph/api/group-post-members,
 * learn.microsoft.com/graph/api/group-delete-members).
 *
 * Creates go one by one (each answers the new object's id, and a conflict needs its own message).
 * Everything else is small and independent, so it travels in JSON batches of up to 20 requests
 * (`POST /$batch`, learn.microsoft.com/graph/json-batching), whose requests Graph may run in any order.
 * So a batch never holds two requests for the same object (or the same member edge): they run in later
 * rounds, and an update lands before the disable that follows it. A
 * request inside a batch that was throttled (429) or failed on the server is sent again on its own
 * through the shared HTTP layer, which honours its Retry-After.
 *
 * Idempotent: adding a member that is already there, removing one that is not, and deleting an object
 * that is gone all succeed.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Value } from '../../config/model.js';
import { ConnectorError, errorCode, errorMessage, errorRetryable, type ConnectorErrorCode } from '../../shared/errors.js';
import { apiErrorSummary, displayUrl, errorForStatus, HttpError, mapConcurrent, type HttpClient, type HttpMethod } from '../http/index.js';
import type { AttributeChange, ExportChange, ExportResult } from '../sdk.js';
import { unflatten } from './entra-mapping.js';
import type { EntraObjectType, EntraOptions } from './entra-spec.js';

const BATCH_LIMIT = 20;
const BIND_LIMIT = 20;

interface Op {
  readonly change: string;
  /** Requests for one object never share a batch. */
  readonly object: string;
  readonly method: HttpMethod;
  /** Relative to the Graph version root: `users/{id}`. */
  readonly url: string;
  readonly body?: unknown;
  /** A failing status that still means "done" (404 on a delete, "already exists" on an add). */
  readonly done?: (status: number, body: unknown) => boolean;
}

const goneIsDone = (status: number) => status === 404;
const presentIsDone = (status: number, body: unknown) => status === 400 && /already exist/i.test(apiErrorSummary(body).summary ?? '');

export async function exportChanges(client: HttpClient, options: EntraOptions, type: EntraObjectType, changes: readonly ExportChange[], concurrency: number): Promise<ExportResult[]> {
  const failures = new Map<string, unknown>();
  const created = new Map<string, string>();
  const ops: Op[] = [];
  const creates: Extract<ExportChange, { op: 'create' }>[] = [];
  for (const change of changes) {
    try {
      if (change.op === 'create') creates.push(change);
      else ops.push(...planChange(options, type, change));
    } catch (error) {
      failures.set(change.id, error);
    }
  }
  for await (const outcome of mapConcurrent(creates, concurrency, async (change) => {
    try {
      const result = type === 'user' ? await createUser(client, options, change) : await createGroup(client, options, change);
      ops.push(...result.more);
      return { change: change.id, id: result.id };
    } catch (error) {
      return { change: change.id, error };
    }
  })) {
    if ('error' in outcome) failures.set(outcome.change, outcome.error);
    else created.set(outcome.change, outcome.id);
  }
  await runOps(client, options, ops, failures, concurrency);
  return changes.map((change): ExportResult => {
    const failure = failures.get(change.id);
    if (failure !== undefined) {
      return { id: change.id, ok: false, error: { code: errorCode(failure, 'ExportFailed'), message: errorMessage(failure), retryable: errorRetryable(failure, true) } };
    }
    const externalId = created.get(change.id);
    return { id: change.id, ok: true, ...(externalId !== undefined ? { externalId } : {}) };
  });
}

function refuse(options: EntraOptions, code: ConnectorErrorCode, message: string): never {
  throw new ConnectorError(options.connector, code, message);
}

function changedValues(attributes: Readonly<Record<string, AttributeChange>>, skip: ReadonlySet<string>): Record<string, Value | undefined> {
  const out: Record<string, Value | undefined> = {};
  for (const [name, change] of Object.entries(attributes)) if (!skip.has(name)) out[name] = change.to;
  return out;
}

function memberRef(options: EntraOptions, id: string): string {
  return `${options.graphUrl}/v1.0/directoryObjects/${encodeURIComponent(id)}`;
}

const NOT_WRITTEN = new Set(['id', 'members']);

function planChange(options: EntraOptions, type: EntraObjectType, change: Exclude<ExportChange, { op: 'create' }>): Op[] {
  const collection = type === 'user' ? 'users' : 'groups';
  const path = `${collection}/${encodeURIComponent(change.externalId)}`;
  const base = { change: change.id, object: change.externalId };
  switch (change.op) {
    case 'update': {
      if ('id' in change.attributes) refuse(options, 'ReadOnlyAttribute', '"id" is assigned by Entra ID and cannot be written');
      const ops: Op[] = [];
      const values = changedValues(change.attributes, NOT_WRITTEN);
      if (Object.keys(values).length > 0) ops.push({ ...base, method: 'PATCH', url: path, body: unflatten(values) });
      const members = change.attributes.members;
      if (members) {
        if (type !== 'group') refuse(options, 'ReadOnlyAttribute', 'users have no members attribute');
        // Each member edge is its own object: adds and removes of different members share batches.
        for (const member of members.add ?? []) {
          ops.push({ ...base, object: `${change.externalId}/members/${String(member)}`, method: 'POST', url: `${path}/members/$ref`, body: { '@odata.id': memberRef(options, String(member)) }, done: presentIsDone });
        }
        for (const member of members.remove ?? []) {
          ops.push({ ...base, object: `${change.externalId}/members/${String(member)}`, method: 'DELETE', url: `${path}/members/${encodeURIComponent(String(member))}/$ref`, done: goneIsDone });
        }
      }
      return ops;
    }
    case 'enable':
    case 'disable':
      if (type !== 'user') refuse(options, 'NotSupported', 'Entra ID groups cannot be disabled');
      return [{ ...base, method: 'PATCH', url: path, body: { accountEnabled: change.op === 'enable' } }];
    case 'delete':
      return [{ ...base, method: 'DELETE', url: path, done: goneIsDone }];
    case 'move':
      return refuse(options, 'NotSupported', 'Entra ID objects have no container to move between');
  }
}

/** A random password meeting Entra ID's complexity rules; sent once at create, never logged. */
function generatePassword(): string {
  const pick = (set: string) => set[randomInt(set.length)]!;
  return `${randomBytes(18).toString('base64url')}${pick('ABCDEFGHJKLMNPQRSTUVWXYZ')}${pick('abcdefghijkmnopqrstuvwxyz')}${pick('23456789')}${pick('!#%+-=?')}`;
}

function nickname(from: string): string {
  const local = from.split('@')[0] ?? from;
  const clean = local.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64);
  return clean === '' ? `mesh${randomBytes(4).toString('hex')}` : clean;
}

async function createUser(client: HttpClient, options: EntraOptions, change: Extract<ExportChange, { op: 'create' }>): Promise<{ id: string; more: Op[] }> {
  const body = unflatten(Object.fromEntries(Object.entries(change.attributes).filter(([name]) => !NOT_WRITTEN.has(name))));
  const upn = body.userPrincipalName;
  if (typeof upn !== 'string' || upn === '') refuse(options, 'MissingAttribute', 'a user needs a userPrincipalName (project it)');
  if (typeof body.displayName !== 'string' || body.displayName === '') refuse(options, 'MissingAttribute', 'a user needs a displayName (project it)');
  body.accountEnabled = change.enabled ?? (typeof body.accountEnabled === 'boolean' ? body.accountEnabled : true);
  if (typeof body.mailNickname !== 'string' || body.mailNickname === '') body.mailNickname = nickname(upn);
  body.passwordProfile = { forceChangePasswordNextSignIn: true, password: change.password ?? generatePassword() };
  try {
    const created = await client.json<{ id?: string }>({ method: 'POST', url: 'users', json: body });
    if (typeof created?.id !== 'string') refuse(options, 'MalformedResponse', 'Graph created the user but answered without its id');
    return { id: created.id, more: [] };
  } catch (error) {
    if (error instanceof HttpError && error.status === 400 && /already exists/i.test(error.summary ?? '')) {
      throw new ConnectorError(options.connector, 'Conflict', `a user with userPrincipalName "${upn}" already exists in Entra ID; add a projection join on userPrincipalName to adopt it`, { cause: error });
    }
    throw error;
  }
}

async function createGroup(client: HttpClient, options: EntraOptions, change: Extract<ExportChange, { op: 'create' }>): Promise<{ id: string; more: Op[] }> {
  const body = unflatten(Object.fromEntries(Object.entries(change.attributes).filter(([name]) => !NOT_WRITTEN.has(name))));
  const name = body.displayName;
  if (typeof name !== 'string' || name === '') refuse(options, 'MissingAttribute', 'a group needs a displayName (project it)');
  if (typeof body.mailNickname !== 'string' || body.mailNickname === '') body.mailNickname = nickname(name.replace(/\s+/g, '-'));
  if (typeof body.mailEnabled !== 'boolean') body.mailEnabled = false;
  if (typeof body.securityEnabled !== 'boolean') body.securityEnabled = true;
  const raw = change.attributes.members;
  const members = raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
  if (members.length > 0) body['members@odata.bind'] = members.slice(0, BIND_LIMIT).map((id) => memberRef(options, id));
  const created = await client.json<{ id?: string }>({ method: 'POST', url: 'groups', json: body });
  if (typeof created?.id !== 'string') refuse(options, 'MalformedResponse', 'Graph created the group but answered without its id');
  const id = created.id;
  const more = members.slice(BIND_LIMIT).map((member): Op => ({ change: change.id, object: `${id}/members/${member}`, method: 'POST', url: `groups/${encodeURIComponent(id)}/members/$ref`, body: { '@odata.id': memberRef(options, member) }, done: presentIsDone }));
  return { id, more };
}

interface BatchResponse {
  readonly responses?: ReadonlyArray<{ readonly id: string; readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }>;
}

/** Runs the ops in rounds (one op per object per round), each round in $batch requests of up to 20. */
async function runOps(client: HttpClient, options: EntraOptions, ops: readonly Op[], failures: Map<string, unknown>, concurrency: number): Promise<void> {
  const queues = new Map<string, Op[]>();
  for (const op of ops) queues.set(op.object, [...(queues.get(op.object) ?? []), op]);
  for (;;) {
    const round: Op[] = [];
    for (const queue of queues.values()) {
      while (queue.length > 0 && failures.has(queue[0]!.change)) queue.shift();
      const next = queue.shift();
      if (next) round.push(next);
    }
    if (round.length === 0) return;
    const chunks: Op[][] = [];
    for (let i = 0; i < round.length; i += BATCH_LIMIT) chunks.push(round.slice(i, i + BATCH_LIMIT));
    for await (const _ of mapConcurrent(chunks, concurrency, (chunk) => runChunk(client, options, chunk, failures))) void _;
  }
}

async function runChunk(client: HttpClient, options: EntraOptions, chunk: readonly Op[], failures: Map<string, unknown>): Promise<void> {
  if (chunk.length === 1) {
    await runAlone(client, chunk[0]!, failures);
    return;
  }
  let answer: BatchResponse;
  try {
    answer = await client.json<BatchResponse>({
      method: 'POST',
      url: '$batch',
      json: { requests: chunk.map((op, i) => ({ id: String(i + 1), method: op.method, url: `/${op.url}`, ...(op.body !== undefined ? { headers: { 'Content-Type': 'application/json' }, body: op.body } : {}) })) },
    });
  } catch (error) {
    for (const op of chunk) failures.set(op.change, error);
    return;
  }
  const byId = new Map((answer?.responses ?? []).map((r) => [r.id, r]));
  const again: Op[] = [];
  chunk.forEach((op, i) => {
    const response = byId.get(String(i + 1));
    if (!response) {
      failures.set(op.change, new ConnectorError(options.connector, 'MalformedResponse', `the $batch answer lacks the response to ${op.method} ${op.url}`, { retryable: true }));
      return;
    }
    if ((response.status >= 200 && response.status < 300) || op.done?.(response.status, response.body)) return;
    if (response.status === 429 || response.status >= 500) {
      again.push(op);
      return;
    }
    failures.set(op.change, errorForStatus(options.connector, { method: op.method, url: displayUrl(client.resolve(op.url)), status: response.status, ...apiErrorSummary(response.body), body: response.body }));
  });
  // Throttled or failed inside the batch: once more each, alone, so the shared layer honours Retry-After.
  for (const op of again) await runAlone(client, op, failures);
}

async function runAlone(client: HttpClient, op: Op, failures: Map<string, unknown>): Promise<void> {
  try {
    await client.request({ method: op.method, url: op.url, ...(op.body !== undefined ? { json: op.body } : {}) });
  } catch (error) {
    if (error instanceof HttpError && error.status !== undefined && op.done?.(error.status, error.body)) return;
    failures.set(op.change, error);
  }
}
