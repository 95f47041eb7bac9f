import { execFile, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, ftruncateSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve('bin/imesh.js');

function imesh(args: string[], cwd = process.cwd()): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function imeshAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => {
      done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  if (!existsSync('dist/cli/validate.js')) throw new Error('dist/ is missing: run npm run build (npm test does it first)');
});

describe('imesh validate', () => {
  it.each(['samples/quickstart', 'samples/ad-hr-sql'])('exits 0 for %s, printing nothing on stdout', (dir) => {
    const result = imesh(['validate', '--config', dir]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${dir}: valid\n`);
    expect(result.status).toBe(0);
  });

  it('defaults --config to the working directory', () => {
    expect(imesh(['validate'], resolve('samples/ad-hr-sql')).status).toBe(0);
    expect(imesh(['validate'], resolve('samples/invalid/empty-repo')).status).toBe(1);
  });

  it.concurrent.each(readdirSync('samples/invalid').sort())('exits 1 for samples/invalid/%s with file:line:column messages on stdout', async (name) => {
    const dir = join('samples/invalid', name);
    const expected = readFileSync(join(dir, 'expected.txt'), 'utf8').split('\n').filter(Boolean);
    const result = await imeshAsync(['validate', '--config', dir]);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(expected.length);
    expected.forEach((prefix, i) => expect(lines[i]?.startsWith(prefix), `${lines[i]} should start with ${prefix}`).toBe(true));
    expect(result.stderr).toBe(`${dir}: invalid, ${expected.length} problem${expected.length === 1 ? '' : 's'}\n`);
    expect(result.status).toBe(1);
  });

  it('keeps --format json JSON when mesh.yaml is not UTF-8 or is UTF-16, naming the file and offset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imesh-validate-utf-'));
    try {
      cpSync('samples/quickstart', dir, { recursive: true });
      const mesh = readFileSync(join(dir, 'mesh.yaml'));
      for (const [bytes, message] of [
        [Buffer.concat([mesh, Buffer.from([0xff])]), /^file is not valid UTF-8 \(byte 0xff at offset \d+\)/],
        [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(mesh.toString('utf8'), 'utf16le')]), /^file is UTF-16 \(byte-order mark FF FE/],
      ] as const) {
        writeFileSync(join(dir, 'mesh.yaml'), bytes);
        const result = imesh(['validate', '--config', dir, '--format', 'json']);
        expect(result.status, result.stderr).toBe(1);
        const report = JSON.parse(result.stdout) as { valid: boolean; problems: { file: string; line: number; column: number; message: string }[] };
        expect(report.valid).toBe(false);
        expect(report.problems).toEqual([{ file: 'mesh.yaml', line: expect.any(Number), column: expect.any(Number), message: expect.stringMatching(message) }]);
        expect(result.stderr).not.toContain('compileModel');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints { valid, problems } with --format json', () => {
    const invalid = imesh(['validate', '--config', 'samples/invalid/unknown-key', '--format', 'json']);
    expect(invalid.status).toBe(1);
    expect(JSON.parse(invalid.stdout)).toEqual({
      valid: false,
      problems: [
        {
          file: 'connectors.yaml',
          line: 22,
          column: 7,
          message: 'unknown key "externalIdColum" in spec.objectTypes.account (did you mean "externalIdColumn"?)',
          key: 'spec.objectTypes.account.externalIdColum',
        },
      ],
      notes: [],
    });
    const valid = imesh(['validate', '--config', 'samples/ad-hr-sql', '--format', 'json']);
    expect(valid.status).toBe(0);
    expect(JSON.parse(valid.stdout)).toEqual({ valid: true, problems: [], notes: [] });
  });

  it('notes a declared object type nothing reads, on stderr or in notes, never among problems', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imesh-validate-notes-'));
    try {
      cpSync('samples/ad-hr-sql', dir, { recursive: true });
      const okta = 'apiVersion: identitymesh.dev/v1alpha1\nkind: Connector\nmetadata: { name: okta }\nspec:\n  type: okta\n  connection: { orgUrl: contoso.okta.com, apiToken: "{{secret:okta-token}}" }\n  objectTypes: { user: {}, membership: {} }\n';
      writeFileSync(join(dir, 'okta.yaml'), okta);
      const text = imesh(['validate', '--config', dir]);
      expect(text.status).toBe(0);
      expect(text.stdout).toBe('');
      const note = 'is declared but no flow rule reads it and no projection writes it; it is imported (and counted by status) all the same';
      expect(text.stderr.split('\n').filter((l) => l.includes(': note: '))).toEqual([
        expect.stringContaining(`okta.yaml:3:19: note: okta/user ${note}`),
        expect.stringContaining(`okta.yaml:3:19: note: okta/membership ${note}`),
      ]);
      expect(text.stderr).toContain(`${dir}: valid\n`);
      const json = JSON.parse(imesh(['validate', '--config', dir, '--format', 'json']).stdout) as { valid: boolean; problems: unknown[]; notes: { file: string; message: string }[] };
      expect(json.valid).toBe(true);
      expect(json.problems).toEqual([]);
      expect(json.notes.map((n) => `${n.file} ${n.message.slice(0, 20)}`)).toEqual(['okta.yaml okta/user is declare', 'okta.yaml okta/membership is d']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains its flags and exit codes, and refuses bad usage', () => {
    const help = imesh(['validate', '--help']);
    expect(help.status).toBe(0);
    for (const text of ['--config DIR', '--format', 'text', 'json', '0  the config is valid', '1  the config is invalid']) expect(help.stdout).toContain(text);
    const bad = imesh(['validate', '--format', 'xml']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--format takes text or json, not "xml"');
    expect(imesh(['validate', '--bogus']).status).toBe(1);
  });

  describe('with a 50 MB file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imesh-cli-big-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('exits 1 quickly, naming the file', () => {
      cpSync('samples/ad-hr-sql', dir, { recursive: true });
      const fd = openSync(join(dir, 'big.yml'), 'w');
      ftruncateSync(fd, 50 * 1024 * 1024);
      closeSync(fd);
      const started = Date.now();
      const result = imesh(['validate', '--config', dir]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(result.stdout).toBe('big.yml:1:1: file is 50 MiB; config files may be at most 1 MiB (not read)\n');
      expect(result.status).toBe(1);
    });
  });
});
