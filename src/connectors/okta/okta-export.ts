/**
 * Okta as a projection target (beyond the seed's phase 1): users are created, updated, disabled
 * (suspended), enabled and deleted (deactivated); groups are created and renamed and gain or lose members;
 * membership objects are added and removed. Every write is idempotent: a repeated add or remove of a
 * member, or a delete of something already gone, succeeds.
 *
 * Okta Users API (developer.okta.com/docs/api/openapi/okta-management/management/tag/User): create is
 * `POST /api/v1/users?activate=`, a partial profile update is `POST /api/v1/users/{id}` (PUT would replace
 * the whole profile), lifecycle changes are `POST /api/v1/users/{id}/lifecycle/{operation}`.
 *
 * Why disable suspends and delete deactivates: a deactivated (DEPROVISIONED) user imports as deleted
 * (the Okta runbook), so a user we merely disabled must stay visible as a disabled account, or the planner would
 * try to re-create it. SUSPENDED is Okta's reversible "cannot sign in"; Okta suspends only ACTIVE users.
 * Delete stops at deactivation: purging a user is left to an admin, who keeps the audit trail.
 */
import type { Scalar, Value } from '../../config/model.js';
import { ConnectorError, errorCode, errorMessage, errorRetryable, type ConnectorErrorCode } from '../../shared/errors.js';
import { exportPerObject, HttpError, type HttpClient } from '../http/index.js';
import type { AttributeChange, ExportChange, ExportResult } from '../sdk.js';
import { membershipId, parseMembershipId, READ_ONLY_USER_ATTRIBUTES, userExternalId, type OktaGroupJson, type OktaUserJson } from './okta-mapping.js';
import type { OktaObjectType, OktaOptions } from './okta-spec.js';

type Outcome = { externalId?: string };

export async function exportChanges(client: HttpClient, options: OktaOptions, type: OktaObjectType, changes: readonly ExportChange[], concurrency: number): Promise<ExportResult[]> {
  return exportPerObject(changes, concurrency, (change) => one(client, options, type, change));
}

async function one(client: HttpClient, options: OktaOptions, type: OktaObjectType, change: ExportChange): Promise<ExportResult> {
  try {
    const outcome = type === 'user' ? await userChange(client, options, change) : type === 'group' ? await groupChange(client, options, change) : await membershipChange(client, options, change);
    return { id: change.id, ok: true, ...(outcome.externalId !== undefined ? { externalId: outcome.externalId } : {}) };
  } catch (error) {
    return {
      id: change.id,
      ok: false,
      error: { code: errorCode(error, 'ExportFailed'), message: errorMessage(error), retryable: errorRetryable(error, true) },
    };
  }
}

function refuse(options: OktaOptions, code: ConnectorErrorCode, message: string): never {
  throw new ConnectorError(options.connector, code, message);
}

function gone(error: unknown): boolean {
  return error instanceof HttpError && error.status === 404;
}

function profileValue(value: Value | undefined): unknown {
  if (value === undefined) return null;
  return Array.isArray(value) ? [...value] : value;
}

function userProfile(options: OktaOptions, attributes: Readonly<Record<string, Value | undefined>>): Record<string, unknown> {
  const profile: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (READ_ONLY_USER_ATTRIBUTES.has(name)) {
      refuse(options, 'ReadOnlyAttribute', `"${name}" is set by Okta and cannot be written; remove it from the projection (the account state is written by \`enabled\`)`);
    }
    profile[name] = profileValue(value);
  }
  return profile;
}

function changedValues(attributes: Readonly<Record<string, AttributeChange>>): Record<string, Value | undefined> {
  const out: Record<string, Value | undefined> = {};
  for (const [name, change] of Object.entries(attributes)) out[name] = change.to;
  return out;
}

function userPath(id: string): string {
  return `api/v1/users/${encodeURIComponent(id)}`;
}

async function userChange(client: HttpClient, options: OktaOptions, change: ExportChange): Promise<Outcome> {
  switch (change.op) {
    case 'create': {
      const profile = userProfile(options, change.attributes);
      const body: Record<string, unknown> = { profile };
      if (change.password !== undefined) body.credentials = { password: { value: change.password } };
      try {
        const created = await client.json<OktaUserJson>({ method: 'POST', url: 'api/v1/users', query: { activate: change.enabled !== false }, json: body });
        const externalId = userExternalId(created, options.userExternalId);
        if (externalId === undefined) refuse(options, 'MalformedResponse', 'Okta created the user but answered without its id/login');
        return { externalId };
      } catch (error) {
        if (error instanceof HttpError && error.status === 400 && /already exists/i.test(error.summary ?? '')) {
          throw new ConnectorError(options.connector, 'Conflict', `a user with login "${String(profile.login ?? '')}" already exists in Okta; add a projection join on login to adopt it instead of creating it`, { cause: error });
        }
        throw error;
      }
    }
    case 'update': {
      const profile = userProfile(options, changedValues(change.attributes));
      if (Object.keys(profile).length > 0) await client.request({ method: 'POST', url: userPath(change.externalId), json: { profile } });
      return {};
    }
    case 'enable':
    case 'disable':
      return setEnabled(client, options, change.externalId, change.op === 'enable');
    case 'delete': {
      let status: string | undefined;
      try {
        status = (await client.json<OktaUserJson>({ url: userPath(change.externalId) })).status;
      } catch (error) {
        if (gone(error)) return {};
        throw error;
      }
      if (status !== 'DEPROVISIONED') await client.request({ method: 'POST', url: `${userPath(change.externalId)}/lifecycle/deactivate`, query: { sendEmail: false } });
      return {};
    }
    case 'move':
      return refuse(options, 'NotSupported', 'Okta users have no container to move between');
  }
}

async function setEnabled(client: HttpClient, options: OktaOptions, id: string, enable: boolean): Promise<Outcome> {
  const user = await client.json<OktaUserJson>({ url: userPath(id) });
  const status = user.status ?? '';
  const lifecycle = (operation: string, query: Record<string, boolean> = {}) => client.request({ method: 'POST', url: `${userPath(id)}/lifecycle/${operation}`, query });
  if (enable) {
    if (status === 'SUSPENDED') await lifecycle('unsuspend');
    else if (status === 'STAGED' || status === 'DEPROVISIONED') await lifecycle('activate', { sendEmail: false });
    else if (status === 'LOCKED_OUT') await lifecycle('unlock');
    return {};
  }
  if (status === 'ACTIVE') await lifecycle('suspend');
  else if (status !== 'SUSPENDED' && status !== 'STAGED' && status !== 'DEPROVISIONED') {
    refuse(options, 'NotSupported', `user ${id} is ${status}; Okta suspends only ACTIVE users (it can be deactivated with onRemove: delete)`);
  }
  return {};
}

function groupPath(id: string): string {
  return `api/v1/groups/${encodeURIComponent(id)}`;
}

const GROUP_PROFILE = new Set(['name', 'description']);

async function groupChange(client: HttpClient, options: OktaOptions, change: ExportChange): Promise<Outcome> {
  switch (change.op) {
    case 'create': {
      const name = change.attributes.name;
      if (typeof name !== 'string' || name === '') refuse(options, 'MissingAttribute', 'a group needs a name (project the `name` attribute)');
      const description = change.attributes.description;
      try {
        const created = await client.json<OktaGroupJson>({ method: 'POST', url: 'api/v1/groups', json: { profile: { name, ...(description !== undefined ? { description: String(description) } : {}) } } });
        const members = change.attributes.members;
        for (const member of members === undefined ? [] : Array.isArray(members) ? members : [members as Scalar]) {
          await client.request({ method: 'PUT', url: `${groupPath(created.id)}/users/${encodeURIComponent(String(member))}` });
        }
        return { externalId: created.id };
      } catch (error) {
        if (error instanceof HttpError && error.status === 400 && /already exists/i.test(error.summary ?? '')) {
          throw new ConnectorError(options.connector, 'Conflict', `a group named "${name}" already exists in Okta; add a projection join on name to adopt it`, { cause: error });
        }
        throw error;
      }
    }
    case 'update': {
      const profileChanges = Object.entries(change.attributes).filter(([name]) => GROUP_PROFILE.has(name));
      for (const [name] of Object.entries(change.attributes)) {
        if (!GROUP_PROFILE.has(name) && name !== 'members') refuse(options, 'ReadOnlyAttribute', `group attribute "${name}" cannot be written; Okta groups take name, description and members`);
      }
      if (profileChanges.length > 0) {
        const current = await client.json<OktaGroupJson>({ url: groupPath(change.externalId) });
        const profile: Record<string, unknown> = { name: current.profile?.name ?? null, description: current.profile?.description ?? null };
        for (const [name, value] of profileChanges) profile[name] = value.to === undefined ? null : String(value.to);
        await client.request({ method: 'PUT', url: groupPath(change.externalId), json: { profile } });
      }
      const members = change.attributes.members;
      if (members) {
        for (const member of members.add ?? []) await client.request({ method: 'PUT', url: `${groupPath(change.externalId)}/users/${encodeURIComponent(String(member))}` });
        for (const member of members.remove ?? []) {
          await client.request({ method: 'DELETE', url: `${groupPath(change.externalId)}/users/${encodeURIComponent(String(member))}`, accept: [404] });
        }
      }
      return {};
    }
    case 'delete':
      await client.request({ method: 'DELETE', url: groupPath(change.externalId), accept: [404] });
      return {};
    default:
      return refuse(options, 'NotSupported', `Okta groups cannot ${change.op}`);
  }
}

async function membershipChange(client: HttpClient, options: OktaOptions, change: ExportChange): Promise<Outcome> {
  switch (change.op) {
    case 'create': {
      const groupId = change.attributes.groupId;
      const memberId = change.attributes.memberId;
      if (typeof groupId !== 'string' || typeof memberId !== 'string' || groupId === '' || memberId === '') {
        refuse(options, 'MissingAttribute', 'a membership needs groupId and memberId (Okta ids)');
      }
      await client.request({ method: 'PUT', url: `${groupPath(groupId)}/users/${encodeURIComponent(memberId)}` });
      return { externalId: membershipId(groupId, memberId) };
    }
    case 'delete': {
      const parsed = parseMembershipId(change.externalId);
      if (!parsed) refuse(options, 'InvalidExternalId', `"${change.externalId}" is not a membership id (<groupId>:<userId>)`);
      await client.request({ method: 'DELETE', url: `${groupPath(parsed.groupId)}/users/${encodeURIComponent(parsed.userId)}`, accept: [404] });
      return {};
    }
    default:
      return refuse(options, 'NotSupported', `a membership is added or removed, never ${change.op === 'update' ? 'updated' : change.op + 'd'}`);
  }
}
