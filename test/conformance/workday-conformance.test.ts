/**
 * The exported conformance suite (src/conformance/) against the workday connector: a read-only type, so
 * the suite seeds workers into a fresh Workday emulator per test instead of exporting them.
 */
import { afterAll } from 'vitest';
import { describeConnectorConformance } from '../../src/conformance/index.js';
import { connectorFactory } from '../../src/connectors/registry.js';
import { connectorContext } from '../emulators/test-support.js';
import { WorkdayEmulator } from '../emulators/workday-emulator.js';

const tenants: WorkdayEmulator[] = [];
afterAll(async () => {
  for (const tenant of tenants) await tenant.close();
});

describeConnectorConformance('workday', {
  objectType: 'worker',
  async open() {
    const tenant = await new WorkdayEmulator().start();
    tenants.push(tenant);
    const spec = {
      connection: { baseUrl: tenant.baseUrl, auth: { type: 'basic', username: tenant.isuUser, password: '{{secret:isu}}' } },
      objectTypes: { worker: { report: `${tenant.owner}/${tenant.report}`, delta: { from: 'Updated_From', through: 'Updated_Through' } } },
    };
    return connectorFactory('workday')(connectorContext('workday', 'workday', spec, { isu: tenant.isuPassword }));
  },
  newObject: (i) => ({ attributes: { employeeId: `W${String(i).padStart(4, '0')}`, lastName: `Last ${i}` } }),
  updatable: 'lastName',
  async seed(_connector, objects) {
    const tenant = tenants.at(-1)!;
    for (const object of objects) tenant.hire({ employeeId: String(object.attributes.employeeId), lastName: String(object.attributes.lastName), hireDate: '2020-01-06' });
  },
});
