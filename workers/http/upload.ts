import { WinnowError } from '../../src/errors.ts';
import { fixedChunks, maybeGunzip } from '../../src/util/index.ts';

export const PART_BYTES = 8 * 1024 * 1024;

/**
 * Stream a body into R2 without holding it whole: one put when it fits one part, otherwise a
 * multipart upload of equal 8 MiB parts. Gzip bodies are decompressed on the way, so the stored
 * object can be read by byte ranges.
 */
export async function streamToR2(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  partBytes = PART_BYTES,
): Promise<R2Object> {
  try {
    return await store(bucket, key, body, partBytes);
  } catch (e) {
    // A body that starts like gzip but does not decompress is the client's error, not ours.
    if (e instanceof TypeError && /decompress/i.test(e.message))
      throw new WinnowError('malformed_input', {
        detail: `the body starts like gzip but is not valid gzip (${e.message})`,
      });
    throw e;
  }
}

async function store(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  partBytes: number,
): Promise<R2Object> {
  const parts = fixedChunks(maybeGunzip(body), partBytes);
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
