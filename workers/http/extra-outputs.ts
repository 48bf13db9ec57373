import type { Report } from '../../schemas/output.ts';
import { decodeMatrix, npyHeader } from '../../src/embed/matrix-file.ts';
import type { OutputManifest } from '../../src/pipeline/advance.ts';
import { clustersKey, embedKey, reportKey } from '../../src/pipeline/keys.ts';

/** Outputs besides the record files and the report: written only by some recipes. */
export const EXTRA_OUTPUTS = ['clusters.json', 'embeddings.npy'] as const;

/** Which extra outputs a finished job has, with their sizes. */
export async function extraOutputs(env: Env, id: string, m: OutputManifest) {
  const out: { name: string; bytes: number; parts: number }[] = [];
  const clusters = await env.DATA_BUCKET.head(clustersKey(id));
  if (clusters) out.push({ name: 'clusters.json', bytes: clusters.size, parts: 1 });
  const npy = await embeddingsShape(env, id, m);
  if (npy)
    out.push({ name: 'embeddings.npy', bytes: npy.header.byteLength + npy.n * npy.dim * 4, parts: m.shards });
  return out;
}

async function embeddingsShape(env: Env, id: string, m: OutputManifest) {
  const report = (await (await env.DATA_BUCKET.get(reportKey(id)))?.json()) as Report | undefined;
  const recipe = report?.recipe as { exportEmbeddings?: boolean } | undefined;
  if (!report || !recipe?.exportEmbeddings) return null;
  let dim = 0;
  for (let s = 0; s < m.shards && dim === 0; s++) {
    const o = await env.DATA_BUCKET.get(embedKey(id, s, 'embed'));
    if (o) dim = decodeMatrix(new Uint8Array(await o.arrayBuffer())).dim;
  }
  const n = report.counts.valid;
  return { n, dim, header: npyHeader(n, dim) };
}

/** The response for an extra output, or null when the job has none by that name. */
export async function extraOutput(
  env: Env,
  id: string,
  file: string,
  m: OutputManifest,
): Promise<Response | null> {
  if (file === 'clusters.json') {
    const o = await env.DATA_BUCKET.get(clustersKey(id));
    return o ? new Response(o.body, { headers: { 'content-type': 'application/json' } }) : null;
  }
  if (file !== 'embeddings.npy') return null;
  const shape = await embeddingsShape(env, id, m);
  if (!shape) return null;
  let shard = -1;
  // The NumPy header, then every shard's rows in order (each shard file's own header stripped).
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (shard < 0) {
        shard = 0;
        controller.enqueue(shape.header);
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
    headers: {
      'content-type': 'application/octet-stream',
      'x-winnow-bytes': String(shape.header.byteLength + shape.n * shape.dim * 4),
    },
  });
}
