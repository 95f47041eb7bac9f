import { describe, expect, it } from 'vitest';
import { renderStatusText } from '../../src/reports/status-text.js';
import { status } from './report-fixtures.js';

describe('imesh status (text)', () => {
  const text = renderStatusText(status());
  const lines = text.split('\n');

  it('says whether the mesh is ready and which revision runs', () => {
    expect(lines[0]).toBe('Mesh corp: Not ready');
    expect(lines).toContain('Revision         0123456789ab');
    expect(lines).toContain('Pending exports  612');
  });

  it('lists problems before the details', () => {
    const problems = lines.indexOf('Problems');
    expect(problems).toBeGreaterThan(0);
    expect(problems).toBeLessThan(lines.indexOf('Connectors'));
    expect(lines).toContain('  ! DeleteThresholdExceeded: corporate-ad: 612 deletions and disables exceed safety.maxDeletes (500)');
    expect(lines).toContain('  ! corporate-ad: DeleteThresholdExceeded: 612 pending deletions and disables');
  });

  it('shows each connector with its object types, counts and watermarks in aligned columns', () => {
    const ad = lines.find((l) => l.startsWith('  corporate-ad'))!;
    expect(ad).toMatch(/^ {2}corporate-ad +active-directory +Degraded +1,222 +17$/);
    const user = lines.find((l) => l.startsWith('    user') && l.includes('48213'))!;
    expect(user).toMatch(/^ {4}user +1,180 +\{"usn":48213\} +2024-05-01 10:05:01Z +2024-05-01 09:55:00Z$/);
    const header = lines.find((l) => l.includes('WATERMARK'))!;
    expect(user.indexOf('{"usn"')).toBe(header.indexOf('WATERMARK'));
  });

  it('ends with the recent cycles', () => {
    expect(lines.find((l) => l.startsWith('  #7'))).toMatch(/#7 +delta +succeeded +2024-05-01 10:07:00Z +12\.3 s +0123456789ab +hr-file: imported 1,200; person-to-ad: created 3, updated 1/);
  });
});
