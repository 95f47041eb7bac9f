/**
 * The csv file attacks of issue 14 performed through the CLI: a config change must not make `check`,
 * `plan` or `reconcile` print a file's contents (the environment with every IMESH_SECRET_ value), write
 * through a symlink into the HR source, hang on a FIFO, or write outside the roots.
 */
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve('bin/imesh.js');
const SECRET = 'probe-7c1e9b-never-printed';
const root = mkdtempSync(join(tmpdir(), 'imesh-csv-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync('dist/cli/main.js')) throw new Error('dist/ is missing: run npm run build (npm test does it first)');
});

function imesh(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, IMESH_LOG_LEVEL: 'warn', IMESH_SECRET_AD_PASSWORD: SECRET },
  });
  return { status: result.status, signal: result.signal, output: `${result.stdout}\n${result.stderr}`, stdout: result.stdout, stderr: result.stderr };
}

/** A copy of the quickstart under `<case>/config`, the case folder being the working directory. */
function quickstart(name: string): { cwd: string; config: string } {
  const cwd = join(root, name);
  const config = join(cwd, 'config');
  cpSync(resolve('samples/quickstart'), config, { recursive: true });
  return { cwd, config };
}

function setHrFile(config: string, replacement: string): void {
  const path = join(config, 'connectors.yaml');
  writeFileSync(path, readFileSync(path, 'utf8').replace(/file: data\/hr\.csv\n\s+externalIdColumn: employee_id/, replacement));
}

describe('csv files through the CLI', () => {
  it('validate refuses a target path that climbs to / with .., naming file, line and column', () => {
    const { cwd, config } = quickstart('traversal');
    const path = join(config, 'connectors.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('file: ../exports/phonebook.csv', 'file: ../../../../../../../../../../etc/x'));
    const result = imesh(cwd, 'validate', '--config', 'config');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^connectors\.yaml:\d+:\d+: objectTypes\.entry\.file "(\.\.\/)+etc\/x" climbs with \.\. to the file system's root/m);
  }, 120_000);

  it('validate refuses /proc/self/environ; check and plan refuse a file outside the roots without printing it', () => {
    const { cwd, config } = quickstart('environ');
    setHrFile(config, 'file: /proc/self/environ\n      externalIdColumn: zzz\n      delimiter: "\\0"');
    const validate = imesh(cwd, 'validate', '--config', 'config');
    expect(validate.status).toBe(1);
    expect(validate.stdout).toMatch(/connectors\.yaml:\d+:\d+: objectTypes\.user\.file "\/proc\/self\/environ" is on a kernel file system/);
    expect(validate.output).not.toContain(SECRET);

    // The same leak through a copy of the environment in a file outside every root.
    const dump = join(root, 'outside');
    mkdirSync(dump, { recursive: true });
    writeFileSync(join(dump, 'env.csv'), `${Object.entries({ ...process.env, IMESH_SECRET_AD_PASSWORD: SECRET }).map(([k, v]) => `${k}=${v}`).join('\0')}\n`);
    const path = join(config, 'connectors.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('file: /proc/self/environ', `file: ${join(dump, 'env.csv')}`));
    for (const verb of ['check', 'plan']) {
      const result = imesh(cwd, verb, '--config', 'config');
      expect(result.status, result.output).toBe(1);
      expect(result.output).toMatch(/is outside the allowed roots/);
      expect(result.output).not.toContain(SECRET);
    }
    // Named as a data root, the file is read, but the missing-column error lists bounded names only.
    const named = imesh(cwd, 'check', '--config', 'config', '--data-root', dump);
    expect(named.status).toBe(1);
    expect(named.output).toMatch(/the header has no column "zzz"/);
    expect(named.output).toMatch(/and \d+ more \(\d+ columns\)/);
    expect(named.output).not.toContain(SECRET);
  }, 600_000);

  it('reconcile neither hangs on a FIFO nor writes through a symlink into the HR source', () => {
    const { cwd, config } = quickstart('symlink');
    const hr = join(config, 'data/hr.csv');
    const before = readFileSync(hr, 'utf8');
    const badges = join(config, 'data/badges.csv');
    const badgesCsv = readFileSync(badges, 'utf8');
    unlinkSync(badges);
    execFileSync('mkfifo', [badges]);
    const fifo = imesh(cwd, 'reconcile', '--config', 'config');
    expect(fifo.signal).toBeNull(); // it ended by itself
    expect(fifo.status, fifo.output).toBe(1);
    expect(fifo.stderr).toMatch(/FAILED: badges \(import\): .*FIFO \(named pipe\), not a regular file/);

    unlinkSync(badges);
    writeFileSync(badges, badgesCsv);
    mkdirSync(join(cwd, 'exports'), { recursive: true });
    rmSync(join(cwd, 'exports/phonebook.csv'), { force: true }); // the first run may have written it
    symlinkSync(hr, join(cwd, 'exports/phonebook.csv')); // the phone book "is" the HR file
    const result = imesh(cwd, 'reconcile', '--config', 'config');
    expect(result.status, result.output).toBe(1); // the phone book's exports failed (TargetInsideConfig)
    expect(result.stdout).toMatch(/\d+ failed/);
    expect(readFileSync(hr, 'utf8')).toBe(before);
  }, 600_000);

  it('a formula in an HR cell reaches the phone book neutralised, and the next full reconcile sees no drift and exports nothing', () => {
    const { cwd, config } = quickstart('formulas');
    const hr = join(config, 'data/hr.csv');
    const titles: Record<string, string> = { E1001: '"=HYPERLINK(""http://evil.example"",""x"")"', E1002: "+cmd|' /C calc'!A0", E1003: '@SUM(1+1)', E1004: "-2+3+cmd|' /C calc'!A0" };
    writeFileSync(hr, readFileSync(hr, 'utf8').split('\n').map((line) => {
      const id = line.split(',')[0]!;
      if (!titles[id]) return line;
      const cells = line.split(',');
      cells[5] = titles[id]!;
      return cells.join(',');
    }).join('\n'));
    const first = imesh(cwd, 'reconcile', '--config', 'config');
    expect(first.status, first.output).toBe(0);
    const phonebook = readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8');
    expect(phonebook).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(phonebook).toContain(`,'+cmd|' /C calc'!A0`);
    expect(phonebook).toContain(`,'@SUM(1+1)`);
    expect(phonebook).toContain(`,'-2+3+cmd|' /C calc'!A0`);
    const second = imesh(cwd, 'reconcile', '--config', 'config', '--full');
    expect(second.status, second.output).toBe(0);
    expect(second.stdout).toMatch(/nothing to export/);
    expect(second.stdout).toMatch(/drift: 0/);
    expect(readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8')).toBe(phonebook);
  }, 600_000);

  it('an invalid boolean and a NUL byte in HR hold back those two people only, reported with file, line and column; exit 0', () => {
    const { cwd, config } = quickstart('held-back');
    const first = imesh(cwd, 'reconcile', '--config', 'config');
    expect(first.status, first.output).toBe(0);
    const phonebook = readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8');
    const hr = join(config, 'data/hr.csv');
    const lines = readFileSync(hr, 'utf8').split('\n');
    const e1001 = lines.findIndex((line) => line.startsWith('E1001,'));
    const e1002 = lines.findIndex((line) => line.startsWith('E1002,'));
    lines[e1001] = lines[e1001]!.replace(/,true$/, ',maybe');
    lines[e1002] = lines[e1002]!.replace('Grace', 'Gra\0ce');
    writeFileSync(hr, lines.join('\n'));
    const second = imesh(cwd, 'reconcile', '--config', 'config');
    expect(second.status, second.output).toBe(0); // held back objects alone are reported, not failures (DESIGN §5)
    expect(second.stdout).toMatch(/2 heldBack/);
    expect(readFileSync(join(cwd, 'exports/phonebook.csv'), 'utf8')).toBe(phonebook); // nobody was deleted or changed
    const conflicts = JSON.parse(readFileSync(join(cwd, '.imesh/reports/conflicts.json'), 'utf8')).conflicts as { kind: string; object: string; reason: string }[];
    const held = conflicts.filter((c) => c.kind === 'heldBack');
    expect(held).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ object: 'hr/user/E1001', reason: expect.stringMatching(new RegExp(`data/hr\\.csv: line ${e1001 + 1}, column 7 \\("active"\\): "maybe" is not a boolean`)) }),
        expect.objectContaining({ object: 'hr/user/E1002', reason: expect.stringMatching(new RegExp(`data/hr\\.csv: line ${e1002 + 1}, column 2 \\("first_name"\\): the cell contains a NUL character`)) }),
      ]),
    );
  }, 600_000);
});
