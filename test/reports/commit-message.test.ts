import { describe, expect, it } from 'vitest';
import { reportCommitMessage } from '../../src/reports/commit-message.js';
import { SHA, conflicts, cycle, drift, status } from './report-fixtures.js';

describe('reportCommitMessage', () => {
  it('names the config revision and what happened in the subject, the full revision in a trailer', () => {
    const message = reportCommitMessage(status(), { drift: drift(), conflicts: conflicts() });
    const [subject, blank, ...trailers] = message.trimEnd().split('\n');
    expect(subject).toBe('reports: 0123456789ab — 3 created, 1 updated, 1 drifted, 3 conflicts, NotReady, DeleteThresholdExceeded');
    expect(blank).toBe('');
    expect(trailers).toContain(`Config-Revision: ${SHA}`);
  });

  it('sums export counters over all groups and keeps -dirty', () => {
    const s = status({
      revision: `${SHA}-dirty`,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Reconciled', message: '' }],
      connectors: [],
      lastCycle: cycle(9, { counts: { a: { created: 2, imported: 50 }, b: { created: 1, disabled: 4, failed: 1 } } }),
    });
    expect(reportCommitMessage(s).split('\n')[0]).toBe('reports: 0123456789ab-dirty — 3 created, 4 disabled, 1 failed exports');
  });

  it('says "no changes" when a healthy cycle did nothing', () => {
    const s = status({ conditions: [{ type: 'Ready', status: 'True', reason: 'Reconciled', message: '' }], connectors: [], lastCycle: null });
    expect(reportCommitMessage(s, { drift: drift([]) }).split('\n')[0]).toBe('reports: 0123456789ab — no changes');
  });

  it('names ConfigInvalid and both revisions when the new revision was refused', () => {
    const s = status({
      revision: 'fedcba9876543210fedcba9876543210fedcba98',
      conditions: [{ type: 'ConfigInvalid', status: 'True', reason: 'SchemaErrors', message: 'mesh.yaml:3:5: unknown key' }],
      connectors: [],
      lastCycle: null,
    });
    const message = reportCommitMessage(s);
    expect(message.split('\n')[0]).toBe('reports: fedcba987654 — ConfigInvalid');
    expect(message).toContain(`Last-Applied-Revision: ${SHA}`);
  });
});
