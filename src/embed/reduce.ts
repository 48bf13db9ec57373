import type { Matrix } from '../cluster/types.ts';
import { mulberry32 } from '../demo/random.ts';
import { symmetricEigen } from './eigen.ts';

/**
 * A dense Gaussian random projection matrix, `dimIn × dimOut` row-major (`proj[j * dimOut + k]`), with
 * entries N(0, 1/dimOut) (Box–Muller over mulberry32(seed)), so E‖xP‖² = ‖x‖² (Johnson–Lindenstrauss).
 * The same (dimIn, dimOut, seed) gives the same matrix on every runtime.
 */
export function randomProjection(dimIn: number, dimOut: number, seed: number): Float32Array {
  checkDim(dimIn, 'dimIn');
  checkDim(dimOut, 'dimOut');
  const rand = mulberry32(seed);
  const scale = 1 / Math.sqrt(dimOut);
  const out = new Float32Array(dimIn * dimOut);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand())) * scale;
    const t = 2 * Math.PI * rand();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** `m × proj`: each row x becomes xP (length dimOut), accumulated in float64. Not normalized. */
export function project(m: Matrix, proj: Float32Array, dimOut: number): Matrix {
  checkDim(dimOut, 'dimOut');
  if (proj.length !== m.dim * dimOut) {
    throw new RangeError(`proj must have dim × dimOut = ${m.dim * dimOut} numbers, got ${proj.length}`);
  }
  const out = new Float32Array(m.n * dimOut);
  const acc = new Float64Array(dimOut);
  for (let i = 0; i < m.n; i++) {
    acc.fill(0);
    for (let j = 0; j < m.dim; j++) {
      const x = m.data[i * m.dim + j];
      if (x === 0) continue;
      const row = j * dimOut;
      for (let k = 0; k < dimOut; k++) acc[k] += x * proj[row + k];
    }
    out.set(acc, i * dimOut);
  }
  return { data: out, n: m.n, dim: dimOut };
}

/** Mergeable PCA statistics: Σx and the upper triangle of Σxxᵀ (`sumOuter[i * dim + j]`, j ≥ i), float64. */
export interface PcaStats {
  n: number;
  dim: number;
  sum: Float64Array;
  sumOuter: Float64Array;
}

export interface Pca {
  /** Length dim. */
  mean: Float64Array;
  /** dimOut × dim row-major: unit principal axes, largest variance first. */
  components: Float32Array;
  /** Sample variance (divisor n − 1) along each component. */
  variances: Float64Array;
  dim: number;
  dimOut: number;
}

/** One shard's PCA statistics: O(n·dim²/2). With `into`, m's are added to it in place (and it is returned). */
export function pcaPartial(m: Matrix, into?: PcaStats): PcaStats {
  const d = m.dim;
  if (into && into.dim !== d)
    throw new RangeError(`cannot add rows of dim ${d} to PCA statistics of dim ${into.dim}`);
  const sum = into?.sum ?? new Float64Array(d);
  const sumOuter = into?.sumOuter ?? new Float64Array(d * d);
  for (let r = 0; r < m.n; r++) {
    const at = r * d;
    for (let i = 0; i < d; i++) {
      const xi = m.data[at + i];
      if (xi === 0) continue;
      sum[i] += xi;
      const row = i * d;
      for (let j = i; j < d; j++) sumOuter[row + j] += xi * m.data[at + j];
    }
  }
  if (into) {
    into.n += m.n;
    return into;
  }
  return { n: m.n, dim: d, sum, sumOuter };
}

/** Associative and commutative. */
export function mergePca(a: PcaStats, b: PcaStats): PcaStats {
  if (a.dim !== b.dim) throw new RangeError(`cannot merge PCA statistics of dim ${a.dim} and ${b.dim}`);
  return {
    n: a.n + b.n,
    dim: a.dim,
    sum: a.sum.map((x, i) => x + b.sum[i]),
    sumOuter: a.sumOuter.map((x, i) => x + b.sumOuter[i]),
  };
}

/**
 * The top `dimOut` principal axes: eigenvectors of the sample covariance (Σxxᵀ − n·μμᵀ) / (n − 1),
 * by `symmetricEigen` (O(dim³)). Each axis's sign is fixed so its largest-magnitude entry (first on
 * ties) is positive, making the result deterministic. The raw sums are float64, which is accurate
 * for embedding-scale data (|x| ≲ 1 and n ≪ 10¹²).
 */
export function pcaFinalize(total: PcaStats, dimOut: number): Pca {
  const { n, dim: d, sum, sumOuter } = total;
  if (!Number.isInteger(dimOut) || dimOut < 1 || dimOut > d) {
    throw new RangeError(`dimOut must be an integer in [1, ${d}], got ${dimOut}`);
  }
  if (n < 2) throw new RangeError(`PCA needs at least 2 records, got ${n}`);
  const mean = sum.map((s) => s / n);
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const c = (sumOuter[i * d + j] - n * mean[i] * mean[j]) / (n - 1);
      cov[i * d + j] = c;
      cov[j * d + i] = c;
    }
  }
  const { values, vectors } = symmetricEigen(cov, d);
  const components = new Float32Array(dimOut * d);
  for (let k = 0; k < dimOut; k++) {
    const row = vectors.subarray(k * d, k * d + d);
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(row[j]) > Math.abs(row[big])) big = j;
    const sign = row[big] < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) components[k * d + j] = sign * row[j];
  }
  return { mean, components, variances: values.slice(0, dimOut).map((v) => Math.max(v, 0)), dim: d, dimOut };
}

/**
 * Each row x becomes (x − mean)·componentsᵀ: its coordinates along the principal axes. Written into
 * `into` (at least n × dimOut values) when given.
 */
export function pcaProject(m: Matrix, pca: Pca, into?: Float32Array): Matrix {
  if (m.dim !== pca.dim) throw new RangeError(`matrix dim ${m.dim} does not match the PCA's dim ${pca.dim}`);
  const { dim: d, dimOut, mean, components } = pca;
  if (into && into.length < m.n * dimOut) throw new RangeError('into must hold n × dimOut values');
  const out = into ?? new Float32Array(m.n * dimOut);
  const x = new Float64Array(d);
  for (let r = 0; r < m.n; r++) {
    for (let j = 0; j < d; j++) x[j] = m.data[r * d + j] - mean[j];
    for (let k = 0; k < dimOut; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[j] * components[k * d + j];
      out[r * dimOut + k] = s;
    }
  }
  return { data: into ? out.subarray(0, m.n * dimOut) : out, n: m.n, dim: dimOut };
}

function checkDim(x: number, name: string): void {
  if (!Number.isInteger(x) || x < 1) throw new RangeError(`${name} must be a positive integer, got ${x}`);
}
