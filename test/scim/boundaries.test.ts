/** src/scim/ is the one home of the SCIM protocol: its vendor libraries stay inside it, and the engine never reaches it. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

const imports = (path: string): string[] => [...readFileSync(path, 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);

describe('src/scim boundaries', () => {
  it('imports scim2-parse-filter and scim-patch only inside src/scim/', () => {
    const outside = sources('src')
      .filter((path) => !path.startsWith(join('src', 'scim')))
      .filter((path) => imports(path).some((spec) => spec === 'scim2-parse-filter' || spec === 'scim-patch'));
    expect(outside).toEqual([]);
  });

  it('is not imported by the engine', () => {
    const engine = sources(join('src', 'engine')).filter((path) => imports(path).some((spec) => /(^|\/)scim\//.test(spec)));
    expect(engine).toEqual([]);
  });

  it('does not import the controller, the engine or a connector', () => {
    const reaching = sources(join('src', 'scim')).flatMap((path) => imports(path).filter((spec) => /\/(controller|engine|connectors)\//.test(spec)).map((spec) => `${path}: ${spec}`));
    expect(reaching).toEqual([]);
    // The check sees imports at all (a regex that matched nothing would pass vacuously).
    expect(imports(join('src', 'scim', 'patch.ts'))).toContain('scim-patch');
  });
});
