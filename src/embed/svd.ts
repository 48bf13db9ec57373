import { symmetricEigen } from './eigen.ts';
import { randomProjection } from './reduce.ts';

/** A sparse matrix in compressed rows: row i holds `index[ptr[i]..ptr[i+1])` and their `value`s. */
export interface Csr {
  rows: number;
  cols: number;
  ptr: Uint32Array;
  index: Uint32Array;
  value: Float32Array;
}

/** The top right singular vectors of a matrix and their singular values. */
export interface TruncatedSvd {
  /** `cols × k` row-major: row j is feature j's loading on each component (float32: the model's size). */
  components: Float32Array;
  /** Singular values, largest first; 0 for components past the matrix's rank. */
  values: Float64Array;
  k: number;
}

export interface SvdOptions {
  /** Extra random directions (Halko et al.'s p). */
  oversample?: number;
  /** Power iterations (Halko et al.'s q): sharper for slowly decaying spectra, such as text. */
  iterations?: number;
  seed?: number;
}

/** `x · m` for dense `m` (`x.cols × l`, row-major): `x.rows × l`. */
function timesDense(x: Csr, m: Float64Array, l: number): Float64Array {
  const out = new Float64Array(x.rows * l);
  for (let i = 0; i < x.rows; i++) {
    const o = i * l;
    for (let p = x.ptr[i]; p < x.ptr[i + 1]; p++) {
      const v = x.value[p];
      const r = x.index[p] * l;
      for (let c = 0; c < l; c++) out[o + c] += v * m[r + c];
    }
  }
  return out;
}

/** `xᵀ · m` for dense `m` (`x.rows × l`): `x.cols × l`. */
function transposeTimesDense(x: Csr, m: Float64Array, l: number): Float64Array {
  const out = new Float64Array(x.cols * l);
  for (let i = 0; i < x.rows; i++) {
    const r = i * l;
    for (let p = x.ptr[i]; p < x.ptr[i + 1]; p++) {
      const v = x.value[p];
      const o = x.index[p] * l;
      for (let c = 0; c < l; c++) out[o + c] += v * m[r + c];
    }
  }
  return out;
}

/** `mᵀm` of an `n × l` row-major matrix: `l × l`. */
function gram(m: Float64Array, n: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  for (let i = 0; i < n; i++) {
    const r = i * l;
    for (let a = 0; a < l; a++) {
      const va = m[r + a];
      if (va === 0) continue;
      const ga = a * l;
      for (let b = a; b < l; b++) g[ga + b] += va * m[r + b];
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) g[a * l + b] = g[b * l + a];
  return g;
}

/**
 * An orthonormal basis of the column space of `m` (`n × l` row-major), by the eigenvectors of mᵀm:
 * Q = m W Λ^-½ over the eigenvalues above a relative tolerance (a rank-deficient m gives fewer columns).
 * Done twice, it is as orthogonal as Householder QR for the well-conditioned blocks of a power iteration.
 */
function orthonormalize(m: Float64Array, n: number, l: number, passes = 2): { q: Float64Array; l: number } {
  let cur = m;
  let width = l;
  for (let pass = 0; pass < passes; pass++) {
    const { values, vectors } = symmetricEigen(gram(cur, n, width), width);
    const tol = Math.max(values[0], 0) * 1e-12;
    let keep = 0;
    while (keep < width && values[keep] > tol) keep++;
    const w = new Float64Array(width * keep);
    for (let c = 0; c < keep; c++) {
      const s = 1 / Math.sqrt(values[c]);
      for (let r = 0; r < width; r++) w[r * keep + c] = vectors[c * width + r] * s;
    }
    const q = new Float64Array(n * keep);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < width; r++) {
        const v = cur[i * width + r];
        if (v === 0) continue;
        for (let c = 0; c < keep; c++) q[i * keep + c] += v * w[r * keep + c];
      }
    }
    cur = q;
    width = keep;
  }
  return { q: cur, l: width };
}

/**
 * The `k` leading right singular vectors of a sparse matrix, by randomized SVD (Halko, Martinsson and
 * Tropp 2011, algorithms 4.4 and 5.1, as scikit-learn's TruncatedSVD with `algorithm="randomized"`):
 * a seeded Gaussian range sketch of `k + oversample` directions, `iterations` power iterations with
 * re-orthonormalization, then the exact SVD of the small projected matrix. Deterministic for a seed; each
 * component's sign is fixed so that its largest loading is positive.
 */
export function truncatedSvd(x: Csr, k: number, options: SvdOptions = {}): TruncatedSvd {
  const { oversample = 10, iterations = 4, seed = 0 } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const components = new Float32Array(x.cols * k);
  const values = new Float64Array(k);
  const l0 = Math.min(k + oversample, x.rows, x.cols);
  if (l0 === 0 || x.index.length === 0) return { components, values, k };
  const omega = Float64Array.from(randomProjection(x.cols, l0, seed));
  // Power iterations Y ← X Xᵀ Q, re-orthonormalized on the row side only (one pass each: the last
  // basis gets two). The row side is the sample's records, smaller than the vocabulary.
  let { q, l } = orthonormalize(timesDense(x, omega, l0), x.rows, l0, 1);
  for (let it = 0; it < iterations && l > 0; it++) {
    const z = transposeTimesDense(x, q, l);
    ({ q, l } = orthonormalize(timesDense(x, z, l), x.rows, l, it === iterations - 1 ? 2 : 1));
  }
  if (l === 0) return { components, values, k };
  // B = Qᵀ X (l × cols), held transposed: Z = Xᵀ Q (cols × l). B Bᵀ = Zᵀ Z = W Λ Wᵀ, and the right
  // singular vectors of B (hence of X, within the sketch) are Z W Λ^-½.
  const z = transposeTimesDense(x, q, l);
  const { values: lambda, vectors } = symmetricEigen(gram(z, x.cols, l), l);
  const kept = Math.min(k, l);
  for (let c = 0; c < kept; c++) {
    if (!(lambda[c] > 0)) break;
    const s = Math.sqrt(lambda[c]);
    values[c] = s;
    let big = 0;
    for (let j = 0; j < x.cols; j++) {
      let v = 0;
      for (let r = 0; r < l; r++) v += z[j * l + r] * vectors[c * l + r];
      v /= s;
      components[j * k + c] = v;
      if (Math.abs(v) > Math.abs(big)) big = v;
    }
    if (big < 0) for (let j = 0; j < x.cols; j++) components[j * k + c] = -components[j * k + c];
  }
  return { components, values, k };
}
