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
});

function edit(text: string): string {
  return text;
}
