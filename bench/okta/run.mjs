#!/usr/bin/env node
// Okta connector benchmark: import 50,000 users, 2,000 groups and their memberships from the Okta
// emulator (test/emulators/okta-emulator.ts), pages of 200, 20 ms latency per page.
// Usage: node bench/okta/run.mjs [users] [groups]   (compiles bench/okta/bench.ts into dist/bench first)
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'bench', 'okta', 'tsconfig.json')], { stdio: 'inherit', cwd: root });
const { main } = await import(pathToFileURL(join(root, 'dist', 'bench', 'bench', 'okta', 'bench.js')).href);
await main(process.argv.slice(2));
