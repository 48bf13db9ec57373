import type { Matrix } from '../cluster/types.ts';

/**
 * A shard's vectors on disk (R2): a 16-byte header, then `n × dim` float32 little-endian, row-major.
 *
 * Header: the ASCII magic `WNEM`, version u16 (1), a reserved u16 (0), dim u32, n u32, all
 * little-endian. The data thus starts at byte 16, 16-byte aligned, so decoding can view it in place.
 * (Typed arrays are little-endian on every platform Winnow runs on.)
 */
export const MATRIX_HEADER_BYTES = 16;
const MAGIC = [0x57, 0x4e, 0x45, 0x4d]; // WNEM
const VERSION = 1;

export function encodeMatrix(m: Matrix): Uint8Array {
  checkShape(m);
  const out = new Uint8Array(MATRIX_HEADER_BYTES + m.n * m.dim * 4);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint16(4, VERSION, true);
  view.setUint32(8, m.dim, true);
  view.setUint32(12, m.n, true);
  out.set(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength), MATRIX_HEADER_BYTES);
  return out;
}

/** The matrix in `bytes`: a view into them when the data is 4-byte aligned (no copy), else one copy. */
export function decodeMatrix(bytes: Uint8Array): Matrix {
  if (bytes.length < MATRIX_HEADER_BYTES) {
    throw new TypeError(`not a matrix file: ${bytes.length} bytes, shorter than the 16-byte header`);
  }
  if (MAGIC.some((b, i) => bytes[i] !== b))
    throw new TypeError('not a matrix file: bad magic bytes (want WNEM)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== VERSION)
    throw new TypeError(`matrix file version ${version} is not supported (want ${VERSION})`);
  const dim = view.getUint32(8, true);
  const n = view.getUint32(12, true);
  const want = MATRIX_HEADER_BYTES + n * dim * 4;
  if (bytes.length < want) {
    throw new TypeError(`matrix file is truncated: ${n} × ${dim} needs ${want} bytes, got ${bytes.length}`);
  }
  if (bytes.length > want) {
    throw new TypeError(`matrix file has ${bytes.length - want} bytes past its ${n} × ${dim} data`);
  }
  const at = bytes.byteOffset + MATRIX_HEADER_BYTES;
  const data =
    at % 4 === 0
      ? new Float32Array(bytes.buffer as ArrayBuffer, at, n * dim)
      : new Float32Array(bytes.slice(MATRIX_HEADER_BYTES).buffer);
  return { data, n, dim };
}

/**
 * The NumPy `.npy` (format 1.0) header for a C-order little-endian float32 array of shape (n, dim):
 * magic `\x93NUMPY`, version 1.0, a u16 header length, then the dict literal padded with spaces and a
 * final newline so the whole header is a multiple of 64 bytes. A full `.npy` file is this header
 * followed by the row data of every shard's matrix file (the bytes after its 16-byte header), in
 * order, so it can be streamed without holding the matrix.
 */
export function npyHeader(n: number, dim: number): Uint8Array {
  for (const [x, name] of [
    [n, 'n'],
    [dim, 'dim'],
  ] as const) {
    if (!Number.isSafeInteger(x) || x < 0)
      throw new RangeError(`${name} must be a non-negative integer, got ${x}`);
  }
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${dim}), }`;
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const text = dict + ' '.repeat(total - unpadded) + '\n';
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(new TextEncoder().encode(text), 10);
  return out;
}

function checkShape(m: Matrix): void {
  if (!Number.isInteger(m.n) || m.n < 0 || !Number.isInteger(m.dim) || m.dim < 0) {
    throw new RangeError(`matrix shape must be non-negative integers, got ${m.n} × ${m.dim}`);
  }
  if (m.data.length !== m.n * m.dim) {
    throw new RangeError(`matrix data has ${m.data.length} numbers, but n × dim = ${m.n * m.dim}`);
  }
}
