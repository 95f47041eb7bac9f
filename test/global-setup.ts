/**
 * Starts the real servers the integration tests need (see ../shared/TESTING.md) once per test run and
 * hands their addresses to the tests through `inject()`. A server that cannot start fails the run; it
 * is never skipped.
 */
import type { TestProject } from 'vitest/node';
import { services } from './services/index.js';

const stops: Array<() => Promise<void>> = [];

export async function setup(project: TestProject): Promise<void> {
  for (const service of services) {
    const started = await service.start();
    for (const [key, value] of Object.entries(started.provide)) {
      project.provide(key as never, value as never);
    }
    stops.push(started.stop);
  }
}

export async function teardown(): Promise<void> {
  for (const stop of stops.reverse()) await stop();
}
