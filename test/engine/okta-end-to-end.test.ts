/**
 * Okta through the engine, end to end: the real okta connector against the Okta emulator → mesh people
 * and groups (memberships through the `membership:` form) → a csv target; then a deprovisioned user.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorOpener } from '../../src/cli/runtime.js';
import { runCycle } from '../../src/engine/cycle.js';
import { explain } from '../../src/engine/explain.js';
import { logger } from '../../src/shared/logger.js';
import type { Db } from '../../src/store/db.js';
import { OktaEmulator } from '../emulators/okta-emulator.js';
import { configText, csvConnector, flowRule, mesh, oktaConnector, oktaMemberships, projection, references } from '../fixtures/config-yaml.js';
import { compile } from './harness.js';
import { openTestStore } from './test-store.js';

const OLD = '2026-01-01T00:00:00.000Z';
let okta: OktaEmulator;
let db: Db;
const dir = mkdtempSync(join(tmpdir(), 'imesh-okta-e2e-'));

beforeAll(async () => {
  okta = await new OktaEmulator().start();
  process.env.IMESH_SECRET_OKTA_TOKEN = okta.token;
  db = await openTestStore(dir);
});
afterAll(async () => {
  await db.close();
  await okta.close();
  delete process.env.IMESH_SECRET_OKTA_TOKEN;
  rmSync(dir, { recursive: true, force: true });
});

const yaml = (url: string) =>
  configText(
    // one leaver of three is 33 %
    mesh(
      { person: { email: 'string', firstName: 'string', active: 'boolean' }, group: { name: 'string', members: references('person') } },
      { name: 'okta-e2e', safety: { maxDeletes: 5, maxDeletePercent: 50 } },
    ),
    oktaConnector('okta', url, { pageSize: 2 }),
    csvConnector('people-file', { person: { file: join(dir, 'out/people.csv'), externalIdColumn: 'email' } }),
    flowRule('okta-users', {
      source: 'okta/user',
      join: { email: 'email' },
      provision: true,
      attributes: { email: ['email', 90], firstName: ['firstName', 90], active: ['accountEnabled', 100] },
    }),
    flowRule('okta-groups', { source: 'okta/group', meshType: 'group', join: { name: 'name' }, provision: true, attributes: { name: ['name', 80] } }),
    oktaMemberships(),
    projection('people-to-file', {
      target: 'people-file/person',
      before: { scope: { attribute: 'active', equals: true } },
      attributes: { email: '{{email}}', first_name: '{{firstName}}' },
      after: { onRemove: 'delete' },
    }),
  );


describe('okta → mesh → csv', () => {
  it('imports users, groups and memberships, projects people, and follows a deprovisioned user', async () => {
    const ada = okta.addUser({ firstName: 'Ada', lastName: 'L', email: 'ada@contoso.test', login: 'ada@contoso.test' }, { at: OLD });
    const bob = okta.addUser({ firstName: 'Bob', lastName: 'M', email: 'bob@contoso.test', login: 'bob@contoso.test' }, { at: OLD });
    okta.addUser({ firstName: 'Cy', lastName: 'N', email: 'cy@contoso.test', login: 'cy@contoso.test' }, { at: OLD });
    const eng = okta.addGroup('Engineering', 'Builds things', OLD);
    okta.addMember(eng.id, ada.id, OLD);
    okta.addMember(eng.id, bob.id, OLD);

    const config = await compile(yaml(okta.url));
    const cycle = (kind: 'full' | 'delta') => runCycle(db, config, { kind, mode: 'reconcile', revision: 'test', log: logger(), openConnector: connectorOpener(config, logger(), undefined, [dir]) });
    const first = await cycle('full');
    expect(first.result, JSON.stringify(first.failures)).toBe('succeeded');
    expect(readFileSync(join(dir, 'out/people.csv'), 'utf8').trim().split('\n').sort()).toEqual(['ada@contoso.test,Ada', 'bob@contoso.test,Bob', 'cy@contoso.test,Cy', 'email,first_name']);

    const group = await explain(db, config, 'group', 'Engineering', 'members');
    expect(group.attributes[0]?.winner.rule).toBe('okta-memberships');
    const adaMesh = await explain(db, config, 'person', 'ada@contoso.test');
    const bobMesh = await explain(db, config, 'person', 'bob@contoso.test');
    expect([...(group.attributes[0]?.value as string[])].sort()).toEqual([adaMesh.id, bobMesh.id].sort());

    okta.setStatus(bob.id, 'DEPROVISIONED');
    const second = await cycle('delta');
    expect(second.result, JSON.stringify(second.failures)).toBe('succeeded');
    expect(readFileSync(join(dir, 'out/people.csv'), 'utf8')).not.toContain('bob@contoso.test');
    const after = await explain(db, config, 'group', 'Engineering', 'members');
    expect(after.attributes[0]?.value).toEqual([adaMesh.id]);
  });
});

