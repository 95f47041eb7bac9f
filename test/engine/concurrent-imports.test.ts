/**
 * Imports of different connectors in one run proceed concurrently (bounded): a source that reads slowly
 * (an API-rate-bound one) overlaps another's import, while the store's writes take turns. The outcome is
 * the one a serial run has.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IdentityConnector, ImportBatch } from '../../src/connectors/sdk.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { csvConnector, harness, MESH, userFlow as flow, type Harness } from './harness.js';

const PROJECTION = `
---
apiVersion: identitymesh.dev/v1alpha1
kind: Projection
metadata: { name: person-to-apps }
spec:
  meshType: person
  target: { connector: apps, objectType: account }
  attributes:
    account_id: "{{employeeId}}"
    department: "{{department}}"
    title: "{{title}}"
  onRemove: delete
  drift: enforce
`;

const YAML =
  MESH +
  csvConnector('hr', 'user', 'employee_id') +
  csvConnector('crm', 'user', 'emp') +
  csvConnector('apps', 'account', 'account_id') +
  flow('hr-to-person', 'hr', 'employee_id', '    - { mesh: employeeId, source: employee_id }\n    - { mesh: department, source: department }', true) +
  flow('crm-to-person', 'crm', 'emp', '    - { mesh: title, source: title }', false) +
  PROJECTION;

/** What happened, in order: `hr:read 1` when a source hands out its first page, `hr:done` after its last. */
type Events = string[];

/**
 * The memory connector reading its rows two to a page, as a paged API does, noting each page in
 * `events`; `beforePage(n)` is awaited before page n (from 1) is handed out.
 */
function paged(system: MemorySystem, name: string, events: Events, beforePage: (page: number) => Promise<void> = async () => undefined): IdentityConnector {
  const base = memoryConnector(system);
  return {
    ...base,
    async *fullImport(type: string): AsyncIterable<ImportBatch> {
      const rows = system.rows(type);
      for (let start = 0, page = 1; start < rows.length; start += 2, page++) {
        await beforePage(page);
        events.push(`${name}:read ${page}`);
        const last = start + 2 >= rows.length;
        yield { objects: rows.slice(start, start + 2), ...(last ? { watermark: String(system.version), complete: true } : {}) };
      }
      events.push(`${name}:done`);
    },
  };
}

function systems() {
  const hr = new MemorySystem('key', 'employee_id');
  const crm = new MemorySystem('key', 'emp');
  const apps = new MemorySystem('key', 'account_id');
  for (let i = 1; i <= 6; i++) {
    const id = `E${i}`;
    hr.put('user', id, { employee_id: id, department: i % 2 === 0 ? 'Sales' : 'Legal' });
    crm.put('user', id, { emp: id, title: `Title ${i}` });
  }
  return { hr, crm, apps };
}

/** Resolves once `events` holds `event`; rejects after `ms` so that a run that never overlaps fails instead of hanging. */
function once(events: Events, event: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (events.includes(event)) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`"${event}" never happened while the other import was still reading (the imports did not overlap): ${events.join(', ')}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('imports of different connectors in one run', () => {
  it('overlap: a slow source goes on reading while another connector imports, and the run succeeds', async () => {
    const { hr, crm, apps } = systems();
    const events: Events = [];
    // hr hands out its second page only once crm has started reading: a serial import (hr whole, then
    // crm) never gets there.
    const hrSource = paged(hr, 'hr', events, (page) => (page === 2 ? once(events, 'crm:read 1', 30_000) : Promise.resolve()));
    const crmSource = paged(crm, 'crm', events);
    h = await harness(YAML, { hr: hrSource, crm: crmSource, apps: memoryConnector(apps) });
    const outcome = await h.cycle();
    expect(outcome.result, JSON.stringify(outcome.failures)).toBe('succeeded');
    expect(events.indexOf('crm:read 1')).toBeLessThan(events.indexOf('hr:done'));
    expect(events.indexOf('hr:read 1')).toBeLessThan(events.indexOf('crm:done'));
    // The record lists them as a serial run would: in connector order.
    expect(outcome.imports.map((i) => `${i.connector}/${i.objectType}`)).toEqual(['hr/user', 'crm/user', 'apps/account']);
    expect(apps.rows('account').map((r) => [r.externalId, r.attributes.department, r.attributes.title]).sort()).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => [`E${i}`, i % 2 === 0 ? 'Sales' : 'Legal', `Title ${i}`]),
    );
  });

  it('give the store, the export and the record a serial run gives', async () => {
    const run = async (importConcurrency: number) => {
      const { hr, crm, apps } = systems();
      const events: Events = [];
      const run = await harness(YAML, { hr: paged(hr, 'hr', events), crm: paged(crm, 'crm', events), apps: memoryConnector(apps) });
      try {
        const first = await run.cycle({ importConcurrency });
        hr.put('user', 'E2', { employee_id: 'E2', department: 'Legal' });
        crm.put('user', 'E5', { emp: 'E5', title: 'Lead' });
        const second = await run.cycle({ importConcurrency, full: true });
        // Mesh ids are random: objects are named by their employee id.
        const mesh = await run.db.query<{ id: string; mesh_type: string; attributes: string | Record<string, unknown>; deleted: boolean | number }>(`SELECT id, mesh_type, attributes, deleted FROM mesh_object`);
        const attributes = (m: (typeof mesh)[number]) => (typeof m.attributes === 'string' ? JSON.parse(m.attributes) : m.attributes) as Record<string, unknown>;
        const employee = new Map(mesh.map((m) => [m.id, String(attributes(m).employeeId)]));
        const links = await run.db.query<{ projection: string; mesh_id: string; external_id: string; state: string }>(`SELECT projection, mesh_id, external_id, state FROM target_link`);
        const store = {
          cs: await run.db.query(`SELECT connector, object_type, external_id, hash, deleted FROM cs_object ORDER BY connector, object_type, external_id`),
          mesh: mesh.map((m) => ({ employee: employee.get(m.id), type: m.mesh_type, attributes: attributes(m), deleted: Boolean(m.deleted) })).sort((a, b) => String(a.employee).localeCompare(String(b.employee))),
          links: links.map((l) => ({ ...l, mesh_id: employee.get(l.mesh_id) })).sort((a, b) => String(a.mesh_id).localeCompare(String(b.mesh_id))),
          watermarks: await run.db.query(`SELECT connector, object_type, value FROM watermark ORDER BY connector, object_type`),
        };
        const outcomes = [first, second].map((o) => ({ result: o.result, imports: o.imports, exports: [...o.exports], gates: o.gates, failures: o.failures }));
        return { store, outcomes, target: apps.rows('account').sort((a, b) => a.externalId.localeCompare(b.externalId)) };
      } finally {
        await run.close();
      }
    };
    const concurrent = await run(4);
    const serial = await run(1);
    expect(concurrent.outcomes[0]!.result).toBe('succeeded');
    expect(concurrent.outcomes[1]!.result).toBe('succeeded');
    expect(concurrent.target).toHaveLength(6);
    expect(concurrent).toEqual(serial);
  });
});
