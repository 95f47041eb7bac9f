import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { decodeUtf8 } from '../../src/config/loader.js';
import { APPS, APPS_PROJECTION, HR, HR_FLOW, MESH } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'imesh-loader-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, content: string | Uint8Array): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), content);
}

describe('the loader', () => {
  it('reads *.yaml and *.yml below the config path, several documents per file, with paths relative to it', async () => {
    write('mesh.yml', '# the mesh\n' + MESH);
    write('connectors/all.yaml', `${HR}---\n${APPS}`);
    write('rules/deep/flows.YAML', HR_FLOW);
    write('rules/deep/projection.yaml', '---\n' + edit(APPS_PROJECTION));
    write('README.md', '# not config');
    write('data/hr.csv', 'employee_id\n');
    const { config, problems, files } = await loadConfig(dir);
    expect(problems).toEqual([]);
    expect(files.map((f) => f.path)).toEqual(['connectors/all.yaml', 'mesh.yml', 'rules/deep/flows.YAML', 'rules/deep/projection.yaml']);
    expect(config?.connectors.size).toBe(2);
    expect(config?.configPath).toBe(dir);
    expect(config?.connectors.get('apps')?.location).toEqual({ file: 'connectors/all.yaml', line: 11, column: 19 });
  });

  it('skips dot-files and dot-folders (.github, .gitlab-ci.yml, .imesh)', async () => {
    write('config.yaml', [MESH, HR, HR_FLOW].join('---\n'));
    write('.github/workflows/ci.yml', 'on: push\njobs: {}\n');
    write('.gitlab-ci.yml', 'stages: [test]\n');
    write('.imesh/state/x.yaml', 'garbage: [\n');
    const { problems, files } = await loadConfig(dir);
    expect(problems).toEqual([]);
    expect(files.map((f) => f.path)).toEqual(['config.yaml']);
  });

  it('refuses other YAML inside the config path with a clear message', async () => {
    write('config.yaml', [MESH, HR, HR_FLOW].join('---\n'));
    write('ci/pipeline.yaml', 'on: push\njobs: {}\n');
    const { problems } = await loadConfig(dir);
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual([
      'ci/pipeline.yaml:1:1: missing key "apiVersion" (expected apiVersion: identitymesh.dev/v1alpha1)',
    ]);
  });

  it('ignores empty and comment-only documents and a UTF-8 byte order mark', async () => {
    write('config.yaml', '\uFEFF# config\n---\n# nothing here\n---\n' + [MESH, HR, HR_FLOW].join('---\n') + '---\n');
    expect((await loadConfig(dir)).problems).toEqual([]);
  });

  it('says so when the path does not exist or holds no documents', async () => {
    expect((await loadConfig(join(dir, 'nope'))).problems[0]?.message).toMatch(/does not exist/);
    write('empty.yaml', '# only a comment\n');
    expect((await loadConfig(dir)).problems[0]?.message).toMatch(/^no config documents/);
  });

  it('locates the first byte that is not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('a: 1\nb: "x'), Buffer.from([0xff]), Buffer.from('"\n')]);
    expect(decodeUtf8(bytes)).toEqual({ error: { line: 2, column: 6, message: 'file is not valid UTF-8 (byte 0xff at offset 10); save it as UTF-8' } });
    expect(decodeUtf8(Buffer.from([0x61, 0xc3]))).toMatchObject({ error: { line: 1, column: 2 } });
    expect(decodeUtf8(Buffer.from('é漢😀'))).toEqual({ text: 'é漢😀' });
  });

  it('names the file and offset when the Mesh itself is not UTF-8 or is UTF-16, and compiles nothing', async () => {
    write('connectors.yaml', [HR, APPS].join('---\n'));
    write('flows.yaml', HR_FLOW);
    write('mesh.yaml', Buffer.concat([Buffer.from(MESH.replace('name: corp', 'name: caf')), Buffer.from([0xe9])]));
    const latin1 = await loadConfig(dir);
    expect(latin1.config).toBeUndefined();
    expect(latin1.problems).toEqual([{ file: 'mesh.yaml', line: expect.any(Number), column: expect.any(Number), message: expect.stringMatching(/^file is not valid UTF-8 \(byte 0xe9 at offset \d+\); save it as UTF-8$/) }]);
    // The invalid revision's files still include the unreadable one, so its hash changes when it does.
    expect(latin1.files.map((f) => f.path)).toEqual(['connectors.yaml', 'flows.yaml', 'mesh.yaml']);

    write('mesh.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MESH, 'utf16le')]));
    const utf16 = await loadConfig(dir);
    expect(utf16.config).toBeUndefined();
    expect(utf16.problems).toEqual([{ file: 'mesh.yaml', line: 1, column: 1, message: 'file is UTF-16 (byte-order mark FF FE, little-endian at offset 0), not UTF-8; save it as UTF-8' }]);
  });

  it('refuses a repository over the total size before parsing anything, and over the document count', async () => {
    write('mesh.yaml', MESH);
    for (let i = 0; i < 4; i++) write(`big-${i}.yaml`, `# ${'x'.repeat(600 * 1024)}\n`);
    const prior = { bytes: process.env.IMESH_CONFIG_MAX_BYTES, documents: process.env.IMESH_CONFIG_MAX_DOCUMENTS };
    try {
      process.env.IMESH_CONFIG_MAX_BYTES = String(2 * 1024 * 1024);
      const big = await loadConfig(dir);
      expect(big.config).toBeUndefined();
      expect(big.problems).toEqual([{ file: '.', line: 1, column: 1, message: expect.stringMatching(/^the config repository holds 2\.3 MiB of YAML in 5 file\(s\); it may hold at most 2 MiB \(set IMESH_CONFIG_MAX_BYTES to change the limit\); nothing was parsed$/) }]);
      delete process.env.IMESH_CONFIG_MAX_BYTES;
      rmSync(dir, { recursive: true, force: true });
      write('mesh.yaml', MESH + '---\n'.repeat(0));
      write('many.yaml', Array.from({ length: 12 }, (_, i) => HR.replace('name: hr', `name: hr${i}`)).join('---\n'));
      process.env.IMESH_CONFIG_MAX_DOCUMENTS = '10';
      const many = await loadConfig(dir);
      expect(many.problems).toEqual([{ file: '.', line: 1, column: 1, message: 'the config repository holds more than 10 YAML documents (the limit was passed in many.yaml); set IMESH_CONFIG_MAX_DOCUMENTS to change the limit' }]);
      process.env.IMESH_CONFIG_MAX_DOCUMENTS = 'lots';
      await expect(loadConfig(dir)).rejects.toThrow('IMESH_CONFIG_MAX_DOCUMENTS="lots" is not a positive whole number');
    } finally {
      for (const [name, value] of [['IMESH_CONFIG_MAX_BYTES', prior.bytes], ['IMESH_CONFIG_MAX_DOCUMENTS', prior.documents]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

function edit(text: string): string {
  return text;
}
