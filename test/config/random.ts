/** A small deterministic generator for property tests (mulberry32), so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [' ', '#', ',', '+', '"', '\\', '<', '>', ';', '=', '*', '(', ')', '\0', '\n', '\t', 'é', '漢', '😀', 'a', 'Z', '0', '/'];

/** A string of valid code points (no lone surrogates), heavy on characters that need escaping. */
export function randomString(random: () => number, maxLength: number): string {
  const length = Math.floor(random() * (maxLength + 1));
  let out = '';
  for (let i = 0; i < length; i++) {
    if (random() < 0.6) {
      out += INTERESTING[Math.floor(random() * INTERESTING.length)];
    } else {
      let code = Math.floor(random() * 0x10ffff);
      if (code >= 0xd800 && code <= 0xdfff) code = 0x41;
      out += String.fromCodePoint(code);
    }
  }
  return out;
}
