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

/** Yield a stream's chunks, gunzipping it first when it starts with the gzip magic bytes. */
export async function* maybeGunzip(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = streamChunks(stream);
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest = (async function* () {
    yield head;
    yield* { [Symbol.asyncIterator]: () => it };
  })();
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* rest;
    return;
  }
  const joined = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await rest.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
  yield* streamChunks(joined.pipeThrough(new DecompressionStream('gzip')) as ReadableStream<Uint8Array>);
}
