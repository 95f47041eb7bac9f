import { mkdtempSync, openSync, closeSync, ftruncateSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

const INVALID = 'samples/invalid';
const cases = readdirSync(INVALID).sort();

function lines(problems: readonly { file: string; line: number; column: number; message: string }[]): string[] {
  return problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`);
}

describe('samples/invalid: every bad input gives a clear problem with its position', () => {
  it.each(cases)('%s', async (name) => {
    const expected = readFileSync(join(INVALID, name, 'expected.txt'), 'utf8').split('\n').filter(Boolean);
    const started = Date.now();
    const { config, problems } = await loadConfig(join(INVALID, name));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(config).toBeUndefined();
    const actual = lines(problems);
    expect(actual).toHaveLength(expected.length);
    expected.forEach((prefix, i) => expect(actual[i]?.startsWith(prefix), `${actual[i]}\n  should start with\n${prefix}`).toBe(true));
  });

  it('covers the cases the issue lists', () => {
    for (const name of ['syntax-error', 'wrong-type', 'unknown-key', 'dangling-reference', 'duplicate-names', 'two-meshes', 'unknown-template-attribute', 'cycle-provision', 'cycle-round-trip', 'reference-to-unknown-type', 'empty-repo', 'yaml-bomb', 'non-utf8', 'date-delta-column', 'csv-target-inside-repo', 'disable-without-active-column']) {
      expect(cases).toContain(name);
    }
  });
});

describe('a 50 MB file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imesh-big-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused by size, without being read, next to an otherwise valid config', async () => {
    cpSync('samples/ad-hr-sql', dir, { recursive: true });
    const big = join(dir, 'huge.yaml');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    const started = Date.now();
    const { config, problems } = await loadConfig(dir);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(config).toBeUndefined();
    expect(lines(problems)).toEqual(['huge.yaml:1:1: file is 50 MiB; config files may be at most 1 MiB (not read)']);
  });

  it('is refused when it comes from memory too', async () => {
    const { compileFromFiles } = await import('../../src/config/index.js');
    const content = 'a: ' + 'x'.repeat(2 * 1024 * 1024);
    const { problems } = compileFromFiles(dir, [{ path: 'big.yaml', content }]);
    expect(problems[0]?.message).toMatch(/larger than 1 MiB/);
  });

  it('a file of only a YAML bomb does not hang and names the alias', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) bomb.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    writeFileSync(join(dir, 'bomb.yaml'), bomb.join('\n') + '\n');
    const started = Date.now();
    const { problems } = await loadConfig(dir);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(lines(problems)).toContain('bomb.yaml:2:10: too many YAML alias expansions (more than 100; this looks like an alias bomb); write the values out instead of using anchors and aliases');
  });
});
