/**
 * Starts the real servers a vitest project needs (see ../shared/TESTING.md) once per test run and
 * hands their addresses to the tests through `inject()`. A server that cannot start fails the run; it
 * is never skipped. Each project names its servers (global-setup-integration.ts, -browser.ts), so the
 * unit project starts none.
 */
import type { TestProject } from 'vitest/node';
import type { TestService } from './services/index.js';

export function serviceSetup(services: readonly TestService[]): { setup(project: TestProject): Promise<void>; teardown(): Promise<void> } {
  const stops: Array<() => Promise<void>> = [];
  return {
    async setup(project) {
      for (const service of services) {
        const started = await service.start();
        for (const [key, value] of Object.entries(started.provide)) {
          project.provide(key as never, value as never);
        }
        stops.push(started.stop);
      }
    },
    async teardown() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
