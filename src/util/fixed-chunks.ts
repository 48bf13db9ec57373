import { type GunzipOptions, gunzip } from './gunzip.ts';

/**
 * Re-cut a byte stream into chunks of exactly `size` bytes (the last one may be shorter), holding
 * at most one chunk in memory. R2 multipart uploads need equal-sized parts.
 */
export async function* fixedChunks(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('size must be a positive integer');
  let buf = new Uint8Array(size);
  let fill = 0;
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.byteLength) {
      const n = Math.min(size - fill, chunk.byteLength - at);
      buf.set(chunk.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === size) {
        yield buf;
        buf = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/** Iterate a ReadableStream's chunks. */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value && value.byteLength > 0) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Pass chunks through, adding their bytes to `seen.bytes`; throw `over()` as soon as more than `max`
 * bytes have passed, before the chunk that crosses the limit is yielded. Nothing past the limit is
 * ever held, so a stream that would inflate far beyond it costs no more than `max` bytes of work.
 */
export async function* capBytes(
  source: AsyncIterable<Uint8Array>,
  max: number,
  over: () => Error,
  seen: { bytes: number } = { bytes: 0 },
): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError('max must be a non-negative integer');
  for await (const chunk of source) {
    seen.bytes += chunk.byteLength;
    if (seen.bytes > max) throw over();
    yield chunk;
  }
}

/**
 * Yield a stream's chunks, gunzipping it first when it starts with the gzip magic bytes (`onDetect`
 * is told which, once the first chunk is in), with the memory it holds bounded (`gunzip`).
 */
export async function* maybeGunzip(
  stream: ReadableStream<Uint8Array>,
  onDetect?: (gzip: boolean) => void,
  options?: GunzipOptions,
): AsyncGenerator<Uint8Array> {
  const it = streamChunks(stream);
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest = (async function* () {
    yield head;
    yield* { [Symbol.asyncIterator]: () => it };
  })();
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  onDetect?.(gzip);
  yield* gzip ? gunzip(rest, options) : rest;
}
