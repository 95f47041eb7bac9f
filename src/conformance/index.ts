/**
 * `identity-mesh/conformance`: the connector conformance suite (vitest) and its reading helpers, for
 * connector packages to run against their connector. See docs/connector-sdk.md.
 */
export { describeConnectorConformance, type ConformanceSubject } from './connector-conformance.js';
export { collect, objectsOf } from './import-helpers.js';
export { packageConnectorContext, type PackageContextOptions } from './package-context.js';
