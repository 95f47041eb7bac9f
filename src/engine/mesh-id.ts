/**
 * Mesh object ids: UUID version 7 (RFC 9562), time-ordered. Every store index keyed by mesh id
 * (mesh_object, mesh_key, source_link, target_link, value and export history) then grows at its right
 * edge: a page of 5,000 new objects touches a few index pages per index instead of one page per object,
 * so what a commit writes, and what the store's cache must hold, follows the page, not the directory
 * (random version 4 ids made a first cycle's commits grow with the store: 100k → 300k cost 4.7×).
 *
 * Layout: 48 bits of Unix milliseconds, version 7, a 12-bit counter (RFC 9562 §6.2 method 1: random
 * start each millisecond, incremented within it, carried into the timestamp when it overflows, so ids
 * made by one process increase strictly), the variant, 62 random bits.
 */
import { randomFillSync } from 'node:crypto';

const COUNTER_MAX = 0xfff;
const random = Buffer.alloc(8 * 1024);
let randomAt = random.length;
let lastMs = -1;
let counter = 0;

export function uuidV7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = randomBytes(1)[0]! & 0x7f; // a random start below 128 leaves room to count in the millisecond
  } else if (++counter > COUNTER_MAX) {
    lastMs += 1; // the clock went back, or 4,096 ids this millisecond: borrow the next one
    counter = 0;
  }
  if (lastMs !== prefixMs) {
    prefixMs = lastMs;
    const hex = lastMs.toString(16).padStart(12, '0');
    prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
  }
  const tail = randomBytes(8);
  const b8 = (tail[0]! & 0x3f) | 0x80; // variant 10
  return (
    prefix +
    HEX3[counter]! +
    '-' +
    HEX2[b8]! +
    HEX2[tail[1]!]! +
    '-' +
    HEX2[tail[2]!]! +
    HEX2[tail[3]!]! +
    HEX2[tail[4]!]! +
    HEX2[tail[5]!]! +
    HEX2[tail[6]!]! +
    HEX2[tail[7]!]!
  );
}

/** The id's first three groups for the millisecond last used (one per millisecond, not per id). */
let prefixMs = -1;
let prefix = '';
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX3 = Array.from({ length: COUNTER_MAX + 1 }, (_, i) => i.toString(16).padStart(3, '0'));

/** `n` random bytes from a pooled buffer (one system call per 8 KiB instead of one per id). */
function randomBytes(n: number): Buffer {
  if (randomAt + n > random.length) {
    randomFillSync(random);
    randomAt = 0;
  }
  const out = random.subarray(randomAt, randomAt + n);
  randomAt += n;
  return out;
}
