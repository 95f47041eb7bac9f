import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const imesh = resolve('bin/imesh.js');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of samples/policies (the quickstart with a Policy on the apps accounts), reconciled once. */
function applied() {
  const cwd = mkdtempSync(join(tmpdir(), 'imesh-policies-'));
  dirs.push(cwd);
  const config = join(cwd, 'config');
  cpSync(resolve('samples/policies'), config, { recursive: true });
  const run = (...args: string[]) => spawnSync(process.execPath, [imesh, ...args, '--config', config], { cwd, encoding: 'utf8', env: { ...process.env, IMESH_LOG_LEVEL: 'error' } });
  const first = run('reconcile');
  expect(first.status, first.stderr).toBe(0);
  const edit = (file: string, change: (text: string) => string) => writeFileSync(join(config, file), change(readFileSync(join(config, file), 'utf8')));
  const status = () => JSON.parse(readFileSync(join(cwd, '.imesh/reports/status.json'), 'utf8')) as { conditions: { type: string; status: string; message: string }[]; policyViolations?: { policy: string; rule: string; status: string; objects: string[] }[] };
  const accounts = () => run('plan', '--format', 'json');
  return { cwd, run, edit, status, accounts };
}

describe('Policy documents through the CLI', () => {
  it('a pull request that breaks invariants: plan exits 3 and says why; reconcile holds those accounts back and exports the rest', () => {
    const { cwd, run, edit, status } = applied();
    edit('data/hr.csv', (text) =>
      `${text
        .replace('E1003,Alan,Turing,alan.turing@example.com', 'E1003,Alan,Turing,ada.lovelace@example.com')
        .replace('Research,Mathematician', 'Research,Chief Mathematician')
        .trimEnd()}\nE1013,Maximiliana,Bartholomew-Smythe,max.bs@example.com,Research,Analyst,true\n`,
    );

    const plan = run('plan', '--format', 'markdown');
    expect(plan.status).toBe(3);
    expect(plan.stdout).toContain('> **This change would violate 2 policy rules.**');
    expect(plan.stdout).toContain('> - **policy apps-guardrails · apps/account · email: present, unique · 1 object** — these objects would be held back; the rest proceeds\n>   - objects: E1003');
    expect(plan.stdout).toMatch(/policy apps-guardrails · apps\/account · username: at most 20 characters.* · 1 object\*\* — these objects would be held back; the rest proceeds\n> {3}- objects: E1013/);
    expect(plan.stderr).toContain('HELD BACK: policy apps-guardrails: 1 object(s) would break email: present, unique (the sign-in name) and are held back: E1003: email "ada.lovelace@example.com" is already held by E1001');
    expect(plan.stderr).toContain('username "maximiliana.bartholomew-smythe" has 30 characters, more than 20');
    const json = JSON.parse(run('plan', '--format', 'json').stdout);
    const apps = json.projections.find((p: { name: string }) => p.name === 'person-to-apps');
    expect(apps.changes).toEqual([]);
    expect(json.policyViolations.filter((v: { status: string }) => v.status === 'new').map((v: { rule: string; objects: string[] }) => [v.rule.split(':')[0], v.objects])).toEqual([
      ['email', ['E1003']],
      ['username', ['E1013']],
    ]);

    const reconcile = run('reconcile');
    expect(reconcile.status).toBe(3);
    // The rest proceeds: the phone book gets the new hire and both updates.
    const phonebook = readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8');
    expect(phonebook).toContain('E1013,Maximiliana Bartholomew-Smythe');
    expect(phonebook).toContain('Chief Mathematician');
    expect(status().conditions).toContainEqual(expect.objectContaining({ type: 'PolicyViolated', status: 'True', message: expect.stringContaining('E1003') }));
    const conflicts = JSON.parse(readFileSync(join(cwd, '.imesh/reports/conflicts.json'), 'utf8')) as { conflicts: { kind: string; reason: string }[] };
    expect(conflicts.conflicts.filter((c) => c.kind === 'heldBack').map((c) => c.reason)).toEqual([
      'policy "apps-guardrails": email "ada.lovelace@example.com" is already held by E1001',
      'policy "apps-guardrails": username "maximiliana.bartholomew-smythe" has 30 characters, more than 20',
    ]);

    // Fixed in the next pull request: the held-back accounts are planned again, though nothing changed for them since.
    edit('data/hr.csv', (text) => text.replace('E1003,Alan,Turing,ada.lovelace@example.com', 'E1003,Alan,Turing,alan.turing@example.com').replace('E1013,Maximiliana,Bartholomew-Smythe', 'E1013,Max,Smythe'));
    const fixed = run('reconcile');
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(status().conditions).toContainEqual(expect.objectContaining({ type: 'PolicyViolated', status: 'False' }));
    expect(run('plan', '--detailed-exitcode').status).toBe(0);
  }, 600_000);

  it('a limit passed blocks every export to the target; --allow-limits lets it through', () => {
    const { cwd, run, edit } = applied();
    // Three people move to another department: more than "department: { max: 2 }".
    edit('data/hr.csv', (text) => text.replace(/^(E100[123],[^,]*,[^,]*,[^,]*,)[^,]*/gm, '$1Sales'));
    const plan = run('plan');
    expect(plan.status).toBe(3);
    expect(plan.stderr).toContain('BLOCKED: apps/account: 3 changes of "department" pending, more than policy "apps-guardrails" allows (at most 2 and at most 10% (1 of 11))');
    expect(plan.stdout).toContain('!! POLICY: this change would violate a policy');
    const before = readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8');
    expect(run('reconcile').status).toBe(3);
    expect(run('reconcile', '--allow-limits', '2').status).toBe(3);
    // Only apps is blocked: the phone book (no policy) took the moves in the blocked run.
    expect(readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8')).not.toBe(before);
    expect(run('plan', '--allow-limits', '3').status).toBe(0);
    expect(run('reconcile', '--allow-limits', '3').status).toBe(0);
    expect(run('plan', '--detailed-exitcode').status).toBe(0);
  }, 600_000);

  it('accounts that already break an invariant are reported, never block', () => {
    const { cwd, run, edit, status } = applied();
    // A reviewer adds an invariant the existing accounts already break.
    edit('policies.yaml', (text) => text.replace('    - { attribute: username,', '    - { attribute: display_name, maxLength: 12 }\n    - { attribute: username,'));
    const plan = run('plan', '--format', 'markdown', '--detailed-exitcode');
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('### Existing policy violations (reported, not blocking)');
    expect(plan.stdout).toMatch(/policy apps-guardrails · apps\/account · display\\_name: at most 12 characters · \d+ objects\*\*\n {2}- objects: E1004, E1006/);
    const reconcile = run('reconcile');
    expect(reconcile.status, reconcile.stderr).toBe(0);
    expect(status().conditions).toContainEqual(expect.objectContaining({ type: 'PolicyViolated', status: 'False', message: expect.stringContaining('existing violation(s) reported (not blocking): apps-guardrails: display_name: at most 12 characters') }));
    expect(status().policyViolations).toEqual([expect.objectContaining({ policy: 'apps-guardrails', status: 'existing', objects: expect.arrayContaining(['E1004', 'E1006']) })]);
    const statusMd = readFileSync(join(cwd, '.imesh/reports/status.md'), 'utf8');
    expect(statusMd).toContain('## Policy violations');
    expect(statusMd).toMatch(/\| apps-guardrails \| apps\/account \| display\\_name: at most 12 characters \| existing \(not blocking\) \| \d+ \| `E1004`/);
    // A change that brings a new account breaking it is held back.
    edit('data/hr.csv', (text) => `${text.trimEnd()}\nE1013,Max,Smythe-Bartholomew,max.sb@example.com,Research,Analyst,true\n`);
    expect(run('plan').status).toBe(3);
  }, 600_000);
});
