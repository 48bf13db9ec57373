import type { ShardRecord } from '../../../schemas/record.ts';
import type { Matrix } from '../../cluster/types.ts';
import { type EmbedderRef, resolveEmbedder } from '../../embed/index.ts';
import { decodeMatrix, encodeMatrix } from '../../embed/matrix-file.ts';
import { project, randomProjection } from '../../embed/reduce.ts';
import type { ProviderSet } from '../../providers/types.ts';
import type { ScoreInput } from '../../score/index.ts';
import { fromJsonl } from '../jsonl.ts';
import { embedKey, embedModelKey, embedPartialKey, shardKey } from '../keys.ts';
import type { JobSpec, ShardInfo } from '../spec.ts';
import { type BlobStore, getText } from '../store.ts';

/** The embed stage's three steps: the embedder's first pass over every shard, its merge, then embedding. */
export type EmbedStep = 'prepare' | 'merge' | 'embed';
export const EMBED_ITER: Record<EmbedStep, number> = { prepare: 0, merge: 1, embed: 2 };

const BATCH = 256;

function embedder(spec: JobSpec) {
  return resolveEmbedder(spec.recipe.embed as EmbedderRef);
}

/** Whether the recipe's embedder needs the first pass (document frequencies, …). */
export function embedNeedsPrepare(spec: JobSpec): boolean {
  return embedder(spec).embedder.prepare !== undefined;
}

async function records(store: BlobStore, spec: JobSpec, shard: number): Promise<ShardRecord[]> {
  return fromJsonl<ShardRecord>(await getText(store, shardKey(spec.id, shard, 'records.jsonl')));
}

const inputs = (rs: ShardRecord[]): ScoreInput[] =>
  rs.map((r) => ({ id: r.id, hash: r.hash, turns: r.turns, record: r.record }));

/** First pass, one shard: the embedder's partial statistics. */
export async function embedPrepare(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
): Promise<{ records: number }> {
  const { embedder: e, config } = embedder(spec);
  const rs = await records(store, spec, info.shard);
  const partial = e.prepare!.partial(inputs(rs), config);
  await store.put(embedPartialKey(spec.id, info.shard), e.prepare!.encodePartial(partial));
  return { records: rs.length };
}

/** Merge every shard's partial into the embedder's model. */
export async function embedMerge(
  store: BlobStore,
  spec: JobSpec,
  shards: number,
): Promise<{ shards: number }> {
  const { embedder: e, config } = embedder(spec);
  const prep = e.prepare!;
  let total: unknown;
  for (let s = 0; s < shards; s++) {
    const bytes = await store.get(embedPartialKey(spec.id, s));
    if (!bytes) throw new Error(`embed partial of shard ${s} is missing`);
    const p = prep.decodePartial(bytes);
    total = s === 0 ? p : prep.merge(total, p);
  }
  await store.put(embedModelKey(spec.id), prep.encodeModel(prep.finalize(total, config)));
  return { shards };
}

/** Decoded embedder models, per isolate. */
let cachedModel: { key: string; model: unknown } | undefined;

/**
 * Embed one shard: `embed.f32` holds the full vectors (for export); when the recipe reduces for
 * clustering, `reduced.f32` holds the seeded random projection.
 */
export async function embedShard(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  providers?: ProviderSet,
): Promise<{ records: number; dim: number }> {
  const { embedder: e, config } = embedder(spec);
  let model: unknown;
  if (e.prepare) {
    const key = embedModelKey(spec.id);
    if (cachedModel?.key !== key) {
      const bytes = await store.get(key);
      if (!bytes) throw new Error('the embedder model is missing (the first pass must run first)');
      cachedModel = { key, model: e.prepare.decodeModel(bytes) };
    }
    model = cachedModel.model;
  }
  const rs = await records(store, spec, info.shard);
  const dim = e.dim(config);
  const data = new Float32Array(rs.length * dim);
  for (let i = 0; i < rs.length; i += BATCH) {
    const batch = inputs(rs.slice(i, i + BATCH));
    data.set(await e.embed(batch, config, { model, providers }), i * dim);
  }
  const m: Matrix = { data, n: rs.length, dim };
  await store.put(embedKey(spec.id, info.shard, 'embed'), encodeMatrix(m));
  const reduceTo = spec.recipe.cluster?.dim;
  if (reduceTo !== undefined && reduceTo < dim) {
    const proj = randomProjection(dim, reduceTo, clusterSeed(spec));
    await store.put(embedKey(spec.id, info.shard, 'reduced'), encodeMatrix(project(m, proj, reduceTo)));
  }
  return { records: rs.length, dim };
}

export function clusterSeed(spec: JobSpec): number {
  return spec.recipe.cluster?.seed ?? spec.recipe.seed;
}

/** The vectors clustering runs on: the reduced ones when the recipe reduces, else the embeddings. */
export async function clusterVectors(store: BlobStore, spec: JobSpec, shard: number): Promise<Matrix> {
  const dim = spec.recipe.cluster?.dim;
  const which = dim !== undefined ? 'reduced' : 'embed';
  let bytes = await store.get(embedKey(spec.id, shard, which));
  if (!bytes && which === 'reduced') bytes = await store.get(embedKey(spec.id, shard, 'embed'));
  if (!bytes) throw new Error(`embeddings of shard ${shard} are missing`);
  return decodeMatrix(bytes);
}
