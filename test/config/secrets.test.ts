import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envSecretResolver, secretEnvName, secretNames, secretRefProblems } from '../../src/config/secrets.js';
import { ConfigError } from '../../src/shared/errors.js';
import { redact } from '../../src/shared/logger.js';

describe('secret references', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imesh-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('name the environment variable upper-cased with - as _', () => {
    expect(secretEnvName('hr-db-url')).toBe('IMESH_SECRET_HR_DB_URL');
  });

  it('resolve from the environment first, then from $IMESH_SECRETS_DIR/<NAME> without its trailing newline', () => {
    writeFileSync(join(dir, 'ad-password'), 'from-file-Secret1\n');
    writeFileSync(join(dir, 'okta-token'), 'file-token-value\n');
    const resolver = envSecretResolver({ IMESH_SECRET_OKTA_TOKEN: 'env-token-value', IMESH_SECRETS_DIR: dir });
    expect(resolver.resolve('{{secret:ad-password}}')).toBe('from-file-Secret1');
    expect(resolver.resolve('SSWS {{secret:okta-token}}')).toBe('SSWS env-token-value');
    expect(resolver.resolve('postgres://u:{{ secret:ad-password }}@h/db')).toBe('postgres://u:from-file-Secret1@h/db');
    expect(resolver.resolve('no references')).toBe('no references');
  });

  it('register every resolved value for log redaction', () => {
    const resolver = envSecretResolver({ IMESH_SECRET_API_SRE: 'sre-token-7f3a9c' });
    resolver.resolve('{{secret:api-sre}}');
    expect(redact('token=sre-token-7f3a9c')).toBe('token=[REDACTED]');
  });

  it('fail with a ConfigError naming the secret and both places looked, never a value', () => {
    const resolver = envSecretResolver({ IMESH_SECRETS_DIR: dir, IMESH_SECRET_OTHER: 'other-value-123' });
    let error: unknown;
    try {
      resolver.resolve('{{secret:missing-one}}');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('secret "missing-one"');
    expect(message).toContain('IMESH_SECRET_MISSING_ONE');
    expect(message).toContain(join(dir, 'missing-one'));
    expect(message).not.toContain('other-value-123');
    expect(() => envSecretResolver({}).resolve('{{secret:x}}')).toThrow(/IMESH_SECRET_X.*IMESH_SECRETS_DIR is not set/);
  });

  it('are found and checked without being read', () => {
    expect(secretNames('a {{secret:one}} b {{ secret:two_2 }} {{secret:bad name}}')).toEqual(['one', 'two_2']);
    expect(secretRefProblems('{{secret:ok}}')).toEqual([]);
    expect(secretRefProblems('x {{secret:bad name}}')[0]?.message).toMatch(/malformed secret reference "\{\{secret:bad name\}\}"/);
    expect(secretRefProblems('{{secret:unclosed')[0]?.message).toMatch(/unclosed secret reference/);
  });
});
