import { z } from 'zod';

/** Texts per embeddings request: OpenAI accepts up to 2048, Workers AI's bge models 100. */
export const EMBED_BATCH = 100;

/** OpenAI-compatible `/embeddings`: one entry per input, each naming its input's position. */
export const OpenAiEmbeddingsSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

/** Workers AI text-embedding models (`@cf/baai/bge-*`): `data` is n × d, `shape` is [n, d]. */
export const WorkersAiEmbeddingsSchema = z.object({
  data: z.array(z.array(z.number())),
  shape: z.array(z.number().int().nonnegative()).optional(),
});

/**
 * Embeds `texts` with one request per batch of at most `EMBED_BATCH` texts, in parallel (the transport
 * caps concurrency), and returns the vectors in input order. Every vector must have the same length.
 */
export async function embedInBatches(
  texts: readonly string[],
  send: (batch: string[]) => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += EMBED_BATCH) batches.push(texts.slice(i, i + EMBED_BATCH));
  const out = (await Promise.all(batches.map(send))).flat();
  const dim = out[0]?.length;
  for (const v of out) {
    if (v.length !== dim)
      throw new Error(`embeddings of different lengths across batches: ${dim} and ${v.length}`);
  }
  return out;
}

/** Rows of one response as float32 vectors; throws when there are not `expected` rows of one nonzero length. */
export function toVectors(rows: readonly (readonly number[])[], expected: number): Float32Array[] {
  if (rows.length !== expected) throw new Error(`${rows.length} embeddings for ${expected} inputs`);
  const dim = rows[0]?.length ?? 0;
  if (expected > 0 && dim === 0) throw new Error('empty embedding');
  return rows.map((row, i) => {
    if (row.length !== dim)
      throw new Error(`embedding ${i} has ${row.length} numbers, embedding 0 has ${dim}`);
    return Float32Array.from(row);
  });
}

/** `data[].embedding` in input order: each `index` in [0, expected) exactly once. */
export function openAiVectors(data: z.infer<typeof OpenAiEmbeddingsSchema>['data'], expected: number) {
  if (data.length !== expected) throw new Error(`${data.length} embeddings for ${expected} inputs`);
  const rows: number[][] = new Array(expected);
  for (const { index, embedding } of data) {
    if (index >= expected || rows[index] !== undefined) {
      throw new Error(`data[].index ${index} is out of range or repeated (${expected} inputs)`);
    }
    rows[index] = embedding;
  }
  return toVectors(rows, expected);
}

/** Workers AI's `data`, checked against its `shape` when given. */
export function workersAiVectors(r: z.infer<typeof WorkersAiEmbeddingsSchema>, expected: number) {
  const vectors = toVectors(r.data, expected);
  const d = vectors[0]?.length ?? 0;
  if (r.shape && (r.shape.length !== 2 || r.shape[0] !== expected || (expected > 0 && r.shape[1] !== d))) {
    throw new Error(`shape [${r.shape.join(', ')}] does not match ${expected} embeddings of ${d} numbers`);
  }
  return vectors;
}
