import { describe, expect, it } from 'vitest';
import { count, plural } from '../../src/reports/value-format.js';

describe('count', () => {
  it('groups digits as en-US does, for every size and sign', () => {
    const numbers = [0, -0, 1, 12, 123, 1234, 12345, 123456, 1234567, 1000, 100000, 999999, -1, -1234, -123456, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1234.5678, 2 ** 60, NaN, Infinity];
    for (let digits = 1; digits <= 15; digits++) numbers.push(Number('9'.repeat(digits)), Number('1' + '0'.repeat(digits - 1)));
    for (const n of numbers) expect(count(n)).toBe(n.toLocaleString('en-US'));
    expect(count(1234567)).toBe('1,234,567');
    expect(plural(1000, 'object')).toBe('1,000 objects');
  });
});
