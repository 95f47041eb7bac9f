import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReportFiles, writeReportFiles } from '../../src/reports/report-directory.js';

const dirs: string[] = [];
const workDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'imesh-reports-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('writeReportFiles (outside Git)', () => {
  it('writes under .imesh/<path>/, replacing earlier files and leaving no temporary files', async () => {
    const wd = workDir();
    expect(await readReportFiles({ workDir: wd, path: 'reports' })).toBeNull();
    const dir = await writeReportFiles({ workDir: wd, path: 'reports', files: { 'status.json': '{"n":1}\n', 'status.md': '# one\n' } });
    expect(dir).toBe(join(wd, '.imesh', 'reports'));
    await writeReportFiles({ workDir: wd, path: 'reports', files: { 'status.json': '{"n":2}\n', 'status.md': '# two\n' } });
    expect(readFileSync(join(wd, '.imesh/reports/status.json'), 'utf8')).toBe('{"n":2}\n');
    expect(readdirSync(dir).sort()).toEqual(['status.json', 'status.md']);
    expect(await readReportFiles({ workDir: wd, path: 'reports' })).toEqual({ 'status.json': '{"n":2}\n', 'status.md': '# two\n' });
  });

  it('refuses paths that leave .imesh', async () => {
    const wd = workDir();
    await expect(writeReportFiles({ workDir: wd, path: '../../etc', files: { 'x.json': '{}' } })).rejects.toThrow(/spec.reports.path "..\/..\/etc"/);
    await expect(writeReportFiles({ workDir: wd, path: 'reports', files: { '../x.json': '{}' } })).rejects.toThrow(/report file name/);
  });
});
