/**
 * Secrets are never history. Passwords never reach the mesh (a projection's initial password is made at
 * export and sent once; SCIM pushes drop `password`), but an attribute can still be named for one (a
 * source column `pwdHash`, an `apiToken`) or carry a secret this process resolved. Such a value is
 * recorded as withheld: that it changed, from where and when, without the value.
 */
import type { Value } from '../config/model.js';
import { holdsSecret } from '../shared/logger.js';

const SECRET_NAME = /passw(or)?d|pwd|secret|token|credential|api_?key|private_?key/i;

const secretNames = new Map<string, boolean>();

export function isSecretName(attribute: string): boolean {
  let secret = secretNames.get(attribute);
  if (secret === undefined) secretNames.set(attribute, (secret = SECRET_NAME.test(attribute)));
  return secret;
}

/** Whether a value of this attribute must be kept out of history. */
export function withheldFromHistory(attribute: string, value: Value | null | undefined): boolean {
  if (isSecretName(attribute)) return true;
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return holdsSecret(value);
  if (Array.isArray(value)) return value.some((item) => typeof item === 'string' && holdsSecret(item));
  return false;
}
