import type { KmeansBounds } from './kmeans-bounds.ts';
import type { GmmParams, GmmStats, KmeansStats } from './types.ts';

/**
 * Compact little-endian encodings of what travels between map tasks and the coordinator:
 * a 16-byte header (4-byte ASCII magic, then uint32 version = 1, k and dim) followed by float64
 * values. KmeansStats 'WKMS': n, inertia, counts[k], sums[k·dim]. GmmStats 'WGMS': n, logLik,
 * nk[k], sx[k·dim], sxx[k·dim]. GmmParams 'WGMP': weights[k], means[k·dim], variances[k·dim].
 * Centroids 'WCEN': centroids[k·dim]. KmeansBounds 'WKMB': n, has centroids (0/1), tightened,
 * recomputed, origin[dim], counts[k], squares[k], sums[k·dim], centroids[k·dim] (if any),
 * labels[n], upper[n], lower[n], norms[n].
 */
const HEADER = 16;
const VERSION = 1;
const LITTLE = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

function encode(magic: string, k: number, dim: number, parts: (number | Float64Array)[]): Uint8Array {
  let count = 0;
  for (const part of parts) count += typeof part === 'number' ? 1 : part.length;
  const bytes = new Uint8Array(HEADER + count * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = magic.charCodeAt(i);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, k, true);
  view.setUint32(12, dim, true);
  let at = HEADER;
  for (const part of parts) {
    if (typeof part === 'number') {
      view.setFloat64(at, part, true);
      at += 8;
    } else if (LITTLE) {
      bytes.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
      at += part.byteLength;
    } else {
      for (let i = 0; i < part.length; i++, at += 8) view.setFloat64(at, part[i], true);
    }
  }
  return bytes;
}

/** Header fields and a reader of consecutive float64 values after them. */
function decode(
  magic: string,
  what: string,
  bytes: Uint8Array,
  size: (k: number, dim: number, first: (i: number) => number) => number,
) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = bytes.length >= HEADER ? String.fromCharCode(...bytes.subarray(0, 4)) : '';
  if (found !== magic) throw new TypeError(`not ${what} (expected magic ${magic})`);
  if (view.getUint32(4, true) !== VERSION)
    throw new RangeError(`unsupported ${what} version ${view.getUint32(4, true)}`);
  const k = view.getUint32(8, true);
  const dim = view.getUint32(12, true);
  const first = (i: number) =>
    bytes.length >= HEADER + 8 * (i + 1) ? view.getFloat64(HEADER + 8 * i, true) : Number.NaN;
  const expected = size(k, dim, first);
  if (!Number.isInteger(expected) || bytes.length !== HEADER + expected * 8)
    throw new RangeError(`${what}: length does not match k = ${k}, dim = ${dim}`);
  let at = HEADER;
  const scalar = () => {
    const v = view.getFloat64(at, true);
    at += 8;
    return v;
  };
  const array = (length: number) => {
    const out = new Float64Array(length);
    if (LITTLE) new Uint8Array(out.buffer).set(bytes.subarray(at, at + length * 8));
    else for (let i = 0; i < length; i++) out[i] = view.getFloat64(at + i * 8, true);
    at += length * 8;
    return out;
  };
  return { k, dim, scalar, array };
}

export function encodeKmeansStats(s: KmeansStats): Uint8Array {
  return encode('WKMS', s.k, s.dim, [s.n, s.inertia, s.counts, s.sums]);
}

export function decodeKmeansStats(bytes: Uint8Array): KmeansStats {
  const { k, dim, scalar, array } = decode('WKMS', 'k-means stats', bytes, (k, d) => 2 + k + k * d);
  const n = scalar();
  const inertia = scalar();
  return { k, dim, n, inertia, counts: array(k), sums: array(k * dim) };
}

export function encodeGmmStats(s: GmmStats): Uint8Array {
  return encode('WGMS', s.k, s.dim, [s.n, s.logLik, s.nk, s.sx, s.sxx]);
}

export function decodeGmmStats(bytes: Uint8Array): GmmStats {
  const { k, dim, scalar, array } = decode('WGMS', 'mixture stats', bytes, (k, d) => 2 + k + 2 * k * d);
  const n = scalar();
  const logLik = scalar();
  return { k, dim, n, logLik, nk: array(k), sx: array(k * dim), sxx: array(k * dim) };
}

export function encodeGmmParams(p: GmmParams): Uint8Array {
  return encode('WGMP', p.k, p.dim, [p.weights, p.means, p.variances]);
}

export function decodeGmmParams(bytes: Uint8Array): GmmParams {
  const { k, dim, array } = decode('WGMP', 'mixture params', bytes, (k, d) => k + 2 * k * d);
  return { k, dim, weights: array(k), means: array(k * dim), variances: array(k * dim) };
}

export function encodeCentroids(centroids: Float64Array, k: number, dim: number): Uint8Array {
  if (centroids.length !== k * dim) throw new RangeError('centroids must hold k × dim values');
  return encode('WCEN', k, dim, [centroids]);
}

export function decodeCentroids(bytes: Uint8Array): { k: number; dim: number; centroids: Float64Array } {
  const { k, dim, array } = decode('WCEN', 'centroids', bytes, (k, d) => k * d);
  return { k, dim, centroids: array(k * dim) };
}

export function encodeKmeansBounds(b: KmeansBounds): Uint8Array {
  return encode('WKMB', b.k, b.dim, [
    b.n,
    b.centroids ? 1 : 0,
    b.tightened,
    b.recomputed,
    b.origin,
    b.counts,
    b.squares,
    b.sums,
    ...(b.centroids ? [b.centroids] : []),
    Float64Array.from(b.labels),
    b.upper,
    b.lower,
    b.norms,
  ]);
}

export function decodeKmeansBounds(bytes: Uint8Array): KmeansBounds {
  const { k, dim, scalar, array } = decode('WKMB', 'k-means bounds', bytes, (k, d, first) => {
    const has = first(1);
    return 4 + d + 2 * k + k * d + (has === 1 ? k * d : has === 0 ? 0 : Number.NaN) + 4 * first(0);
  });
  const n = scalar();
  const has = scalar() === 1;
  const tightened = scalar();
  const recomputed = scalar();
  const origin = array(dim);
  const counts = array(k);
  const squares = array(k);
  const sums = array(k * dim);
  const centroids = has ? array(k * dim) : null;
  const labels = Int32Array.from(array(n));
  return {
    // A decoded state is carried between tasks: its rows are read anew each time.
    resident: false,
    k,
    dim,
    n,
    centroids,
    labels,
    upper: array(n),
    lower: array(n),
    origin,
    norms: array(n),
    counts,
    sums,
    squares,
    tightened,
    recomputed,
  };
}
