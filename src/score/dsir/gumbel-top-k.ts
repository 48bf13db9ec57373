import { mulberry32 } from '../../demo/random.ts';

/**
 * Sampling k items without replacement with probabilities ∝ exp(logWeights) (Gumbel top-k, as DSIR
 * resamples): key_i = logWeights[i] + G_i with G_i = -ln(-ln U_i), U_i uniform in (0, 1) from a
 * mulberry32 stream seeded by `seed`; returns the indices of the k largest keys, largest first (ties
 * to the lower index). A weight of -Infinity is taken only once every finite one is.
 */
export function gumbelTopK(logWeights: Float64Array, k: number, seed: number): Uint32Array {
  const n = logWeights.length;
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new RangeError(`k must be an integer in [0, ${n}], got ${k}`);
  const rand = mulberry32(seed);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = logWeights[i];
    if (Number.isNaN(w)) throw new RangeError(`logWeights[${i}] is NaN`);
    const u = rand() + 2 ** -33;
    keys[i] = w - Math.log(-Math.log(u));
  }
  // Min-heap of the best k so far: the root is the weakest kept item.
  const heap = new Uint32Array(k);
  const worse = (a: number, b: number) => keys[a] < keys[b] || (keys[a] === keys[b] && a > b);
  const siftDown = (from: number, size: number) => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(heap[l], heap[m])) m = l;
      if (r < size && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let i = 0; i < n && k > 0; i++) {
    if (i < k) {
      heap[i] = i;
      if (i === k - 1) for (let j = (k >> 1) - 1; j >= 0; j--) siftDown(j, k);
    } else if (worse(heap[0], i)) {
      heap[0] = i;
      siftDown(0, k);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}
