/**
 * The engine's layout (DESIGN §8): one module per rule kind, picked in one place, and modules that import
 * each other in one direction only.
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
