import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Three projects, so `npx vitest run --project unit` starts no server:
 * - browser: test files that inject('chromiumPath') (Chromium and PostgreSQL);
 * - integration: other test files that inject() a server address (PostgreSQL, Samba AD, OpenLDAP);
 * - unit: the rest, with no global setup.
 * A test file's project follows from what it injects, so a new test lands in the right one by itself.
 * `npm test` (vitest run) runs all three, starting every server; one that cannot start fails the run.
 */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = testFiles('test').map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const browser = files.filter((f) => f.text.includes("inject('chromiumPath')")).map((f) => f.path);
const integration = files.filter((f) => !browser.includes(f.path) && /\binject\('/.test(f.text)).map((f) => f.path);
const unit = files.map((f) => f.path).filter((path) => !browser.includes(path) && !integration.includes(path));

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { IMESH_LOG_LEVEL: process.env.IMESH_LOG_LEVEL ?? 'warn' },
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      { extends: true, test: { name: 'integration', include: integration, globalSetup: ['test/global-setup-integration.ts'] } },
      { extends: true, test: { name: 'browser', include: browser, globalSetup: ['test/global-setup-browser.ts'] } },
    ],
  },
});
