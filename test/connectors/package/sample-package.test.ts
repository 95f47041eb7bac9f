/**
 * The template connector package (samples/connector-package), installed into a controller's project,
 * passes the exported conformance suite — the same suite a third party runs against their connector.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeConnectorConformance, packageConnectorContext } from '../../../src/conformance/index.js';
import type { ConnectorPackageDescriptor } from '../../../src/connectors/sdk.js';
import { sampleProject } from './sample-project.js';

const project = sampleProject();
const module = (await import(pathToFileURL(join(project.packageDir, 'src/index.js')).href)) as { default: ConnectorPackageDescriptor };
const descriptor = module.default;

describeConnectorConformance('samples/connector-package (json-file)', {
  objectType: 'user',
  async open() {
    const workDir = mkdtempSync(join(tmpdir(), 'imesh-jsonfile-'));
    const spec = { objectTypes: { user: { file: 'users.json', keyAttribute: 'id', activeAttribute: 'active', pageSize: 10 } } };
    return (await descriptor.load())(packageConnectorContext(spec, { workDir }));
  },
  newObject: (i) => ({ key: `u${i}`, attributes: { id: `u${i}`, displayName: `User ${i}` } }),
  updatable: 'displayName',
});
