/**
 * The connector types: one descriptor per type, each exported by its folder (`<type>/<type>-descriptor.ts`).
 * Nothing else in Identity Mesh switches on connector type names; it asks the descriptor.
 *
 * To add a type: its schema in schemas/connector.schema.json (then `npm run gen:types`, which adds it to
 * `ConnectorType`), its folder with a descriptor, and one line below. The compiler refuses a type the
 * schema knows and this list does not (see src/connectors/README.md).
 */
import type { ConnectorType } from '../config/model.js';
import { ConfigError } from '../shared/errors.js';
import type { ConnectorDescriptor } from './connector-descriptor.js';
import type { ConnectorContext, IdentityConnector } from './sdk.js';
import { csvDescriptor } from './csv/csv-descriptor.js';
import { entraDescriptor } from './entra/entra-descriptor.js';
import { activeDirectoryDescriptor, ldapDescriptor } from './ldap/ldap-descriptor.js';
import { oktaDescriptor } from './okta/okta-descriptor.js';
import { packageDescriptor } from './package/package-descriptor.js';
import { restDescriptor } from './rest/rest-descriptor.js';
import { scimInboundDescriptor } from './scim-inbound/scim-inbound-descriptor.js';
import { scimDescriptor } from './scim/scim-descriptor.js';
import { sqlDescriptor } from './sql/sql-descriptor.js';
import { workdayDescriptor } from './workday/workday-descriptor.js';

/** Every type, in the order messages list them. */
const DESCRIPTORS: { readonly [T in ConnectorType]: ConnectorDescriptor<T> } = {
  'active-directory': activeDirectoryDescriptor,
  ldap: ldapDescriptor,
  sql: sqlDescriptor,
  okta: oktaDescriptor,
  'entra-id': entraDescriptor,
  scim: scimDescriptor,
  'scim-inbound': scimInboundDescriptor,
  csv: csvDescriptor,
  rest: restDescriptor,
  workday: workdayDescriptor,
  package: packageDescriptor,
};

/** The connector types, in the order messages list them. */
export const CONNECTOR_TYPES = Object.keys(DESCRIPTORS) as readonly ConnectorType[];

/**
 * The descriptor of a type the schema accepted. Look it up by the type of the model or spec it is given
 * (`descriptorOf(model.type).hasCredentials(model.spec)`): that pairing is what makes its typing sound.
 */
export function descriptorOf<T extends ConnectorType>(type: T): ConnectorDescriptor<T> {
  return DESCRIPTORS[type];
}

/** The descriptor of `type` as written anywhere (a stored job, a request); an unknown type is a configuration error. */
export function findDescriptor(type: string): ConnectorDescriptor<ConnectorType> {
  if (!Object.hasOwn(DESCRIPTORS, type)) {
    throw new ConfigError('ConnectorTypeUnavailable', `connector type "${type}" is not available in this build (available: ${[...CONNECTOR_TYPES].sort().join(', ')})`);
  }
  return descriptorOf(type as ConnectorType);
}

/** Opens connectors of `type`, loading its implementation (and vendor libraries) on first use. */
export function connectorFactory(type: string): (context: ConnectorContext) => Promise<IdentityConnector> {
  const descriptor = findDescriptor(type);
  return async (context) => (await descriptor.load())(context);
}
