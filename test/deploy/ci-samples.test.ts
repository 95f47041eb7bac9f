/**
 * samples/ci: the GitHub Actions workflow and the GitLab CI job parse, run validate and a markdown
 * plan with --detailed-exitcode, post it, and fail the check on 1 and 3 but not on 2.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { plan } from '../../src/cli/plan.js';

const CI = resolve(import.meta.dirname, '../../samples/ci');

function load(file: string): { text: string; doc: Record<string, unknown> } {
  const text = readFileSync(join(CI, file), 'utf8');
  const parsed = parseDocument(text);
  expect(parsed.errors).toEqual([]);
  return { text, doc: parsed.toJS() as Record<string, unknown> };
}

describe('samples/ci', () => {
  it('GitHub Actions: validates, plans on pull requests, comments, and fails on exit 1 and 3', () => {
    const { text, doc } = load('github/identity-mesh-plan.yml');
    expect(Object.keys(doc.on as object)).toEqual(['pull_request']);
    expect(doc.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(text).toContain('imesh validate --config');
    expect(text).toContain('imesh plan --config "$CONFIG_DIR" --format markdown --detailed-exitcode');
    expect(text).toMatch(/0\|2\) exit 0 ;;/);
    expect(text).toMatch(/3\) .*exit 3 ;;/);
    expect(text).toContain('github.rest.issues.createComment');
    expect(text).not.toContain('pull_request_target:');
  });

  it('GitLab CI: validates, plans on merge requests, posts a note, and fails on exit 1 and 3', () => {
    const { text, doc } = load('gitlab/identity-mesh-plan.gitlab-ci.yml');
    const job = doc['identity-mesh-plan'] as { rules: { if: string }[]; script: string[] };
    expect(job.rules[0]!.if).toContain('merge_request_event');
    expect(job.script[0]).toContain('imesh validate --config');
    expect(job.script.join('\n')).toContain('imesh plan --config "$CONFIG_DIR" --format markdown --detailed-exitcode');
    expect(text).toContain('/merge_requests/${process.env.CI_MERGE_REQUEST_IID}/notes');
    expect(text).toMatch(/0\|2\) exit 0 ;;/);
    expect(text).toMatch(/3\) .*exit 3 ;;/);
  });

  it('uses only flags `imesh plan` documents', () => {
    for (const flag of ['--config', '--format', '--detailed-exitcode']) expect(plan.help).toContain(flag);
  });
});
