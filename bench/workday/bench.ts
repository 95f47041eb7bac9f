/**
 * The workday benchmark's TypeScript half: a Workday emulator seeded with N workers (a management
 * hierarchy, some future hires, future and past terminations), and one in-process import through the
 * workday connector, the way the engine calls it. run.mjs drives it: the emulator runs in its own process
 * (emulator-server.ts) so that `imesh reconcile` child processes can be timed against it.
 */
import { Writable } from 'node:stream';
import { createWorkdayConnector } from '../../src/connectors/workday/workday-connector.js';
import type { ImportBatch } from '../../src/connectors/sdk.js';
import { setLogDestination } from '../../src/shared/logger.js';
import type { EmulatorRequest, EmulatorResponse } from '../../test/emulators/http-emulator.js';
import { WorkdayEmulator, type WorkdayWorker } from '../../test/emulators/workday-emulator.js';
import { connectorContext } from '../../test/emulators/test-support.js';

export const DEPARTMENTS = ['Sales', 'Engineering', 'Research', 'Operations', 'Support', 'Finance', 'Legal', 'Marketing'];

export interface EmulatorInfo {
  readonly url: string;
  readonly baseUrl: string;
  readonly report: string;
  readonly username: string;
  readonly password: string;
}

const employeeId = (i: number) => `E${String(i).padStart(7, '0')}`;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** The emulator plus one control route: `POST /__bench/change?count=K` gives K workers a new title now. */
class BenchTenant extends WorkdayEmulator {
  private round = 0;

  protected override handle(request: EmulatorRequest): EmulatorResponse {
    if (request.method === 'POST' && request.url.pathname === '/__bench/change') {
      return { status: 200, body: { changed: changeWorkers(this, Number(request.url.searchParams.get('count') ?? 100), ++this.round) } };
    }
    return super.handle(request);
  }
}

/** N workers; worker i reports to worker ⌊i/8⌋; every 200th starts in 10 days, every 150th leaves in 20, every 100th left a year ago. */
export async function startEmulator(n: number): Promise<WorkdayEmulator> {
  const emulator = await new BenchTenant().start();
  const future = isoDay(10);
  const leaving = isoDay(20);
  const left = isoDay(-365);
  for (let i = 1; i <= n; i++) {
    const department = DEPARTMENTS[i % DEPARTMENTS.length]!;
    emulator.hire({
      employeeId: employeeId(i),
      firstName: `First${i}`,
      lastName: `Last${i}`,
      email: `person${i}@example.com`,
      phone: `+1 555 ${String(i % 10_000).padStart(4, '0')}`,
      hireDate: i % 200 === 0 ? future : '2020-01-06',
      ...(i % 150 === 0 ? { terminationDate: leaving } : i % 100 === 0 ? { terminationDate: left } : {}),
      positions: [{ id: `P${i}`, title: `Title ${i % 50}`, jobProfile: `Profile ${i % 30}`, organization: department, organizationId: `SUP-${department}`, costCenter: `CC-${100 + (i % 8)}`, costCenterId: `CC-${100 + (i % 8)}`, company: 'Acme Inc.', location: 'Berlin', ...(i >= 8 ? { managerId: employeeId(Math.floor(i / 8)) } : {}), primary: true }],
    });
  }
  return emulator;
}

/**
 * `count` workers spread over the population get a new title: one transaction each, a second apart,
 * ending 20 s ago — inside the next delta's window (the last read's signpost less the 5-minute overlap, to now).
 */
export function changeWorkers(emulator: WorkdayEmulator, count: number, round: number): number {
  emulator.setClock(new Date(Date.now() - (count + 20) * 1000).toISOString());
  const step = Math.max(1, Math.floor(emulator.workers.length / count));
  let changed = 0;
  for (let i = step - 1; i < emulator.workers.length && changed < count; i += step) {
    emulator.change(emulator.workers[i]!.employeeId, (w: WorkdayWorker) => (w.positions[0]!.title = `${w.positions[0]!.title} (v${round})`));
    changed++;
  }
  return changed;
}

/** One full import in this process: workers read and seconds. */
export async function connectorImport(info: EmulatorInfo): Promise<{ objects: number; seconds: number }> {
  setLogDestination(new Writable({ write: (_chunk, _encoding, callback) => callback() }), 'info');
  const connector = createWorkdayConnector(
    connectorContext('workday', 'workday', { connection: { baseUrl: info.baseUrl, auth: { type: 'basic', username: info.username, password: '{{secret:p}}' } }, objectTypes: { worker: { report: info.report, prompts: { Include_Future_Hires: '1' } } } }, { p: info.password }),
  );
  const started = process.hrtime.bigint();
  let objects = 0;
  try {
    for await (const batch of connector.fullImport('worker') as AsyncIterable<ImportBatch>) objects += batch.objects.length;
  } finally {
    await connector.close();
  }
  return { objects, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
