import { describe, expect, it } from 'vitest';
import { isoTimestamp, isoTimestampOrNull } from '../../src/store/timestamps.js';

describe('isoTimestamp', () => {
  it('writes every form a store returns as toISOString does', () => {
    const date = new Date('2026-12-03T10:20:50.123Z');
    expect(isoTimestamp(date)).toBe('2026-12-03T10:20:50.123Z');
    expect(isoTimestamp('2026-12-03T10:20:50.123Z')).toBe('2026-12-03T10:20:50.123Z');
    expect(isoTimestamp('2026-12-03 10:20:50')).toBe(new Date('2026-12-03 10:20:50').toISOString());
    expect(isoTimestamp('2026-12-03T10:20:50Z')).toBe('2026-12-03T10:20:50.000Z');
    expect(isoTimestamp('2026-12-03T11:20:50.123+01:00')).toBe('2026-12-03T10:20:50.123Z');
    expect(isoTimestampOrNull(null)).toBeNull();
  });

  it('still fails on text that is no time', () => {
    expect(() => isoTimestamp('yesterday')).toThrow(RangeError);
    expect(() => isoTimestamp('2026-13-03T10:20:50.123Z')).toThrow(RangeError);
  });
});
