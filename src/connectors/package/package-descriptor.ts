/**
 * `type: package`: a connector type from an installed npm package. This descriptor gives the package
 * the same place as a built-in type — validation, traits for planning, secret destinations, opening —
 * by asking the package's own descriptor (sdk.ts `ConnectorPackageDescriptor`), looked up among the
 * packages this process loaded (installed-packages.ts). Nothing here opens a connection.
 */
import type { CheckContext } from '../../config/check-context.js';
import type { ConnectorDoc } from '../../config/documents.js';
import type { ConnectorSpecOf } from '../../config/model.js';
import { schemaProblems } from '../../config/schema-errors.js';
import { ConfigError } from '../../shared/errors.js';
import type { ConnectorDescriptor } from '../connector-descriptor.js';
import { PACKAGE_OWNED_SPEC_KEYS, type PackageSpec, type TargetTraits } from '../sdk.js';
import { installedPackage } from './installed-packages.js';

type Spec = ConnectorSpecOf<'package'>;

/** The spec as the package sees it: without the keys Identity Mesh owns. */
export function packageOwnSpec(spec: Spec): PackageSpec {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) if (!(PACKAGE_OWNED_SPEC_KEYS as readonly string[]).includes(key)) own[key] = value;
  return own as unknown as PackageSpec;
}

/**
 * Traits for a package that is not available: its connector's `checkSpec` already reports why, so
 * projections to it are not refused a second time for traits nobody can know.
 */
const UNKNOWN_TRAITS: TargetTraits = { canExport: true, canDisable: true, columns: false };

export const packageDescriptor: ConnectorDescriptor<'package'> = {
  type: 'package',
  directory: false,
  targetTraits(spec, objectType) {
    const found = installedPackage(spec.package);
    return found.ok ? found.descriptor.targetTraits(packageOwnSpec(spec), objectType) : UNKNOWN_TRAITS;
  },
  checkSpec(ctx: CheckContext, doc: ConnectorDoc, spec: Spec) {
    const found = installedPackage(spec.package, ctx.configPath);
    if (!found.ok) {
      ctx.report(doc, ['spec', 'package'], `connector "${doc.name}": ${found.error.message}`);
      return;
    }
    const own = packageOwnSpec(spec);
    if (found.validateSpec(own)) {
      Object.assign(spec, own); // the package schema's defaults, as our schemas fill theirs
      return;
    }
    const errors = (found.validateSpec.errors ?? []).map((error) => ({ ...error, instancePath: `/spec${error.instancePath}` }));
    for (const problem of schemaProblems(errors, doc.value, doc.locate)) ctx.add({ ...problem, message: `${problem.message} (${spec.package} spec schema)` });
  },
  hasCredentials(spec) {
    const found = installedPackage(spec.package);
    return found.ok ? found.descriptor.hasCredentials(packageOwnSpec(spec)) : true;
  },
  async secretDestinations(model, configPath) {
    const found = installedPackage(model.spec.package, configPath);
    if (!found.ok) throw found.error;
    const destinations = await found.descriptor.secretDestinations(packageOwnSpec(model.spec));
    if (!Array.isArray(destinations)) throw new ConfigError('ConnectorPackageInvalid', `${model.name}: connector package "${model.spec.package}" returned secret destinations that are not a list`);
    return destinations.map((destination: unknown) => destinationOf(model.name, model.spec.package, destination));
  },
  load: async () => async (context) => {
    const { model, inbox: _inbox, ...rest } = context;
    const found = installedPackage(model.spec.package, context.configPath);
    if (!found.ok) throw found.error;
    const factory = await found.descriptor.load();
    if (typeof factory !== 'function') throw new ConfigError('ConnectorPackageInvalid', `${model.name}: connector package "${model.spec.package}": load() did not return a factory function`);
    const log = rest.log.child({ connectorPackage: model.spec.package, connectorType: found.descriptor.type });
    return factory({ ...rest, log, model: { name: model.name, spec: packageOwnSpec(model.spec), objectTypes: model.objectTypes } });
  },
};

/** A destination as the secret-destination model stores it: an origin (`scheme://host[:port]`), with an optional path for databases. */
function destinationOf(connector: string, name: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || url.host === '' || url.username !== '' || url.password !== '') {
    throw new ConfigError('ConnectorPackageInvalid', `${connector}: connector package "${name}" named a secret destination that is not a URL with a host (scheme://host[:port]); it must say where its secrets go`);
  }
  return value as string;
}
