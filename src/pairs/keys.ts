import { fmix32, hash64 } from '../select/dedup/index.ts';

/** 32 bits of a key's hash: seeds (best-vs-random) and partitions. */
export function keyHash(key: string): number {
  return hash64(key)[1];
}

/** 53 bits of a key's hash, exact in a double: task order for the balanced budget, pair tie-breaks. */
export function keyHash53(key: string): number {
  const [hi, lo] = hash64(key);
  return (hi >>> 11) * 2 ** 32 + lo;
}

/** The hash partition a task's groups are gathered in: every group of a task lands in the same one. */
export function partitionOf(task: string, partitions: number): number {
  return keyHash(task) % partitions;
}

/** A pair's place among equal gaps: a hash of its two member ids, the same in every partition and run. */
export function tieKey(chosen: string, rejected: string): number {
  return keyHash53(`${chosen}>${rejected}`);
}

/**
 * A rollout's content hash: 32 hex chars from four 32-bit multiply–rotate lanes over its line as
 * given, each finished by the murmur3 mixer. Not cryptographic (SHA-256 of a rollout costs about a
 * third of ingest at 1M steps); for non-adversarial data a collision among 10⁹ rollouts has odds
 * near 10⁻²¹. The same line always gets the same hash, so cells and ids stay stable across runs.
 */
export function rolloutHash(text: string): string {
  let a = 0x9e3779b9 ^ text.length;
  let b = 0x85ebca6b;
  let c = 0xc2b2ae35;
  let d = 0x27d4eb2f;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a = Math.imul(a ^ ch, 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ ch, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    c = Math.imul(c ^ ch, 0x38b34ae5);
    c = (c << 11) | (c >>> 21);
    d = Math.imul(d ^ ch, 0xa1e38b93);
    d = (d << 17) | (d >>> 15);
  }
  const lanes = [
    a ^ Math.imul(b, 0x2c1b3c6d),
    b ^ Math.imul(c, 0x297a2d39),
    c ^ Math.imul(d, 0x5bd1e995),
    d ^ a,
  ];
  return lanes.map((x) => (fmix32(x) >>> 0).toString(16).padStart(8, '0')).join('');
}
