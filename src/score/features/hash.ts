/**
 * 32-bit string hashing for hashed features and n-gram tables. Deterministic across runtimes: only
 * `Math.imul` and unsigned shifts, no platform hash.
 *
 * `hashString` is FNV-1a over the UTF-16 code units of the string (each unit XORed in whole, then a
 * multiply by the FNV prime 0x01000193), starting from the FNV offset basis 0x811c9dc5 XOR `seed`, and
 * finished with murmur3's `fmix32` so the low bits are well mixed (buckets are `hash % buckets`).
 */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3's 32-bit finalizer: an invertible mix, so distinct inputs stay distinct. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Order-sensitive combination of two 32-bit hashes (`a` then `b`): the hash of an n-gram from its parts. */
export function combineHash(a: number, b: number): number {
  return fmix32((Math.imul(a ^ 0x9e3779b9, 0x01000193) ^ b) >>> 0);
}
