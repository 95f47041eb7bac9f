import { describe, expect, it } from 'vitest';
import { pgTimestampToIso } from '../../../src/connectors/sql/postgres-types.js';

describe('PostgreSQL timestamps read as ISO 8601 UTC with microseconds', () => {
  it.each([
    ['2026-11-23 10:00:05.123456+00', '2026-11-23T10:00:05.123456Z'],
    ['2026-11-23 10:00:05.5+00', '2026-11-23T10:00:05.500000Z'],
    ['2026-11-23 10:00:05+00', '2026-11-23T10:00:05.000000Z'],
    ['2026-11-23 10:00:05.123456', '2026-11-23T10:00:05.123456Z'],
    ['2026-11-23 10:00:05.25-05', '2026-11-23T15:00:05.250000Z'],
    ['2026-11-23 10:00:05.25+05:30', '2026-11-23T04:30:05.250000Z'],
    ['2026-11-23 23:30:00-01', '2026-11-24T00:30:00.000000Z'],
  ])('%s → %s', (text, iso) => {
    expect(pgTimestampToIso(text)).toBe(iso);
  });
});
