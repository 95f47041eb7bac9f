/**
 * Approvals of held-back objects (POST /api/v1/connectors/{name}/approvals) as the engine applies them:
 * the gates record what they hold back, an approval is bound to that set, lets it through once, all or
 * nothing, and expires after 24 hours. Runs on every store (on-postgres.test.ts imports it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { APPROVAL_TTL_MS, giveApproval, listApprovals, settleApprovals } from '../../src/engine/approvals.js';
import { listHolds } from '../../src/engine/gate-holds.js';
import { statusReport } from '../../src/engine/report-data.js';
import { renderStatusMarkdown, renderStatusText, reportCommitMessage } from '../../src/reports/index.js';
import { ApprovalError } from '../../src/shared/errors.js';
import { appended, policy } from '../fixtures/config-yaml.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { harness, hrToApps, type Harness } from './harness.js';

const YAML = hrToApps({ scope: { attribute: 'department', in: ['Sales', 'Legal'] } });

/** The same mesh with a Policy: at most two apps accounts change department in one run. */
const WITH_POLICY = YAML + appended(policy('apps-guardrails', 'apps/account', { limits: { attributes: { department: { max: 2 } } } }));

const T0 = Date.parse('2026-12-03T06:00:00.000Z');

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Twelve people in HR and apps; returns the systems. */
async function start(yaml = YAML): Promise<{ hr: MemorySystem; apps: MemorySystem; h: Harness }> {
  const hr = new MemorySystem('key', 'employee_id');
  const apps = new MemorySystem('key', 'account_id');
  for (let i = 1; i <= 12; i++) {
    const id = `E${1000 + i}`;
    hr.put('user', id, { employee_id: id, first_name: `First${i}`, last_name: `Last${i}`, email: `p${i}@example.com`, department: 'Sales', active: 'true' }, { enabled: true });
  }
  h = await harness(yaml, { hr: memoryConnector(hr, { inactiveMeansDeleted: true }), apps: memoryConnector(apps) });
  await h.cycle({ now: () => T0 });
  apps.exports = [];
  return { hr, apps, h };
}

/** Moves these people out of the projection's scope: their accounts would be disabled. */
function leave(hr: MemorySystem, ...numbers: number[]): void {
  for (const n of numbers) {
    const id = `E${1000 + n}`;
    hr.put('user', id, { ...hr.get('user', id)!.attributes, department: 'Contractors' }, { enabled: true });
  }
}

/** Moves them back into scope. */
function rejoin(hr: MemorySystem, ...numbers: number[]): void {
  for (const n of numbers) {
    const id = `E${1000 + n}`;
    hr.put('user', id, { ...hr.get('user', id)!.attributes, department: 'Sales' }, { enabled: true });
  }
}

const approve = (h: Harness, connector: string, allowDeletes: number, now = T0 + 60_000) =>
  h.db.transaction((tx) => giveApproval(tx, { connector, allowDeletes, reason: 'reorganisation, checked with HR', approvedBy: 'ops-token', now }));

describe('approvals of held-back objects', () => {
  it('records what the delete gate holds back, lets exactly that through once, and audits it in the run and status', async () => {
    const { hr, apps, h } = await start();
    leave(hr, 1, 2, 3, 4, 5, 6);
    const blocked = await h.cycle({ now: () => T0 + 1000 });
    expect(blocked.result).toBe('blocked');
    expect(blocked.gates[0]?.message).toContain('POST /api/v1/connectors/apps/approvals {"allowDeletes": 6');
    const held = await listHolds(h.db, 'apps');
    expect(held.map((o) => `${o.gate} ${o.op} ${o.externalId}`)).toEqual(['E1001', 'E1002', 'E1003', 'E1004', 'E1005', 'E1006'].map((id) => `export disable ${id}`));
    expect(held.every((o) => o.jobId === blocked.cycleId)).toBe(true);

    const { approval } = await approve(h, 'apps', 6);
    expect(approval).toMatchObject({ state: 'pending', allowDeletes: 6, approvedBy: 'ops-token', expiresAt: new Date(T0 + 60_000 + APPROVAL_TTL_MS).toISOString() });
    expect(approval.objects).toHaveLength(6);

    const applied = await h.cycle({ now: () => T0 + 120_000 });
    expect(applied.result).toBe('succeeded');
    expect(apps.exports.filter((c) => c.op === 'disable').map((c) => ('externalId' in c ? c.externalId : '')).sort()).toEqual(['E1001', 'E1002', 'E1003', 'E1004', 'E1005', 'E1006']);
    expect(applied.approvals).toHaveLength(1);
    expect(applied.approvals[0]).toMatchObject({ id: approval.id, state: 'applied', jobId: applied.cycleId, decidedAt: new Date(T0 + 120_000).toISOString() });
    expect(applied.approvals[0]?.letThrough).toHaveLength(6);
    expect(await listHolds(h.db, 'apps')).toEqual([]);

    const status = await statusReport(h.db, { config: h.config, revision: 'test', lastAppliedRevision: 'test', lastAttemptedRevision: 'test', outcome: applied, now: new Date().toISOString() });
    expect(status.approvals?.map((a) => [a.id, a.state, a.approvedBy, a.reason])).toEqual([[approval.id, 'applied', 'ops-token', 'reorganisation, checked with HR']]);
    expect(renderStatusText(status)).toMatch(new RegExp(`^  #${approval.id}  apps  applied  by ops-token .*  let through 6  reorganisation, checked with HR$`, 'm'));
    const message = reportCommitMessage(status);
    expect(message).toContain(`approval #${approval.id} applied`);
    expect(message).toContain(`Approval: #${approval.id} apps applied by ops-token at ${approval.approvedAt}: let through 6 (disable E1001`);

    // Once: the next mass change is blocked again.
    apps.exports = [];
    leave(hr, 7, 8, 9, 10, 11, 12);
    const again = await h.cycle({ now: () => T0 + 180_000 });
    expect(again.result).toBe('blocked');
    expect(again.approvals).toEqual([]);
    expect(apps.exports).toEqual([]);
  });

  it('does not let a different set through: an object not held back when approved blocks them all, and the approval is used up', async () => {
    const { hr, apps, h } = await start();
    leave(hr, 1, 2, 3, 4, 5, 6);
    await h.cycle({ now: () => T0 + 1000 });
    const { approval } = await approve(h, 'apps', 6);
    rejoin(hr, 6);
    leave(hr, 7);
    const blocked = await h.cycle({ now: () => T0 + 120_000 });
    expect(blocked.result).toBe('blocked');
    expect(apps.exports).toEqual([]);
    expect(blocked.gates[0]?.message).toContain(`approval #${approval.id} was not applied: 1 of the 6 held back was not held back when approval #${approval.id} was given (E1007)`);
    expect(blocked.approvals[0]).toMatchObject({ id: approval.id, state: 'refused', letThrough: [] });
    expect((await listHolds(h.db, 'apps')).map((o) => o.externalId)).toEqual(['E1001', 'E1002', 'E1003', 'E1004', 'E1005', 'E1007']);
    const still = await h.cycle({ now: () => T0 + 180_000 });
    expect(still.result).toBe('blocked');
  });

  it('refuses an approval when nothing is held back, or when it allows fewer than are held back', async () => {
    const { hr, h } = await start();
    await expect(approve(h, 'apps', 6)).rejects.toMatchObject({ code: 'NothingPending' });
    leave(hr, 1, 2, 3, 4, 5, 6);
    await h.cycle({ now: () => T0 + 1000 });
    const error = await approve(h, 'apps', 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApprovalError);
    expect(error).toMatchObject({ code: 'AllowanceTooSmall' });
    expect((error as Error).message).toContain('apps: its gates hold back 6 deletions and disables, more than allowDeletes 5; a gate lets all or none through, so approve at least 6');
    expect((await listApprovals(h.db, 'apps', 10, 0)).total).toBe(0);
  });

  it('covers the import guard of a source the same way', async () => {
    const { hr, apps, h } = await start();
    for (let i = 1; i <= 6; i++) {
      const id = `E${1000 + i}`;
      hr.put('user', id, { ...hr.get('user', id)!.attributes, active: 'false' }, { enabled: false });
    }
    const blocked = await h.cycle({ now: () => T0 + 1000 });
    expect(blocked.gates.map((g) => g.gate)).toEqual(['importGuard']);
    expect(blocked.gates[0]?.message).toContain('POST /api/v1/connectors/hr/approvals');
    expect((await listHolds(h.db, 'hr')).map((o) => `${o.gate} ${o.op} ${o.externalId}`)).toEqual(['E1001', 'E1002', 'E1003', 'E1004', 'E1005', 'E1006'].map((id) => `import disable ${id}`));
    const { approval } = await approve(h, 'hr', 6);
    // The import goes through; the six disables it leads to are the target's own gate's to judge.
    const imported = await h.cycle({ now: () => T0 + 120_000 });
    expect(imported.gates.map((g) => `${g.connector} ${g.gate}`)).toEqual(['apps maxDeletes']);
    expect(imported.approvals.map((a) => [a.id, a.state, a.letThrough.length])).toEqual([[approval.id, 'applied', 6]]);
    expect(await listHolds(h.db, 'hr')).toEqual([]);
    expect(apps.exports).toEqual([]);
    await approve(h, 'apps', 6, T0 + 150_000);
    const exported = await h.cycle({ now: () => T0 + 180_000 });
    expect(exported.result).toBe('succeeded');
    expect(apps.exports.filter((c) => c.op === 'disable')).toHaveLength(6);
  });

  it('covers the attribute-clear gate with allowClears, bound the same way', async () => {
    const { hr, h } = await start();
    for (const n of [1, 2, 3]) {
      const id = `E${1000 + n}`;
      hr.put('user', id, { ...hr.get('user', id)!.attributes, email: '' }, { enabled: true });
    }
    const blocked = await h.cycle({ now: () => T0 + 1000 });
    expect(blocked.gates.map((g) => `${g.connector} ${g.gate}`)).toEqual(['apps maxClearPercent']);
    expect((await listHolds(h.db, 'apps')).map((o) => `${o.gate} ${o.op} ${o.externalId}`)).toEqual(['clear clear E1001', 'clear clear E1002', 'clear clear E1003']);
    const give = (allowClears?: number) => h.db.transaction((tx) => giveApproval(tx, { connector: 'apps', allowDeletes: 0, ...(allowClears !== undefined ? { allowClears } : {}), reason: 'emails moved to another system', approvedBy: 'ops-token', now: T0 + 60_000 }));
    await expect(give()).rejects.toMatchObject({ code: 'AllowanceMissing' });
    await expect(give(2)).rejects.toMatchObject({ code: 'AllowanceTooSmall' });
    const { approval } = await give(3);
    const applied = await h.cycle({ now: () => T0 + 120_000 });
    expect(applied.gates).toEqual([]);
    expect(applied.approvals.map((a) => [a.id, a.state, a.letThrough.map((o) => `${o.op} ${o.externalId}`)])).toEqual([[approval.id, 'applied', ['clear E1001', 'clear E1002', 'clear E1003']]]);
  });

  it('expires an approval not used within 24 hours', async () => {
    const { hr, apps, h } = await start();
    leave(hr, 1, 2, 3, 4, 5, 6);
    await h.cycle({ now: () => T0 + 1000 });
    const { approval } = await approve(h, 'apps', 6, T0 + 60_000);
    const late = await h.cycle({ now: () => T0 + 60_000 + APPROVAL_TTL_MS });
    expect(late.result).toBe('blocked');
    expect(apps.exports).toEqual([]);
    expect(late.approvals).toMatchObject([{ id: approval.id, state: 'expired', jobId: null, note: 'not used within 24 hours' }]);
  });

  it('waits while the gate does not trip, and a newer approval supersedes a pending one', async () => {
    const { hr, h } = await start();
    leave(hr, 1, 2, 3, 4, 5, 6);
    await h.cycle({ now: () => T0 + 1000 });
    const first = await approve(h, 'apps', 6, T0 + 10_000);
    const second = await approve(h, 'apps', 7, T0 + 20_000);
    expect(second.superseded).toEqual([first.approval.id]);
    rejoin(hr, 1, 2, 3, 4, 5, 6);
    const quiet = await h.cycle({ now: () => T0 + 30_000 });
    expect(quiet.result).toBe('succeeded');
    expect(quiet.approvals).toEqual([]);
    const listed = await listApprovals(h.db, 'apps', 10, 0);
    // A run that was using the first when the second superseded it still records what it did with it.
    const [used] = await settleApprovals(h.db, quiet.cycleId, T0 + 40_000, [{ id: first.approval.id, state: 'applied', letThrough: first.approval.objects, note: null }]);
    expect(used).toMatchObject({ id: first.approval.id, state: 'applied', jobId: quiet.cycleId });
    expect(listed.items.map((a) => [a.id, a.state])).toEqual([
      [second.approval.id, 'pending'],
      [first.approval.id, 'superseded'],
    ]);
    expect((await listApprovals(h.db, 'apps', 10, 0)).items.map((a) => [a.id, a.state])).toEqual([
      [second.approval.id, 'pending'],
      [first.approval.id, 'applied'],
    ]);
  });
});

describe('approvals of the attribute-clear gate', () => {
  it('names the approval in the trip, and what an approval let stand is not counted again by later runs', async () => {
    const { hr, h } = await start();
    // HR sends six people without an email: their accounts (rendered from {{email}}) are held back.
    for (let n = 1; n <= 6; n++) {
      const id = `E${1000 + n}`;
      hr.put('user', id, { ...hr.get('user', id)!.attributes, email: '' }, { enabled: true });
    }
    const blocked = await h.cycle({ now: () => T0 + 1000 });
    expect(blocked.gates).toEqual([expect.objectContaining({ connector: 'apps', gate: 'maxClearPercent', attribute: 'email', count: 6 })]);
    expect(blocked.gates[0]?.message).toContain('POST /api/v1/connectors/apps/approvals {"allowDeletes": 0, "allowClears": 6');
    await h.db.transaction((tx) => giveApproval(tx, { connector: 'apps', allowDeletes: 0, allowClears: 6, reason: 'HR fixes the export tomorrow', approvedBy: 'ops-token', now: T0 + 60_000 }));
    expect((await h.cycle({ now: () => T0 + 120_000 })).result).toBe('succeeded');
    const full = await h.cycle({ full: true, now: () => T0 + 180_000 });
    expect(full.result).toBe('succeeded');
    expect(full.approvals).toEqual([]);
    expect(await listHolds(h.db, 'apps')).toEqual([]);
  });
});

describe('approvals of a Policy limit', () => {
  /** Moves these people to Legal (still in the projection's scope): their accounts' department changes. */
  function move(hr: MemorySystem, department: string, ...numbers: number[]): void {
    for (const n of numbers) {
      const id = `E${1000 + n}`;
      hr.put('user', id, { ...hr.get('user', id)!.attributes, department }, { enabled: true });
    }
  }
  const give = (h: Harness, allowLimits: number | undefined, now: number) =>
    h.db.transaction((tx) => giveApproval(tx, { connector: 'apps', allowDeletes: 0, ...(allowLimits !== undefined ? { allowLimits } : {}), reason: 'Legal takes over the Sales contracts team', approvedBy: 'ops-token', now }));
  const departments = (apps: MemorySystem) => apps.exports.filter((c) => c.op === 'update').map((c) => ('externalId' in c ? c.externalId : '')).sort();

  it('records the changes a violated limit holds back; an approval of exactly those lets them through once, a different set is refused', async () => {
    const { hr, apps, h } = await start(WITH_POLICY);
    move(hr, 'Legal', 1, 2, 3);
    const blocked = await h.cycle({ now: () => T0 + 1000 });
    expect(blocked.result).toBe('blocked');
    expect(blocked.gates.map((g) => `${g.connector} ${g.gate} ${g.count}`)).toEqual(['apps policyLimit 3']);
    expect(blocked.gates[0]?.message).toContain('POST /api/v1/connectors/apps/approvals {"allowDeletes": 0, "allowLimits": 3, "reason": "…"}, or rerun with --allow-limits 3');
    expect(apps.exports).toEqual([]);
    expect((await listHolds(h.db, 'apps')).map((o) => `${o.gate} ${o.op} ${o.externalId}`)).toEqual(['limit update E1001', 'limit update E1002', 'limit update E1003']);

    await expect(give(h, undefined, T0 + 10_000)).rejects.toMatchObject({ code: 'AllowanceMissing', message: expect.stringContaining("a Policy's limits hold back 3 changes; send allowLimits (at least 3)") });
    await expect(give(h, 2, T0 + 10_000)).rejects.toMatchObject({ code: 'AllowanceTooSmall' });
    const first = await give(h, 3, T0 + 10_000);
    expect(first.approval).toMatchObject({ allowDeletes: 0, allowClears: null, allowLimits: 3, state: 'pending' });

    // A fourth person moves before the run: the set differs, the limit blocks them all, the approval is used up.
    move(hr, 'Legal', 4);
    const refused = await h.cycle({ now: () => T0 + 60_000 });
    expect(refused.result).toBe('blocked');
    expect(apps.exports).toEqual([]);
    expect(refused.gates[0]?.message).toContain(`approval #${first.approval.id} was not applied: 1 of the 4 held back was not held back when approval #${first.approval.id} was given (E1004)`);
    expect(refused.approvals).toMatchObject([{ id: first.approval.id, state: 'refused', letThrough: [] }]);
    expect((await listHolds(h.db, 'apps')).map((o) => o.externalId)).toEqual(['E1001', 'E1002', 'E1003', 'E1004']);

    const second = await give(h, 4, T0 + 70_000);
    const applied = await h.cycle({ now: () => T0 + 120_000 });
    expect(applied.result).toBe('succeeded');
    expect(applied.gates).toEqual([]);
    expect(departments(apps)).toEqual(['E1001', 'E1002', 'E1003', 'E1004']);
    expect(applied.approvals.map((a) => [a.id, a.state, a.letThrough.map((o) => `${o.gate} ${o.op} ${o.externalId}`)])).toEqual([
      [second.approval.id, 'applied', ['limit update E1001', 'limit update E1002', 'limit update E1003', 'limit update E1004']],
    ]);
    expect(await listHolds(h.db, 'apps')).toEqual([]);
    const status = await statusReport(h.db, { config: h.config, revision: 'test', lastAppliedRevision: 'test', lastAttemptedRevision: 'test', outcome: applied, now: new Date().toISOString() });
    expect(status.approvals).toEqual([expect.objectContaining({ id: second.approval.id, allowLimits: 4, state: 'applied' })]);
    expect(reportCommitMessage(status)).toContain(`Approval: #${second.approval.id} apps applied by ops-token at ${second.approval.approvedAt}: let through 4 (update E1001`);
    expect(renderStatusMarkdown(status)).toContain(`| #${second.approval.id} | apps | ops-token |`);
    expect(renderStatusMarkdown(status)).toContain('| 0 deletes, 4 policy-limited changes of 4 held-back objects | Legal takes over the Sales contracts team |');

    // Once: the next reorganisation is blocked again.
    apps.exports = [];
    move(hr, 'Sales', 1, 2, 3);
    const again = await h.cycle({ now: () => T0 + 180_000 });
    expect(again.result).toBe('blocked');
    expect(again.approvals).toEqual([]);
    expect(apps.exports).toEqual([]);
  });
});
