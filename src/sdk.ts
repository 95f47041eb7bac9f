/**
 * `identity-mesh/sdk`: the public connector contract — the types a connector implements and a connector
 * package exports (its descriptor), and the typed errors it throws. See docs/connector-sdk.md.
 */
export * from './connectors/sdk.js';
export { ConnectorError, ImeshError, NotSupportedError, type ConnectorErrorCode, type ImeshErrorOptions } from './shared/errors.js';
