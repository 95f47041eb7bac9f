import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const imesh = resolve('bin/imesh.js');
const cwd = mkdtempSync(join(tmpdir(), 'imesh-quickstart-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function quickstart() {
  // EDITOR is set on most workstations; the Git layer must not trip over it.
  return spawnSync(process.execPath, [imesh, 'quickstart'], { cwd, encoding: 'utf8', env: { ...process.env, EDITOR: 'vi', IMESH_LOG_LEVEL: 'warn' } });
}

describe('the quickstart (npm start)', () => {
  it('reconciles the sample into both targets, reports to Git, and has nothing to do the second time', () => {
    const first = quickstart();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('config copied to .imesh/quickstart/config');
    // The phone book does not exist before the first export: normal, never a warning (issue 18).
    expect(first.stderr).not.toContain('csv-file-missing');
    expect(first.stdout).toMatch(/succeeded: 18 imported change\(s\); 22 created/);
    expect(first.stdout).toMatch(/conflicts: 1 \(attribute displayName\)/);

    const phonebook = readFileSync(join(cwd, '.imesh/quickstart/exports/phonebook.csv'), 'utf8').trim().split('\n');
    expect(phonebook[0]).toBe('employee_id,name,email,department,title,phone');
    expect(phonebook).toHaveLength(12); // 11 active people; the leaver E1012 is not there
    expect(phonebook.some((line) => line.startsWith('E1012,'))).toBe(false);
    expect(phonebook.find((line) => line.startsWith('E1005,'))).toContain('Bob Noyce'); // the tie, decided by rule name

    const config = join(cwd, '.imesh/quickstart/config');
    const git = (...args: string[]) => execFileSync('git', ['-C', config, ...args], { encoding: 'utf8' });
    expect(git('log', '--format=%s', 'identity-mesh/status')).toMatch(/^reports: /);
    expect(git('show', 'identity-mesh/status:reports/conflicts.json')).toContain('"displayName"');
    expect(git('status', '--porcelain')).toBe('');
    expect(git('rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');

    const second = quickstart();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('Nothing to do: every target already matches the mesh.');

    // Everything under .imesh/ (the store, the embedded apps database, PGlite's own files, the config
    // repository, the export) is private: folders 0700, files 0600.
    const modes = new Map<string, string[]>();
    const walk = (path: string): void => {
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) return;
      const mode = `${stats.isDirectory() ? 'dir' : 'file'} ${(stats.mode & 0o777).toString(8)}`;
      modes.set(mode, [...(modes.get(mode) ?? []), path]);
      if (stats.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    };
    walk(join(cwd, '.imesh'));
    expect([...modes.keys()].sort()).toEqual(['dir 700', 'file 600']);
    expect(modes.get('file 600')!.some((p) => p.includes('/.imesh/state/'))).toBe(true);
    expect(modes.get('file 600')!.some((p) => p.includes('/.imesh/quickstart/apps/'))).toBe(true);
  });
});
