/**
 * samples/ci/github: the workflow's steps run for real, as far as they can here. A GitHub runner is
 * imitated — workspace, RUNNER_TEMP, GITHUB_ENV/GITHUB_PATH/GITHUB_OUTPUT files, `${{ … }}` expressions,
 * `bash -eo pipefail` — and every `run:` step after the build is executed in order: imesh linked onto the
 * PATH from its source (this checkout, already built by `npm run build`, standing in for what `npm ci`
 * builds), validate, plan against a PostgreSQL store, the comment body, and the check's exit code. Steps
 * that need GitHub or the network (checkouts, setup-node, npm ci, posting the comment) are listed and
 * skipped; a new step fails the test until it is placed in one list or the other.
 * samples/ci/gitlab: the planner job's script runs against test/deploy/fake-gitlab.ts (GitLab's REST
 * calls and the config project over Git's smart HTTP), with imesh linked as its before_script does.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { dropSchema } from '../api/api-world.js';
import { startFakeGitLab } from './fake-gitlab.js';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKFLOW = join(ROOT, 'samples/ci/github/identity-mesh-plan.yml');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
  if?: string;
}

const RUN_HERE = ['Put imesh on the PATH', 'Work outside the checkout', 'Validate', 'Plan', 'Fail on errors and tripped safety gates'];
const NOT_RUN_HERE = ['Build imesh (before the pull request is checked out)']; // npm ci: the network; this checkout is built already

const pgUrl = new URL(inject('pgUrl'));
const schema = `ciwf_${process.pid}`;
const storeUrl = `${pgUrl.href}${pgUrl.search ? '&' : '?'}schema=${schema}`;
const dirs: string[] = [];
afterAll(async () => {
  await dropSchema(pgUrl.href, schema);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the workflow's runnable steps against `configSource`, copied in as the pull request's config. */
function runWorkflow(configSource: string, runnerEnv: (workspace: string) => Record<string, string> = () => ({})) {
  const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as { env: Record<string, string>; jobs: { plan: { steps: Step[] } } };
  const steps = workflow.jobs.plan.steps;
  const workspace = mkdtempSync(join(tmpdir(), 'imesh-ci-'));
  dirs.push(workspace);
  const runnerTemp = join(workspace, '_temp');
  mkdirSync(runnerTemp);
  symlinkSync(ROOT, join(workspace, 'imesh-src')); // what the source checkout and npm ci leave behind
  cpSync(configSource, join(workspace, 'pr', workflow.env.CONFIG_DIR!), { recursive: true });
  const files = { GITHUB_ENV: join(runnerTemp, 'env'), GITHUB_PATH: join(runnerTemp, 'path'), GITHUB_OUTPUT: join(runnerTemp, 'output') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const outputs: Record<string, Record<string, string>> = {};
  const expressions = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      if (expr === 'runner.temp') return runnerTemp;
      if (expr === 'github.event.pull_request.head.sha') return '0123456789abcdef0123456789abcdef01234567';
      if (expr === 'secrets.IMESH_STORE_URL') return storeUrl;
      const output = /^steps\.(\w+)\.outputs\.(\w+)$/.exec(expr);
      if (output) return outputs[output[1]!]?.[output[2]!] ?? '';
      throw new Error(`the test does not know the expression \${{ ${expr} }}: teach it`);
    });
  const results: Record<string, { status: number | null; stdout: string; stderr: string }> = {};
  let failed = false;
  for (const step of steps) {
    const name = step.name ?? step.uses ?? '';
    if (step.uses) continue; // checkouts, setup-node, github-script: GitHub's own actions
    if (failed && !step.if?.startsWith('always()')) continue; // after a failure only always() steps run, as on GitHub
    if (NOT_RUN_HERE.includes(name)) continue;
    expect(RUN_HERE, `a new workflow step "${name}": run it here or list it as not runnable`).toContain(name);
    const extraEnv = Object.fromEntries(
      readFileSync(files.GITHUB_ENV, 'utf8').split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const path = [...readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean).reverse(), process.env.PATH].join(':');
    const env: NodeJS.ProcessEnv = { ...process.env, ...workflow.env, ...extraEnv, ...files, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: runnerTemp, PATH: path, IMESH_LOG_LEVEL: 'warn', ...runnerEnv(workspace) };
    delete env.IMESH_STORE_URL;
    for (const [key, value] of Object.entries(step.env ?? {})) env[key] = expressions(value);
    const cwd = step['working-directory'] ? resolve(workspace, expressions(step['working-directory'])) : workspace;
    writeFileSync(files.GITHUB_OUTPUT, '');
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expressions(step.run!)], { cwd, env, encoding: 'utf8', timeout: 120_000 });
    results[name] = result;
    const stepId = (step as { id?: string }).id;
    if (stepId) outputs[stepId] = Object.fromEntries(readFileSync(files.GITHUB_OUTPUT, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    if (result.status !== 0) failed = true;
  }
  return { results, outputs, runnerTemp };
}

describe('samples/ci/github run as far as it can here', () => {
  it('the quickstart config: imesh from its source, validate passes, the plan has changes (exit 2) and the check passes', () => {
    // The quickstart keeps its phone-book target next to the config (../exports): a data root for it, as a
    // runner variable would give one (a config with real targets needs none).
    const { results, outputs, runnerTemp } = runWorkflow(join(ROOT, 'samples/quickstart'), (workspace) => {
      mkdirSync(join(workspace, 'pr/exports'), { recursive: true });
      return { IMESH_DATA_ROOTS: join(workspace, 'pr/exports') };
    });
    expect(results['Put imesh on the PATH']!.stdout).toMatch(/^imesh \d+\.\d+\.\d+ \(node /);
    expect(results['Validate']!.status, results['Validate']!.stderr).toBe(0);
    expect(results['Plan']!.status, results['Plan']!.stderr).toBe(0);
    expect(outputs.plan, readFileSync(join(runnerTemp, 'imesh/plan.log'), 'utf8')).toEqual({ exitcode: '2' });
    const comment = readFileSync(join(runnerTemp, 'imesh/comment.md'), 'utf8');
    expect(comment.split('\n').slice(0, 4)).toEqual(['<!-- identity-mesh-plan -->', '### Identity Mesh plan for `0123456789ab`', '', 'Merging this pull request applies the changes below.']);
    expect(comment).toMatch(/to create/);
    expect(results['Fail on errors and tripped safety gates']!.status).toBe(0);
    // imesh ran outside the checkout: nothing was written into the pull request's folder.
    expect(existsSync(join(runnerTemp, '..', 'pr', 'config', '.imesh'))).toBe(false);
  });

  it('an invalid config: validate fails with one annotation per problem, on the file and line', () => {
    const { results } = runWorkflow(join(ROOT, 'samples/invalid/unknown-key'));
    expect(results['Validate']!.status).toBe(1);
    expect(results['Validate']!.stdout).toMatch(/^::error file=config\/[\w.-]+\.yaml,line=\d+,col=\d+::/m);
    expect(results['Plan']).toBeUndefined();
    expect(results['Fail on errors and tripped safety gates']!.status).toBe(1);
  });
});

describe('samples/ci/gitlab: the planner job\'s script against a GitLab stand-in', () => {
  it('plans each open merge request once: a note and a commit status per head, failing for an invalid config', async () => {
    const job = (parse(readFileSync(join(ROOT, 'samples/ci/gitlab/identity-mesh-plan.gitlab-ci.yml'), 'utf8')) as Record<string, { script: string[]; variables: Record<string, string> }>)['identity-mesh-plan']!;
    const dir = mkdtempSync(join(tmpdir(), 'imesh-gitlab-'));
    dirs.push(dir);
    const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8' }).trim();
    // The config project: merge request 1 brings the quickstart (changes pending), 2 an invalid config.
    const seed = join(dir, 'seed');
    mkdirSync(join(seed, 'exports'), { recursive: true });
    writeFileSync(join(seed, 'exports/.keep'), ''); // the quickstart's phone book lives next to its config
    git(dir, 'init', '-q', '-b', 'main', seed);
    git(seed, 'config', 'user.email', 'dev@example.com');
    git(seed, 'config', 'user.name', 'dev');
    cpSync(join(ROOT, 'samples/quickstart'), join(seed, job.variables.CONFIG_DIR!), { recursive: true });
    git(seed, 'add', '-A');
    git(seed, 'commit', '-qm', 'quickstart');
    const good = git(seed, 'rev-parse', 'HEAD');
    rmSync(join(seed, job.variables.CONFIG_DIR!), { recursive: true });
    cpSync(join(ROOT, 'samples/invalid/unknown-key'), join(seed, job.variables.CONFIG_DIR!), { recursive: true });
    git(seed, 'add', '-A');
    git(seed, 'commit', '-qm', 'a typo');
    const bad = git(seed, 'rev-parse', 'HEAD');
    const gitRoot = join(dir, 'repos');
    mkdirSync(gitRoot);
    git(dir, 'clone', '-q', '--bare', seed, join(gitRoot, 'config.git'));
    git(join(gitRoot, 'config.git'), 'update-ref', 'refs/merge-requests/1/head', good);
    git(join(gitRoot, 'config.git'), 'update-ref', 'refs/merge-requests/2/head', bad);
    const gitlab = await startFakeGitLab({ gitRoot, repo: 'config', mergeRequests: [{ iid: 1, sha: good }, { iid: 2, sha: bad }] });
    try {
      const project = join(dir, 'planner');
      const bin = join(dir, 'bin');
      mkdirSync(project);
      mkdirSync(bin);
      symlinkSync(join(ROOT, 'bin/imesh.js'), join(bin, 'imesh')); // what the before_script links after npm ci
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...job.variables,
        PATH: `${bin}:${process.env.PATH}`,
        CI_API_V4_URL: gitlab.api,
        CI_PROJECT_DIR: project,
        CI_JOB_URL: 'https://gitlab.example.com/planner/-/jobs/1',
        CONFIG_PROJECT_ID: String(gitlab.projectId),
        IMESH_GITLAB_TOKEN: 'glpat-planner-token',
        IMESH_STORE_URL: storeUrl,
        IMESH_DATA_ROOTS: join(project, 'mr-1/exports'),
        IMESH_LOG_LEVEL: 'warn',
      };
      // The script runs in this process's event loop's absence: spawn, not spawnSync (the stand-in serves it).
      const runScript = () =>
        new Promise<{ status: number | null; stderr: string }>((done) => {
          const child = spawn('bash', ['-eo', 'pipefail', '-c', job.script.join('\n')], { cwd: project, env });
          let stderr = '';
          child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
          child.stdout.resume();
          child.on('close', (status) => done({ status, stderr }));
        });
      const first = await runScript();
      expect(first.status, first.stderr).toBe(1); // merge request 2 fails its check
      expect(gitlab.statuses).toEqual([
        { sha: good, state: 'success', name: 'identity-mesh-plan' },
        { sha: bad, state: 'failed', name: 'identity-mesh-plan' },
      ]);
      expect(gitlab.notes.map((n) => n.iid)).toEqual([1, 2]);
      expect(gitlab.notes[0]!.body.split('\n').slice(0, 4)).toEqual(['<!-- identity-mesh-plan -->', `### Identity Mesh plan for \`${good.slice(0, 12)}\``, '', 'Merging this merge request applies the changes below.']);
      expect(gitlab.notes[0]!.body).toMatch(/to create/);
      expect(gitlab.notes[1]!.body).toContain(':x: **The config is invalid.**');
      expect(new Set(gitlab.tokens)).toEqual(new Set(['glpat-planner-token']));
      // imesh ran in work folders, never inside the merge requests' checkouts.
      expect(existsSync(join(project, 'mr-1/.imesh'))).toBe(false);

      // The next scheduled run: both heads have a status, so nothing is planned again.
      const second = await runScript();
      expect(second.status, second.stderr).toBe(0);
      expect(gitlab.notes).toHaveLength(2);
    } finally {
      await gitlab.close();
    }
  });
});
