import { describe, expect, it } from 'vitest';
import { renderExplanation } from '../../src/cli/explain.js';
import { shortVersion } from '../../src/connectors/sql/sql-connector.js';
import type { Explanation } from '../../src/engine/explain.js';

const at = '2026-01-01T00:00:00.000Z';

describe('imesh explain as text', () => {
  it('lists a contribution equal to the winning value as agreeing, not as lost', () => {
    const e = {
      type: 'person',
      id: 'p1',
      deleted: false,
      keys: { employeeId: 'E1005' },
      attributes: [
        {
          name: 'displayName',
          value: 'Bob Noyce',
          winner: { value: 'Bob Noyce', rule: 'badges-to-person', connector: 'badges', externalId: 'B-505', confidence: 50, at },
          losers: [
            { value: 'Robert Noyce', rule: 'hr-to-person', connector: 'hr', externalId: 'E1005', confidence: 50, at },
            { value: 'Bob Noyce', rule: 'apps-to-person', connector: 'apps', externalId: 'u5', confidence: 40, at },
          ],
        },
      ],
      sources: [],
      targets: [],
    } as unknown as Explanation;
    const text = renderExplanation(e);
    // Named by its join key, as the plan and the dashboard name it (issue 18), with the mesh id after it.
    expect(text.split('\n')[0]).toBe('person/E1005 (mesh id p1)');
    expect(renderExplanation({ ...e, keys: {} }).split('\n')[0]).toBe('person/p1');
    expect(text).toContain('  lost: "Robert Noyce" from hr/E1005 via hr-to-person at confidence 50 (tie: decided by rule name)');
    expect(text).toContain('  agrees: from apps/u5 via apps-to-person at confidence 40');
    expect(text).not.toContain('lost: "Bob Noyce"');
    // It ends by pointing at the values' changes over time.
    expect(text.endsWith('\nchanges over time: imesh history person/E1005\n')).toBe(true);
    expect(renderExplanation(e, 'displayName').endsWith('\nchanges over time: imesh history person/E1005 displayName\n')).toBe(true);
    expect(renderExplanation({ ...e, keys: { employeeId: 'Ada Lovelace' } })).toContain('\nchanges over time: imesh history "person/Ada Lovelace"\n');
  });
});

describe('check: the server version', () => {
  it('keeps the product and version, not the build details', () => {
    expect(shortVersion('PostgreSQL 17.4 on x86_64-pc-linux-gnu, compiled by emcc (Emscripten gcc/clang-like replacement + linker emulating GNU ld) 3.1.74 (1092ec30a3fb1d46b1782ff1b4db5094d3d06ae5), 32-bit')).toBe('PostgreSQL 17.4');
    expect(shortVersion('Microsoft SQL Server 2022 (RTM-CU14) (KB5038325) - 16.0.4135.4 (X64)\n\tJul 10 2024 14:09:09\n\tCopyright (C) 2022 Microsoft Corporation')).toBe('Microsoft SQL Server 2022 (RTM-CU14) (KB5038325) - 16.0.4135.4 (X64)');
  });
});
