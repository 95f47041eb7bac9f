/**
 * Realistic report data for the renderer tests: a corporate mesh with an HR source, AD and a SQL app.
 */
import type { ConflictsReport, CycleSummary, DriftEntry, DriftReport, PlanChange, PlanReport, StatusReport } from '../../src/reports/types.js';

export const SHA = '0123456789abcdef0123456789abcdef01234567';

export function cycle(id: number, overrides: Partial<CycleSummary> = {}): CycleSummary {
  return {
    id,
    kind: 'delta',
    mode: 'reconcile',
    result: 'succeeded',
    startedAt: `2024-05-01T10:0${id % 10}:00.000Z`,
    finishedAt: `2024-05-01T10:0${id % 10}:12.345Z`,
    revision: SHA,
    counts: { 'hr-file': { imported: 1200 }, 'person-to-ad': { created: 3, updated: 1 } },
    ...overrides,
  };
}

export function status(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    generatedAt: '2024-05-01T10:05:00.000Z',
    mesh: 'corp',
    revision: SHA,
    lastAppliedRevision: SHA,
    lastAttemptedRevision: SHA,
    conditions: [
      { type: 'Ready', status: 'False', reason: 'ExportsBlocked', message: 'exports to corporate-ad are blocked', lastTransitionTime: '2024-05-01T10:05:00Z' },
      {
        type: 'DeleteThresholdExceeded',
        status: 'True',
        reason: 'MaxDeletes',
        message: 'corporate-ad: 612 deletions and disables exceed safety.maxDeletes (500)',
        lastTransitionTime: '2024-05-01T10:05:00Z',
      },
      { type: 'ConfigInvalid', status: 'False', reason: 'Valid', message: '' },
    ],
    connectors: [
      {
        name: 'hr-file',
        type: 'csv',
        health: 'Healthy',
        conditions: [],
        objectTypes: { user: { count: 1234, watermark: null, lastImport: '2024-05-01T10:05:00.000Z', lastExport: null } },
      },
      {
        name: 'corporate-ad',
        type: 'active-directory',
        health: 'Degraded',
        conditions: [{ type: 'DeleteThresholdExceeded', status: 'True', reason: 'MaxDeletes', message: '612 pending deletions and disables' }],
        objectTypes: {
          user: { count: 1180, watermark: '{"usn":48213}', lastImport: '2024-05-01T10:05:01.000Z', lastExport: '2024-05-01T09:55:00.000Z' },
          group: { count: 42, watermark: '{"usn":48199}', lastImport: '2024-05-01T10:05:01.000Z', lastExport: null },
        },
        unmanaged: 17,
      },
    ],
    lastCycle: cycle(7),
    cycles: [cycle(7), cycle(6, { result: 'blocked', counts: {} })],
    pendingExports: 612,
    meshObjects: { person: 1234, group: 42 },
    ...overrides,
  };
}

export function driftEntry(i: number, overrides: Partial<DriftEntry> = {}): DriftEntry {
  return {
    projection: 'person-to-ad',
    connector: 'corporate-ad',
    object: `CN=User ${String(i).padStart(3, '0')},OU=Sales,DC=corp,DC=example,DC=com`,
    attribute: 'title',
    desired: 'Engineer',
    actual: 'Intern',
    action: 'corrected',
    detectedAt: '2024-05-01T10:05:00Z',
    ...overrides,
  };
}

export function drift(entries: readonly DriftEntry[] = [driftEntry(1)]): DriftReport {
  return { generatedAt: '2024-05-01T10:05:00.000Z', revision: SHA, drift: entries };
}

export function conflicts(): ConflictsReport {
  return {
    generatedAt: '2024-05-01T10:05:00.000Z',
    revision: SHA,
    conflicts: [
      { kind: 'heldBack', meshType: 'person', object: 'E1003', attribute: 'department', reason: 'container template needs department, which is empty' },
      {
        kind: 'attribute',
        meshType: 'person',
        object: 'E1001',
        attribute: 'title',
        values: [
          { value: 'Engineer', rule: 'hr-to-person', connector: 'hr-file', externalId: 'E1001', confidence: 80 },
          { value: 'Senior Engineer', rule: 'apps-to-person', connector: 'apps', externalId: 'a-17', confidence: 80 },
        ],
        winner: { value: 'Senior Engineer', rule: 'apps-to-person' },
        reason: 'equal confidence 80 with different values; resolved by rule name',
      },
      { kind: 'ambiguousJoin', meshType: 'person', object: 'hr-file/user/E2002', attribute: 'email', reason: 'join on email matches 2 mesh objects' },
    ],
  };
}

function creates(n: number): PlanChange[] {
  return Array.from({ length: n }, (_, i) => ({
    op: 'create' as const,
    object: `E${1000 + i}`,
    dn: `CN=Person ${i},OU=Sales,DC=corp,DC=example,DC=com`,
    attributes: { givenName: { from: null, to: `Person${i}` }, sn: { from: null, to: 'Example' }, mail: { from: null, to: `p${i}@corp.example.com` } },
  }));
}

export function plan(overrides: Partial<PlanReport> = {}, createCount = 3): PlanReport {
  return {
    revision: `${SHA}-dirty`,
    projections: [
      {
        name: 'person-to-ad',
        connector: 'corporate-ad',
        objectType: 'user',
        creates: createCount,
        updates: 1,
        moves: 1,
        enables: 0,
        disables: 2,
        deletes: 0,
        changes: [
          ...creates(createCount),
          { op: 'update', object: 'E2001', dn: 'CN=Bob Jones,OU=Sales,DC=corp,DC=example,DC=com', attributes: { title: { from: 'Engineer', to: 'Senior Engineer' } } },
          { op: 'move', object: 'E2002', dn: 'CN=Carol,OU=Sales,DC=corp,DC=example,DC=com', newDn: 'CN=Carol,OU=Marketing,DC=corp,DC=example,DC=com' },
          { op: 'disable', object: 'E3001', dn: 'CN=Dave,OU=Sales,DC=corp,DC=example,DC=com' },
          { op: 'disable', object: 'E3002', dn: 'CN=Erin,OU=Sales,DC=corp,DC=example,DC=com' },
        ],
      },
      {
        name: 'groups-to-ad',
        connector: 'corporate-ad',
        objectType: 'group',
        creates: 0,
        updates: 1,
        moves: 0,
        enables: 0,
        disables: 0,
        deletes: 1,
        changes: [
          {
            op: 'update',
            object: 'G1',
            dn: 'CN=Sales,OU=Groups,DC=corp,DC=example,DC=com',
            attributes: { member: { from: ['CN=A', 'CN=B', 'CN=C'], to: ['CN=A', 'CN=B', 'CN=D', 'CN=E'] } },
          },
          { op: 'delete', object: 'G9', dn: 'CN=Old,OU=Groups,DC=corp,DC=example,DC=com' },
        ],
      },
      { name: 'person-to-apps', connector: 'apps', objectType: 'account', creates: 0, updates: 0, moves: 0, enables: 0, disables: 0, deletes: 0, changes: [] },
    ],
    conflicts: [{ ...conflicts().conflicts[1]!, status: 'new' }],
    gates: [],
    skipped: [],
    ...overrides,
  };
}

export function emptyPlan(): PlanReport {
  return { revision: SHA, projections: [{ ...plan().projections[2]! }], conflicts: [], gates: [], skipped: [] };
}
