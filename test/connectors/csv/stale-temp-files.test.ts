/** A killed export's temporary file is removed by the next rewrite of the same file (issue 14). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectorFactory } from '../../../src/connectors/registry.js';
import { testContext } from '../sql/test-context.js';

const root = mkdtempSync(join(tmpdir(), 'imesh-csv-temp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('stale temporary files', () => {
  it('removes only this file’s temporary files of processes that are gone', async () => {
    const config = join(root, 'config');
    const out = join(root, 'out');
    mkdirSync(config, { recursive: true });
    mkdirSync(out, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!; // a process that has ended
    const names = {
      stale: `.phonebook.csv.${dead}.0a1b2c3d.tmp`,
      alive: `.phonebook.csv.${process.ppid}.0a1b2c3d.tmp`, // our parent still runs
      otherFile: `.badges.csv.${dead}.0a1b2c3d.tmp`,
      notOurNaming: `.phonebook.csv.${dead}.backup.tmp`,
      userFile: `phonebook.csv.${dead}.0a1b2c3d.tmp`,
    };
    for (const name of Object.values(names)) writeFileSync(join(out, name), 'partial');
    const context = testContext({ name: 'phonebook', type: 'csv', spec: { type: 'csv', objectTypes: { entry: { file: '../out/phonebook.csv', externalIdColumn: 'id' } } }, configPath: config, workDir: root });
    const connector = await connectorFactory('csv')(context);
    const results = await connector.export('entry', [{ id: '1', op: 'create', key: 'A', attributes: { id: 'A' } }]);
    expect(results[0]).toMatchObject({ ok: true });
    expect(existsSync(join(out, names.stale))).toBe(false);
    for (const name of [names.alive, names.otherFile, names.notOurNaming, names.userFile]) expect(existsSync(join(out, name)), name).toBe(true);
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp') && name.includes(`.${process.pid}.`))).toEqual([]);
  });
});
