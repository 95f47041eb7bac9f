/**
 * Okta objects → staged objects, flattened exactly as the Okta runbook's attribute tables say ("What gets
 * synced"): the listed top-level lifecycle fields, the listed `profile.*` fields (custom profile
 * attributes are not imported), `accountEnabled` derived from `status`, a group's `objectClass` array
 * joined with commas, and one membership object per (group, member) edge.
 */
import type { Scalar, Value } from '../../config/model.js';
import type { StagedObject } from '../sdk.js';

/** Top-level user fields imported under their own names (seed table, rows id … type). */
const USER_FIELDS = ['status', 'created', 'lastUpdated', 'lastLogin', 'passwordChanged', 'statusChanged', 'activated'] as const;

/** `profile.<name>` → `<name>` (seed table, rows profile.firstName … profile.timezone). */
export const USER_PROFILE_FIELDS = [
  'firstName', 'lastName', 'displayName', 'email', 'secondEmail', 'login', 'mobilePhone', 'primaryPhone', 'streetAddress', 'city', 'state',
  'zipCode', 'countryCode', 'title', 'department', 'manager', 'managerId', 'costCenter', 'division', 'employeeNumber', 'organization',
  'userType', 'preferredLanguage', 'locale', 'timezone',
] as const;

/** Attributes Okta computes; an export may not write them. */
export const READ_ONLY_USER_ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'status', 'accountEnabled', 'created', 'lastUpdated', 'lastLogin', 'passwordChanged', 'statusChanged', 'activated', 'type']);

/**
 * The statuses in which an account is switched off in the sense of enable/disable: SUSPENDED (what our
 * disable does), STAGED (created inactive) and DEPROVISIONED (deactivated, which imports as deleted).
 * PROVISIONED, RECOVERY, PASSWORD_EXPIRED and LOCKED_OUT are activated accounts mid-credential-flow.
 */
const SWITCHED_OFF: ReadonlySet<string> = new Set(['SUSPENDED', 'STAGED', 'DEPROVISIONED']);

export interface OktaUserJson {
  readonly id: string;
  readonly status?: string;
  readonly type?: { readonly id?: string } | null;
  readonly profile?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface OktaGroupJson {
  readonly id: string;
  readonly type?: string;
  readonly objectClass?: readonly string[];
  readonly profile?: { readonly name?: string; readonly description?: string | null };
  readonly _embedded?: { readonly stats?: { readonly usersCount?: number } };
  readonly [key: string]: unknown;
}

function value(raw: unknown): Value | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string') return raw === '' ? undefined : raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) {
    const items = raw.filter((item): item is Scalar => typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean');
    return items.length > 0 ? items : undefined;
  }
  return undefined;
}

export function userExternalId(user: OktaUserJson, anchor: 'id' | 'login'): string | undefined {
  if (anchor === 'id') return user.id;
  const login = user.profile?.login;
  return typeof login === 'string' && login !== '' ? login : undefined;
}

export function userObject(user: OktaUserJson, anchor: 'id' | 'login'): StagedObject | undefined {
  const externalId = userExternalId(user, anchor);
  if (externalId === undefined) return undefined;
  const attributes: Record<string, Value> = {};
  for (const field of USER_FIELDS) {
    const v = value(user[field]);
    if (v !== undefined) attributes[field] = v;
  }
  const status = typeof user.status === 'string' ? user.status : undefined;
  if (status !== undefined) attributes.accountEnabled = status === 'ACTIVE';
  // The seed's `type` row: the user type object; its id is what identifies it.
  const typeId = user.type && typeof user.type === 'object' ? value(user.type.id) : undefined;
  if (typeId !== undefined) attributes.type = typeId;
  for (const field of USER_PROFILE_FIELDS) {
    const v = value(user.profile?.[field]);
    if (v !== undefined) attributes[field] = v;
  }
  if (anchor === 'login') attributes.id = user.id;
  return {
    externalId,
    attributes,
    ...(status !== undefined ? { enabled: !SWITCHED_OFF.has(status) } : {}),
    // DEPROVISIONED is a delete (the Okta runbook, "Hard-delete detection").
    ...(status === 'DEPROVISIONED' ? { deleted: true } : {}),
  };
}

export function groupObject(group: OktaGroupJson): StagedObject {
  const attributes: Record<string, Value> = {};
  for (const field of ['type', 'created', 'lastUpdated', 'lastMembershipUpdated'] as const) {
    const v = value(group[field]);
    if (v !== undefined) attributes[field] = v;
  }
  if (Array.isArray(group.objectClass) && group.objectClass.length > 0) attributes.objectClass = group.objectClass.join(',');
  const name = value(group.profile?.name);
  if (name !== undefined) attributes.name = name;
  const description = value(group.profile?.description);
  if (description !== undefined) attributes.description = description;
  return { externalId: group.id, attributes };
}

export function membershipId(groupId: string, userId: string): string {
  return `${groupId}:${userId}`;
}

/** Okta has no nested groups, so every member is a user (the Okta runbook, "Group members"). */
export function membershipObject(groupId: string, userId: string): StagedObject {
  return { externalId: membershipId(groupId, userId), attributes: { groupId, memberId: userId, memberType: 'User' } };
}

export function parseMembershipId(externalId: string): { groupId: string; userId: string } | undefined {
  const index = externalId.indexOf(':');
  if (index <= 0 || index === externalId.length - 1) return undefined;
  return { groupId: externalId.slice(0, index), userId: externalId.slice(index + 1) };
}
