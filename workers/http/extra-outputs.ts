import { decodeMatrix, npyHeader } from '../../src/embed/matrix-file.ts';
import type { OutputManifest } from '../../src/pipeline/advance.ts';
import { clustersKey, diffKey, diffPartKey, embedKey, outputPartKeys } from '../../src/pipeline/keys.ts';

type ManifestFile = OutputManifest['files'][number];

/**
 * The response for an output the manifest lists besides the record files: `clusters.json` and
 * `diff.json`, one object each; `diff.jsonl`, `pairs.jsonl` and `groups.jsonl`, their parts in order; `embeddings.npy`, a NumPy header
 * and then every shard's rows in order (each shard file's own header stripped). Null for any other name.
 */
export async function extraOutput(
  env: Env,
  id: string,
  file: ManifestFile,
  m: OutputManifest,
): Promise<Response | null> {
  if (file.name === 'clusters.json') {
    const o = await env.DATA_BUCKET.get(clustersKey(id));
    return o ? new Response(o.body, { headers: { 'content-type': 'application/json' } }) : null;
  }
  if (file.name === 'diff.json') {
    const o = await env.DATA_BUCKET.get(diffKey(id));
    return o ? new Response(o.body, { headers: { 'content-type': 'application/json' } }) : null;
  }
  if (file.name === 'pairs.jsonl' || file.name === 'groups.jsonl')
    return partsResponse(env.DATA_BUCKET, outputPartKeys(id, file.name, file.parts), file.bytes);
  if (file.name === 'diff.jsonl')
    return partsResponse(
      env.DATA_BUCKET,
      Array.from({ length: file.parts }, (_, p) => diffPartKey(id, p)),
      file.bytes,
    );
  if (file.name !== 'embeddings.npy' || !file.shape) return null;
  const [rows, dim] = file.shape;
  let shard = -1;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (shard < 0) {
        shard = 0;
        controller.enqueue(npyHeader(rows, dim));
        return;
      }
      while (shard < m.shards) {
        const o = await env.DATA_BUCKET.get(embedKey(id, shard++, 'embed'));
        if (!o) continue;
        const { data } = decodeMatrix(new Uint8Array(await o.arrayBuffer()));
        if (data.byteLength === 0) continue;
        controller.enqueue(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        return;
      }
      controller.close();
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'application/octet-stream', 'x-winnow-bytes': String(file.bytes) },
  });
}

/** A JSONL file stored as parts: the parts' bodies in order, one after another (empty ones skipped). */
export function partsResponse(bucket: R2Bucket, keys: readonly string[], bytes?: number): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (next < keys.length) {
        const part = await bucket.get(keys[next++]);
        if (part && part.size > 0) {
          controller.enqueue(new Uint8Array(await part.arrayBuffer()));
          return;
        }
      }
      controller.close();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'application/x-ndjson; charset=utf-8',
      ...(bytes === undefined ? {} : { 'x-winnow-bytes': String(bytes) }),
    },
  });
}
