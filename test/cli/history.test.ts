import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const imesh = resolve('bin/imesh.js');
const cwd = mkdtempSync(join(tmpdir(), 'imesh-history-'));
const config = join(cwd, 'config');
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [imesh, ...args, '--config', config], { cwd, encoding: 'utf8', env: { ...process.env, IMESH_LOG_LEVEL: 'error' } });
const git = (...args: string[]) => {
  const result = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: config, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};
/** Commits every change in the config repository; returns the new HEAD. */
const commit = (message: string) => {
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
};
const edit = (file: string, from: string, to: string) => {
  const path = join(config, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no "${from}"`);
  writeFileSync(path, text.replace(from, to));
};
const reconcile = () => {
  const result = run('reconcile');
  expect(result.status, result.stderr).toBe(0);
  return Number(/^cycle (\d+) /m.exec(result.stdout)?.[1]);
};

interface ValueEntry { attribute: string; value: unknown; withheld: boolean; connector: string | null; rule: string | null; externalId: string | null; confidence: number | null; revision: string | null; run: number }
interface ExportEntry { connector: string; op: string; object: string; attributes: Record<string, unknown> | null; result: string; revision: string | null; run: number }

describe('imesh history', () => {
  it('shows who changed a title, when, from which source and under which revision, over three commits and reconciles', () => {
    cpSync(resolve('samples/quickstart'), config, { recursive: true });
    git('init', '-q', '-b', 'main');
    const first = commit('quickstart');
    const run1 = reconcile();

    // HR promotes Ada: a source data change, committed with the repository's data.
    edit('data/hr.csv', 'E1001,Ada,Lovelace,ada.lovelace@example.com,Engineering,Principal Engineer,true', 'E1001,Ada,Lovelace,ada.lovelace@example.com,Engineering,Distinguished Engineer,true');
    const second = commit('HR: Ada is a Distinguished Engineer');
    const run2 = reconcile();

    // The badge system becomes authoritative for titles: a config change alone moves the value.
    edit('flows.yaml', '- { mesh: title, source: title, confidence: 60 }', '- { mesh: title, source: title, confidence: 95 }');
    const third = commit('titles from the badge system');
    const run3 = reconcile();
    expect(new Set([run1, run2, run3]).size).toBe(3);

    const json = run('history', 'person/E1001', 'title', '--format', 'json');
    expect(json.status, json.stderr).toBe(0);
    const history = JSON.parse(json.stdout) as { type: string; attribute: string; retain: string; values: ValueEntry[]; exports: ExportEntry[] };
    expect(history).toMatchObject({ type: 'person', attribute: 'title', retain: '400d' });
    expect(history.values.map((v) => [v.value, v.connector, v.externalId, v.rule, v.confidence, v.revision, v.run])).toEqual([
      ['Principal Engineer', 'hr', 'E1001', 'hr-to-person', 80, first, run1],
      ['Distinguished Engineer', 'hr', 'E1001', 'hr-to-person', 80, second, run2],
      ['Engineer', 'badges', 'B-501', 'badges-to-person', 95, third, run3],
    ]);
    // Each title reached the phone book in the same run that changed it.
    // (A create wrote the values current in its run, so it keeps only its outcome.)
    const phonebook = history.exports.filter((e) => e.connector === 'phonebook');
    expect(phonebook.map((e) => [e.op, e.op === 'create' ? e.attributes : e.attributes?.title, e.result, e.revision, e.run])).toEqual([
      ['create', null, 'ok', first, run1],
      ['update', 'Distinguished Engineer', 'ok', second, run2],
      ['update', 'Engineer', 'ok', third, run3],
    ]);

    const text = run('history', 'person/E1001', 'title');
    expect(text.status, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^person\/E1001 \(mesh id [^)]+\) title$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`"Principal Engineer"  from hr/E1001 via hr-to-person at confidence 80 \\(revision ${first.slice(0, 12)}, run ${run1}\\)$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`"Distinguished Engineer"  from hr/E1001 via hr-to-person at confidence 80 \\(revision ${second.slice(0, 12)}, run ${run2}\\)$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`"Engineer"  from badges/B-501 via badges-to-person at confidence 95 \\(revision ${third.slice(0, 12)}, run ${run3}\\)$`)));
    expect(text.stdout).toContain('exports:');

    // Explain points at the history.
    const explained = run('explain', 'person/E1001', 'title');
    expect(explained.status, explained.stderr).toBe(0);
    expect(explained.stdout).toContain('\nchanges over time: imesh history person/E1001 title\n');

    const unknown = run('history', 'person/E1001', 'nickname');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('"nickname" is not an attribute of person');
  }, 600_000);

  it("shows a first cycle's values, withholds a secret-named one, and ends a deleted person's values", () => {
    // Continues the store of the test above.
    edit('mesh.yaml', '        active: { type: boolean }\n', '        active: { type: boolean }\n        accessToken: { type: string }\n');
    edit('flows.yaml', '    - { mesh: active, source: active, confidence: 100 }\n', '    - { mesh: active, source: active, confidence: 100 }\n    - { mesh: accessToken, template: "tok-{{employee_id}}-v1", confidence: 50 }\n');
    const tokens = commit('an access token per person');
    const run4 = reconcile();
    edit('flows.yaml', 'tok-{{employee_id}}-v1', 'tok-{{employee_id}}-v2');
    const rotated = commit('rotate the tokens');
    const run5 = reconcile();
    const katherine = JSON.parse(run('history', 'person/E1004', '--format', 'json').stdout) as { id: string; values: ValueEntry[] };
    // Katherine's values date from the first run, as the mesh object holds them (no row was written for them).
    expect(katherine.values.filter((v) => v.attribute === 'title').map((v) => [v.value, v.connector, v.run])).toEqual([['Mathematician', 'hr', expect.any(Number)]]);
    expect(katherine.values.filter((v) => v.attribute === 'accessToken').map((v) => [v.value, v.withheld, v.connector, v.revision, v.run])).toEqual([
      [null, true, 'hr', tokens, run4],
      [null, true, 'hr', rotated, run5],
    ]);
    const text = run('history', 'person/E1004', 'accessToken');
    expect(text.stdout).toContain('(value withheld: a secret is never history)');
    expect(text.stdout).not.toContain('tok-E1004');

    // Katherine leaves HR: each of her values ends in the run that deleted her.
    edit('data/hr.csv', 'E1004,Katherine,Johnson,katherine.johnson@example.com,Research,Mathematician,true\n', '');
    commit('Katherine left');
    const run6 = reconcile();
    const gone = JSON.parse(run('history', `person/${katherine.id}`, 'title', '--format', 'json').stdout) as { deleted: boolean; values: ValueEntry[] };
    expect(gone.deleted).toBe(true);
    expect(gone.values.map((v) => [v.value, v.connector, v.run])).toEqual([
      ['Mathematician', 'hr', expect.any(Number)],
      [null, null, run6],
    ]);
  }, 600_000);

  it('prunes history older than Mesh.spec.history.retain after a reconcile, never the current values', () => {
    // Continues the store of the tests above: a retention of 1 ms keeps nothing a finished run wrote.
    edit('mesh.yaml', 'spec:\n', 'spec:\n  history: { retain: 1ms }\n');
    edit('data/hr.csv', 'Distinguished Engineer', 'Fellow');
    commit('keep no history');
    const run7 = reconcile();
    const after = JSON.parse(run('history', 'person/E1001', 'title', '--format', 'json').stdout) as { retain: string; values: ValueEntry[]; exports: ExportEntry[] };
    expect(after).toMatchObject({ retain: '1ms' });
    // The updates are pruned; each target link still holds the create that made it, in the first run.
    expect(after.exports.map((e) => [e.connector, e.op, e.result])).toEqual([
      ['apps', 'create', 'ok'],
      ['phonebook', 'create', 'ok'],
    ]);
    expect(new Set(after.exports.map((e) => e.run)).size).toBe(1);
    // The badge system's title is current (since the third run); HR's change reached no mesh value.
    expect(after.values.map((v) => [v.value, v.connector])).toEqual([['Engineer', 'badges']]);
    expect(after.values[0]!.run).toBeLessThan(run7);
    const all = JSON.parse(run('history', 'person/E1001', '--format', 'json').stdout) as { values: ValueEntry[] };
    // Every current value is there once: the states values left are pruned.
    expect(new Set(all.values.map((v) => v.attribute)).size).toBe(all.values.length);
    expect(all.values.find((v) => v.attribute === 'email')?.value).toBe('ada.lovelace@example.com');
  }, 600_000);
});
