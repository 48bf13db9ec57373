import { WinnowError } from '../../src/errors.ts';
import { DEFAULT_MAX_UPLOAD_BYTES, formatBytes } from '../../src/limits.ts';
import { capBytes, fixedChunks, GzipError, maybeGunzip } from '../../src/util/index.ts';

export const PART_BYTES = 8 * 1024 * 1024;

/** The `MAX_UPLOAD_BYTES` var: the most bytes one upload may store, decompressed (default 1 GiB). */
export function maxUploadBytes(env: { MAX_UPLOAD_BYTES?: string }): number {
  const raw = env.MAX_UPLOAD_BYTES;
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_UPLOAD_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new WinnowError('internal', {
      detail: `MAX_UPLOAD_BYTES must be a whole number of bytes, got "${raw}": fix it in wrangler.toml's [vars]`,
    });
  return n;
}

export interface StoreOptions {
  /** Refuse the body once it is over this many bytes, decompressed (`maxUploadBytes(env)`). */
  maxBytes: number;
  /** What is stored, for the error: `the upload` (default), `the gzip object "raw/a.jsonl.gz"`. */
  what?: string;
  /** How to get under the limit, for the error. */
  hint?: string;
  partBytes?: number;
}

const UPLOAD_HINT =
  'send the dataset in parts (PUT /v1/datasets/{name}/parts/{part}) or register it from the bucket, or raise MAX_UPLOAD_BYTES in [vars]';

/**
 * Stream a body into R2 without holding it whole: one put when it fits one part, otherwise a
 * multipart upload of equal 8 MiB parts. Gzip bodies are decompressed on the way (holding at most
 * about 8 MiB of their output at a time, src/util/gunzip.ts), so the stored object can be read by
 * byte ranges. A body over `maxBytes`, decompressed, is refused (413) as soon as it gets there, and a
 * body that starts like gzip but is not (422): then nothing is stored, and the object already at `key`
 * is left as it was.
 */
export async function streamToR2(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  { maxBytes, what = 'the upload', hint = UPLOAD_HINT, partBytes = PART_BYTES }: StoreOptions,
): Promise<R2Object> {
  const seen = { bytes: 0 };
  let gzip = false;
  let compressed = 0;
  const over = () => {
    const limit = `${formatBytes(maxBytes)} (${maxBytes} bytes)`;
    const size = gzip
      ? `decompresses to more than ${limit} (refused after ${compressed} compressed bytes)`
      : `is over ${limit}`;
    return new WinnowError('payload_too_large', {
      detail: `${what} ${size}, the most one upload may store (MAX_UPLOAD_BYTES): ${hint}`,
      details: { limit: 'MAX_UPLOAD_BYTES', maxBytes, gzip },
    });
  };
  const inflated = maybeGunzip(body, (g) => (gzip = g), { onInput: (n) => (compressed = n) });
  try {
    return await store(bucket, key, fixedChunks(capBytes(inflated, maxBytes, over, seen), partBytes));
  } catch (e) {
    // A body that starts like gzip but does not decompress is the client's error, not ours.
    if (e instanceof GzipError)
      throw new WinnowError('malformed_input', {
        detail: `${what} starts like gzip but is not valid gzip: ${e.reason}, at compressed byte ${e.inputBytes} (${seen.bytes} bytes decompressed before it)`,
      });
    throw e;
  }
}

async function store(bucket: R2Bucket, key: string, parts: AsyncGenerator<Uint8Array>): Promise<R2Object> {
  const first = await parts.next();
  if (first.done) return (await bucket.put(key, new Uint8Array(0)))!;
  const second = await parts.next();
  if (second.done) return (await bucket.put(key, first.value))!;
  const upload = await bucket.createMultipartUpload(key);
  try {
    const uploaded: R2UploadedPart[] = [];
    uploaded.push(await upload.uploadPart(1, first.value));
    uploaded.push(await upload.uploadPart(2, second.value));
    for await (const part of parts) uploaded.push(await upload.uploadPart(uploaded.length + 1, part));
    return await upload.complete(uploaded);
  } catch (e) {
    await upload.abort().catch(() => {});
    throw e;
  }
}
