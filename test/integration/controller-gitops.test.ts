/**
 * `imesh run` as users run it: a real child process following a branch of a Git repository (a bare
 * repository on disk stands in for the remote), a PostgreSQL store, CSV source and target files.
 * Needs `npm run build` (npm test does it first).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { githubSignature } from '../../src/controller/webhook.js';
import {
  BIN,
  describeLogs,
  hrCsv,
  makeWorld,
  metricValue,
  pushConfig,
  remoteReports,
  reportCommits,
  rulesYaml,
  startController,
  targetRows,
  waitFor,
  worldsCleanedUp,
  type World,
} from '../controller/process-harness.js';
import { git, tempDir } from '../git/temp-repo.js';

const worlds = worldsCleanedUp(inject('pgUrl'));

function world(rows: readonly (readonly [string, string, string])[]): World {
  const w = makeWorld(inject('pgUrl'), rows);
  worlds.push(w);
  return w;
}

const PEOPLE = [
  ['E1', 'Alice', 'eng'],
  ['E2', 'Bob', 'ops'],
] as const;

describe('imesh run following a Git repository', () => {
  it('applies a pushed change to the target (re-evaluating every object the changed rule touches) and commits status to the reports branch', async () => {
    const w = world(PEOPLE);
    const controller = await startController({ world: w });
    await waitFor('the first export', () => targetRows(w).byId.get('E2')?.display === 'Bob', 20_000);
    const first = await waitFor('a status commit on the remote', () => remoteReports(w).status);
    const initial = git_head(w);
    expect(first).toMatchObject({ revision: initial, lastAppliedRevision: initial, lastAttemptedRevision: initial });
    expect((await controller.readyz()).body).toMatchObject({ ready: true, role: 'leader', appliedRevision: initial });

    // A merged pull request changes only the projection's template; the source data is unchanged.
    const revision = pushConfig(w, { 'config/rules.yaml': rulesYaml({ hrFile: w.hrFile, targetFile: w.targetFile, display: '{{name}} ({{dept}})' }) }, 'display with department');
    await waitFor('the target to show the new template for every object', () => {
      const rows = targetRows(w).byId;
      return rows.get('E1')?.display === 'Alice (eng)' && rows.get('E2')?.display === 'Bob (ops)';
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeLogs(controller)}`);
    });
    const status = await waitFor('status for the new revision on the remote', () => {
      const s = remoteReports(w).status;
      return s?.lastAppliedRevision === revision ? s : undefined;
    });
    expect(status).toMatchObject({ revision, lastAppliedRevision: revision, lastAttemptedRevision: revision });
    const conditions = status.conditions as { type: string; status: string }[];
    expect(conditions.find((c) => c.type === 'ConfigInvalid')?.status).toBe('False');
    expect(reportCommits(w).length).toBeGreaterThanOrEqual(2);
    // The cycle records its metrics right after publishing.
    const metrics = await waitFor('export metrics', async () => {
      const text = await controller.metrics();
      return metricValue(text, 'imesh_objects_exported_total', '{connector="directory",operation="updated"}') === 2 ? text : undefined;
    });
    expect(metricValue(metrics, 'imesh_objects_exported_total', '{connector="directory",operation="created"}')).toBe(2);
    expect(metricValue(metrics, 'imesh_config_invalid')).toBe(0);
    expect(metricValue(metrics, 'imesh_leader')).toBe(1);
    expect(metricValue(metrics, 'imesh_cycles_total', '{kind="delta",result="succeeded"}')).toBeGreaterThanOrEqual(2);
    expect(metrics).toContain(`imesh_config_revision_info{applied="${revision}",attempted="${revision}"} 1`);
  });

  it('reports invalid YAML as ConfigInvalid (status on the branch, /metrics) and keeps running the last good rules', async () => {
    const w = world(PEOPLE);
    const controller = await startController({ world: w });
    await waitFor('the first export', () => targetRows(w).ids.length === 2);
    const good = git_head(w);

    const bad = pushConfig(
      w,
      {
        'config/rules.yaml': rulesYaml({ hrFile: w.hrFile, targetFile: w.targetFile, display: '{{name}} [new]' }).replace('  provision: true\n', '  provision: true\n  provison: maybe\n'),
        'config/broken.yaml': 'apiVersion: identitymesh.dev/v1alpha1\nkind: FlowRule\nmetadata: { name: broken\nspec: {}\n',
      },
      'a broken change',
    );
    const status = await waitFor('ConfigInvalid on the reports branch', () => {
      const s = remoteReports(w).status;
      return s?.lastAttemptedRevision === bad ? s : undefined;
    });
    expect(status).toMatchObject({ revision: good, lastAppliedRevision: good, lastAttemptedRevision: bad });
    const conditions = status.conditions as { type: string; status: string; reason: string; message: string }[];
    const invalid = conditions.find((c) => c.type === 'ConfigInvalid');
    expect(invalid).toMatchObject({ status: 'True', reason: 'ValidationFailed' });
    expect(invalid!.message).toContain(`revision ${bad} is invalid`);
    expect(invalid!.message).toContain(`still running ${good}`);
    expect(invalid!.message).toMatch(/broken\.yaml:\d+:\d+: /);
    expect(invalid!.message).toMatch(/rules\.yaml:\d+:\d+: /);
    expect(conditions.find((c) => c.type === 'Ready')?.status).toBe('False'); // never looks healthy

    const metrics = await controller.metrics();
    expect(metricValue(metrics, 'imesh_config_invalid')).toBe(1);
    expect(metrics).toContain(`imesh_config_revision_info{applied="${good}",attempted="${bad}"} 1`);
    // /readyz is unauthenticated: exactly these fields (the attempted revision is asserted above, in the
    // metrics and the status report).
    expect((await controller.readyz()).body).toEqual({ ready: true, reason: expect.any(String), role: 'leader', appliedRevision: good, configInvalid: true });

    // The previous rules keep working: a new person in the source reaches the target, rendered by the good revision.
    writeFileSync(w.hrFile, hrCsv([...PEOPLE, ['E3', 'Carol', 'hr']]));
    await waitFor('the new person exported by the last good rules', () => targetRows(w).byId.get('E3')?.display === 'Carol');
    expect(targetRows(w).byId.get('E1')?.display).toBe('Alice');

    // Fixing the config clears the condition.
    const fixed = pushConfig(w, { 'config/rules.yaml': rulesYaml({ hrFile: w.hrFile, targetFile: w.targetFile, display: '{{name}}!' }), 'config/broken.yaml': '' }, 'fix');
    await waitFor('the fixed revision applied', () => remoteReports(w).status?.lastAppliedRevision === fixed);
    await waitFor('the target rendered by the fixed revision', () => targetRows(w).byId.get('E3')?.display === 'Carol!');
    expect(metricValue(await controller.metrics(), 'imesh_config_invalid')).toBe(0);
    const after = remoteReports(w).status!.conditions as { type: string; status: string }[];
    expect(after.find((c) => c.type === 'ConfigInvalid')?.status).toBe('False');
  });

  it('fetches at once on a signed webhook, and answers 401 to an unsigned one', async () => {
    const w = world(PEOPLE);
    const secret = 'webhook-secret-for-tests';
    const controller = await startController({ world: w, pollInterval: '1h', env: { IMESH_WEBHOOK_SECRET: secret } });
    await waitFor('the first export', () => targetRows(w).byId.get('E1')?.display === 'Alice');
    const revision = pushConfig(w, { 'config/rules.yaml': rulesYaml({ hrFile: w.hrFile, targetFile: w.targetFile, display: 'hooked {{name}}' }) });

    const body = JSON.stringify({ ref: 'refs/heads/main', after: revision });
    const unsigned = await fetch(`${controller.base}/hooks/git`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(`${controller.base}/hooks/git`, { method: 'POST', body, headers: { 'x-hub-signature-256': githubSignature('not the secret', body) } });
    expect(forged.status).toBe(401);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(targetRows(w).byId.get('E1')?.display).toBe('Alice'); // no fetch happened (the poll interval is an hour)

    const signed = await fetch(`${controller.base}/hooks/git`, { method: 'POST', body, headers: { 'x-hub-signature-256': githubSignature(secret, body), 'x-github-event': 'push' } });
    expect(signed.status).toBe(202);
    await waitFor('the pushed revision applied after the webhook', () => targetRows(w).byId.get('E1')?.display === 'hooked Alice', 10_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeLogs(controller)}`);
    });
    const metrics = await controller.metrics();
    expect(metricValue(metrics, 'imesh_webhook_requests_total', '{result="unsigned"}')).toBe(1);
    expect(metricValue(metrics, 'imesh_webhook_requests_total', '{result="github"}')).toBe(1);
    // The secret never reaches the logs.
    expect(describeLogs(controller)).not.toContain(secret);
  });
});

describe('imesh reconcile --repo', () => {
  it('fetches the branch, runs one cycle from it, and pushes the reports branch', () => {
    const w = world(PEOPLE);
    const cwd = tempDir('imesh-reconcile-');
    const result = spawnSync(process.execPath, [BIN, 'reconcile', '--repo', w.remote, '--branch', 'main', '--path', 'config', '--store', w.storeUrl], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', IMESH_DATA_ROOTS: [dirname(w.hrFile), dirname(w.targetFile)].join(':') },
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('pushed to');
    expect(targetRows(w).ids.sort()).toEqual(['E1', 'E2']);
    expect(remoteReports(w).status).toMatchObject({ revision: git_head(w), lastAppliedRevision: git_head(w) });
    const usage = spawnSync(process.execPath, [BIN, 'reconcile', '--repo', w.remote, '--config', 'x'], { cwd, encoding: 'utf8' });
    expect(usage.status).toBe(1);
    expect(usage.stderr).toContain('not both');
  });
});

function git_head(w: World): string {
  return git(w.remote, 'rev-parse', 'refs/heads/main').trim();
}
