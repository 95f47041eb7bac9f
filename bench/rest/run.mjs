#!/usr/bin/env node
// rest connector benchmark: import N users from the local REST emulator (test/emulators/rest-emulator.ts)
// in each pagination style (link, cursor, offset, page), pages of 200, a fixed latency per page.
// Usage: node bench/rest/run.mjs [users] [latencyMs]   (compiles bench/rest/bench.ts into dist/bench first)
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'bench', 'rest', 'tsconfig.json')], { stdio: 'inherit', cwd: root });
const { main } = await import(pathToFileURL(join(root, 'dist', 'bench', 'bench', 'rest', 'bench.js')).href);
await main(process.argv.slice(2));
