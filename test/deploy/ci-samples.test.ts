/**
 * samples/ci: the GitHub Actions workflow and the GitLab planner job parse, run validate and a markdown
 * plan with --detailed-exitcode, post it, and fail the check on 1 and 3 but not on 2. Issue 14 changed
 * their contract: the job that holds the secrets must be one a pull request cannot rewrite, so GitHub
 * uses pull_request_target with the pull request's config checked out as data, and GitLab plans from a
 * separate planner project on a schedule (the earlier assertions for `on: pull_request` and a merge
 * request pipeline job are replaced by these).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { check } from '../../src/cli/check.js';
import { plan } from '../../src/cli/plan.js';

const CI = resolve(import.meta.dirname, '../../samples/ci');

function load(file: string): { text: string; doc: Record<string, unknown> } {
  const text = readFileSync(join(CI, file), 'utf8');
  const parsed = parseDocument(text);
  expect(parsed.errors).toEqual([]);
  return { text, doc: parsed.toJS() as Record<string, unknown> };
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  'working-directory'?: string;
}

describe('samples/ci', () => {
  it('GitHub Actions: the workflow comes from the base branch; the pull request is only data', () => {
    const { text, doc } = load('github/identity-mesh-plan.yml');
    expect(Object.keys(doc.on as object)).toEqual(['pull_request_target']);
    expect(doc.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const job = (doc.jobs as Record<string, { if: string; environment: string; steps: Step[] }>).plan!;
    expect(job.if).toBe('github.event.pull_request.head.repo.full_name == github.repository'); // no forks
    expect(job.environment).toBe('identity-mesh-plan');
    // Two checkouts: imesh's own source at a pinned ref, then the pull request as data (issue 18: imesh is
    // not on the npm registry, so it is built from its source; the registry install is gone).
    const checkouts = job.steps.filter((s) => s.uses?.startsWith('actions/checkout'));
    expect(checkouts).toHaveLength(2);
    expect(checkouts[0]!.with).toMatchObject({ repository: '${{ env.IMESH_SOURCE }}', ref: '${{ env.IMESH_REF }}', path: 'imesh-src', 'persist-credentials': false });
    expect(checkouts[1]!.with).toMatchObject({ ref: '${{ github.event.pull_request.head.sha }}', path: 'pr', 'persist-credentials': false });
    expect((doc.env as Record<string, string>).IMESH_REF).toMatch(/^v\d+\.\d+\.\d+$/);
    // imesh is built (npm ci with the lockfile) before the pull request is checked out, and never from it.
    const build = job.steps.findIndex((s) => s.run === 'npm ci --no-audit --no-fund');
    expect(job.steps[build]!['working-directory']).toBe('imesh-src');
    expect(build).toBeLessThan(job.steps.indexOf(checkouts[1]!));
    expect(text).not.toMatch(/npm install --global[^\n]*identity-mesh@/);
    for (const step of job.steps.filter((s) => s.run)) {
      expect(step.run).not.toMatch(/(^|\s)(\.\/|bash |sh |node )pr\//);
      if (step['working-directory'] !== 'imesh-src') expect(step.run).not.toMatch(/npm (ci|install)/);
      expect(step.run).not.toContain('${{ github.event.pull_request.title');
    }
    // imesh works outside the checkout (a pull request could otherwise bring its own .imesh/ store).
    for (const name of ['Validate', 'Plan']) expect(job.steps.find((s) => s.name === name)!['working-directory']).toBe('${{ runner.temp }}/imesh');
    expect(text).toContain('imesh validate --config "$PR_CONFIG"');
    expect(text).toContain('imesh plan --config "$PR_CONFIG" --format markdown --detailed-exitcode');
    expect(text).toMatch(/0\|2\) exit 0 ;;/);
    expect(text).toMatch(/3\) .*exit 3 ;;/);
    expect(text).toContain('github.rest.issues.createComment');
  });

  it('GitLab: a planner project outside the config project plans each open merge request as data', () => {
    const { text, doc } = load('gitlab/identity-mesh-plan.gitlab-ci.yml');
    const job = doc['identity-mesh-plan'] as { rules: { if: string }[]; script: string[]; before_script: string[] };
    expect(job.rules.map((r) => r.if)).toEqual([
      '$CI_PIPELINE_SOURCE == "schedule" && $CI_COMMIT_REF_PROTECTED == "true"',
      '$CI_PIPELINE_SOURCE == "web" && $CI_COMMIT_REF_PROTECTED == "true"',
    ]);
    expect(text).not.toContain('merge_request_event');
    // imesh from its source at a pinned ref, built with its lockfile before any merge request is fetched.
    const before = job.before_script.join('\n');
    expect(before).toContain('git clone -q --depth 1 --branch "$IMESH_REF" "$IMESH_SOURCE_URL" /opt/imesh-src');
    expect(before).toContain('(cd /opt/imesh-src && npm ci --no-audit --no-fund)');
    expect(before).toContain('ln -sf /opt/imesh-src/bin/imesh.js /usr/local/bin/imesh');
    expect(before).not.toContain('identity-mesh@');
    const script = job.script.join('\n');
    expect(script).toContain('refs/merge-requests/${mr.iid}/head');
    expect(script).toContain('run("validate", "--config", config)');
    expect(script).toContain('run("plan", "--config", config, "--format", "markdown", "--detailed-exitcode")');
    expect(script).toContain('cwd: work'); // imesh runs outside the merge request's folder
    expect(script).toContain('const ok = code === 0 || code === 2;');
    expect(script).toContain('/merge_requests/${mr.iid}/notes');
    expect(script).toContain('name: "identity-mesh-plan"');
  });

  it('uses only flags the verbs document', () => {
    for (const flag of ['--config', '--format', '--detailed-exitcode', '--trust-destinations', '--store']) expect(plan.help).toContain(flag);
    for (const flag of ['--store', '--trust-destinations']) expect(check.help).toContain(flag);
  });
});
