import { describe, expect, it } from 'vitest';
import { renderConflictsMarkdown } from '../../src/reports/conflicts-markdown.js';
import { renderDriftMarkdown } from '../../src/reports/drift-markdown.js';
import { renderStatusMarkdown } from '../../src/reports/status-markdown.js';
import { registerSecret } from '../../src/shared/logger.js';
import { conflicts, drift, driftEntry, status } from './report-fixtures.js';

/** The lines of the first Markdown table after `heading`: header, rule, then the rows. */
function tableAfter(md: string, heading: string): string[] {
  const lines = md.slice(md.indexOf(heading)).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('status.md', () => {
  const md = renderStatusMarkdown(status());

  it('opens with a heading and a one-line summary a person can act on', () => {
    const [heading, , summary] = md.split('\n');
    expect(heading).toBe('# Identity Mesh status: corp');
    expect(summary).toBe('❌ **Not ready** · revision `0123456789ab` · 2 connectors (1 healthy, 1 degraded) · 1,276 mesh objects · 612 pending exports');
  });

  it('calls out conditions that are True and mean trouble, above everything else', () => {
    const alertStart = md.indexOf('> [!WARNING]');
    expect(alertStart).toBeGreaterThan(0);
    expect(alertStart).toBeLessThan(md.indexOf('## Conditions'));
    expect(md).toContain('> **DeleteThresholdExceeded**: corporate-ad: 612 deletions and disables exceed safety.maxDeletes (500)');
    expect(md).toContain('> **NotReady**: exports to corporate-ad are blocked');
    expect(md).not.toMatch(/> \*\*ConfigInvalid/);
    const rows = tableAfter(md, '## Conditions');
    expect(rows).toContainEqual(expect.stringMatching(/^\| \*\*DeleteThresholdExceeded\*\* \| \*\*True\*\* ⚠️ \|/));
    expect(rows).toContainEqual(expect.stringMatching(/^\| ConfigInvalid \| False \|/));
  });

  it('has no alert when all is well', () => {
    const healthy = renderStatusMarkdown(status({ conditions: [{ type: 'Ready', status: 'True', reason: 'Reconciled', message: '' }], connectors: [status().connectors[0]!] }));
    expect(healthy).toContain('✅ **Ready**');
    expect(healthy).not.toContain('[!WARNING]');
  });

  it('shows a table of connectors with health, object counts and unmanaged objects, then one section each', () => {
    const rows = tableAfter(md, '## Connectors');
    expect(rows[2]).toBe('| hr-file | csv | ✅ Healthy | 1,234 | — | 2024-05-01 10:05:00Z | — |');
    expect(rows[3]).toBe('| corporate-ad | active-directory | ⚠️ Degraded | 1,222 | 17 | 2024-05-01 10:05:01Z | 2024-05-01 09:55:00Z |');
    expect(md).toContain('### corporate-ad');
    expect(tableAfter(md, '### corporate-ad')).toContain('| user | 1,180 | `{"usn":48213}` | 2024-05-01 10:05:01Z | 2024-05-01 09:55:00Z |');
  });

  it('lists recent cycles with their outcome and what they did', () => {
    const rows = tableAfter(md, '## Recent cycles');
    expect(rows[2]).toContain('| #7 | delta | succeeded |');
    expect(rows[2]).toContain('person-to-ad: created 3, updated 1');
    expect(rows[3]).toContain('**blocked**');
  });

  it('renders names that contain Markdown literally', () => {
    const tricky = renderStatusMarkdown(status({ mesh: 'corp|*prod*' }));
    expect(tricky.split('\n')[0]).toBe('# Identity Mesh status: corp\\|\\*prod\\*');
  });

  it('never shows a registered secret, even if one slipped into a message', () => {
    registerSecret('hunter2-very-secret');
    const leaky = status({ connectors: [{ ...status().connectors[0]!, lastError: 'bind failed for password hunter2-very-secret' }] });
    const out = renderStatusMarkdown(leaky);
    expect(out).not.toContain('hunter2-very-secret');
    expect(out).toContain('[REDACTED]');
  });
});

describe('drift.md', () => {
  it('summarises drift and groups it per projection', () => {
    const md = renderDriftMarkdown(drift([driftEntry(1), driftEntry(2, { action: 'reported' }), driftEntry(2, { attribute: 'mail', action: 'pending', desired: 'a@x', actual: null })]));
    expect(md.split('\n')[0]).toBe('# Identity Mesh drift');
    expect(md).toContain('**3 drifted attributes on 2 objects** · 1 corrected · 1 reported only · 1 pending');
    expect(md).toContain('## person-to-ad → corporate-ad');
    expect(md).toContain('| `CN=User 002,OU=Sales,DC=corp,DC=example,DC=com` | mail | `a@x` | *(none)* | ⏳ pending |');
  });

  it('caps each projection and says how many more there are', () => {
    const many = Array.from({ length: 130 }, (_, i) => driftEntry(i));
    const md = renderDriftMarkdown(drift(many));
    expect(md.split('\n').filter((l) => l.startsWith('| `CN=User'))).toHaveLength(100);
    expect(md).toContain('*… and 30 more (see drift.json).*');
    expect(renderDriftMarkdown(drift(many), { rowsPerProjection: 10 })).toContain('*… and 120 more (see drift.json).*');
  });

  it('says so plainly when there is no drift', () => {
    expect(renderDriftMarkdown(drift([]))).toContain('**No drift**');
  });

  it('shows multi-valued drift as what to add and remove', () => {
    const md = renderDriftMarkdown(drift([driftEntry(1, { attribute: 'member', desired: ['CN=A', 'CN=B'], actual: ['CN=A', 'CN=C'] })]));
    expect(md).toContain('| member | + `CN=B`; − `CN=C` (2 → 2 values) | 2 values |');
  });
});

describe('conflicts.md', () => {
  const md = renderConflictsMarkdown(conflicts());

  it('summarises by kind and gives each kind its own table', () => {
    expect(md).toContain('**3 conflicts** · 1 attribute conflict · 1 ambiguous join · 1 held back');
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual(['## Attribute conflicts (1)', '## Ambiguous joins (1)', '## Held back (1)']);
  });

  it('shows the competing values with their rule, source and confidence, and the winner', () => {
    const row = tableAfter(md, '## Attribute conflicts')[2]!;
    expect(row).toContain('`Engineer` (hr-to-person · hr-file/`E1001` · 80)');
    expect(row).toContain('`Senior Engineer` (apps-to-person)');
  });

  it('says so plainly when there are none', () => {
    expect(renderConflictsMarkdown({ ...conflicts(), conflicts: [] })).toContain('**No conflicts**');
  });
});
