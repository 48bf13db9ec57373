import type { GmmParams, Matrix } from './types.ts';

/** Argument checks shared by the clustering routines (exact messages; they are part of the API). */
export function checkMatrix(x: Matrix, name = 'x'): void {
  if (!(x?.data instanceof Float32Array)) throw new TypeError(`${name}.data must be a Float32Array`);
  if (!Number.isInteger(x.n) || x.n < 0) throw new RangeError(`${name}.n must be a non-negative integer`);
  if (!Number.isInteger(x.dim) || x.dim < 1) throw new RangeError(`${name}.dim must be a positive integer`);
  if (x.data.length < x.n * x.dim) throw new RangeError(`${name}.data must hold n × dim values`);
}

/** k must be an integer in [1, max]; `bound` names max in the message. */
export function checkK(k: number, max: number, bound = 'n'): void {
  if (!Number.isInteger(k) || k < 1 || k > max) throw new RangeError(`k must be an integer in [1, ${bound}]`);
}

export function checkPositiveK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError('k must be a positive integer');
}

export function checkCentroids(centroids: Float64Array, k: number, dim: number): void {
  if (!(centroids instanceof Float64Array)) throw new TypeError('centroids must be a Float64Array');
  checkPositiveK(k);
  if (centroids.length !== k * dim) throw new RangeError('centroids must hold k × dim values');
}

export function checkParams(params: GmmParams, dim: number): void {
  const { k, weights, means, variances } = params;
  checkPositiveK(k);
  if (params.dim !== dim) throw new RangeError('params.dim must equal x.dim');
  if (weights.length !== k || means.length !== k * dim || variances.length !== k * dim) {
    throw new RangeError('params must hold k weights and k × dim means and variances');
  }
  for (let i = 0; i < variances.length; i++) {
    if (!(variances[i] > 0)) throw new RangeError('variances must be positive');
  }
}

export function checkSameShape(a: { k: number; dim: number }, b: { k: number; dim: number }): void {
  if (a.k !== b.k || a.dim !== b.dim) throw new RangeError('stats must have the same k and dim');
}

/** Rows [start, end) of x as a view (no copy). */
export function rowRange(x: Matrix, start: number, end: number): Matrix {
  return { data: x.data.subarray(start * x.dim, end * x.dim), n: end - start, dim: x.dim };
}

/** x split into views of at most `rows` rows. */
export function rowChunks(x: Matrix, rows: number): Matrix[] {
  // One chunk is x itself: the same data array from call to call (the kernel knows held rows by it).
  if (x.n > 0 && rows >= x.n) return [x];
  const out: Matrix[] = [];
  for (let s = 0; s < x.n; s += rows) out.push(rowRange(x, s, Math.min(x.n, s + rows)));
  return out;
}
