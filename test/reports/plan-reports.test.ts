import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown } from '../../src/reports/plan-markdown.js';
import { renderPlanText } from '../../src/reports/plan-text.js';
import { renderPlanJson } from '../../src/reports/report-json.js';
import type { GateTrip, PlanReport } from '../../src/reports/types.js';
import { emptyPlan, plan } from './report-fixtures.js';

const gate: GateTrip = { connector: 'corporate-ad', objectType: 'user', gate: 'maxDeletes', count: 612, limit: 500 };

describe('plan as Markdown (pull-request comment)', () => {
  it('leads with the totals and a table per projection', () => {
    const md = renderPlanMarkdown(plan());
    expect(md.split('\n')[0]).toBe('## Identity Mesh plan · revision `0123456789ab-dirty`');
    expect(md).toContain('**Plan: 3 to create, 2 to update, 1 to move, 0 to enable, 2 to disable, 1 to delete.** · 1 new conflict would appear');
    expect(md).toContain('| person-to-ad | corporate-ad/user | 3 | 1 | 1 | 0 | 2 | 0 |');
    expect(md).toContain('| groups-to-ad | corporate-ad/group | 0 | 1 | 0 | 0 | 0 | 1 |');
    // A projection with nothing to do gets no row and no section.
    expect(md).not.toContain('person-to-apps');
    expect(md.split('\n').filter((l) => l.startsWith('### '))).toEqual([
      '### person-to-ad → corporate-ad/user',
      '### groups-to-ad → corporate-ad/group',
      '### Conflicts (1 new, 0 existing)',
    ]);
  });

  it('shows what changes: attributes of creates, from → to of updates, both DNs of moves', () => {
    const md = renderPlanMarkdown(plan());
    expect(md).toContain('| `E1000` | `CN=Person 0,OU=Sales,DC=corp,DC=example,DC=com` | givenName: `Person0`<br>sn: `Example`<br>mail: `p0@corp.example.com` |');
    expect(md).toContain('title: `Engineer` → `Senior Engineer`');
    expect(md).toContain('| `E2002` | `CN=Carol,OU=Sales,DC=corp,DC=example,DC=com` | `CN=Carol,OU=Marketing,DC=corp,DC=example,DC=com` |');
    expect(md).toContain('member: + `CN=D`, `CN=E`; − `CN=C` (3 → 4 values)');
  });

  it('samples at most 20 per operation per projection and says how many more', () => {
    const md = renderPlanMarkdown(plan({}, 57));
    expect(md.split('\n').filter((l) => /^\| `E1\d{3}` /.test(l))).toHaveLength(20);
    expect(md).toContain('**➕ Create** (57)');
    expect(md).toContain('*… and 37 more (see `imesh plan --format json`).*');
    expect(renderPlanMarkdown(plan({}, 57), { samplesPerOp: 5 })).toContain('*… and 52 more');
  });

  it('puts a tripped safety gate first, as a caution naming the blocked connector', () => {
    const md = renderPlanMarkdown(plan({ gates: [gate] }));
    const caution = md.indexOf('> [!CAUTION]');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(md.indexOf('**Plan:'));
    expect(md).toContain('> **A safety gate would trip: exports to corporate-ad would be blocked.**');
    expect(md).toContain('> - corporate-ad/user: 612 deletions and disables exceed safety.maxDeletes (limit 500)');
  });

  it('says "No changes." when there is nothing to do', () => {
    const md = renderPlanMarkdown(emptyPlan());
    expect(md).toContain('**No changes.** The targets match the configuration.');
    expect(md).not.toContain('| Projection |');
  });

  it('stays under the comment size limit by shrinking samples', () => {
    const huge = plan({}, 5000);
    const md = renderPlanMarkdown(huge, { maxLength: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toContain('**Plan: 5,000 to create');
    expect(md).toMatch(/\*… and 4,9\d\d more/);
  });
});

describe('plan as terminal text', () => {
  it('reads like terraform plan: one line per object with its operation, then the totals', () => {
    const text = renderPlanText(plan());
    const lines = text.split('\n');
    expect(lines[0]).toBe('Identity Mesh plan · revision 0123456789ab-dirty');
    expect(lines).toContain('person-to-ad → corporate-ad/user');
    expect(lines).toContain('  + create E1000');
    expect(lines).toContain('      givenName: "Person0"');
    expect(lines).toContain('  ~ update E2001  CN=Bob Jones,OU=Sales,DC=corp,DC=example,DC=com');
    expect(lines).toContain('      title: "Engineer" → "Senior Engineer"');
    expect(lines).toContain('  → move E2002');
    expect(lines).toContain('      "CN=Carol,OU=Sales,DC=corp,DC=example,DC=com" → "CN=Carol,OU=Marketing,DC=corp,DC=example,DC=com"');
    expect(lines).toContain('  ⊘ disable E3001  CN=Dave,OU=Sales,DC=corp,DC=example,DC=com');
    expect(lines).toContain('  - delete G9  CN=Old,OU=Groups,DC=corp,DC=example,DC=com');
    expect(lines.at(-2)).toBe('Plan: 3 to create, 2 to update, 1 to move, 0 to enable, 2 to disable, 1 to delete.');
    expect(text).not.toContain('\u001b[');
  });

  it('prints a tripped gate before the changes and again after the totals', () => {
    const lines = renderPlanText(plan({ gates: [gate] })).split('\n');
    expect(lines[2]).toBe('!! SAFETY GATE: exports to corporate-ad would be blocked');
    expect(lines[3]).toContain('612 deletions and disables exceed safety.maxDeletes (limit 500)');
    expect(lines.at(-2)).toBe('Blocked: 1 safety gate would trip (see above): exports to corporate-ad would be blocked.');
  });

  it('uses the engine’s own gate message when it has one', () => {
    const text = renderPlanText(plan({ gates: [{ connector: 'hr-db', gate: 'importGuard', count: 900, limit: 0, message: 'hr-db/user: a full import returned nothing' }] }));
    expect(text).toContain('!!   hr-db/user: a full import returned nothing');
  });

  it('caps long lists with a pointer to the JSON', () => {
    const text = renderPlanText(plan({}, 12), { samplesPerOp: 10 });
    expect(text.split('\n').filter((l) => l.startsWith('  + create'))).toHaveLength(10);
    expect(text).toContain('  … and 2 more to create (imesh plan --format json lists them all)');
  });

  it('says No changes when there are none, and colours only when asked', () => {
    expect(renderPlanText(emptyPlan())).toContain('\nNo changes. The targets match the configuration.\n');
    const coloured = renderPlanText(plan(), { color: true });
    expect(coloured).toContain('\u001b[32m+ create\u001b[0m');
    expect(coloured).toContain('\u001b[31m- delete\u001b[0m');
  });
});

describe('a plan never says less than the truth', () => {
  const failed: PlanReport = { ...emptyPlan(), failures: [{ connector: 'contractors', stage: 'import', message: 'contractors: connect ECONNREFUSED 127.0.0.1:5432' }] };
  const guard: GateTrip = { connector: 'hr', objectType: 'user', gate: 'importGuard', count: 3, limit: 2, message: 'hr/user: the import would delete 3 of 12 objects, more than safety.maxDeletes (2); nothing was deleted' };
  const heldBack = plan().projections.slice(0, 1).map((p) => ({ ...p, heldBack: true }));
  const guarded: PlanReport = { ...emptyPlan(), gates: [guard], heldBack };

  it('names a failed connector first, says what the plan cannot show, and never ends in "No changes."', () => {
    const text = renderPlanText(failed);
    const lines = text.split('\n');
    expect(lines[2]).toBe('!! FAILED: the plan is incomplete (a connector could not be read)');
    // The connector is named once, not "contractors: contractors: …".
    expect(lines[3]).toBe('!!   contractors (import): connect ECONNREFUSED 127.0.0.1:5432');
    expect(lines[4]).toContain('the plan cannot show changes that depend on contractors');
    expect(text).not.toContain('No changes. The targets match the configuration.');
    expect(lines.at(-2)).toBe('No changes found in what could be read, but the plan is incomplete: contractors failed (see above).');
    const md = renderPlanMarkdown(failed);
    expect(md.indexOf('> [!WARNING]')).toBeLessThan(md.indexOf('**No changes found'));
    expect(md).toContain('> - contractors (import): connect ECONNREFUSED 127.0.0.1:5432');
    expect(md).not.toContain('The targets match the configuration');
    expect(JSON.parse(renderPlanJson(failed)).failures).toEqual([{ connector: 'contractors', stage: 'import', message: 'contractors: connect ECONNREFUSED 127.0.0.1:5432' }]);
  });

  it('says incomplete after the totals when changes were found beside a failure', () => {
    const text = renderPlanText({ ...plan(), failures: failed.failures });
    expect(text).toContain('Plan: 3 to create');
    expect(text.split('\n').at(-2)).toBe('Incomplete: contractors failed (see above); changes that depend on it are not shown.');
  });

  it('an import guard names the source held back (not "exports to hr") and lists the changes it holds back', () => {
    const text = renderPlanText(guarded);
    expect(text).toContain('!! SAFETY GATE: the import from hr would be held back\n');
    expect(text).not.toContain('exports to hr');
    expect(text).toContain('A reconcile would hold back the 7 changes listed as held back below until approved (--allow-deletes 3).');
    expect(text).toContain('Held back by the import guard: a reconcile makes these only once approved (--allow-deletes 3):');
    expect(text).toContain('  ⊘ disable E3001');
    expect(text).not.toContain('No changes. The targets match the configuration.');
    expect(text).toContain('No changes would be made now: 7 changes would be held back by 1 safety gate (see above).');
    const md = renderPlanMarkdown(guarded);
    expect(md).toContain('> **A safety gate would trip: the import from hr would be held back.**');
    expect(md).toContain('#### person-to-ad → corporate-ad/user');
    expect(md).not.toContain('The targets match the configuration');
    const json = JSON.parse(renderPlanJson(guarded));
    expect(json.heldBack[0]).toMatchObject({ name: 'person-to-ad', heldBack: true, disables: 2 });
  });

  it('marks the projections an export gate blocks', () => {
    const blocked: PlanReport = { ...plan({ gates: [gate] }), projections: plan().projections.map((p) => (p.connector === 'corporate-ad' ? { ...p, heldBack: true } : p)) };
    const text = renderPlanText(blocked);
    expect(text).toContain('person-to-ad → corporate-ad/user  (held back: a safety gate would block these)');
    expect(text.split('\n').at(-2)).toBe('Blocked: 1 safety gate would trip (see above): exports to corporate-ad would be blocked; 9 changes would be held back.');
    expect(renderPlanMarkdown(blocked)).toContain('### person-to-ad → corporate-ad/user · held back by a safety gate');
  });

  it('tells new conflicts from existing ones, sorted by key, and names the object once', () => {
    const entry = (object: string, status: 'new' | 'existing') => ({ kind: 'attribute' as const, meshType: 'person', object: `person/${object}`, attribute: 'displayName', reason: 'equal confidence', status });
    const text = renderPlanText({ ...emptyPlan(), conflicts: [entry('E1004', 'existing'), entry('E1001', 'new'), entry('E1002', 'existing')], resolvedConflicts: 2 });
    expect(text).toContain('Conflicts (1 new, 2 existing; 2 existing would be resolved):');
    const listed = text.split('\n').filter((l) => l.includes('attribute conflict'));
    expect(listed).toEqual([
      '  new       attribute conflict: person/E1001 displayName: equal confidence',
      '  existing  attribute conflict: person/E1002 displayName: equal confidence',
      '  existing  attribute conflict: person/E1004 displayName: equal confidence',
    ]);
    const md = renderPlanMarkdown({ ...emptyPlan(), conflicts: [entry('E1004', 'existing'), entry('E1001', 'new')] });
    expect(md.indexOf('#### New: this change would cause them')).toBeLessThan(md.indexOf('#### Existing: already in the store'));
    expect(md.indexOf('`person/E1001`')).toBeLessThan(md.indexOf('`person/E1004`'));
  });
});

describe('connectors a plan did not contact (issue 14: secrets go only to bound destinations)', () => {
  const skipped = [
    {
      connector: 'wiki-app',
      reason: 'secret ad-password would be sent to https://attacker.example, where no trusted run has sent it',
      flowRules: ['wiki-to-person'],
      projections: ['person-to-wiki'],
    },
  ];

  it('Markdown: a "Not contacted" section naming the connector, secret NAME, destination and what was left out', () => {
    const md = renderPlanMarkdown(emptyPlan());
    expect(md).not.toContain('Not contacted');
    const withSkip = renderPlanMarkdown({ ...emptyPlan(), skipped });
    expect(withSkip).toContain('**No changes** in what was read · 1 connector not contacted');
    expect(withSkip).toContain('### Not contacted\n\n- **wiki-app**: secret ad-password would be sent to https://attacker.example');
    expect(withSkip).toContain('  - its objects were not read: `wiki-to-person` not synced (nothing planned from them, no deletes)\n  - not planned: `person-to-wiki`');
  });

  it('text: listed before the totals, and the totals say so', () => {
    const text = renderPlanText({ ...plan(), skipped });
    expect(text).toContain('Not contacted (1):\n  wiki-app: secret ad-password would be sent to https://attacker.example');
    expect(text).toContain('not planned: projection person-to-wiki');
    expect(text).toContain('1 to delete. 1 connector not contacted (see above).');
    expect(renderPlanText({ ...emptyPlan(), skipped })).toContain('No changes in what was read. 1 connector not contacted (see above).');
  });
});
