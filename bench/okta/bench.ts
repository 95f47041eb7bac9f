/**
 * The Okta connector against the Okta emulator: 50,000 users, 2,000 groups and their memberships, pages
 * of 200, 20 ms of latency per page, a rate limit per endpoint family (answered with 429 past it) and a
 * concurrent-request limit. Reports objects/s, requests made, 429s seen and the pacing waits taken.
 *
 * Two runs over a fresh connector each: the engine's order (user, then group, then membership), and the
 * three lists walked at once (they share the connector's budget of 8 requests in flight).
 */
import { Writable } from 'node:stream';
import { createOktaConnector, OktaConnector } from '../../src/connectors/okta/okta-connector.js';
import type { ImportBatch } from '../../src/connectors/sdk.js';
import { setLogDestination } from '../../src/shared/logger.js';
import { OktaEmulator } from '../../test/emulators/okta-emulator.js';
import { connectorContext } from '../../test/emulators/test-support.js';

const LATENCY_MS = 20;
const RATE = { limit: 100, windowMs: 1000 };
const CONCURRENT_LIMIT = 15;

async function drain(batches: AsyncIterable<ImportBatch>): Promise<number> {
  let objects = 0;
  for await (const batch of batches) objects += batch.objects.length;
  return objects;
}

interface Row {
  readonly what: string;
  readonly objects: number;
  readonly seconds: number;
  readonly requests: number;
  readonly throttled: number;
}

async function timed(okta: OktaEmulator, what: string, work: () => Promise<number>): Promise<Row> {
  const requests = okta.requests;
  const throttled = okta.throttled;
  const started = process.hrtime.bigint();
  const objects = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { what, objects, seconds, requests: okta.requests - requests, throttled: okta.throttled - throttled };
}

function print(rows: readonly Row[]): void {
  const line = (r: Row) =>
    `| ${r.what.padEnd(34)} | ${String(r.objects).padStart(7)} | ${r.seconds.toFixed(2).padStart(6)} s | ${Math.round(r.objects / r.seconds).toString().padStart(8)} | ${String(r.requests).padStart(8)} | ${String(r.throttled).padStart(4)} |`;
  console.log('| run                                | objects |   time    | objects/s | requests |  429 |');
  console.log('|------------------------------------|---------|-----------|----------|----------|------|');
  for (const row of rows) console.log(line(row));
}

export async function main(args: readonly string[]): Promise<void> {
  const userCount = Number(args[0] ?? 50_000);
  const groupCount = Number(args[1] ?? 2_000);
  // Log lines (rate-limit pacing, import summaries) are counted, not printed.
  let logLines = 0;
  setLogDestination(new Writable({ write: (_chunk, _encoding, callback) => { logLines++; callback(); } }), 'info');

  const okta = await new OktaEmulator({ latencyMs: LATENCY_MS, rateLimit: RATE, concurrentLimit: CONCURRENT_LIMIT }).start();
  const seedStarted = Date.now();
  const at = '2025-01-06T09:00:00.000Z';
  const users: string[] = [];
  for (let i = 0; i < userCount; i++) {
    users.push(okta.addUser({ firstName: `First${i}`, lastName: `Last${i}`, email: `user${i}@bench.test`, login: `user${i}@bench.test`, department: `Dept${i % 40}`, title: 'Engineer', employeeNumber: `E${i}`, userType: 'Employee' }, { at }).id);
  }
  // Most groups are small; every 100th is large (1,000 members, five member pages).
  let memberships = 0;
  for (let g = 0; g < groupCount; g++) {
    const group = okta.addGroup(`Group ${g}`, `Bench group ${g}`, at);
    const size = g % 100 === 0 ? 1000 : 20;
    for (let k = 0; k < size; k++) okta.addMember(group.id, users[(g * 37 + k * 101) % users.length]!, at);
    memberships += size;
  }
  console.log(`Okta emulator: ${userCount} users, ${groupCount} groups, ${memberships} memberships (seeded in ${Date.now() - seedStarted} ms)`);
  console.log(`latency ${LATENCY_MS} ms per request, rate limit ${RATE.limit} requests per ${RATE.windowMs / 1000} s per endpoint family, ${CONCURRENT_LIMIT} requests in flight at most; pages of 200; connector budget 8 in flight`);
  console.log('');

  const open = () =>
    createOktaConnector(
      connectorContext('okta', 'okta', { connection: { orgUrl: okta.url, apiToken: '{{secret:okta-token}}', pageSize: 200 }, objectTypes: { user: {}, group: {}, membership: {} } }, { 'okta-token': okta.token }),
    ) as OktaConnector;

  const rows: Row[] = [];
  const sequential = open();
  const total = await timed(okta, 'engine order: user, group, membership', async () => {
    let objects = 0;
    for (const type of ['user', 'group', 'membership'] as const) {
      const row = await timed(okta, `  ${type}`, () => drain(sequential.fullImport(type)));
      rows.push(row);
      objects += row.objects;
    }
    return objects;
  });
  rows.push(total);
  const sequentialStats = sequential.stats();
  await sequential.close();

  const concurrent = open();
  rows.push(
    await timed(okta, 'all three lists at once', async () => {
      const counts = await Promise.all((['user', 'group', 'membership'] as const).map((type) => drain(concurrent.fullImport(type))));
      return counts.reduce((a, b) => a + b, 0);
    }),
  );
  const concurrentStats = concurrent.stats();
  await concurrent.close();

  // The same membership walk with the rate limit lifted: what the budget of 8 in flight alone allows.
  okta.options = { latencyMs: LATENCY_MS, concurrentLimit: CONCURRENT_LIMIT };
  const unlimited = open();
  rows.push(await timed(okta, 'membership, rate limit lifted', () => drain(unlimited.fullImport('membership'))));
  await unlimited.close();
  await okta.close();

  print(rows);
  console.log('');
  console.log(`pacing waits (rate-limit window spent, waited for reset): engine order ${sequentialStats.pacedWaits}, at once ${concurrentStats.pacedWaits}; retries ${sequentialStats.retries + concurrentStats.retries}; emulator peak in flight ${okta.maxInFlight}; log lines ${logLines}`);
  console.log(JSON.stringify({ users: userCount, groups: groupCount, memberships, rows, sequentialStats, concurrentStats, peakInFlight: okta.maxInFlight }));
}
