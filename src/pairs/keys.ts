import { hash64 } from '../select/dedup/index.ts';

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
