import { describe, expect, it } from 'vitest';
import type { Scalar, Value } from '../../src/config/model.js';
import type { StagedObject } from '../../src/connectors/sdk.js';
import { fingerprint, staged } from '../../src/engine/connector-space.js';
import { canonicalJson, hashOf } from '../../src/engine/values.js';
import { randomString, seededRandom } from '../config/random.js';

function randomObject(random: () => number): StagedObject {
  const scalar = (): Scalar => {
    const pick = random();
    if (pick < 0.4) return randomString(random, 12);
    if (pick < 0.6) return Math.floor(random() * 2 ** 40) - 2 ** 39;
    if (pick < 0.7) return random() * 1e6;
    return random() < 0.5;
  };
  const attributes: Record<string, Value> = {};
  const count = Math.floor(random() * 9);
  for (let i = 0; i < count; i++) {
    const pick = random();
    const value = pick < 0.6 ? scalar() : pick < 0.9 ? Array.from({ length: Math.floor(random() * 4) }, scalar) : undefined;
    attributes[randomString(random, 8)] = value as Value;
  }
  return {
    externalId: randomString(random, 10) || 'x',
    attributes,
    ...(random() < 0.5 ? { dn: randomString(random, 20) } : {}),
    ...(random() < 0.7 ? { enabled: random() < 0.5 } : {}),
    ...(random() < 0.3 ? { deleted: random() < 0.5 } : {}),
  };
}

describe('the import fingerprint', () => {
  it('is the hash of the canonical object, so hashes stored by earlier versions stay valid', () => {
    const random = seededRandom(2024);
    for (let run = 0; run < 1000; run++) {
      const o = randomObject(random);
      expect(fingerprint(o)).toBe(hashOf({ dn: o.dn ?? null, attributes: o.attributes, enabled: o.enabled ?? null, deleted: o.deleted ?? false }));
    }
  });

  it('is the same, and so is the attributes JSON the store keeps, whether the names come sorted (one JSON.stringify) or not', () => {
    const random = seededRandom(77);
    for (let run = 0; run < 1000; run++) {
      const o = randomObject(random);
      // Names in canonical order, as the sql connector builds objects; now and then a nested value.
      const sorted: Record<string, Value> = {};
      for (const name of Object.keys(o.attributes).sort()) sorted[name] = o.attributes[name]!;
      if (run % 10 === 0) sorted.zz = [{ b: 1, a: 2 }] as unknown as Value;
      for (const object of [o, { ...o, attributes: sorted }]) {
        const row = staged(object);
        const expected = hashOf({ dn: object.dn ?? null, attributes: object.attributes, enabled: object.enabled ?? null, deleted: object.deleted ?? false });
        expect(row.hash).toBe(expected);
        expect(row.attributes).toBe(canonicalJson(object.attributes));
      }
    }
  });

  it('does not depend on the order the connector listed the attributes in', () => {
    const a = fingerprint({ externalId: '1', attributes: { b: 'x', a: ['1', '2'] } });
    expect(fingerprint({ externalId: '1', attributes: { a: ['1', '2'], b: 'x' } })).toBe(a);
    expect(fingerprint({ externalId: '1', attributes: { a: ['2', '1'], b: 'x' } })).not.toBe(a);
    // Integer-like names: JavaScript orders them first, and so did the canonical JSON hashed before.
    const numeric = { '10': 'a', '9': 'b', x: 1 };
    expect(fingerprint({ externalId: '1', attributes: numeric })).toBe(hashOf({ dn: null, attributes: numeric, enabled: null, deleted: false }));
  });
});
