/**
 * The exported conformance suite (src/conformance/) run against built-in connectors, so the contract it
 * encodes is the one the engine's own connectors keep — not one written around the template package.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConnectorConformance } from '../../src/conformance/index.js';
import { connectorFactory } from '../../src/connectors/registry.js';
import { testContext } from '../connectors/sql/test-context.js';

describeConnectorConformance('csv', {
  objectType: 'account',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'imesh-conformance-csv-'));
    const configPath = join(dir, 'config');
    mkdirSync(configPath);
    writeFileSync(join(dir, 'accounts.csv'), 'id,displayName,active\n');
    const spec = { type: 'csv', objectTypes: { account: { file: '../accounts.csv', externalIdColumn: 'id', isActiveColumn: 'active' } } };
    return connectorFactory('csv')(testContext({ name: 'accounts', type: 'csv', spec, configPath, workDir: dir }));
  },
  newObject: (i) => ({ key: `u${i}`, attributes: { id: `u${i}`, displayName: `User ${i}` } }),
  updatable: 'displayName',
});
