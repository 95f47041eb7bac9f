/**
 * The workday spec as `imesh validate` sees it: the lifecycle sample validates and sends its secret only
 * to the tenant; contradictions and unsafe values are reported at their key.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import type { ConnectorModel } from '../../../src/config/model.js';
import { workdayDestinations } from '../../../src/connectors/workday/workday-destinations.js';
import { compileWorkdaySpec } from '../../../src/connectors/workday/workday-spec.js';
import { compileDocs, problemLines } from '../../config/helpers.js';

const MESH = `apiVersion: identitymesh.dev/v1alpha1
kind: Mesh
metadata: { name: m }
spec: { objectTypes: { person: { attributes: { employeeId: { type: string } } } } }`;

function workday(worker: string, connection = 'baseUrl: https://wd2-impl-services1.workday.com/ccx/service/customreport2/acme'): string {
  return `apiVersion: identitymesh.dev/v1alpha1
kind: Connector
metadata: { name: workday }
spec:
  type: workday
  connection:
    ${connection}
    auth: { type: basic, username: ISU_IdentityMesh, password: "{{secret:wd}}" }
  objectTypes:
    worker: ${worker}`;
}

const problems = async (worker: string, connection?: string) => problemLines(await compileDocs(MESH, workday(worker, connection))).map((line) => line.replace(/^config\.yaml:/, ''));

describe('workday spec', () => {
  it('samples/lifecycle validates and sends the ISU password to the tenant only', async () => {
    const { config, problems: found } = await loadConfig('samples/lifecycle');
    expect(found).toEqual([]);
    const model = config!.connectors.get('workday') as ConnectorModel<'workday'>;
    expect(workdayDestinations(model, config!.configPath)).toEqual(['https://wd2-impl-services1.workday.com']);
    const options = compileWorkdaySpec(model, config!.configPath);
    expect(options).toMatchObject({ reportPath: 'ISU_IdentityMesh/Identity_Mesh_Workers', prompts: { Include_Future_Hires: '1' }, delta: { from: 'Updated_From', through: 'Updated_Through', overlapMs: 300_000 }, timeoutMs: 300_000 });
    expect(options.columns.employeeId).toBe('Employee_ID');
  });

  it('reports contradictions and unsafe values at their key', async () => {
    expect(await problems('{ report: ISU/Workers, prompts: { format: csv } }')).toEqual([
      expect.stringMatching(/^\d+:\d+: objectTypes\.worker\.prompts\.format: the connector always asks for format=json; leave it out$/),
    ]);
    expect(await problems('{ report: ISU/Workers, prompts: { Updated_From: "2026-01-01" }, delta: { from: Updated_From } }')).toEqual([
      expect.stringMatching(/objectTypes\.worker\.prompts\.Updated_From is also a delta prompt/),
    ]);
    expect(await problems('{ report: ISU/Workers, delta: { from: Updated_From, through: Updated_From } }')).toEqual([expect.stringMatching(/from and through name the same prompt/)]);
    expect((await problems('{ report: "ISU/../Workers" }')).join('\n')).toMatch(/report/);
    expect((await problems('{ report: ISU/Workers }', 'baseUrl: http://wd2-impl-services1.workday.com/ccx/service/customreport2/acme')).join('\n')).toMatch(/http:\/\/ .*only https:\/\/|https/);
    expect((await problems('{ report: ISU/Workers, columns: { salary: Base_Pay } }')).join('\n')).toMatch(/salary/);
  });
});
