/**
 * Policy invariants judged at the cost of a run's changes: uniqueness asks who already holds the values
 * a run gives (kept caught up with the target's connector space, its out-of-band changes and the
 * run's own confirmed exports included), and existing violations are checked whole on full runs and
 * when the invariants change, reported as last checked otherwise. Runs on every store
 * (on-postgres.test.ts imports it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { appended, policy, type Spec } from '../fixtures/config-yaml.js';
import { memoryConnector, MemorySystem } from '../fixtures/memory-connector.js';
import { compile, harness, hrToApps, type Harness } from './harness.js';

/** The hr → apps mesh with a Policy of these invariants on the apps accounts. */
const withInvariants = (...invariants: Spec[]) => hrToApps() + appended(policy('apps-guardrails', 'apps/account', { invariants }));

const UNIQUE = withInvariants({ attribute: 'email', present: true, unique: true });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Twelve people synced to apps, then the Policy in force. */
async function start(yaml: string): Promise<{ hr: MemorySystem; apps: MemorySystem; h: Harness }> {
  const hr = new MemorySystem('key', 'employee_id');
  const apps = new MemorySystem('key', 'account_id');
  for (let i = 1; i <= 12; i++) {
    const id = `E${1000 + i}`;
    hr.put('user', id, { employee_id: id, first_name: `First${i}`, last_name: `Last${i}`, email: `p${i}@example.com`, department: 'Sales', active: 'true' }, { enabled: true });
  }
  // An account no projection manages holds a mail address too.
  apps.put('account', 'X1', { account_id: 'X1', email: 'shared@example.com', department: 'IT', is_active: 'true' }, { enabled: true });
  h = await harness(hrToApps(), { hr: memoryConnector(hr, { inactiveMeansDeleted: true }), apps: memoryConnector(apps) });
  const first = await h.cycle();
  expect(first.result).toBe('succeeded');
  h.config = await compile(yaml);
  apps.exports = [];
  return { hr, apps, h };
}

function setEmail(hr: MemorySystem, n: number, email: string): void {
  const id = `E${1000 + n}`;
  hr.put('user', id, { ...hr.get('user', id)!.attributes, email }, { enabled: true });
}

const exportedEmails = (apps: MemorySystem) => apps.exports.flatMap((c) => (c.op === 'update' && 'externalId' in c ? [`${c.externalId} ${String(c.attributes.email?.to ?? '')}`] : []));

describe('unique invariants on a delta run', () => {
  it('hold back a value another target object holds, and follow the target as it changes', async () => {
    const { hr, apps, h } = await start(UNIQUE);
    setEmail(hr, 3, ' Shared@Example.com');
    const held = await h.cycle();
    expect(held.result).toBe('blocked');
    expect(held.policyViolations.filter((v) => v.status === 'new').map((v) => v.message)).toEqual([
      '1 object(s) would break email: present, unique and are held back: E1003: email "shared@example.com" is already held by X1',
    ]);
    expect(exportedEmails(apps)).toEqual([]);

    // The other account gives the address up, out of band: the next run sees it free.
    apps.put('account', 'X1', { ...apps.get('account', 'X1')!.attributes, email: 'x1@example.com' }, { enabled: true });
    const freed = await h.cycle();
    expect(freed.result).toBe('succeeded');
    expect(exportedEmails(apps)).toEqual(['E1003  Shared@Example.com']);
  });

  it('see the values the previous run exported and confirmed', async () => {
    const { hr, apps, h } = await start(UNIQUE);
    setEmail(hr, 5, 'p5.new@example.com');
    expect((await h.cycle()).result).toBe('succeeded');
    expect(exportedEmails(apps)).toEqual(['E1005 p5.new@example.com']);
    apps.exports = [];

    // E1005's old address is free now; its new one is taken.
    setEmail(hr, 4, 'p5@example.com');
    setEmail(hr, 6, 'P5.NEW@example.com');
    const run = await h.cycle();
    expect(run.result).toBe('blocked');
    expect(run.heldBack.map((o) => o.details.object)).toEqual(['E1006']);
    expect(run.policyViolations.find((v) => v.status === 'new')?.message).toContain('E1006: email "p5.new@example.com" is already held by E1005');
    expect(exportedEmails(apps)).toEqual(['E1004 p5@example.com']);
  });

  it('two objects given one value in the same run: the second is held back', async () => {
    const { hr, apps, h } = await start(UNIQUE);
    setEmail(hr, 7, 'team@example.com');
    setEmail(hr, 8, 'team@example.com');
    const run = await h.cycle();
    expect(run.result).toBe('blocked');
    expect(run.policyViolations.find((v) => v.status === 'new')?.message).toMatch(/E100[78]: email "team@example.com" is also given to E100[78] by this run/);
    expect(exportedEmails(apps)).toHaveLength(1);
  });
});

describe('existing invariant violations', () => {
  const SHORT = withInvariants({ attribute: 'email', maxLength: 14 });

  it('are checked whole on full runs and new invariants, and reported as last checked on delta runs', async () => {
    // p10@example.com … p12@example.com have 15 characters.
    const { hr, h } = await start(SHORT);
    const existing = (run: Awaited<ReturnType<Harness['cycle']>>) => run.policyViolations.filter((v) => v.status === 'existing').map((v) => v.objects);
    const first = await h.cycle();
    expect(first.result).toBe('succeeded');
    expect(existing(first)).toEqual([['E1010', 'E1011', 'E1012']]);

    setEmail(hr, 10, 'p10@exam.com');
    const delta = await h.cycle();
    expect(delta.result).toBe('succeeded');
    expect(existing(delta)).toEqual([['E1010', 'E1011', 'E1012']]); // as the last whole check found them
    expect(existing(await h.cycle({ full: true }))).toEqual([['E1011', 'E1012']]);
    expect(existing(await h.cycle())).toEqual([['E1011', 'E1012']]);
  });

  it('a changed invariant is checked whole on its next delta run', async () => {
    const { h } = await start(SHORT);
    expect((await h.cycle()).policyViolations.filter((v) => v.status === 'existing').map((v) => v.count)).toEqual([3]);
    h.config = await compile(withInvariants({ attribute: 'email', maxLength: 13 }));
    const tighter = await h.cycle();
    expect(tighter.result).toBe('succeeded');
    expect(tighter.policyViolations.filter((v) => v.status === 'existing').map((v) => v.count)).toEqual([12]);
    h.config = await compile(SHORT);
    expect((await h.cycle()).policyViolations.filter((v) => v.status === 'existing').map((v) => v.objects)).toEqual([['E1010', 'E1011', 'E1012']]);
  });
});

describe('what the applied Policies no longer need', () => {
  const uniqueRows = async (h: Harness) =>
    (await h.db.query<{ attribute: string; value_key: string; external_id: string }>('SELECT attribute, value_key, external_id FROM unique_value ORDER BY external_id')).map((r) => `${r.attribute} ${r.external_id} ${r.value_key}`);
  const count = async (h: Harness, table: string) => (await h.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM ${table}`))[0]!.n;

  it('is forgotten: unique values when no invariant keeps them unique, reports when the Policy goes; a re-added invariant indexes the target again', async () => {
    const { hr, apps, h } = await start(UNIQUE);
    expect((await h.cycle()).result).toBe('succeeded');
    const indexed = await uniqueRows(h);
    expect(indexed).toHaveLength(13);
    expect(indexed).toContain('email X1 shared@example.com');
    expect(await count(h, 'unique_value_index')).toBe(1);
    expect(await count(h, 'policy_report')).toBe(1);

    // Still a Policy with invariants on the target, none of them unique: its report stays.
    h.config = await compile(withInvariants({ attribute: 'email', present: true }));
    expect((await h.cycle()).result).toBe('succeeded');
    expect(await uniqueRows(h)).toEqual([]);
    expect(await count(h, 'unique_value_index')).toBe(0);
    expect(await count(h, 'policy_report')).toBe(1);

    h.config = await compile(hrToApps());
    expect((await h.cycle()).result).toBe('succeeded');
    expect(await count(h, 'policy_report')).toBe(0);

    // While no Policy watches, the other account's address changes out of band.
    apps.put('account', 'X1', { ...apps.get('account', 'X1')!.attributes, email: 'x1@example.com' }, { enabled: true });
    expect((await h.cycle()).result).toBe('succeeded');

    h.config = await compile(UNIQUE);
    apps.exports = [];
    setEmail(hr, 3, 'X1@example.com');
    setEmail(hr, 4, 'shared@example.com');
    const run = await h.cycle();
    expect(run.result).toBe('blocked');
    expect(run.heldBack.map((o) => o.details.object)).toEqual(['E1003']);
    expect(exportedEmails(apps)).toEqual(['E1004 shared@example.com']);
    const reindexed = await uniqueRows(h);
    expect(reindexed).toHaveLength(13);
    expect(reindexed).toContain('email X1 x1@example.com');
    expect(reindexed).not.toContain('email X1 shared@example.com');
    expect(await count(h, 'unique_value_index')).toBe(1);
    expect(await count(h, 'policy_report')).toBe(1);
  });
});
