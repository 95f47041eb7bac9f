import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function check(script: string): { status: number; stderr: string } {
  try {
    execFileSync(process.execPath, [script, '--check'], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stderr: Buffer };
    return { status: e.status, stderr: e.stderr.toString() };
  }
}

describe('files generated from the schemas', () => {
  it('src/config/generated/*.ts match the schemas (npm run gen:types)', () => {
    expect(check('scripts/gen-types.mjs')).toEqual({ status: 0, stderr: '' });
  });

  it('docs/config-reference.md matches the schemas (npm run gen:docs)', () => {
    expect(check('scripts/gen-docs.mjs')).toEqual({ status: 0, stderr: '' });
  });
});
