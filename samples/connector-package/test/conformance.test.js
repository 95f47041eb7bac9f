// The exported conformance suite, run against this package's connector (npm test).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConnectorConformance, packageConnectorContext } from 'identity-mesh/conformance';
import descriptor from '../src/index.js';

describeConnectorConformance('json-file', {
  objectType: 'user',
  async open() {
    const workDir = mkdtempSync(join(tmpdir(), 'imesh-jsonfile-'));
    const spec = { objectTypes: { user: { file: 'users.json', keyAttribute: 'id', activeAttribute: 'active', pageSize: 10 } } };
    return (await descriptor.load())(packageConnectorContext(spec, { workDir }));
  },
  newObject: (i) => ({ key: `u${i}`, attributes: { id: `u${i}`, displayName: `User ${i}` } }),
  updatable: 'displayName',
});
