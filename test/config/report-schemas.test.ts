import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { renderConflictsJson, renderDriftJson, renderPlanJson, renderStatusJson } from '../../src/reports/report-json.js';
import { conflicts, drift, driftEntry, emptyPlan, plan, status } from '../reports/report-fixtures.js';

const schema = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`schemas/${name}.report.schema.json`, 'utf8')) as Record<string, unknown>;

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addSchema(schema('conflicts'));
const validators = {
  status: ajv.compile(schema('status')),
  drift: ajv.compile(schema('drift')),
  conflicts: ajv.getSchema('https://identitymesh.dev/schemas/conflicts.report.schema.json')!,
  plan: ajv.compile(schema('plan')),
};

function valid(kind: keyof typeof validators, json: string): unknown {
  const validate = validators[kind];
  validate(JSON.parse(json));
  return validate.errors ?? [];
}

describe('report schemas describe the reports as rendered', () => {
  it('status.json', () => {
    expect(valid('status', renderStatusJson(status()))).toEqual([]);
    expect(valid('status', renderStatusJson(status({ lastCycle: null, revision: null, lastAppliedRevision: null })))).toEqual([]);
  });

  it('drift.json', () => {
    expect(valid('drift', renderDriftJson(drift([driftEntry(1), driftEntry(2, { desired: ['a', 'b'], actual: null, action: 'pending' })])))).toEqual([]);
  });

  it('conflicts.json', () => {
    expect(valid('conflicts', renderConflictsJson(conflicts()))).toEqual([]);
  });

  it('plan --format json', () => {
    expect(valid('plan', renderPlanJson(plan({ gates: [{ connector: 'corporate-ad', gate: 'maxDeletes', count: 612, limit: 500 }] })))).toEqual([]);
    expect(valid('plan', renderPlanJson(emptyPlan()))).toEqual([]);
  });

  it('reject a report missing what DESIGN §6 requires', () => {
    expect(valid('status', JSON.stringify({ revision: 'x', conditions: [], connectors: [] }))).not.toEqual([]);
    expect(valid('drift', JSON.stringify({ drift: [{ projection: 'p', action: 'fixed' }] }))).not.toEqual([]);
  });
});
