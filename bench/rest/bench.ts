/**
 * The rest connector against the local REST emulator: N users (default 10,000) imported once per
 * pagination style, pages of 200, a bearer token, `latencyMs` (default 10) added to every response.
 * A list is a cursor walk (each page names the next), so a style's cost is pages × round trip plus the
 * mapping; the table reports objects/s and requests per style.
 */
import { Writable } from 'node:stream';
import { createRestConnector } from '../../src/connectors/rest/rest-connector.js';
import type { ImportBatch } from '../../src/connectors/sdk.js';
import { setLogDestination } from '../../src/shared/logger.js';
import { RestEmulator } from '../../test/emulators/rest-emulator.js';
import { connectorContext } from '../../test/emulators/test-support.js';

const PAGE = 200;

const STYLES: Record<string, Record<string, unknown>> = {
  link: { path: '/link/users', pagination: { style: 'link', limitParam: 'limit' } },
  cursor: { path: '/cursor/users', items: '/data', pagination: { style: 'cursor', limitParam: 'limit', cursor: '/meta/next_cursor', param: 'cursor' } },
  offset: { path: '/offset/users', items: '/items', pagination: { style: 'offset', total: '/total' } },
  page: { path: '/page/users', items: '/results', pagination: { style: 'page', limitParam: 'per_page' } },
};

async function drain(batches: AsyncIterable<ImportBatch>): Promise<number> {
  let objects = 0;
  for await (const batch of batches) objects += batch.objects.length;
  return objects;
}

export async function main(args: readonly string[]): Promise<void> {
  const users = Number(args[0] ?? 10_000);
  const latencyMs = Number(args[1] ?? 10);
  setLogDestination(new Writable({ write: (_chunk, _encoding, callback) => callback() }), 'info');
  const api = await new RestEmulator({ auth: 'bearer', latencyMs }).start();
  for (let i = 1; i <= users; i++) {
    api.addUser({ userName: `user${i}`, email: `user${i}@example.test`, name: { given: `Given${i}`, family: `Family${i}` }, department: `Dept${i % 40}`, groups: [{ id: 'g1', name: 'staff' }] });
  }
  console.log(`rest connector: ${users} users per style, pages of ${PAGE}, ${latencyMs} ms latency per response, Node ${process.version}`);
  console.log('| style  | objects |   time   | objects/s | requests |');
  console.log('|--------|---------|----------|-----------|----------|');
  try {
    // One untimed pass first, so the first style measured does not pay for the JIT warm-up.
    for (const [style, list] of [['warm-up', STYLES.cursor!] as const, ...Object.entries(STYLES)]) {
      const connector = createRestConnector(
        connectorContext('bench', 'rest', {
          connection: { baseUrl: `${api.url}/api`, auth: { type: 'bearer', token: '{{secret:token}}' }, pageSize: PAGE },
          objectTypes: { user: { list, externalId: '/id', attributes: { userName: '/userName', email: '/email', givenName: '/name/given', familyName: '/name/family', department: '/department', groups: '/groups/*/name' }, enabled: { pointer: '/active' } } },
        }, { token: api.bearer }),
      );
      const requests = api.requests;
      const started = process.hrtime.bigint();
      const objects = await drain(connector.fullImport('user'));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await connector.close();
      if (objects !== users) throw new Error(`${style}: imported ${objects} of ${users}`);
      if (style === 'warm-up') continue;
      console.log(`| ${style.padEnd(6)} | ${String(objects).padStart(7)} | ${seconds.toFixed(2).padStart(6)} s | ${Math.round(objects / seconds).toString().padStart(9)} | ${String(api.requests - requests).padStart(8)} |`);
    }
  } finally {
    await api.close();
  }
}
