/**
 * The engine's layout (DESIGN §8): one module per rule kind, picked in one place; one repository module
 * per store table, the only place its SQL is written; and modules that import each other in one
 * direction only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports (type-only ones included: a cycle of types is still a loop to read), as file paths. */
function localImports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms), ...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1]!);
  return specs.map((spec) => normalize(join(dirname(path), spec.replace(/\.js$/, '.ts'))));
}

/** Every import cycle in a graph of modules, each as the path that closes it. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (file: string, stack: readonly string[]) => {
    const at = stack.indexOf(file);
    if (at >= 0) {
      found.push([...stack.slice(at), file]);
      return;
    }
    if (done.has(file)) return;
    for (const to of graph.get(file) ?? []) visit(to, [...stack, file]);
    done.add(file);
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}

const ENGINE = join('src', 'engine');

describe('engine modules', () => {
  it('import each other without cycles', () => {
    const files = sources(ENGINE);
    const graph = new Map(files.map((file) => [file, localImports(file).filter((to) => files.includes(to))]));
    expect(cycles(graph)).toEqual([]);
    // The graph is read at all (a regex that matched nothing would pass vacuously).
    expect(graph.get(join(ENGINE, 'sync.ts'))).toContain(join(ENGINE, 'rules', 'rule-kinds.ts'));
    expect(graph.get(join(ENGINE, 'rules', 'rule-kinds.ts'))).toContain(join(ENGINE, 'rules', 'attribute-rule.ts'));
  });

  it('would see a cycle', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['c', ['a']],
      ['d', []],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it("picks a rule kind's module in one place", () => {
    const switching = sources(ENGINE).filter((path) => /\.kind\s*===\s*'(membership|roleMappings|attributes)'|case '(attributes|membership|roleMappings)':|\.(membership|roleMappings)\s*!==\s*undefined/.test(readFileSync(path, 'utf8')));
    expect(switching).toEqual([join(ENGINE, 'rules', 'rule-kinds.ts')]);
  });
});

/**
 * The module that owns each store table's SQL. The store itself (src/store/: migrations, statistics,
 * sequences) is exempt: it owns the schema.
 */
const OWNERS: Readonly<Record<string, string>> = {
  approval: 'src/engine/approvals.ts',
  conflict: 'src/engine/tables/conflicts.ts',
  cycle: 'src/engine/tables/cycles.ts',
  cs_object: 'src/engine/tables/connector-space-objects.ts',
  drift: 'src/engine/tables/drift.ts',
  export_error: 'src/engine/export-attempts.ts',
  export_history: 'src/engine/tables/export-history.ts',
  gate_hold: 'src/engine/gate-holds.ts',
  job_request: 'src/engine/tables/job-requests.ts',
  mesh_key: 'src/engine/tables/mesh-keys.ts',
  mesh_object: 'src/engine/tables/mesh-objects.ts',
  meta: 'src/engine/applied-config.ts',
  policy_report: 'src/engine/tables/policy-reports.ts',
  progress: 'src/engine/progress.ts',
  scim_inbox: 'src/controller/scim/inbox.ts',
  secret_binding: 'src/engine/secret-bindings.ts',
  source_link: 'src/engine/tables/source-links.ts',
  target_link: 'src/engine/tables/target-links.ts',
  unique_value: 'src/engine/tables/unique-values.ts',
  unique_value_index: 'src/engine/tables/unique-values.ts',
  value_history: 'src/engine/tables/value-history.ts',
  watermark: 'src/engine/tables/watermarks.ts',
  whole_read: 'src/engine/tables/whole-reads.ts',
};

/** Statements that read a second table, in the module of the table they are about (with why). */
const JOINS: readonly (readonly [module: string, table: string, why: string])[] = [
  ['src/engine/tables/connector-space-objects.ts', 'target_link', 'target objects no link manages: an anti-join (adoption, status)'],
  ['src/engine/tables/target-links.ts', 'cs_object', 'links whose target object changed: a semi-join on the changed ids'],
  ['src/engine/tables/mesh-keys.ts', 'mesh_object', 'rebuilding every key from the mesh attributes in one statement'],
  ['src/controller/scim/inbox.ts', 'watermark', 'inbox rows newer than their connector\'s watermark, polled by the leader'],
  ['src/engine/tables/cycles.ts', 'job_request', 'a job is its cycle with the sync request it answered: a left join'],
];

const STORE_TABLES = new Set(['schema_migrations', 'sequence']);

/** Tables a file's SQL names (the project writes SQL keywords in capitals). */
function sqlTables(path: string): Set<string> {
  return new Set([...readFileSync(path, 'utf8').matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+([a-z_]+)\b/g)].map((m) => m[1]!));
}

describe('store tables', () => {
  const files = sources('src').filter((path) => !path.startsWith(join('src', 'store')));
  const tablesOf = new Map(files.map((path) => [path.split('\\').join('/'), sqlTables(path)]));

  it('have their SQL in one repository module each', () => {
    const stray: string[] = [];
    for (const [path, tables] of tablesOf) {
      for (const table of tables) {
        const owner = OWNERS[table];
        if (owner === undefined || owner === path) continue;
        if (JOINS.some(([module, joined]) => module === path && joined === table)) continue;
        stray.push(`${path}: ${table} (its SQL belongs in ${owner})`);
      }
    }
    expect(stray).toEqual([]);
  });

  it('each have an owner, and the owners write their SQL', () => {
    const created = [...readFileSync(join('src', 'store', 'migrations.ts'), 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)/g)].map((m) => m[1]!);
    expect(created.length).toBeGreaterThan(10);
    const unowned = [...new Set(created)].filter((table) => OWNERS[table] === undefined && !STORE_TABLES.has(table));
    expect(unowned).toEqual([]);
    for (const [table, owner] of Object.entries(OWNERS)) expect(tablesOf.get(owner), `${owner} writes ${table}`).toContain(table);
    for (const [module, table] of JOINS) expect(tablesOf.get(module), `${module} joins ${table}`).toContain(table);
  });
});
