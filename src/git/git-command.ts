/**
 * Runs git through simple-git for this folder. Every argument is built by our code; the environment
 * is the operator's (it may carry GIT_SSH_COMMAND, GIT_CONFIG_* or a credential helper for pushes),
 * so the simple-git switches that guard environment-borne settings are opened, and only those.
 * Git never prompts. Errors name the command and never carry credentials.
 */
import { spawn } from 'node:child_process';
import { simpleGit, type SimpleGitOptions } from 'simple-git';
import { ImeshError } from '../shared/errors.js';
import { redact } from '../shared/logger.js';

/** `https://user:token@host/x` → `https://host/x`, in any text; then every registered secret masked. */
export function withoutCredentials(text: string): string {
  return redact(text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s'"@]*(?:@[^/\s'"@]*)*@/gi, '$1'));
}

export interface GitRunOptions {
  /** Added to the process environment for this command. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill git when it prints nothing for this long (network commands). */
  readonly silenceTimeoutMs?: number;
}

export class GitCommandError extends ImeshError {
  /** git's own words (credentials removed), for callers that tell failures apart. */
  readonly output: string;
  constructor(message: string, output: string, retryable = false) {
    super('GitCommandFailed', message, { retryable });
    this.output = output;
  }
}

function environment(extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return { ...env, GIT_TERMINAL_PROMPT: '0', ...extra };
}

export interface Git {
  readonly dir: string;
  /** Runs `git <args>` in `dir` and returns stdout. */
  run(args: readonly string[], options?: GitRunOptions): Promise<string>;
  /**
   * Runs `git <args>` with `input` on stdin and returns stdout as bytes (simple-git has no stdin);
   * for batch plumbing such as `cat-file --batch`, which reads many objects in one process.
   */
  runWithInput(args: readonly string[], input: string): Promise<Buffer>;
}

export function gitAt(dir: string): Git {
  return {
    dir,
    async run(args, options = {}) {
      const config: Partial<SimpleGitOptions> = {
        baseDir: dir,
        maxConcurrentProcesses: 2,
        unsafe: {
          allowUnsafeAskPass: true,
          allowUnsafeConfigPaths: true,
          allowUnsafeConfigEnvCount: true,
          allowUnsafeCredentialHelper: true,
          allowUnsafeEditor: true,
          allowUnsafePager: true,
          allowUnsafeSshCommand: true,
          allowUnsafeGitProxy: true,
          allowUnsafeTemplateDir: true,
          allowUnsafeDiffExternal: true,
        },
        ...(options.silenceTimeoutMs ? { timeout: { block: options.silenceTimeoutMs } } : {}),
      };
      try {
        return await simpleGit(config).env(environment(options.env)).raw([...args]);
      } catch (error) {
        const output = withoutCredentials(error instanceof Error ? error.message : String(error)).trim();
        throw new GitCommandError(`git ${args[0] ?? ''} failed in ${dir}: ${output || 'no output'}`, output);
      }
    },
    runWithInput(args, input) {
      return new Promise((resolve, reject) => {
        const child = spawn('git', [...args], { cwd: dir, env: environment(undefined), stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        const fail = (detail: string): void => {
          const output = withoutCredentials(detail).trim();
          reject(new GitCommandError(`git ${args[0] ?? ''} failed in ${dir}: ${output || 'no output'}`, output));
        };
        child.on('error', (error) => fail(error.message));
        child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : fail(Buffer.concat(err).toString('utf8'))));
        child.stdin.end(input);
      });
    },
  };
}
