import { open } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';

/**
 * `fetch` for the CLI's clients that sends a streamed body at the pace the server reads it. Node's
 * fetch (undici) pulls a request body stream as fast as it can and queues what the socket has not
 * taken: uploading a 420 MB file to a slower reader peaked at 480 MB RSS. Through `node:http` with
 * a stream pipeline it peaked at 114 MB. Requests without a stream body go to `fetch` as they are.
 */
export const streamingFetch: typeof fetch = async (input, init) => {
  const body = init?.body;
  if (!(body instanceof ReadableStream)) return fetch(input, init);
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const headers = Object.fromEntries(new Headers(init?.headers).entries());
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send(url, { method: init?.method ?? 'PUT', headers, signal: init?.signal ?? undefined });
  const response = new Promise<Response>((ok, bad) => {
    req.once('error', bad);
    req.once('response', (res) => {
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
      const status = res.statusCode ?? 502;
      const stream = status === 204 || status === 304 ? null : (Readable.toWeb(res) as ReadableStream);
      ok(new Response(stream, { status, statusText: res.statusMessage, headers: h }));
    });
  });
  // A server that answers before it read the whole body (a 4xx) ends the upload: its answer counts
  // when it arrives before the broken pipe does (as with fetch, it may not).
  const sent = pipeline(Readable.fromWeb(body as NodeWebStream), req).then(
    () => null,
    (e: unknown) => e,
  );
  const res = await response;
  if (res.ok) {
    const failed = await sent;
    if (failed) throw failed;
  }
  return res;
};

/** A file as a request body, read 1 MiB at a time as the request takes it. */
export function fileStream(file: string): ReadableStream<Uint8Array> {
  const handle = open(file);
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        const fh = await handle;
        const buf = new Uint8Array(1 << 20);
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) {
          await fh.close();
          c.close();
        } else c.enqueue(buf.subarray(0, bytesRead));
      },
      async cancel() {
        await (await handle).close();
      },
    },
    { highWaterMark: 1 },
  );
}
