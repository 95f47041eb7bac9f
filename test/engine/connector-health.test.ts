/**
 * Per-connector health in status (DESIGN §8): Healthy/Degraded/Failed with a reason and message, whose
 * lastTransitionTime changes only when the health does; a scoped run leaves the others as they were.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IdentityConnector } from '../../src/connectors/sdk.js';
import type { CycleResult } from '../../src/engine/cycle.js';
import { statusReport } from '../../src/engine/report-data.js';
import type { StatusReport } from '../../src/reports/types.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { appended, flowRule, projection } from '../fixtures/config-yaml.js';
import { csvConnector, harness, MESH, type Harness } from './harness.js';

const YAML =
  MESH +
  csvConnector('hr', 'user', 'employee_id') +
  csvConnector('apps', 'account', 'account_id') +
  appended(
    flowRule('hr-to-person', { source: 'hr/user', join: { employee_id: 'employeeId' }, provision: true, attributes: { employeeId: 'employee_id', department: 'department' } }),
    projection('person-to-apps', { target: 'apps/account', attributes: { account_id: '{{employeeId}}', department: '{{department}}' }, after: { onRemove: 'delete' } }),
  );


let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** hr as a memory system whose reads can be made to fail. */
function breakable(system: MemorySystem): { connector: IdentityConnector; broken: { now: boolean } } {
  const inner = memoryConnector(system);
  const broken = { now: false };
  const guard = <T>(read: () => T): T => {
    if (broken.now) throw new Error('hr is unreachable');
    return read();
  };
  return {
    broken,
    connector: {
      ...inner,
      fullImport: (type: string) => guard(() => inner.fullImport(type)),
      ...(inner.deltaImport ? { deltaImport: (type: string, mark: string) => guard(() => inner.deltaImport!(type, mark)) } : {}),
    },
  };
}

describe('connector health in status', () => {
  it('changes its lastTransitionTime only when it changes, and a scoped run leaves other connectors as they were', async () => {
    const hr = new MemorySystem('key', 'employee_id');
    const apps = new MemorySystem('key', 'account_id');
    hr.put('user', 'E1', { employee_id: 'E1', department: 'Sales' });
    const { connector, broken } = breakable(hr);
    h = await harness(YAML, { hr: connector, apps: memoryConnector(apps) });
    let previous: StatusReport | undefined;
    const status = async (outcome: CycleResult, now: string) => {
      previous = await statusReport(h!.db, { config: h!.config, revision: 'r', lastAppliedRevision: 'r', lastAttemptedRevision: 'r', outcome, now, ...(previous ? { previous } : {}) });
      return Object.fromEntries(previous.connectors.map((c) => [c.name, { health: c.health, reason: c.healthReason, message: c.healthMessage, since: c.healthLastTransitionTime }]));
    };

    expect(await status(await h.cycle(), 'T1')).toEqual({
      hr: { health: 'Healthy', reason: 'RunSucceeded', message: '', since: 'T1' },
      apps: { health: 'Healthy', reason: 'RunSucceeded', message: '', since: 'T1' },
    });
    // Still healthy: the time stays.
    expect((await status(await h.cycle(), 'T2')).hr).toEqual({ health: 'Healthy', reason: 'RunSucceeded', message: '', since: 'T1' });

    broken.now = true;
    const failed = await h.cycle();
    expect(failed.result).toBe('failed');
    const afterFailure = await status(failed, 'T3');
    expect(afterFailure.hr).toEqual({ health: 'Failed', reason: 'ImportFailed', message: 'hr is unreachable', since: 'T3' });
    expect(afterFailure.apps).toEqual({ health: 'Healthy', reason: 'RunSucceeded', message: '', since: 'T1' });

    // A run of apps alone says nothing about hr: it stays Failed, since T3, with its error.
    const appsOnly = await h.cycle({ scope: ['apps'] });
    expect(appsOnly.result).toBe('succeeded');
    const afterApps = await status(appsOnly, 'T4');
    expect(afterApps.hr).toEqual({ health: 'Failed', reason: 'ImportFailed', message: 'hr is unreachable', since: 'T3' });
    expect(previous?.connectors.find((c) => c.name === 'hr')?.lastError).toBe('hr is unreachable');
    expect(afterApps.apps?.since).toBe('T1');

    broken.now = false;
    expect((await status(await h.cycle({ scope: ['hr'] }), 'T5')).hr).toEqual({ health: 'Healthy', reason: 'RunSucceeded', message: '', since: 'T5' });
  });

  it('is Unknown, without reason or time, before any run', async () => {
    h = await harness(YAML, { hr: memoryConnector(new MemorySystem('key', 'employee_id')), apps: memoryConnector(new MemorySystem('key', 'account_id')) });
    const report = await statusReport(h.db, { config: h.config, revision: null, lastAppliedRevision: null, lastAttemptedRevision: null, now: 'T0' });
    for (const c of report.connectors) {
      expect(c.health).toBe('Unknown');
      expect(c).not.toHaveProperty('healthLastTransitionTime');
    }
  });
});

