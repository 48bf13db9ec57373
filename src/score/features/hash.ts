import { fmix32 } from '../../util/fmix32.ts';
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

export { fmix32 };

/** Order-sensitive combination of two 32-bit hashes (`a` then `b`): the hash of an n-gram from its parts. */
export function combineHash(a: number, b: number): number {
  return fmix32((Math.imul(a ^ 0x9e3779b9, 0x01000193) ^ b) >>> 0);
}
