/**
 * The template package's own scripts, run where a third party runs them — in the package, installed
 * next to Identity Mesh — against what Identity Mesh publishes (`identity-mesh/sdk` and
 * `identity-mesh/conformance`: dist/ and its declarations, built by `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, sampleProject } from './sample-project.js';

const project = sampleProject();

function run(script: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(project.root, 'node_modules', script), ...args], { cwd: project.packageDir, encoding: 'utf8', timeout: 240_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist/sdk.d.ts'))) throw new Error('dist/sdk.d.ts is missing: run npm run build (npm test does it first)');
});

describe('the template connector package', () => {
  it('typechecks (strict, checkJs) against the published SDK declarations', () => {
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project.packageDir], { encoding: 'utf8', timeout: 240_000 });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  }, 240_000);

  it('passes its own test (npm test: the conformance suite from identity-mesh/conformance)', () => {
    const result = run('vitest/vitest.mjs', 'run');
    expect(result.output).toMatch(/Tests\s+10 passed \| 1 skipped \(11\)/);
    expect(result.status, result.output).toBe(0);
  }, 240_000);
});
