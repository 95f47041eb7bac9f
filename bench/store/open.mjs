#!/usr/bin/env node
// Embedded store benchmark: SQLite against PGlite (the embedded store of earlier versions).
// Usage: npm run build && node bench/store/open.mjs [N]   (default 100000)
// Each step runs in a fresh process, so its time and peak RSS are the step's alone:
//   create  – open (and migrate) a new store, then close it
//   fill    – stage N connector-space rows through the engine's upsert (pages of 2,000), commit
//   open    – open the store holding N rows (migrations already applied), close
//   read    – open it and read the N (external id, hash) fingerprints an import compares against
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = Number(process.argv[2] ?? 100_000);
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'imesh-bench-store-'));

const open = (kind) =>
  kind === 'sqlite'
    ? `const { openSqliteStore } = await import('${dist}store/sqlite-store.js'); const db = await openSqliteStore('${join(work, 'sqlite/store.db')}');`
    : `const { openEmbeddedStore } = await import('${dist}store/embedded-store.js'); const db = await openEmbeddedStore('${join(work, 'pglite')}');`;

const steps = {
  create: `const { migrate } = await import('${dist}store/migrations.js'); await migrate(db);`,
  fill: `const { upsertObjects } = await import('${dist}engine/connector-space.js');
    for (let start = 0; start < ${N}; start += 2000) {
      const rows = [];
      for (let i = start; i < Math.min(${N}, start + 2000); i++) rows.push({ object: { externalId: 'E' + i, attributes: { employee_id: 'E' + i, name: 'Person ' + i, email: 'p' + i + '@example.com', department: 'D' + (i % 8) } }, hash: 'h' + i });
      await db.transaction((tx) => upsertObjects(tx, 'hr', 'user', 1, rows));
    }`,
  open: ``,
  read: `const { loadFingerprints } = await import('${dist}engine/connector-space.js'); const n = (await loadFingerprints(db, 'hr', 'user')).size; if (n !== ${N}) throw new Error('read ' + n);`,
};

const results = [];
for (const kind of ['sqlite', 'pglite']) {
  for (const [step, body] of Object.entries(steps)) {
    const script = `const t0 = performance.now(); ${open(kind)} ${body} await db.close();
      console.log(JSON.stringify({ ms: Math.round(performance.now() - t0), rssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${kind} ${step}: ${child.stderr}`);
    const result = { store: kind, step, ...JSON.parse(child.stdout.trim().split('\n').pop()) };
    results.push(result);
    console.log(JSON.stringify(result));
  }
}
console.log('\n| step | SQLite s | SQLite peak RSS MB | PGlite s | PGlite peak RSS MB |\n|---|---|---|---|---|');
for (const step of Object.keys(steps)) {
  const s = results.find((r) => r.store === 'sqlite' && r.step === step);
  const p = results.find((r) => r.store === 'pglite' && r.step === step);
  console.log(`| ${step}${step === 'create' ? '' : ` (${N})`} | ${(s.ms / 1000).toFixed(2)} | ${s.rssMb} | ${(p.ms / 1000).toFixed(2)} | ${p.rssMb} |`);
}
rmSync(work, { recursive: true, force: true });
