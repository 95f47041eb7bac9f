/**
 * Debian's Chromium for the dashboard's browser tests (../shared/TESTING.md, "A real browser"). Nothing
 * is started here: each browser test launches its own headless Chromium through playwright-core with
 * `chromiumLaunchOptions()`. This only makes sure the binary exists, installing the `chromium` package
 * as root when it is missing (otherwise the run fails with the exact command to run).
 */
import { existsSync } from 'node:fs';
import type { TestService } from './index.js';
import { ensureDebianPackages } from './samba.js';

export const CHROMIUM_PATH = process.env.IMESH_CHROMIUM ?? '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Debian's Chromium (test/services/chromium.ts), for playwright-core's `executablePath`. */
    chromiumPath: string;
  }
}

/**
 * Launch flags for this kind of machine: no sandbox (root), no GPU, and none of Chromium's background
 * network traffic (the machines refuse outbound connections, and Chromium would keep retrying).
 */
export function chromiumLaunchOptions(executablePath: string): { executablePath: string; headless: true; args: string[] } {
  return {
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  };
}

export const chromium: TestService = {
  name: 'chromium',
  async start() {
    if (!existsSync(CHROMIUM_PATH)) {
      await ensureDebianPackages({ chromium: 'chromium' });
      if (!existsSync(CHROMIUM_PATH)) throw new Error(`chromium was installed but ${CHROMIUM_PATH} does not exist; set IMESH_CHROMIUM to its path`);
    }
    return { provide: { chromiumPath: CHROMIUM_PATH }, stop: async () => undefined };
  },
};
