import { gunzipSync } from 'fflate';
import { decompress as zstdDecompress } from 'fzstd';
import type { CompressionCodec, Compressors } from 'hyparquet';
// Deep imports on purpose: the package's index also loads hysnappy, which compiles WebAssembly from
// embedded bytes when it is imported, and workerd refuses that (only wasm modules bundled with the
// Worker may be instantiated). These two files are plain JavaScript.
import { decompressBrotli } from 'hyparquet-compressors/src/brotli.js';
import { decompressLz4, decompressLz4Raw } from 'hyparquet-compressors/src/lz4.js';

/**
 * The decompressors the Parquet reader uses, all plain JavaScript so they run on workerd: GZIP through
 * fflate, ZSTD through fzstd, BROTLI and LZ4 from hyparquet-compressors. hyparquet decodes SNAPPY itself.
 */
export const PARQUET_COMPRESSORS: Compressors = {
  GZIP: (input, length) => gunzipSync(input, { out: new Uint8Array(length) }),
  // No output buffer passed in: fzstd 0.1.1 compares it with `== 1`, which turns a whole Uint8Array
  // into a string first (half the read time of a ZSTD file, profiled).
  ZSTD: (input) => zstdDecompress(input),
  BROTLI: decompressBrotli,
  LZ4: decompressLz4,
  LZ4_RAW: decompressLz4Raw,
};

/** Every codec the reader decodes; LZO (and any id Parquet does not define) is not among them. */
export const PARQUET_CODECS: readonly CompressionCodec[] = [
  'UNCOMPRESSED',
  'SNAPPY',
  ...(Object.keys(PARQUET_COMPRESSORS) as CompressionCodec[]),
];
