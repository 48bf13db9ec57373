/**
 * Dot-product kernels for the per-cluster strategies, over rows of one flat row-major Float32Array.
 *
 * Every dot product, blocked or not, is summed in float64 in the same order (k = 0 … dim−1, one
 * accumulator per pair), and the products of two float32 values are exact in float64. So a value
 * never depends on which kernel computed it, and a row's dot with an identical row is bit-identical
 * to its squared norm. The blocked kernels share each loaded number between several pairs: 4 × 2
 * rows load 6 numbers per 8 multiply-adds where one pair at a time loads 16 (about 2.5× faster in V8).
 */
export function dotRows(v: Float32Array, a: number, b: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += v[a + k] * v[b + k];
  return s;
}

/** Rows at offsets a0 … a3 (any rows) against the row at x: out[r] = row(a_r) · row(x). */
export function dots4x1(
  v: Float32Array,
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  x: number,
  dim: number,
  out: Float64Array,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < dim; k++) {
    const q = v[x + k];
    s0 += v[a0 + k] * q;
    s1 += v[a1 + k] * q;
    s2 += v[a2 + k] * q;
    s3 += v[a3 + k] * q;
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/**
 * Four consecutive rows from `a` against rows x and y: out[r] = row(a + r·dim) · row(x) and
 * out[4 + r] = row(a + r·dim) · row(y), r < 4.
 */
export function dots4x2(
  v: Float32Array,
  a: number,
  x: number,
  y: number,
  dim: number,
  out: Float64Array,
): void {
  const a1 = a + dim;
  const a2 = a1 + dim;
  const a3 = a2 + dim;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t0 = 0;
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  for (let k = 0; k < dim; k++) {
    const q = v[x + k];
    const w = v[y + k];
    const p0 = v[a + k];
    const p1 = v[a1 + k];
    const p2 = v[a2 + k];
    const p3 = v[a3 + k];
    s0 += p0 * q;
    s1 += p1 * q;
    s2 += p2 * q;
    s3 += p3 * q;
    t0 += p0 * w;
    t1 += p1 * w;
    t2 += p2 * w;
    t3 += p3 * w;
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
  out[4] = t0;
  out[5] = t1;
  out[6] = t2;
  out[7] = t3;
}

/** The squared norm of every row. */
export function squaredNorms(v: Float32Array, dim: number): Float64Array {
  const n = v.length / dim;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) out[r] = dotRows(v, r * dim, r * dim, dim);
  return out;
}

/** The number of rows of `vecs`, after checking its shape. */
export function rowCount(vecs: Float32Array, dim: number): number {
  if (!(vecs instanceof Float32Array)) throw new TypeError('vecs must be a Float32Array');
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (vecs.length % dim !== 0)
    throw new RangeError(`vecs has ${vecs.length} numbers, not a multiple of dim = ${dim}`);
  return vecs.length / dim;
}
