import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../../src/engine/mesh-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('mesh ids (UUID version 7)', () => {
  it('are UUIDs of version 7 and variant 10 whose first 48 bits are the millisecond they were made', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const id = uuidV7(at + 1_000_000); // later than any id made before in this process
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at + 1_000_000);
  });

  it('increase strictly in the order they are made, within one millisecond and when the clock goes back', () => {
    const start = Date.now() + 2_000_000;
    const ids = [
      ...Array.from({ length: 10_000 }, () => uuidV7(start)), // more than the 4,096 a millisecond counts
      ...Array.from({ length: 10 }, () => uuidV7(start - 60_000)),
      ...Array.from({ length: 10 }, () => uuidV7(start + 60_000)),
    ];
    for (const id of ids) expect(id).toMatch(UUID_V7);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!, `${ids[i - 1]} then ${ids[i]}`).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('differ in their random bits between ids of the same millisecond', () => {
    const at = Date.now() + 3_000_000;
    const tails = new Set(Array.from({ length: 100 }, () => uuidV7(at).slice(19)));
    expect(tails.size).toBe(100);
  });
});
