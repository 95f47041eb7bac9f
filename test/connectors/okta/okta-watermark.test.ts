import { describe, expect, it } from 'vitest';
import { formatWatermark, OVERLAP_MS, parseWatermark, signpost } from '../../../src/connectors/okta/okta-watermark.js';

describe('Okta watermark', () => {
  it('is the seed wrapper {"u","g"}, readable both ways', () => {
    expect(formatWatermark({ u: '2026-04-22T08:15:30.000Z' })).toBe('{"u":"2026-04-22T08:15:30.000Z"}');
    expect(parseWatermark('{ "u": "2026-04-22T08:15:30.000Z", "g": "2026-04-21T17:00:00Z" }')).toEqual({ u: '2026-04-22T08:15:30.000Z', g: '2026-04-21T17:00:00.000Z' });
    expect(parseWatermark('{"g":"2026-04-21T17:00:00.000Z"}')).toEqual({ g: '2026-04-21T17:00:00.000Z' });
    for (const bad of ['', 'null', '[]', '{"u":"yesterday"}', '2026-04-22T08:15:30Z']) expect(parseWatermark(bad)).toBeUndefined();
  });

  it('signposts the server clock less the overlap, before the read', () => {
    expect(signpost('Wed, 22 Apr 2026 08:15:30 GMT')).toBe(new Date(Date.parse('2026-04-22T08:15:30Z') - OVERLAP_MS).toISOString());
    expect(signpost(undefined, Date.parse('2026-04-22T08:15:30Z'))).toBe(new Date(Date.parse('2026-04-22T08:15:30Z') - OVERLAP_MS).toISOString());
  });
});
