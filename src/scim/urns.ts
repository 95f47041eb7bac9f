/** The schema and message URNs of SCIM 2.0 (RFC 7643 §3, §8.7; RFC 7644 §3.4.2, §3.5.2, §3.12). */
export const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** The core schema of the resource types RFC 7643 defines (`User`, `Group`); undefined for others. */
export function coreSchemaOf(resource: string): string | undefined {
  if (resource === 'User') return SCHEMA.user;
  if (resource === 'Group') return SCHEMA.group;
  return undefined;
}

/** Whether `name` is one of the URNs above (compared case-insensitively, as URNs are). */
export function isKnownUrn(name: string): boolean {
  const lower = name.toLowerCase();
  return Object.values(SCHEMA).some((urn) => urn.toLowerCase() === lower);
}
