/**
 * The container image trims its production node_modules (scripts/trim-production-modules.mjs): this
 * loads the runtime dependencies the trim touches — mssql, tedious and the @azure/identity it requires —
 * opens a SQL Server connection through tedious (to a closed port), and fails if any module Node loaded
 * lives in a trimmed path. It also checks the Dockerfile runs the trim on the production install.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { isTrimmed, TRIMMED_PACKAGES } from '../../scripts/trim-production-modules.mjs';

const ROOT = resolve(import.meta.dirname, '../..');

const LOADER = `
const Database = require('better-sqlite3');
const db = new Database(':memory:');
if (db.prepare('select 40 + 2 as n').get().n !== 42) process.exit(2);
db.close();
const t = require('tedious');
require('mssql');
require('@azure/identity');
const c = new t.Connection({ server: '127.0.0.1', options: { port: 1, connectTimeout: 2000, trustServerCertificate: true }, authentication: { type: 'default', options: { userName: 'u', password: 'p' } } });
c.on('connect', (error) => {
  console.log(JSON.stringify({ connectError: error && error.code, loaded: Object.keys(require.cache) }));
  process.exit(0);
});
c.connect();
`;

describe('trimmed production modules', () => {
  it('names paths the way the trim removes them', () => {
    const is = isTrimmed as (path: string) => boolean;
    expect(is('/app/node_modules/@azure/msal-browser/dist/index.js')).toBe(true);
    expect(is('/app/node_modules/tedious/lib/connection.js.map')).toBe(true);
    expect(is('/app/node_modules/@azure/identity/dist/browser/index.js')).toBe(true);
    expect(is('/app/node_modules/@azure/identity/dist/commonjs/index.js')).toBe(false);
    expect(is('/app/node_modules/pg/lib/index.js')).toBe(false);
    expect(TRIMMED_PACKAGES).toContain('@azure/msal-browser');
    expect(is('/app/node_modules/better-sqlite3/deps/sqlite3/sqlite3.c')).toBe(true);
    expect(is('/app/node_modules/better-sqlite3/build/Release/obj.target/better_sqlite3.node')).toBe(true);
    expect(is('/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(false);
    expect(is('/app/node_modules/better-sqlite3/lib/index.js')).toBe(false);
  });

  it('better-sqlite3, mssql, tedious and @azure/identity load and work without anything the trim removes', () => {
    const run = spawnSync(process.execPath, ['-e', LOADER], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    const { connectError, loaded } = JSON.parse(run.stdout) as { connectError: string; loaded: string[] };
    expect(connectError).toBe('ESOCKET'); // tedious ran its connection code and reported the closed port
    expect(loaded.some((p) => p.includes('/node_modules/@azure/identity/'))).toBe(true);
    expect(loaded.some((p) => p.endsWith('/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    expect(loaded.filter((p) => (isTrimmed as (path: string) => boolean)(p))).toEqual([]);
  });

  it('the Dockerfile trims the production install it copies into the image', () => {
    const text = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
    const prune = text.indexOf('npm prune --omit=dev');
    const trim = text.indexOf('node scripts/trim-production-modules.mjs node_modules');
    expect(prune).toBeGreaterThan(0);
    expect(trim).toBeGreaterThan(prune);
  });
});

describe('supported Node range', () => {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const [, minMajor, minMinor] = /^>=(\d+)\.(\d+)$/.exec(pkg.engines.node) ?? [];

  it('is stated as a lower bound in package.json and the README, and the image runs a Node inside it', () => {
    expect(minMajor, pkg.engines.node).toBeDefined();
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`Supported Node.js: **${minMajor}.${minMinor} and later**`);
    const image = /FROM node:(\d+)\.(\d+)\.\d+/.exec(readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8'))!;
    expect(Number(image[1])).toBeGreaterThanOrEqual(Number(minMajor));
  });

  it('the tests run on a supported Node (CI runs the oldest line)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(major > Number(minMajor) || (major === Number(minMajor) && minor >= Number(minMinor)), process.versions.node).toBe(true);
  });
});
