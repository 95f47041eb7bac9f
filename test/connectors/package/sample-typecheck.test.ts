/**
 * The SDK's published declarations (`identity-mesh/sdk`, `identity-mesh/conformance`, built by
 * tsconfig.sdk.json) are enough to write a connector package: the template typechecks against them as
 * a third party would, with the package installed next to Identity Mesh.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, sampleProject } from './sample-project.js';

describe('the template connector package', () => {
  it('typechecks (strict, checkJs) against the published SDK declarations', () => {
    if (!existsSync(join(REPO_ROOT, 'dist/sdk.d.ts'))) throw new Error('dist/sdk.d.ts is missing: run npm run build (npm test does it first)');
    const project = sampleProject();
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project.packageDir], { encoding: 'utf8', timeout: 240_000 });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  }, 240_000);
});
