/**
 * A reusable open-addressing hash table from 32-bit keys to two 32-bit values, cleared in O(1) by a
 * generation stamp. Used for n-gram and line counts where a `Map` per record costs more than the rule.
 */
let bits = 10;
let mask = (1 << bits) - 1;
let keys = new Int32Array(1 << bits);
let count = new Int32Array(1 << bits);
let first = new Int32Array(1 << bits);
let stamp = new Int32Array(1 << bits);
let gen = 0;

/** Empties the table, sized for `n` keys. */
export function reset(n: number): void {
  if (n * 2 > mask) {
    while (1 << bits < n * 2) bits++;
    mask = (1 << bits) - 1;
    keys = new Int32Array(1 << bits);
    count = new Int32Array(1 << bits);
    first = new Int32Array(1 << bits);
    stamp = new Int32Array(1 << bits);
    gen = 0;
  }
  if (++gen === 0x7fffffff) {
    stamp.fill(0);
    gen = 1;
  }
}

/** Adds one occurrence of `key` seen at `at`; returns its slot. */
export function add(key: number, at: number): number {
  let i = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
  while (stamp[i] === gen) {
    if (keys[i] === key) {
      count[i]++;
      return i;
    }
    i = (i + 1) & mask;
  }
  stamp[i] = gen;
  keys[i] = key;
  count[i] = 1;
  first[i] = at;
  return i;
}

/** Is `key` in the table? */
export function has(key: number): boolean {
  let i = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
  while (stamp[i] === gen) {
    if (keys[i] === key) return true;
    i = (i + 1) & mask;
  }
  return false;
}

export function countAt(slot: number): number {
  return count[slot];
}
export function firstAt(slot: number): number {
  return first[slot];
}
