/**
 * Entries grouped by their (kind, keyHi, keyLo) key with an open-addressing hash table, in O(n):
 * `start[g]..start[g + 1]` indexes `member`, which lists group g's entries in ascending entry order.
 * Groups are numbered by first appearance. A sort by key with a comparator did the same in
 * O(n log n) calls into JavaScript and was most of dedup-reduce.
 */
export interface KeyGroups {
  count: number;
  start: Uint32Array;
  member: Uint32Array;
}

export function keyGroups(kind: Uint8Array, keyHi: Uint32Array, keyLo: Uint32Array, n: number): KeyGroups {
  let bits = 4;
  while (1 << bits < 2 * n) bits++;
  const size = 1 << bits;
  const mask = size - 1;
  const slot = new Int32Array(size).fill(-1); // group id in the slot, -1 empty
  const first = new Uint32Array(n); // per group, its first entry (to compare keys with)
  const group = new Uint32Array(n); // per entry, its group
  const count = new Uint32Array(n + 1);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    const hi = keyHi[i];
    const lo = keyLo[i];
    const k = kind[i];
    // Partitions are chosen by keyLo's residue, so its low bits repeat within a file: mix in keyHi.
    let h = Math.imul(hi ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b), 0xc2b2ae35);
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const g = slot[h];
      if (g < 0) {
        slot[h] = groups;
        first[groups] = i;
        group[i] = groups++;
        break;
      }
      const f = first[g];
      if (keyLo[f] === lo && keyHi[f] === hi && kind[f] === k) {
        group[i] = g;
        break;
      }
      h = (h + 1) & mask;
    }
    count[group[i] + 1]++;
  }
  const start = new Uint32Array(groups + 1);
  for (let g = 0; g < groups; g++) start[g + 1] = start[g] + count[g + 1];
  const fill = start.slice(0, groups);
  const member = new Uint32Array(n);
  for (let i = 0; i < n; i++) member[fill[group[i]]++] = i;
  return { count: groups, start, member };
}
