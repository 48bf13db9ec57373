/**
 * Stable LSD radix sorts of index arrays by unsigned integer keys: O(n) per 16-bit digit, where a
 * comparator sort costs a call per comparison (n log n of them: seconds for the millions of edges of a
 * 1M-record dedup).
 */

const COUNTS = new Uint32Array(1 << 16);

/**
 * One stable counting pass: `src`'s indices into `dst`, by the digit `(keys[i] >>> shift) & mask`.
 * False (and `dst` untouched) when every index has the same digit: the pass would not move anything.
 */
function pass(
  src: Uint32Array,
  dst: Uint32Array,
  n: number,
  keys: Uint32Array | Uint8Array,
  shift: number,
  mask: number,
): boolean {
  const counts = COUNTS;
  counts.fill(0, 0, mask + 1);
  for (let t = 0; t < n; t++) counts[(keys[src[t]] >>> shift) & mask]++;
  if (n === 0 || counts[(keys[src[0]] >>> shift) & mask] === n) return false;
  let sum = 0;
  for (let d = 0; d <= mask; d++) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
  for (let t = 0; t < n; t++) {
    const i = src[t];
    dst[counts[(keys[i] >>> shift) & mask]++] = i;
  }
  return true;
}

/**
 * The indices 0 … n − 1 sorted by the keys in order of significance (`keys[0]` first), ties kept in
 * index order. Each key is 32-bit (Uint32Array) or 8-bit (Uint8Array).
 */
export function radixOrder(n: number, keys: readonly (Uint32Array | Uint8Array)[]): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let spare = new Uint32Array(n);
  // Least significant key first, low digit first: each stable pass keeps the order of the ones before.
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k];
    const digits: [number, number][] =
      key instanceof Uint8Array
        ? [[0, 0xff]]
        : [
            [0, 0xffff],
            [16, 0xffff],
          ];
    for (const [shift, mask] of digits) {
      if (pass(order, spare, n, key, shift, mask)) [order, spare] = [spare, order];
    }
  }
  return order;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Keys (high word, low word) that radixOrder sorts into descending order of `values[at[t]]`: the
 * IEEE-754 bits made monotone as unsigned integers (negative values flipped whole, the others' sign bit
 * set), then inverted. −0 sorts as +0; NaN is not expected.
 */
export function descendingKeys(values: Float64Array, at: Uint32Array): [Uint32Array, Uint32Array] {
  const n = at.length;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let t = 0; t < n; t++) {
    F64[0] = values[at[t]] + 0;
    let h = U32[HI];
    let l = U32[1 - HI];
    if (h & 0x80000000) {
      h = ~h;
      l = ~l;
    } else h |= 0x80000000;
    hi[t] = ~h >>> 0;
    lo[t] = ~l >>> 0;
  }
  return [hi, lo];
}
