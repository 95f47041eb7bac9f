/**
 * Checks what a connector package exports before anything trusts it: a descriptor of the SDK version
 * this build speaks, with a spec schema that compiles and every function the contract names.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { compilePackageSchema } from '../../config/schema-compiler.js';
import { ConfigError, errorMessage } from '../../shared/errors.js';
import { CONNECTOR_SDK_VERSION, type ConnectorPackageDescriptor } from '../sdk.js';

export interface CheckedPackage {
  readonly descriptor: ConnectorPackageDescriptor;
  readonly validateSpec: ValidateFunction;
}

const FUNCTIONS = ['targetTraits', 'hasCredentials', 'secretDestinations', 'load'] as const;
const TYPE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The descriptor `module` exports (default, or `descriptor`), checked; a clear ConfigError otherwise. */
export function checkPackageExports(name: string, module: Record<string, unknown>): CheckedPackage {
  const fail = (problem: string): never => {
    throw new ConfigError('ConnectorPackageInvalid', `connector package "${name}" does not export a usable connector descriptor: ${problem} (see docs/connector-sdk.md)`);
  };
  const value = module.default ?? module.descriptor;
  if (value === null || typeof value !== 'object') return fail('neither a default export nor an export named "descriptor" is an object');
  const candidate = value as Record<string, unknown>;
  if (candidate.sdkVersion !== CONNECTOR_SDK_VERSION) return fail(`sdkVersion is ${JSON.stringify(candidate.sdkVersion)}; this Identity Mesh speaks sdkVersion ${CONNECTOR_SDK_VERSION}`);
  if (typeof candidate.type !== 'string' || !TYPE_NAME.test(candidate.type)) return fail('"type" must be a short lower-case name (letters, digits, -)');
  for (const key of FUNCTIONS) if (typeof candidate[key] !== 'function') return fail(`"${key}" is not a function`);
  const schema = candidate.specSchema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return fail('"specSchema" is not a JSON Schema object');
  let validateSpec: ValidateFunction;
  try {
    validateSpec = compilePackageSchema(schema);
  } catch (error) {
    return fail(`its specSchema does not compile: ${errorMessage(error)}`);
  }
  return { descriptor: value as ConnectorPackageDescriptor, validateSpec };
}
